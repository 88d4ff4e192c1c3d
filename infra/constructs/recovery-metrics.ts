import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { acknowledgeFinding, nagArnReference } from '../compliance.ts';
import { ProjectFunction } from './project-function.ts';

export interface RecoveryMetricsProps {
  /** Claims are read from it and the metrics rows written back to it. */
  readonly table: ITable;
  /**
   * IANA time zone of the daily run, e.g. `Europe/Paris`: finance's "day" ends at its midnight.
   * @default 'UTC'
   */
  readonly scheduleTimeZone?: string;
}

/** Fails the synth, with the offending value, instead of failing the deploy or running at the wrong hour. */
function timeZoneOf(name: string): TimeZone {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    throw new Error(
      `metricsScheduleTimeZone "${name}" is not an IANA time zone (e.g. "UTC", "Europe/Paris")`,
    );
  }
  return TimeZone.of(name);
}

/**
 * Recovery metrics: a daily job (EventBridge Scheduler, 02:15 in the chosen time zone, after the
 * day's billing runs have settled) that recomputes the cohort aggregates, and the function behind
 * `GET /api/metrics` that reads them.
 */
export class RecoveryMetrics extends Construct {
  public readonly computeFunction: ProjectFunction;
  public readonly getMetricsFunction: ProjectFunction;
  public readonly schedule: Schedule;
  /** Alarms with no action yet: the observability construct subscribes the operators' channel. */
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: RecoveryMetricsProps) {
    super(scope, id);

    this.computeFunction = new ProjectFunction(this, 'ComputeFunction', {
      entry: 'functions/compute-recovery-metrics.ts',
      description: 'Daily job: recomputes the recovery metrics of the current and previous cohorts',
      // Scans a month of claims per cohort: more CPU and time than a request handler.
      memorySize: 1024,
      timeout: Duration.minutes(5),
    });
    this.computeFunction.bindTable(props.table, 'readWrite');

    // Our own role rather than the stack-wide one the target would create, so the grant and its
    // review live here; the condition stops another account's schedule from using it.
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the daily recovery metrics job',
    });
    this.schedule = new Schedule(this, 'DailySchedule', {
      description: 'Recompute the recovery metrics every day',
      schedule: ScheduleExpression.cron({
        minute: '15',
        hour: '2',
        timeZone: timeZoneOf(props.scheduleTimeZone ?? 'UTC'),
      }),
      // A rerun replaces the rows (idempotent), so retrying a failed or throttled run is safe.
      target: new LambdaInvoke(this.computeFunction, {
        role: schedulerRole,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });

    this.getMetricsFunction = new ProjectFunction(this, 'GetMetricsFunction', {
      entry: 'functions/get-recovery-metrics.ts',
      description: 'GET /api/metrics: the stored recovery metrics',
    });
    this.getMetricsFunction.bindTable(props.table, 'read');

    this.alarms = [
      new Alarm(this, 'ComputeErrorsAlarm', {
        alarmDescription: 'The daily recovery metrics job failed: finance reports show stale numbers.',
        metric: this.computeFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];

    acknowledgeFinding(
      schedulerRole,
      `IAM5[Resource::${nagArnReference(this.computeFunction)}:*]`,
      'The scheduler role may invoke this one function and its versions and aliases (`<arn>:*`), as granted by the LambdaInvoke target.',
    );
  }
}
