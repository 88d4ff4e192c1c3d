import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Template metadata key naming a state machine for the local runtime (e.g. `collection-journey`),
 * which runs each synthesized definition by that name rather than by its logical id.
 */
export const workflowMetadataKey = 'collections:workflow';

export const WorkflowName = {
  journey: 'collection-journey',
  /** Also the local job name: `POST /local/jobs/rebuild-metric-aggregates/run`. */
  rebuildMetricAggregates: 'rebuild-metric-aggregates',
} as const;

export type WorkflowName = (typeof WorkflowName)[keyof typeof WorkflowName];

export function nameWorkflow(stateMachine: StateMachine, name: WorkflowName): void {
  (stateMachine.node.defaultChild as CfnStateMachine).addMetadata(workflowMetadataKey, name);
}
