import '../infra/local/promise-with-resolvers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createIngestStripeWebhookHandler } from '../functions/ingest-stripe-webhook.ts';
import { createPlanNextActionHandler } from '../functions/plan-next-action.ts';
import { createSendFinanceReportHandler } from '../functions/send-finance-report.ts';
import { createSendJourneyMessageHandler } from '../functions/send-journey-message.ts';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../infra/local/embedded-dynamodb.ts';
import { localLambdaContext } from '../infra/local/lambda-context.ts';
import { type JSONValue, LocalJourneyEngine } from '../infra/local/local-journey-engine.ts';
import { Outbox } from '../infra/local/outbox.ts';
import { synthesizeCollectionsApp } from '../infra/local/synthesized-app.ts';
import { VirtualClock } from '../infra/local/virtual-clock.ts';
import { CollectionsTable, ingestStoresOn } from '../shared/adapters/dynamodb/collections-table.ts';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { tableSchema } from '../shared/adapters/dynamodb/table-schema.ts';
import { ChartingReportRenderer } from '../shared/adapters/reports/finance-report-renderer.ts';
import { FolderReportArchive } from '../shared/adapters/reports/folder-report-archive.ts';
import { defaultPaymentRetryLimits } from '../shared/domain/payment-retry-policy.ts';
import { defaultPlanOptions } from '../shared/domain/plan-next-action.ts';
import type { JourneyStarter } from '../shared/ports.ts';
import { reportLinkIssuer } from '../shared/use-cases/issue-report-link.ts';
import { defaultStrategy, shippedCatalog } from '../workflows/strategies/index.ts';
import { DynamoDbRequestMeter } from './dynamodb-request-meter.ts';

export const benchWebhookSecret = 'whsec_bench_only_0123456789abcdef0123456789';

/** Invocations and time spent, per function. */
export class InvocationMeter {
  private readonly counts = new Map<string, { invocations: number; totalMs: number }>();

  public async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      const entry = this.counts.get(name) ?? { invocations: 0, totalMs: 0 };
      entry.invocations += 1;
      entry.totalMs += performance.now() - started;
      this.counts.set(name, entry);
    }
  }

  public snapshot(): Record<string, { invocations: number; meanMs: number }> {
    return Object.fromEntries(
      [...this.counts].map(([name, entry]) => [
        name,
        {
          invocations: entry.invocations,
          meanMs: entry.invocations === 0 ? 0 : entry.totalMs / entry.invocations,
        },
      ]),
    );
  }

  public reset(): void {
    this.counts.clear();
  }
}

export function indexPartitionKeys(): string[] {
  return Object.values(tableSchema.indexes).map((index) => index.partitionKey);
}

/** An HTTP API (payload format 2.0) event for a Stripe delivery. */
export function stripeWebhookEvent(payload: string, signature: string, at: Date): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/stripe',
    rawPath: '/webhooks/stripe',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': signature,
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: {
        method: 'POST',
        path: '/webhooks/stripe',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Stripe/1.0',
      },
      requestId: 'bench',
      routeKey: 'POST /webhooks/stripe',
      stage: '$default',
      time: at.toISOString(),
      timeEpoch: at.getTime(),
    },
    body: payload,
    isBase64Encoded: false,
  };
}

export interface MeteredProduct {
  readonly clock: VirtualClock;
  readonly database: EmbeddedDynamoDb;
  readonly table: CollectionsTable;
  /** The finance aggregates the daily report reads. */
  readonly aggregates: MetricAggregatesTable;
  readonly dynamo: DynamoDbRequestMeter;
  readonly lambdas: InvocationMeter;
  readonly journeys: LocalJourneyEngine;
  readonly outbox: Outbox;
  /** One webhook delivery through the ingest handler, metered as phase `ingest`. */
  deliver(payload: string, signature: string): Promise<{ statusCode: number; body: string }>;
  /**
   * The daily metrics job: the daily finance summary (`send-finance-report` with
   * `{"kind": "daily"}`) computed from the aggregates, charted, archived and emailed to one
   * recipient, metered as phase `metrics`.
   */
  runMetricsJob(): Promise<void>;
  stop(): Promise<void>;
}

export interface MeteredProductOptions {
  readonly clockStart: Date;
  /** Run journeys (default) or count `StartExecution` calls without running them. */
  readonly runJourneys?: boolean;
}

