import { buildCollectionsApp } from './collections-app.ts';
import { applyCompliance } from './compliance.ts';

// The `cdk.json` entry point: bundles the functions, and fails the synth on any AwsSolutions
// finding that is not acknowledged (with its reason) where the resource is defined.
const { app } = buildCollectionsApp({ bundling: true });
applyCompliance(app);
app.synth();
