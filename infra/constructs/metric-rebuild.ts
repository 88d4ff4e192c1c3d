import { Duration, type TimeZone } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { maxRebuildSegments } from '../../shared/domain/metric-rebuild.ts';
import { buildRebuildMetricAggregates } from '../../workflows/rebuild-metric-aggregates.ts';
import { acknowledgeStateMachineFindings } from '../compliance.ts';
import { ProjectFunction } from './project-function.ts';
import { nameWorkflow, WorkflowName } from './workflow-metadata.ts';

export interface MetricRebuildProps {
  /** The claims, cases, messages, contribution records and cells it reads, and repairs. */
  readonly table: ITable;
  /** `METRICS_TIME_ZONE` and `ATTRIBUTION_WINDOW_DAYS`: the rebuild dates facts as every writer does. */
  readonly environment: Readonly<Record<string, string>>;
  /** The company's time zone: the weekly proof runs Sunday 03:00 on its wall clock. */
  readonly timeZone: TimeZone;
  /** The role EventBridge Scheduler starts the weekly proof with (granted StartExecution here). */
  readonly schedulerRole: IRole;
  /**
   * DynamoDB parallel scan segments per pass when the execution input does not say (1-1,000). One
   * Lambda covers about 1,000 claims a second for 15 minutes, so with a safety margin a segment
   * should hold at most about 400,000 claims (docs/metrics.md, "The rebuild proves it").
   * @default 8
   */
  readonly segments?: number;
  /**
   * Segments of a pass run at once (1-1,000): each is a Lambda invocation scanning the table.
   * @default 8
   */
  readonly maxConcurrency?: number;
  /**
   * Retention of the state machine's execution log.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

function checkedCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > maxRebuildSegments) {
    throw new Error(`${name} must be an integer from 1 to ${maxRebuildSegments}, got ${value}`);
  }
  return value;
}

/**
 * The rebuild that proves the finance aggregates against the claims (docs/metrics.md): one
 * function that runs every step, the state machine that runs its passes over parallel scan
 * segments (workflows/rebuild-metric-aggregates.ts), its log, the weekly proof on EventBridge
 * Scheduler (Sunday 03:00, verify mode), and alarms when an execution fails (the aggregates
 * differ, or the proof did not run to the end) or times out.
 */
export class MetricRebuild extends Construct {
  public readonly function: ProjectFunction;
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;
  public readonly schedule: Schedule;
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: MetricRebuildProps) {
    super(scope, id);
    const segments = checkedCount('rebuildSegments', props.segments ?? 8);
    const maxConcurrency = checkedCount('rebuildMaxConcurrency', props.maxConcurrency ?? 8);

    this.function = new ProjectFunction(this, 'Function', {
      entry: 'functions/rebuild-metric-aggregates.ts',
      description:
        'Recomputes the finance aggregates from the claims and proves them equal (or repairs them): every step of the rebuild',
      // A segment holds one scan page and the expected cells of a calendar (tens of MB at most).
      memorySize: 3008,
      timeout: Duration.minutes(15),
      environment: props.environment,
    });
    this.function.bindTable(props.table, 'readWrite');

    this.logGroup = new LogGroup(this, 'ExecutionLogGroup', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
    });
    const definition = new Construct(this, 'Definition');
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Proves (or repairs) the finance aggregates against the claims over parallel scan segments',
      definitionBody: DefinitionBody.fromChainable(
        buildRebuildMetricAggregates(definition, {
          rebuildFunction: this.function,
          defaultSegments: segments,
          maxConcurrency,
          taskTimeout: Duration.minutes(15),
        }),
      ),
      // Two passes of ceil(segments ÷ concurrency) waves of 15 minutes at most, and the comparison:
      // the defaults end within an hour; a day leaves room for larger runs, then the alarm fires.
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        // Transitions only: the states carry claim ids and the comparison's findings.
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    nameWorkflow(this.stateMachine, WorkflowName.rebuildMetricAggregates);

    this.schedule = new Schedule(this, 'VerifySchedule', {
      description: 'Weekly proof that the finance aggregates equal a recomputation from the claims',
      schedule: ScheduleExpression.cron({ minute: '0', hour: '3', weekDay: 'SUN', timeZone: props.timeZone }),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role: props.schedulerRole,
        input: ScheduleTargetInput.fromObject({ repair: false }),
        // Retries of a failed StartExecution call; a second verify run would be harmless. A
        // mismatch fails the execution instead, and its alarm fires.
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    });

    const executionAlarm = (name: string, description: string, metric: 'failed' | 'timedOut') =>
      new Alarm(this, name, {
        alarmDescription: description,
        metric:
          metric === 'failed'
            ? this.stateMachine.metricFailed({ period: Duration.hours(1), statistic: 'Sum' })
            : this.stateMachine.metricTimedOut({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      executionAlarm(
        'ExecutionsFailedAlarm',
        'The finance aggregates differ from the claims (MetricAggregatesMismatch), or the proof failed to run: reports may be wrong.',
        'failed',
      ),
      executionAlarm(
        'ExecutionsTimedOutAlarm',
        'The proof of the finance aggregates ran past its timeout: give it more segments or concurrency.',
        'timedOut',
      ),
    ];

    acknowledgeStateMachineFindings(this.stateMachine, [this.function]);
  }
}
