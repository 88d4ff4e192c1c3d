import { Duration, Stack } from 'aws-cdk-lib';
import {
  ApiMapping,
  DomainName,
  type HttpApi,
  HttpMethod,
  type HttpRoute,
  type IStage,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeFinding, nagArnReference } from '../compliance.ts';
import type { EmailChannel } from './messaging.ts';
import { ProjectFunction } from './project-function.ts';

/** The portal's public paths: links in messages point here, so they are part of the contract. */
export const PortalRoutePath = {
  /** Served by one function; Hono routes inside it. */
  proxy: '/portal/{proxy+}',
  prefix: '/portal',
} as const;

export interface PortalCustomDomain {
  /** e.g. `pay.example.com`; point a DNS record at the `PortalDomainTarget` output. */
  readonly domainName: string;
  /** An ACM certificate for `domainName`, in the stack's region. */
  readonly certificate: ICertificate;
}

export interface DebtorPortalProps {
  readonly table: ITable;
  readonly httpApi: HttpApi;
  /** The stage a custom domain maps to. */
  readonly stage: IStage;
  /** The API's base URL (ends with `/`), used when there is no custom domain. */
  readonly apiUrl: string;
  readonly email: EmailChannel;
  /** The product's one Stripe API key (billing ingest owns it): payment pages, card updates, retries. */
  readonly stripeApiKey: Pick<ISecret, 'secretArn' | 'grantRead'>;
  /** Functions that sign portal links into their messages (the journey's send function). */
  readonly linkSigners?: readonly ProjectFunction[];
  /**
   * Serve the portal on its own domain (recommended: debtors trust `pay.yourcompany.com` more
   * than an `execute-api` address).
   * @default - the API's own URL
   */
  readonly customDomain?: PortalCustomDomain;
}

/**
 * The debtor self-service portal: one function behind `ANY /portal/{proxy+}` (pages and forms),
 * the hourly commitments job (promises to pay, payment plans), the key that signs portal links
 * (generated here) and the Stripe API key (set by the operator).
 */
export class DebtorPortal extends Construct {
  public readonly signingKey: Secret;
  public readonly stripeApiKey: Pick<ISecret, 'secretArn' | 'grantRead'>;
  public readonly portalFunction: ProjectFunction;
  public readonly commitmentsFunction: ProjectFunction;
  public readonly route: HttpRoute;
  public readonly schedule: Schedule;
  public readonly domainName?: DomainName;
  /** `https://.../portal`, where links point. */
  public readonly baseUrl: string;
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: DebtorPortalProps) {
    super(scope, id);

    this.signingKey = new Secret(this, 'LinkSigningKey', {
      description: 'Key the debtor portal signs links, sessions and form tokens with (HMAC-SHA256).',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeFinding(
      this.signingKey,
      'SMG4',
      'Rotating the portal signing key invalidates every link already mailed to debtors. Rotation is an operator decision: store {"current": "<new>", "previous": ["<old>"]} and both verify until the old links expire (docs/portal.md).',
    );

    this.stripeApiKey = props.stripeApiKey;

    if (props.customDomain) {
      this.domainName = new DomainName(this, 'DomainName', {
        domainName: props.customDomain.domainName,
        certificate: props.customDomain.certificate,
      });
      // The whole API answers on the domain; links only ever use its /portal paths.
      new ApiMapping(this, 'ApiMapping', {
        api: props.httpApi,
        domainName: this.domainName,
        stage: props.stage,
      });
    }
    this.baseUrl = props.customDomain
      ? `https://${props.customDomain.domainName}${PortalRoutePath.prefix}`
      : `${props.apiUrl}${PortalRoutePath.prefix.slice(1)}`;

    const environment = {
      PORTAL_BASE_URL: this.baseUrl,
      PORTAL_SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
      STRIPE_API_KEY_SECRET_ARN: this.stripeApiKey.secretArn,
      SENDER_EMAIL: props.email.senderEmail,
      SES_CONFIGURATION_SET: props.email.configurationSetName,
    };
    this.portalFunction = new ProjectFunction(this, 'PortalFunction', {
      entry: 'functions/portal.ts',
      description: 'ANY /portal/{proxy+}: the debtor self-service portal',
      environment,
    });
    this.commitmentsFunction = new ProjectFunction(this, 'CommitmentsFunction', {
      entry: 'functions/run-portal-commitments.ts',
      description: 'Hourly: promises to pay and payment plans (reminders, instalments, missed payments)',
      timeout: Duration.minutes(5),
    });
    for (const [name, value] of Object.entries(environment))
      this.commitmentsFunction.addEnvironment(name, value);
    for (const fn of [this.portalFunction, this.commitmentsFunction]) {
      fn.bindTable(props.table, 'readWrite');
      this.signingKey.grantRead(fn);
      this.stripeApiKey.grantRead(fn);
      props.email.grantSendEmail(fn);
    }
    for (const signer of props.linkSigners ?? []) {
      signer.addEnvironment('PORTAL_BASE_URL', this.baseUrl);
      signer.addEnvironment('PORTAL_SIGNING_KEY_SECRET_ARN', this.signingKey.secretArn);
      this.signingKey.grantRead(signer);
    }

    const [route] = props.httpApi.addRoutes({
      path: PortalRoutePath.proxy,
      methods: [HttpMethod.ANY],
      integration: new HttpLambdaIntegration('PortalIntegration', this.portalFunction, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    if (!route) throw new Error('HttpApi.addRoutes returned no route');
    this.route = route;
    acknowledgeFinding(
      this.route,
      'APIG4',
      'Debtors open the portal from a link in a message and have no AWS identity: every request is authorized by the HMAC-signed, expiring, revocable link token or the signed session cookie it starts; forms carry CSRF tokens; requests are rate-limited per link and per address in the function and throttled by the stage.',
    );

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the hourly portal commitments job',
    });
    this.schedule = new Schedule(this, 'HourlySchedule', {
      description: 'Settle promises to pay and run payment plans',
      schedule: ScheduleExpression.rate(Duration.hours(1)),
      // Each instalment charge carries an idempotency key and each reminder is recorded before it
      // is sent, so a retried run neither charges nor reminds twice.
      target: new LambdaInvoke(this.commitmentsFunction, {
        role: schedulerRole,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(50),
      }),
    });
    acknowledgeFinding(
      schedulerRole,
      `IAM5[Resource::${nagArnReference(this.commitmentsFunction)}:*]`,
      'The scheduler role may invoke this one function and its versions and aliases (`<arn>:*`), as granted by the LambdaInvoke target.',
    );

    this.alarms = [
      new Alarm(this, 'CommitmentsErrorsAlarm', {
        alarmDescription: 'The portal commitments job failed: instalments or promise checks are late.',
        metric: this.commitmentsFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'PortalErrorsAlarm', {
        alarmDescription: 'The debtor portal is failing requests.',
        metric: this.portalFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}
