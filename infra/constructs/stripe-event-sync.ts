import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeFinding, nagArnReference } from '../compliance.ts';
import { ProjectFunction } from './project-function.ts';
import type { WebhookIngest } from './webhook-ingest.ts';

export interface StripeEventSyncProps {
  readonly table: ITable;
  readonly journeyStateMachine: IStateMachine;
  /** The ingest construct: its environment (billing mode) and Stripe API key secret are reused. */
  readonly ingest: WebhookIngest;
  /**
   * How often missed Stripe events are fetched and applied. The webhook (or EventBridge) is the
   * main path; this is the backstop, so an hour is plenty.
   * @default Duration.hours(1)
   */
  readonly reconcileEvery?: Duration;
  /**
   * Receive Stripe events through Amazon EventBridge: the name of the Stripe partner event source
   * (`aws.partner/stripe.com/ed_...`, created by "Amazon EventBridge" in the Stripe dashboard and
   * listed under EventBridge > Partner event sources). The stack creates the partner event bus for
   * it and routes every event to the same ingest core as the webhook; no public endpoint is needed.
   * @default - no EventBridge delivery
   */
  readonly partnerEventSourceName?: string;
}

const partnerSourcePattern = /^aws\.partner\/stripe\.com\/[A-Za-z0-9_.\-/]+$/;

/**
 * Keeps the product in sync with Stripe when the webhook is not enough: a scheduled
 * reconciliation of the events since the last one seen, and optionally Stripe's EventBridge
 * delivery in place of the public endpoint.
 */
export class StripeEventSync extends Construct {
  public readonly reconcileFunction: ProjectFunction;
  public readonly schedule: Schedule;
  public readonly eventBus?: EventBus;
  public readonly eventBridgeFunction?: ProjectFunction;
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: StripeEventSyncProps) {
    super(scope, id);

    this.reconcileFunction = new ProjectFunction(this, 'ReconcileFunction', {
      entry: 'functions/reconcile-stripe-events.ts',
      description: 'Scheduled: applies the Stripe events the webhook missed, since the last one seen',
      timeout: Duration.minutes(5),
      memorySize: 1024,
      environment: {
        ...props.ingest.ingestEnvironment,
        STRIPE_API_KEY_ARN: props.ingest.stripeApiKeySecret.secretArn,
      },
    });
    props.ingest.bindIngest(this.reconcileFunction, props);
    props.ingest.stripeApiKeySecret.grantRead(this.reconcileFunction);

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the Stripe reconciliation job',
    });
    const every = props.reconcileEvery ?? Duration.hours(1);
    this.schedule = new Schedule(this, 'ReconcileSchedule', {
      description: 'Fetch and apply missed Stripe events',
      schedule: ScheduleExpression.rate(every),
      // Reruns are idempotent (event ledger, cursor); an old missed run is superseded by the next.
      target: new LambdaInvoke(this.reconcileFunction, {
        role: schedulerRole,
        retryAttempts: 2,
        maxEventAge: every,
      }),
    });
    acknowledgeFinding(
      schedulerRole,
      `IAM5[Resource::${nagArnReference(this.reconcileFunction)}:*]`,
      'The scheduler role may invoke this one function and its versions and aliases (`<arn>:*`), as granted by the LambdaInvoke target.',
    );

    const alarms = [
      new Alarm(this, 'ReconcileErrorsAlarm', {
        alarmDescription: 'Stripe reconciliation failed: events the webhook missed are not being applied.',
        metric: this.reconcileFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 2,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];

    if (props.partnerEventSourceName !== undefined) {
      if (!partnerSourcePattern.test(props.partnerEventSourceName)) {
        throw new Error(
          `stripeEventSourceName "${props.partnerEventSourceName}" is not a Stripe partner event source (aws.partner/stripe.com/...)`,
        );
      }
      this.eventBus = new EventBus(this, 'StripePartnerBus', {
        eventSourceName: props.partnerEventSourceName,
      });
      this.eventBridgeFunction = new ProjectFunction(this, 'EventBridgeFunction', {
        entry: 'functions/ingest-stripe-eventbridge.ts',
        description:
          'Stripe events from the partner event bus: record the billing event, open or update the case',
        environment: {
          ...props.ingest.ingestEnvironment,
          STRIPE_API_KEY_ARN: props.ingest.stripeApiKeySecret.secretArn,
        },
      });
      props.ingest.bindIngest(this.eventBridgeFunction, props);
      props.ingest.stripeApiKeySecret.grantRead(this.eventBridgeFunction);
      const deadLetters = new Queue(this, 'EventBridgeDeadLetters', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeFinding(
        deadLetters,
        'SQS3',
        'This queue is itself the dead-letter queue of the Stripe EventBridge rule target.',
      );
      new Rule(this, 'StripeEventsRule', {
        eventBus: this.eventBus,
        description: 'Every Stripe event to the ingest core',
        eventPattern: { source: [props.partnerEventSourceName] },
        targets: [
          new LambdaFunction(this.eventBridgeFunction, {
            deadLetterQueue: deadLetters,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
      alarms.push(
        new Alarm(this, 'EventBridgeDeadLettersAlarm', {
          alarmDescription:
            'Stripe events from EventBridge could not be applied and wait in the dead-letter queue.',
          metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;
  }
}
