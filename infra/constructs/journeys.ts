import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { buildCollectionJourney } from '../../workflows/collection-journey.ts';
import { acknowledgeStateMachineFindings } from '../compliance.ts';
import type { EmailChannel } from './messaging.ts';
import { ProjectFunction } from './project-function.ts';
import { nameWorkflow, WorkflowName } from './workflow-metadata.ts';

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
  public readonly logGroup: LogGroup;
  /** Alarms with no action yet: the observability construct subscribes the operators' channel. */
  public readonly alarms: readonly Alarm[];

  /**
   * Lets the act step use the billing provider's API (payment retries, write-offs, cancellations)
   * with the key in `secret`. Without it, those steps are skipped with a reason.
   */
  public useStripeApiKey(secret: Pick<ISecret, 'secretArn' | 'grantRead'>): void {
    this.sendFunction.addEnvironment('STRIPE_API_KEY_SECRET_ARN', secret.secretArn);
    secret.grantRead(this.sendFunction);
  }

  /**
   * Lets the act step deliver on the channels configured besides email: grants the sends, tells
   * the function its origination identities, and tells the planner (`JOURNEY_CHANNELS`) which
   * channels it may pick; the others are skipped with a reason and the step falls back.
   */
  public deliverThrough(channels: {
    readonly sms?: {
      readonly originationIdentity: string;
      readonly configurationSetName: string;
      readonly grantSendText: (grantee: IGrantable) => Grant;
      readonly grantSendVoice: (grantee: IGrantable) => Grant;
    };
    readonly whatsapp?: {
      readonly phoneNumberId: string;
      readonly grantSendWhatsApp: (grantee: IGrantable) => Grant;
    };
  }): void {
    const deliverable = ['email'];
    if (channels.sms) {
      channels.sms.grantSendText(this.sendFunction);
      channels.sms.grantSendVoice(this.sendFunction);
      this.sendFunction.addEnvironment('SMS_ORIGINATION_IDENTITY', channels.sms.originationIdentity);
      this.sendFunction.addEnvironment('SMS_CONFIGURATION_SET', channels.sms.configurationSetName);
      deliverable.push('sms', 'voice');
    }
    if (channels.whatsapp) {
      channels.whatsapp.grantSendWhatsApp(this.sendFunction);
      this.sendFunction.addEnvironment('WHATSAPP_PHONE_NUMBER_ID', channels.whatsapp.phoneNumberId);
      deliverable.push('whatsapp');
    }
    for (const fn of [this.planFunction, this.sendFunction]) {
      fn.addEnvironment('JOURNEY_CHANNELS', deliverable.join(','));
    }
  }

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
    nameWorkflow(this.stateMachine, WorkflowName.journey);

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

    acknowledgeStateMachineFindings(this.stateMachine, [this.planFunction, this.sendFunction]);
  }
}
