import { Duration, RemovalPolicy, Stack, TimeZone } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeFinding, nagArnReference } from '../compliance.ts';
import type { EmailChannel } from './messaging.ts';
import { MetricRebuild, type MetricRebuildProps } from './metric-rebuild.ts';
import { ProjectFunction } from './project-function.ts';

/** Who receives each scheduled report; a kind with no recipient is archived only. */
export interface FinanceReportRecipients {
  readonly daily?: readonly string[];
  readonly weekly?: readonly string[];
  readonly monthly?: readonly string[];
}

export interface FinanceReportsProps {
  /** Aggregates and delivery records are read and written here. */
  readonly table: ITable;
  /** Reports are sent from its sender identity, through its configuration set. */
  readonly email: EmailChannel;
  /**
   * IANA time zone of the company: report periods are its local days, weeks and months, and the
   * schedules run on its wall clock.
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /**
   * Last-touch attribution window in days (1-90). Changing it needs a rebuild with `{"repair": true}`.
   * @default 7
   */
  readonly attributionWindowDays?: number;
  /** @default - no recipients: reports are archived, not emailed */
  readonly recipients?: FinanceReportRecipients;
  /**
   * How long the archive link in a report email is valid: from 1 hour to 400 days, and no longer
   * than `archiveRetention` (docs/metrics.md, "Archive links").
   * @default Duration.days(30)
   */
  readonly linkTtl?: Duration;
  /** The HTTP API that serves `GET /reports/{token}`, the link report emails carry. */
  readonly httpApi: HttpApi;
  /** The API's base URL (ends with `/`): report links start with `<apiUrl>reports/`. */
  readonly apiUrl: string;
  /**
   * How long archived reports are kept.
   * @default Duration.days(400) - a year of monthly closes and a bit
   */
  readonly archiveRetention?: Duration;
  /**
   * Functions that update or read the aggregates: they get the time zone and window settings
   * (`METRICS_TIME_ZONE`, `ATTRIBUTION_WINDOW_DAYS`), so every writer dates facts the same way.
   */
  readonly metricFunctions: readonly LambdaFunction[];
  /**
   * How the weekly proof splits the rebuild: DynamoDB parallel scan segments per pass (unless the
   * execution input says otherwise) and how many run at once (`MetricRebuildProps`).
   * @default - 8 segments, 8 at once
   */
  readonly rebuild?: Pick<MetricRebuildProps, 'segments' | 'maxConcurrency'>;
}

const emailPattern = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

function validated(props: FinanceReportsProps) {
  const timeZone = props.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`metricsTimeZone "${timeZone}" is not an IANA time zone (e.g. "UTC", "Europe/Paris")`);
  }
  const window = props.attributionWindowDays ?? 7;
  if (!Number.isInteger(window) || window < 1 || window > 90) {
    throw new Error(`attributionWindowDays must be an integer from 1 to 90, got ${window}`);
  }
  const recipients = {
    daily: [...(props.recipients?.daily ?? [])],
    weekly: [...(props.recipients?.weekly ?? [])],
    monthly: [...(props.recipients?.monthly ?? [])],
  };
  for (const address of Object.values(recipients).flat()) {
    if (!emailPattern.test(address)) throw new Error(`report recipient "${address}" is not an email address`);
  }
  const linkTtl = props.linkTtl ?? Duration.days(30);
  const archiveRetention = props.archiveRetention ?? Duration.days(400);
  if (linkTtl.toSeconds() < 3600 || linkTtl.toSeconds() > Duration.days(400).toSeconds()) {
    throw new Error(
      `the report link lifetime must be from 1 hour to 400 days, got ${linkTtl.toHumanString()}`,
    );
  }
  if (linkTtl.toSeconds() > archiveRetention.toSeconds()) {
    throw new Error(
      `the report link lifetime (${linkTtl.toHumanString()}) exceeds the archive retention (${archiveRetention.toHumanString()})`,
    );
  }
  return { timeZone, window, recipients, linkTtl, archiveRetention };
}

/** The report link routes: emails link to the first; the page's charts and CSV files are below it. */
export const ReportRoutePath = {
  report: '/reports/{token}',
  file: '/reports/{token}/{file}',
  prefix: '/reports',
} as const;

