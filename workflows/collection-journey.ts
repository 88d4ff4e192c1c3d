import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
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
  readCase: 'ReadCase',
  isOpen: 'IsCaseStillOpen',
  send: 'SendJourneyMessage',
  ended: 'JourneyEnded',
  closed: 'CaseClosed',
  failed: 'JourneyFailed',
} as const;

/** The execution input: keys, not documents (256 KiB payload limit). */
export interface JourneyInput {
  readonly caseId: string;
}

export interface CollectionJourneyProps {
  readonly table: ITable;
  readonly planFunction: IFunction;
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
 * One execution per case: plan the next action → wait until its moment → re-read the case →
 * act (send a message, retry a payment, hand to an agent, pause, write off, cancel) → plan again. The case is re-read right before acting, so nobody is contacted after
 * paying. Waits are timestamps from the planner, so a month-long journey costs a few dozen
 * state transitions. JSONPath only: the local engine ignores JSONata (DESIGN.md decision 1).
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

  const readCase = new tasks.DynamoGetItem(scope, JourneyState.readCase, {
    table: props.table,
    key: {
      pk: tasks.DynamoAttributeValue.fromString(
        sfn.JsonPath.format('CASE#{}', sfn.JsonPath.stringAt('$.caseId')),
      ),
      sk: tasks.DynamoAttributeValue.fromString('CASE'),
    },
    consistentRead: true,
    // `status` is a DynamoDB reserved word: project it through a name placeholder.
    projectionExpression: [new tasks.DynamoProjectionExpression().withAttribute('#status')],
    expressionAttributeNames: { '#status': 'status' },
    resultSelector: { 'status.$': '$.Item.status.S' },
    resultPath: '$.current',
  });
  retryTransient(readCase);
  readCase.addCatch(failed, { resultPath: '$.error' });

  const send = new tasks.LambdaInvoke(scope, JourneyState.send, {
    lambdaFunction: props.sendFunction,
    // The whole plan (action, step, channel, template, variant, reasons): a step is dispatched by
    // its action, and optional fields (a payment retry has no channel) need no special casing.
    payload: sfn.TaskInput.fromObject({
      caseId: sfn.JsonPath.stringAt('$.caseId'),
      plan: sfn.JsonPath.objectAt('$.plan'),
    }),
    payloadResponseOnly: true,
    resultPath: '$.lastSend',
  });
  retryTransient(send);
  send.addCatch(failed, { resultPath: '$.error' });

  const ended = new sfn.Succeed(scope, JourneyState.ended, {
    comment: 'The planner has nothing left to do.',
  });
  const closed = new sfn.Succeed(scope, JourneyState.closed, { comment: 'The case closed while waiting.' });

  return plan.next(
    new sfn.Choice(scope, JourneyState.isOver)
      .when(sfn.Condition.stringEquals('$.plan.action', 'end'), ended)
      .otherwise(
        wait.next(readCase).next(
          new sfn.Choice(scope, JourneyState.isOpen)
            .when(sfn.Condition.not(sfn.Condition.stringEquals('$.current.status', 'open')), closed)
            // A `wait` plan (an open-ended pause) has nothing to act on: look again.
            .when(sfn.Condition.stringEquals('$.plan.action', 'wait'), plan)
            .otherwise(send.next(plan)),
        ),
      ),
  );
}