/**
 * The product's handlers and journey engine wired as the local runtime wires them (same handler
 * factories, same synthesized definition, dynalite), minus the HTTP server, with meters in
 * between: DynamoDB requests are counted per phase (ingest, journey, metrics) and Lambda
 * invocations per function, which the HTTP runtime cannot tell apart.
 */
export async function startMeteredProduct(options: MeteredProductOptions): Promise<MeteredProduct> {
  const clock = new VirtualClock(options.clockStart);
  const database = await startEmbeddedDynamoDb();
  const dynamo = new DynamoDbRequestMeter(indexPartitionKeys());
  dynamo.attach(database.client);
  const lambdas = new InvocationMeter();
  const table = new CollectionsTable(database.client, database.tableName);
  const synthesized = synthesizeCollectionsApp({ tableName: database.tableName });
  const outbox = new Outbox(clock, { from: 'billing@bench.localhost' });
  const plan = createPlanNextActionHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    clock,
    strategies: shippedCatalog,
    planOptions: defaultPlanOptions,
  });
  const send = createSendJourneyMessageHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    agentTasks: table,
    email: outbox,
    clock,
    strategies: shippedCatalog,
    planOptions: defaultPlanOptions,
    retryLimits: defaultPaymentRetryLimits,
  });
  const journeys = new LocalJourneyEngine(
    synthesized.journeyDefinition,
    {
      planNextAction: (input) =>
        dynamo.run('journey', () =>
          lambdas.time(
            'plan-next-action',
            async () => (await plan(input, localLambdaContext('plan'))) as unknown as JSONValue,
          ),
        ),
      sendJourneyMessage: (input) =>
        dynamo.run('journey', () =>
          lambdas.time(
            'send-journey-message',
            async () => (await send(input, localLambdaContext('send'))) as unknown as JSONValue,
          ),
        ),
    },
    clock,
  );
  const startExecutions: JourneyStarter = {
    startJourney: async (caseId) => {
      await lambdas.time('sfn:StartExecution', async () => undefined);
      if (options.runJourneys ?? true) await journeys.startJourney(caseId);
    },
  };
  const ingest = createIngestStripeWebhookHandler({
    ...ingestStoresOn(table),
    journeys: startExecutions,
    clock,
    strategy: defaultStrategy,
    webhookSecret: async () => benchWebhookSecret,
  });
  const aggregates = new MetricAggregatesTable(database.client, database.tableName);
  const reportsDir = mkdtempSync(join(tmpdir(), 'bench-reports-'));
  const dailyReport = createSendFinanceReportHandler({
    aggregates,
    deliveries: aggregates,
    settings: { timeZone: 'UTC', attributionWindowDays: 7 },
    renderer: new ChartingReportRenderer(),
    archive: new FolderReportArchive(reportsDir, () => 'http://bench.localhost/local/'),
    mailer: outbox,
    clock,
    recipients: { daily: ['finance@bench.localhost'], weekly: [], monthly: [] },
    reportLink: reportLinkIssuer({
      keys: async () => ({ current: 'bench-report-link-key-0123456789abcdef' }),
      clock,
      ttlSeconds: 30 * 24 * 3600,
      baseUrl: () => 'http://bench.localhost/reports',
    }),
  });
  return {
    clock,
    database,
    table,
    aggregates,
    dynamo,
    lambdas,
    journeys,
    outbox,
    deliver: (payload, signature) =>
      dynamo.run('ingest', () =>
        lambdas.time('ingest-stripe-webhook', () =>
          clock.track(async () => {
            const result = await ingest(
              stripeWebhookEvent(payload, signature, clock.now()),
              localLambdaContext('ingest-stripe-webhook'),
            );
            return { statusCode: result.statusCode ?? 200, body: String(result.body ?? '') };
          }),
        ),
      ),
    runMetricsJob: () =>
      dynamo.run('metrics', () =>
        lambdas.time('send-finance-report-daily', async () => {
          await clock.track(() =>
            dailyReport({ kind: 'daily' }, localLambdaContext('send-finance-report-daily')),
          );
        }),
      ),
    stop: async () => {
      await clock.settled();
      await database.stop();
      rmSync(reportsDir, { recursive: true, force: true });
    },
  };
}
