import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RebuildPass } from '../shared/domain/metric-rebuild.ts';

/**
 * State names are part of the contract with the local runtime and the tests, which run this very
 * definition; renaming one is a breaking change.
 */
export const RebuildState = {
  plan: 'PlanRebuild',
  claimSegments: 'RebuildClaimSegments',
  claimSegment: 'RebuildClaimSegment',
  recordSegments: 'RebuildRecordSegments',
  recordSegment: 'RebuildRecordSegment',
  compare: 'CompareRebuiltCells',
  cleanup: 'DeleteRebuildPartials',
  outcome: 'IsRebuildEqual',
  proved: 'AggregatesProved',
  differ: 'AggregatesDiffer',
  failed: 'RebuildFailed',
} as const;

/** The error an execution fails with when the aggregates differ from the claims (and were not repaired). */
export const aggregatesMismatchError = 'MetricAggregatesMismatch';

/**
 * Errors worth another attempt of a step: throttling and server errors of Lambda and DynamoDB (once
 * the SDK's own retries are spent), a lost optimistic-lock race, a socket timeout. Every step
 * writes only recomputed values, so running one again is harmless. A segment that hits its
 * Lambda timeout (`Sandbox.Timedout`, `States.Timeout`) is not retried: it needs more segments.
 */
export const retryableRebuildErrors = [
  'Lambda.TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'ConcurrentUpdateError',
] as const;

/** The execution input; an operator may start it with `{"repair": true}` or another segment count. */
export interface RebuildInput {
  readonly repair?: boolean;
  readonly segments?: number;
}

export interface RebuildWorkflowProps {
  /** The function that runs every step (functions/rebuild-metric-aggregates.ts). */
  readonly rebuildFunction: IFunction;
  /** Segments when the input does not say. */
  readonly defaultSegments: number;
  /** Segments of a pass run at once: each is a Lambda invocation scanning the table. */
  readonly maxConcurrency: number;
  /** How long one step may take: the function's timeout. */
  readonly taskTimeout: Duration;
}

function rebuildTask(
  scope: Construct,
  id: string,
  props: RebuildWorkflowProps,
  options: Pick<tasks.LambdaInvokeProps, 'payload' | 'resultPath' | 'outputPath' | 'comment'>,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: props.rebuildFunction,
    payloadResponseOnly: true,
    taskTimeout: sfn.Timeout.duration(props.taskTimeout),
    ...options,
  });
  task.addRetry({
    errors: [...retryableRebuildErrors],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.minutes(2),
    jitterStrategy: sfn.JitterType.FULL,
  });
  // The function crashed (out of memory, the runtime exited): once more, then the run fails.
  task.addRetry({ errors: ['Lambda.Unknown'], interval: Duration.seconds(10), maxAttempts: 1 });
  return task;
}

/** One pass over every scan segment: a Map of the segment step, `maxConcurrency` at a time. */
function passOverSegments(scope: Construct, pass: RebuildPass, props: RebuildWorkflowProps): sfn.Map {
  const [mapId, taskId, resultPath] =
    pass === 'claims'
      ? [RebuildState.claimSegments, RebuildState.claimSegment, '$.claimPartials']
      : [RebuildState.recordSegments, RebuildState.recordSegment, '$.recordPartials'];
  const map = new sfn.Map(scope, mapId, {
    comment: `The ${pass} pass, one scan segment per item; the output keeps only each partial's reference.`,
    itemsPath: sfn.JsonPath.stringAt('$.segments'),
    maxConcurrency: props.maxConcurrency,
    itemSelector: {
      step: 'segment',
      pass,
      runId: sfn.JsonPath.stringAt('$.runId'),
      'repair.$': '$.repair',
      totalSegments: sfn.JsonPath.numberAt('$.totalSegments'),
      segment: sfn.JsonPath.numberAt('$$.Map.Item.Value'),
    },
    resultPath,
  });
  // No payload: the item (the segment step's whole request) is the function's event.
  map.itemProcessor(rebuildTask(scope, taskId, props, {}));
  return map;
}

