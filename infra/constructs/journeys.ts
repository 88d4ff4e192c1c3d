import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildCollectionJourney } from '../../workflows/collection-journey.ts';
import { acknowledgeFinding, nagArnReference } from '../compliance.ts';
import type { EmailChannel } from './messaging.ts';
import { ProjectFunction } from './project-function.ts';

export interface JourneysProps {
  /** The table the planner reads and the act step writes (step records, agent tasks, pauses). */
  readonly table: ITable;
  /** The email channel the send function delivers through. */
  readonly email: EmailChannel;
  /**
   * The longest a journey may run. A journey still running after this is stuck: the timeout ends
   * it and raises the ExecutionsTimedOut alarm. Strategies span days to weeks.
   * @default Duration.days(180)
   */
  readonly executionTimeout?: Duration;
  /**
   * Retention of the state machine's execution history log.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The collection journeys: one Standard execution per case (DESIGN.md decision 3), the plan and
 * send task functions, the execution log, and alarms on failed and timed-out executions.
 * The definition comes from `workflows/collection-journey.ts`, the same one the local runtime runs.
 */
export class Journeys extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly planFunction: ProjectFunction;
  public readonly sendFunction: ProjectFunction;
  /**
   * The Stripe API key the act step uses for payment retries, write-offs and cancellations
   * (a restricted key with write access to invoices and subscriptions). Created empty: until an
   * operator stores a key, those steps are skipped with the reason `billing-actions-not-configured`.
   */
  public readonly stripeApiKeySecret: Secret;
  public readonly logGroup: LogGroup;
  /** Alarms with no action yet: the observability construct subscribes the operators' channel. */
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: JourneysProps) {
    super(scope, id);

    this.planFunction = new ProjectFunction(this, 'PlanNextActionFunction', {
      entry: 'functions/plan-next-action.ts',
      description: 'Journey task PlanNextAction: the next action of a case and its moment',
    });
    this.planFunction.bindTable(props.table, 'read');

    this.sendFunction = new ProjectFunction(this, 'SendJourneyMessageFunction', {
      entry: 'functions/send-journey-message.ts',
      description: 'Journey task SendJourneyMessage: acts on the planned step once, then plans the next',
      // SES calls are retried by the SDK; leave room for them before the task is retried.
      timeout: Duration.seconds(30),
      environment: {
        SENDER_EMAIL: props.email.senderEmail,
        SES_CONFIGURATION_SET: props.email.configurationSetName,
      },
    });
    this.sendFunction.bindTable(props.table, 'readWrite');
    props.email.grantSendEmail(this.sendFunction);

    this.stripeApiKeySecret = new Secret(this, 'StripeApiKeySecret', {
      description:
        'Stripe restricted API key (rk_...) with write access to invoices and subscriptions, for payment retries, write-offs and cancellations. Set it with `aws secretsmanager put-secret-value`; empty means those steps are skipped.',
    });
    const cfnSecret = this.stripeApiKeySecret.node.defaultChild;
    if (!(cfnSecret instanceof CfnSecret)) throw new Error('Secret without a CfnSecret');
    // An empty secret (no generated value): the key is issued by Stripe, not by Secrets Manager.
    cfnSecret.addPropertyDeletionOverride('GenerateSecretString');
    acknowledgeFinding(
      this.stripeApiKeySecret,
      'SMG4',
      'A Stripe API key is issued and rolled in the Stripe dashboard, not by Secrets Manager: a rotation Lambda cannot create one. The operator stores the rolled key; the function re-reads it every 5 minutes.',
    );
    this.sendFunction.addEnvironment('STRIPE_API_KEY_SECRET_ARN', this.stripeApiKeySecret.secretArn);
    this.stripeApiKeySecret.grantRead(this.sendFunction);

    this.logGroup = new LogGroup(this, 'ExecutionLogGroup', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });

    // The states get their own scope so their construct ids (the state names) cannot clash.
    const definition = new Construct(this, 'Definition');
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Collection journey: one execution per case',
      definitionBody: DefinitionBody.fromChainable(
        buildCollectionJourney(definition, {
          planFunction: this.planFunction,
          sendFunction: this.sendFunction,
        }),
      ),
      timeout: props.executionTimeout ?? Duration.days(180),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        // Every state transition is logged (what happened and when), but not the state input and
        // output: they carry case data and message details, and logs hold no personal data.
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });

    this.alarms = [
      new Alarm(this, 'ExecutionsFailedAlarm', {
        alarmDescription:
          'A collection journey failed after its task retries: its case is no longer being worked.',
        metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'ExecutionsTimedOutAlarm', {
        alarmDescription: 'A collection journey ran past its timeout: it was stuck and has been stopped.',
        metric: this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];

    for (const taskFunction of [this.planFunction, this.sendFunction]) {
      acknowledgeFinding(
        this.stateMachine,
        `IAM5[Resource::${nagArnReference(taskFunction)}:*]`,
        'The Lambda task grant also covers the versions and aliases of this one function (`<arn>:*`), so that a task can target a published version without a policy change.',
      );
    }
    acknowledgeFinding(
      this.stateMachine,
      'IAM5[Resource::*]',
      'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended delivery (logs:CreateLogDelivery and related) do not support resource-level permissions: AWS documents Resource "*" for them.',
    );
  }
}