/**
 * Scheduled finance reports (docs/metrics.md): the report function (charts, CSV, HTML, SES email
 * with attachments), the archive bucket, three EventBridge Scheduler schedules in the company's
 * time zone (daily summary 07:00, weekly report Monday 07:30, monthly close on the 1st at 08:00 for
 * the previous month), the rebuild that proves the aggregates against the claims weekly (a state
 * machine over parallel scan segments: `MetricRebuild`), and the durable report links:
 * `GET /reports/{token}` with the key that signs them.
 */
export class FinanceReports extends Construct {
  public readonly reportFunction: ProjectFunction;
  /** The weekly proof of the aggregates: its function, state machine, schedule and alarms. */
  public readonly rebuild: MetricRebuild;
  /** Runs every step of the rebuild (also invocable alone for a small history). */
  public readonly rebuildFunction: ProjectFunction;
  public readonly archiveBucket: Bucket;
  /** Serves `GET /reports/{token}[/{file}]`: checks the signed link, then reads the archive. */
  public readonly linkFunction: ProjectFunction;
  /** The key report links are signed with (HMAC-SHA256), generated here. */
  public readonly linkSigningKey: Secret;
  public readonly linkRoutes: readonly HttpRoute[];
  public readonly schedules: readonly Schedule[];
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: FinanceReportsProps) {
    super(scope, id);
    const { timeZone, window, recipients, linkTtl, archiveRetention } = validated(props);
    const metricsEnvironment = { METRICS_TIME_ZONE: timeZone, ATTRIBUTION_WINDOW_DAYS: String(window) };
    for (const fn of props.metricFunctions) {
      for (const [name, value] of Object.entries(metricsEnvironment)) fn.addEnvironment(name, value);
    }

    this.archiveBucket = new Bucket(this, 'ArchiveBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [
        {
          expiration: archiveRetention,
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      // Finance records: kept when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeFinding(
      this.archiveBucket,
      'S1',
      'Only the report function writes here. Reads go through the report link function, which checks the signed link and logs each report id and file it serves before it reads the object or presigns a URL valid 5 minutes. Server access logs would need a second bucket with legacy ACLs; enable CloudTrail S3 data events on this bucket for a full read audit.',
    );

    this.linkSigningKey = new Secret(this, 'LinkSigningKey', {
      description: 'Key finance report links are signed with (HMAC-SHA256): GET /reports/{token}.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeFinding(
      this.linkSigningKey,
      'SMG4',
      'Rotating the report link key invalidates every report link already mailed. Rotation is an operator decision: store {"current": "<new>", "previous": ["<old>"]} and both verify until the old links expire (docs/metrics.md, "Archive links"); storing only the new key revokes every link at once.',
    );
    const linkBaseUrl = `${props.apiUrl}${ReportRoutePath.prefix.slice(1)}`;

    this.reportFunction = new ProjectFunction(this, 'ReportFunction', {
      entry: 'functions/send-finance-report.ts',
      description: 'Scheduled finance report: metrics from the aggregates, charts, CSV, archive, SES email',
      // Chart rendering (Vega, resvg in WebAssembly) is CPU-bound: more memory, more CPU.
      memorySize: 1536,
      timeout: Duration.minutes(2),
      // Vega tries an optional native `canvas` package; it renders SVG without it.
      externalModules: ['canvas'],
      bundledFiles: [
        { from: 'node_modules/@resvg/resvg-wasm/index_bg.wasm', to: 'resvg.wasm' },
        { from: 'node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf', to: 'chart-font.ttf' },
      ],
      environment: {
        ...metricsEnvironment,
        REPORT_BUCKET_NAME: this.archiveBucket.bucketName,
        SENDER_EMAIL: props.email.senderEmail,
        SES_CONFIGURATION_SET: props.email.configurationSetName,
        REPORT_RECIPIENTS_DAILY: recipients.daily.join(','),
        REPORT_RECIPIENTS_WEEKLY: recipients.weekly.join(','),
        REPORT_RECIPIENTS_MONTHLY: recipients.monthly.join(','),
        REPORT_LINK_TTL_SECONDS: String(linkTtl.toSeconds()),
        REPORT_LINK_BASE_URL: linkBaseUrl,
        REPORT_LINK_SIGNING_KEY_SECRET_ARN: this.linkSigningKey.secretArn,
      },
    });
    this.reportFunction.bindTable(props.table, 'readWrite');
    // Writes only: reads go through the link function. reports/ keys only.
    this.reportFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.archiveBucket.arnForObjects('reports/*')],
      }),
    );
    this.linkSigningKey.grantRead(this.reportFunction);
    props.email.grantSendEmail(this.reportFunction);

    this.linkFunction = new ProjectFunction(this, 'LinkFunction', {
      entry: 'functions/open-report-link.ts',
      description: 'GET /reports/{token}: checks a signed report link, then serves the archived report',
      environment: {
        REPORT_BUCKET_NAME: this.archiveBucket.bucketName,
        REPORT_LINK_SIGNING_KEY_SECRET_ARN: this.linkSigningKey.secretArn,
      },
    });
    this.linkSigningKey.grantRead(this.linkFunction);
    // Get (read the page, and presigned URLs are authorized as their signer), reports/ keys only;
    // List on that prefix only, so a missing report is a 404 from S3 rather than a 403.
    this.linkFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.archiveBucket.arnForObjects('reports/*')],
      }),
    );
    this.linkFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.archiveBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['reports/*'] } },
      }),
    );
    const linkIntegration = new HttpLambdaIntegration('ReportLinkIntegration', this.linkFunction, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    this.linkRoutes = [ReportRoutePath.report, ReportRoutePath.file].flatMap((path) =>
      props.httpApi.addRoutes({ path, methods: [HttpMethod.GET], integration: linkIntegration }),
    );
    for (const route of this.linkRoutes) {
      acknowledgeFinding(
        route,
        'APIG4',
        'Finance recipients open the archived report from a link in the report email and have no AWS identity: every request is authorized by the HMAC-SHA256-signed, expiring token in the path, verified in constant time before the archive is read; the stage throttles floods.',
      );
    }

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the finance report jobs and start the rebuild',
    });
    const zone = TimeZone.of(timeZone);
    this.rebuild = new MetricRebuild(this, 'Rebuild', {
      table: props.table,
      environment: metricsEnvironment,
      timeZone: zone,
      schedulerRole,
      ...props.rebuild,
    });
    this.rebuildFunction = this.rebuild.function;
    const reportSchedule = (
      name: string,
      kind: string,
      description: string,
      expression: ScheduleExpression,
    ) =>
      new Schedule(this, name, {
        description,
        schedule: expression,
        // A rerun re-archives the same files and never emails twice (delivery ledger).
        target: new LambdaInvoke(this.reportFunction, {
          role: schedulerRole,
          input: ScheduleTargetInput.fromObject({ kind }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
        }),
      });
    this.schedules = [
      reportSchedule(
        'DailySummarySchedule',
        'daily',
        'Daily recovery summary for the previous day',
        ScheduleExpression.cron({ minute: '0', hour: '7', timeZone: zone }),
      ),
      reportSchedule(
        'WeeklyReportSchedule',
        'weekly',
        'Weekly recovery report for the previous ISO week',
        ScheduleExpression.cron({ minute: '30', hour: '7', weekDay: 'MON', timeZone: zone }),
      ),
      reportSchedule(
        'MonthlyCloseSchedule',
        'monthly',
        'Monthly close for the previous month, on the 1st',
        ScheduleExpression.cron({ minute: '0', hour: '8', day: '1', timeZone: zone }),
      ),
      this.rebuild.schedule,
    ];

    this.alarms = [
      new Alarm(this, 'ReportErrorsAlarm', {
        alarmDescription: 'A scheduled finance report failed: finance did not get it.',
        metric: this.reportFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      ...this.rebuild.alarms,
    ];

    acknowledgeFinding(
      schedulerRole,
      `IAM5[Resource::${nagArnReference(this.reportFunction)}:*]`,
      'The scheduler role may invoke this one function and its versions and aliases (`<arn>:*`), as granted by the LambdaInvoke target.',
    );
    const reportRole = this.reportFunction.role;
    if (reportRole === undefined) throw new Error('the report function has no role');
    acknowledgeFinding(
      reportRole,
      `IAM5[Resource::${nagArnReference(this.archiveBucket)}/reports/*]`,
      'Objects under reports/ of the report archive bucket: every report is written under its own key, which is only known at run time.',
    );
    const linkRole = this.linkFunction.role;
    if (linkRole === undefined) throw new Error('the report link function has no role');
    acknowledgeFinding(
      linkRole,
      `IAM5[Resource::${nagArnReference(this.archiveBucket)}/reports/*]`,
      'Objects under reports/ of the report archive bucket: the link function reads the report a verified link names, whose key is only known at run time.',
    );
  }
}