/**
 * The weekly proof of the finance aggregates (docs/metrics.md, "The rebuild proves it"), for any
 * history size: plan the segments → the claims pass over every DynamoDB parallel scan segment (a
 * Map) → the records pass likewise (it reads what the claims pass repaired) → compare the summed
 * expected cells with the stored ones → delete the partials → succeed when equal (or repaired),
 * else fail so the ExecutionsFailed alarm fires. Each segment's partial is stored in the table and
 * only its reference (about 90 bytes) travels in the state, since a partial is far larger than
 * Step Functions' 256 KiB payload limit. JSONPath only: the local engine ignores JSONata
 * (DESIGN.md decision 1).
 */
export function buildRebuildMetricAggregates(scope: Construct, props: RebuildWorkflowProps): sfn.IChainable {
  const plan = rebuildTask(scope, RebuildState.plan, props, {
    comment:
      'Validates the input and lists the segments; a bad input fails here, before anything is written.',
    payload: sfn.TaskInput.fromObject({
      step: 'plan',
      runId: sfn.JsonPath.stringAt('$$.Execution.Name'),
      input: sfn.JsonPath.entirePayload,
      defaultSegments: props.defaultSegments,
    }),
    // The plan replaces the state. Written as ResultPath + OutputPath rather than ResultPath "$",
    // which aws-local-stepfunctions 3.0.0 mistakes for a key named "$".
    resultPath: '$.plan',
    outputPath: '$.plan',
  });

  const compare = rebuildTask(scope, RebuildState.compare, props, {
    comment: 'Sums the partials, folds settled shards, compares (and repairs) every cell.',
    payload: sfn.TaskInput.fromObject({
      step: 'finish',
      runId: sfn.JsonPath.stringAt('$.runId'),
      'repair.$': '$.repair',
      totalSegments: sfn.JsonPath.numberAt('$.totalSegments'),
      claimPartials: sfn.JsonPath.listAt('$.claimPartials'),
      recordPartials: sfn.JsonPath.listAt('$.recordPartials'),
    }),
    resultPath: '$.result',
  });

  const cleanup = rebuildTask(scope, RebuildState.cleanup, props, {
    comment: "Deletes the run's partials; DynamoDB's TTL removes them within a week if this fails.",
    payload: sfn.TaskInput.fromObject({ step: 'cleanup', runId: sfn.JsonPath.stringAt('$.runId') }),
    resultPath: sfn.JsonPath.DISCARD,
  });

  const failed = new sfn.Fail(scope, RebuildState.failed, {
    comment: 'A step kept failing after its retries: the proof did not run to the end.',
    errorPath: '$.error.Error',
    causePath: '$.error.Cause',
  });
  const differ = new sfn.Fail(scope, RebuildState.differ, {
    comment: 'The aggregates differ from the claims: reports may be wrong. Repair with {"repair": true}.',
    error: aggregatesMismatchError,
    causePath: '$.result.summary',
  });
  const proved = new sfn.Succeed(scope, RebuildState.proved, {
    comment: 'Equal, or repaired on request.',
    outputPath: '$.result',
  });
  const outcome = new sfn.Choice(scope, RebuildState.outcome)
    .when(sfn.Condition.isPresent('$.error'), failed)
    .when(
      sfn.Condition.or(
        sfn.Condition.booleanEquals('$.result.equal', true),
        sfn.Condition.booleanEquals('$.result.repaired', true),
      ),
      proved,
    )
    .otherwise(differ);
  // Partials left behind expire: the proof's outcome stands.
  cleanup.addCatch(outcome, { resultPath: '$.cleanupError' });

  const claims = passOverSegments(scope, 'claims', props);
  const records = passOverSegments(scope, 'records', props);
  for (const step of [claims, records, compare]) step.addCatch(cleanup, { resultPath: '$.error' });
  return plan.next(claims).next(records).next(compare).next(cleanup).next(outcome);
}
