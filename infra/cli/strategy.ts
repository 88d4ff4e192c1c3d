import { runStrategyCli } from './strategy-cli.ts';

// `npm run strategy -- validate|publish|schema|preview ...`: see strategy-cli.ts and docs/strategies.md.
process.exitCode = await runStrategyCli(process.argv.slice(2));
