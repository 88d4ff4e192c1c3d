import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  type HttpRoute,
  type HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../compliance.ts';

/** Public paths: billing providers are configured with them, so they are part of the contract. */
export const HttpRoutePath = {
  stripeWebhook: '/webhooks/stripe',
  paddleWebhook: '/webhooks/paddle',
  chargebeeWebhook: '/webhooks/chargebee',
  inhouseWebhook: '/webhooks/inhouse',
  recoveryMetrics: '/api/metrics',
} as const;

export interface CollectionsHttpApiProps {
  /** Handles `POST /webhooks/stripe`. */
  readonly stripeWebhookFunction: IFunction;
  /** Handles `GET /api/metrics`. */
  readonly getMetricsFunction: IFunction;
  /**
   * Other billing providers' webhooks by path (`HttpRoutePath.paddleWebhook`, ...), each
   * authenticated by its function (signature or Basic auth) before anything is parsed.
   * @default - none
   */
  readonly providerWebhooks?: readonly {
    readonly path: string;
    readonly id: string;
    readonly function: IFunction;
  }[];
  /**
   * Rate and burst limits of every route of the default stage, so a flood (or a replay storm from a
   * misconfigured provider) is shed at the edge instead of scaling the functions and the table.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Who may read `GET /api/metrics` (finance data).
   * @default - AWS IAM (SigV4-signed requests from principals allowed `execute-api:Invoke`)
   */
  readonly metricsAuthorizer?: IHttpRouteAuthorizer;
  /**
   * @default RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * Access log line: request facts only. No headers, bodies or query strings, which can carry
 * personal data; the source IP stays, for abuse investigations.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
  }),
);

/**
 * The HTTP API (API Gateway v2): the Stripe webhook and the metrics API, Lambda proxy integrations
 * with payload format 2.0 (the handlers read `APIGatewayProxyEventV2`), access logs and throttling
 * on the `$default` stage.
 */
export class CollectionsHttpApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  public readonly stripeWebhookRoute: HttpRoute;
  public readonly metricsRoute: HttpRoute;

  public constructor(scope: Construct, id: string, props: CollectionsHttpApiProps) {
    super(scope, id);

    this.api = new HttpApi(this, 'Api', {
      description: 'Collections: billing provider webhooks and the metrics API',
      // The stage is created below, with access logs and throttling that the default one lacks.
      createDefaultStage: false,
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogGroup', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: accessLogFormat,
      },
    });

    const [stripeWebhookRoute] = this.api.addRoutes({
      path: HttpRoutePath.stripeWebhook,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('StripeWebhookIntegration', props.stripeWebhookFunction, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    const [metricsRoute] = this.api.addRoutes({
      path: HttpRoutePath.recoveryMetrics,
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('GetMetricsIntegration', props.getMetricsFunction, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
      authorizer: props.metricsAuthorizer ?? new HttpIamAuthorizer(),
    });
    if (!stripeWebhookRoute || !metricsRoute) throw new Error('HttpApi.addRoutes returned no route');
    for (const webhook of props.providerWebhooks ?? []) {
      const [route] = this.api.addRoutes({
        path: webhook.path,
        methods: [HttpMethod.POST],
        integration: new HttpLambdaIntegration(`${webhook.id}WebhookIntegration`, webhook.function, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
      });
      if (!route) throw new Error('HttpApi.addRoutes returned no route');
      acknowledgeFinding(
        route,
        'APIG4',
        `Billing providers cannot present AWS credentials: ${webhook.path} is authenticated by its function (HMAC signature over the raw body with a timestamp, or HTTP Basic auth for Chargebee) before anything is parsed or written; the stage throttles floods.`,
      );
    }
    this.stripeWebhookRoute = stripeWebhookRoute;
    this.metricsRoute = metricsRoute;

    acknowledgeFinding(
      this.stripeWebhookRoute,
      'APIG4',
      'Stripe cannot present AWS credentials or tokens: the webhook is authenticated by the Stripe-Signature header (HMAC-SHA256 of the raw body with the endpoint secret, timestamp checked), verified by the function before anything is parsed or written; the stage throttles unauthenticated floods.',
    );
  }

  /** The base URL of the API (`https://{id}.execute-api.{region}.amazonaws.com/`). */
  public get url(): string {
    return this.stage.url;
  }
}
