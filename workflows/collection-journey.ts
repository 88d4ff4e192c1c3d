import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * State names are part of the contract with the local runtime, which maps the Task states to
 * the same handlers and drives the Wait on its virtual clock. Renaming one is a breaking change.
 */
export const JourneyState = {
  plan: 'PlanNextAction',
  isOver: 'IsJourneyOver',
  wait: 'WaitUntilPlannedTime',
  /** Acts on the planned step (after re-reading the case) and plans the next one. */
  send: 'SendJourneyMessage',
  ended: 'JourneyEnded',
  failed: 'JourneyFailed',
} as const;

/** The execution input: keys, not documents (256 KiB payload limit). */
export interface JourneyInput {
  readonly caseId: string;
}

export interface CollectionJourneyProps {
  readonly planFunction: IFunction;
  /** Acts on a planned step and returns the next plan (shared/use-cases/advance-journey.ts). */
  readonly sendFunction: IFunction;
}

/** Transient failures (throttling, Lambda service errors, lost races) are retried with full jitter. */
function retryTransient(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: ['States.ALL'],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 4,
    maxDelay: Duration.minutes(1),
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/**
 * One execution per case: plan the first step → (wait until its moment → act and plan the next
 * step) until the plan is to end. The act task re-reads the case right before acting, so nobody
 * is contacted after paying, disputing or opting out. Waits are timestamps from the planner, and
 * a step costs three state transitions (Wait, act-and-plan, IsJourneyOver), so a month-long
 * six-step journey costs about twenty. JSONPath only: the local engine ignores JSONata
 * (DESIGN.md decision 1).
 */
export function buildCollectionJourney(scope: Construct, props: CollectionJourneyProps): sfn.IChainable {
  const failed = new sfn.Fail(scope, JourneyState.failed, {
    comment: 'A task kept failing after its retries; alarms on ExecutionsFailed call for a look.',
    causePath: '$.error.Cause',
    errorPath: '$.error.Error',
  });

  const plan = new tasks.LambdaInvoke(scope, JourneyState.plan, {
    lambdaFunction: props.planFunction,
    payload: sfn.TaskInput.fromObject({ caseId: sfn.JsonPath.stringAt('$.caseId') }),
    payloadResponseOnly: true,
    resultPath: '$.plan',
  });
  retryTransient(plan);
  plan.addCatch(failed, { resultPath: '$.error' });

  const wait = new sfn.Wait(scope, JourneyState.wait, { time: sfn.WaitTime.timestampPath('$.plan.at') });

  // The whole plan goes in (a step is dispatched by its action, and optional fields need no
  // special casing); the task answers with the whole next state: { caseId, plan, lastStep }.
  const act = new tasks.LambdaInvoke(scope, JourneyState.send, {
    lambdaFunction: props.sendFunction,
    payload: sfn.TaskInput.fromObject({
      caseId: sfn.JsonPath.stringAt('$.caseId'),
      plan: sfn.JsonPath.objectAt('$.plan'),
    }),
    payloadResponseOnly: true,
    // The answer replaces the state. Written as ResultPath + OutputPath rather than ResultPath "$",
    // which aws-local-stepfunctions 3.0.0 mistakes for a key named "$".
    resultPath: '$.next',
    outputPath: '$.next',
  });
  retryTransient(act);
  act.addCatch(failed, { resultPath: '$.error' });

  const ended = new sfn.Succeed(scope, JourneyState.ended, {
    comment: 'The planner has nothing left to do (paid, closed, or the strategy is complete).',
  });

  const isOver = new sfn.Choice(scope, JourneyState.isOver)
    .when(sfn.Condition.stringEquals('$.plan.action', 'end'), ended)
    .otherwise(wait.next(act));
  act.next(isOver);
  return plan.next(isOver);
}
