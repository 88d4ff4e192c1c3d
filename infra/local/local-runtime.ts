import './promise-with-resolvers.ts';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { createGetRecoveryMetricsHandler } from '../../functions/get-recovery-metrics.ts';
import { createIngestChargebeeWebhookHandler } from '../../functions/ingest-chargebee-webhook.ts';
import { createIngestInhouseWebhookHandler } from '../../functions/ingest-inhouse-webhook.ts';
import { createIngestPaddleWebhookHandler } from '../../functions/ingest-paddle-webhook.ts';
import { createIngestStripeEventBridgeHandler } from '../../functions/ingest-stripe-eventbridge.ts';
import { createIngestStripeWebhookHandler } from '../../functions/ingest-stripe-webhook.ts';
import { createOpenReportLinkHandler } from '../../functions/open-report-link.ts';
import { createPlanNextActionHandler } from '../../functions/plan-next-action.ts';
import { createPortalHandler } from '../../functions/portal.ts';
import { createRebuildMetricAggregatesHandler } from '../../functions/rebuild-metric-aggregates.ts';
import { createReceiveInboundSmsHandler } from '../../functions/receive-inbound-sms.ts';
import { createReceiveSesEventsHandler } from '../../functions/receive-ses-events.ts';
import { createReceiveSmsVoiceEventsHandler } from '../../functions/receive-sms-voice-events.ts';
import { createReceiveWhatsAppEventsHandler } from '../../functions/receive-whatsapp-events.ts';
import { createReconcileStripeEventsHandler } from '../../functions/reconcile-stripe-events.ts';
import { createRunPortalCommitmentsHandler } from '../../functions/run-portal-commitments.ts';
import { createSendFinanceReportHandler } from '../../functions/send-finance-report.ts';
import { createSendJourneyMessageHandler } from '../../functions/send-journey-message.ts';
import { RecordingBillingActions } from '../../shared/adapters/billing/recording-billing-actions.ts';
import { CollectionsTable, ingestStoresOn } from '../../shared/adapters/dynamodb/collections-table.ts';
import { MetricAggregatesTable } from '../../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { PortalTable } from '../../shared/adapters/dynamodb/portal-table.ts';
import { RebuildPartialsTable } from '../../shared/adapters/dynamodb/rebuild-partials-table.ts';
import { ChartingReportRenderer } from '../../shared/adapters/reports/finance-report-renderer.ts';
import { FolderReportArchive } from '../../shared/adapters/reports/folder-report-archive.ts';
import { InMemoryStrategyCatalog } from '../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { createStripeApiClient, type StripeApiOptions } from '../../shared/adapters/stripe/stripe-api.ts';
import { CollectionsError } from '../../shared/domain/errors.ts';
import { parseStrategyRouting } from '../../shared/domain/experiments.ts';
import type { MetricsSettings } from '../../shared/domain/metric-contributions.ts';
import type { ReportKind } from '../../shared/domain/metrics-calendar.ts';
import { parsePortalSigningKeys } from '../../shared/domain/portal/portal-link.ts';
import { defaultPortalPolicy } from '../../shared/domain/portal/portal-policy.ts';
import { sealUnsubscribeToken, unsubscribeUrl } from '../../shared/domain/portal/unsubscribe-token.ts';
import { parseSigningKeys } from '../../shared/domain/signing-keys.ts';
import { type Channel, type Strategy, strategyKey } from '../../shared/domain/strategy.ts';
import type { StrategyCatalog } from '../../shared/ports.ts';
import type { DeliverDependencies } from '../../shared/use-cases/deliver-channel-message.ts';
import { ingestBillingEvent } from '../../shared/use-cases/ingest-billing-event.ts';
import { reportLinkIssuer } from '../../shared/use-cases/issue-report-link.ts';
import { issuePortalLink } from '../../shared/use-cases/portal/issue-portal-link.ts';
import type { PortalDependencies } from '../../shared/use-cases/portal/portal-dependencies.ts';
import { claimMetricsRefresher } from '../../shared/use-cases/refresh-metric-contributions.ts';
import { contactPolicy, paymentRetryLimits } from '../../workflows/policies.ts';
import { defaultStrategy, shippedCatalog, shippedStrategies } from '../../workflows/strategies/index.ts';
import { WorkflowName } from '../constructs/workflow-metadata.ts';
import { toApiGatewayEvent, writeApiGatewayResult } from './api-gateway-event.ts';
import { parseBillingEvent } from './billing-event-schema.ts';
import { listLocalCases } from './case-snapshot.ts';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from './embedded-dynamodb.ts';
import { localLambdaContext } from './lambda-context.ts';
import { type JSONValue, LocalJourneyEngine } from './local-journey-engine.ts';
import { LocalPaymentGateway } from './local-payment-gateway.ts';
import { matchLocalRoute } from './local-routes.ts';
import { LocalScheduler } from './local-scheduler.ts';
import { localSnsEvent } from './local-sns-event.ts';
import { LocalWorkflowRunner } from './local-workflow-runner.ts';
import { Outbox } from './outbox.ts';
import { SavedClock } from './saved-clock.ts';
import { type SynthesizedApp, synthesizeCollectionsApp } from './synthesized-app.ts';
import { VirtualClock } from './virtual-clock.ts';

/** The development signing secret; `STRIPE_WEBHOOK_SECRET` overrides it. Never use it in production. */
export const developmentStripeWebhookSecret = 'whsec_collections_local_development_only';
export const developmentSenderEmail = 'billing@collections.localhost';
/** Development credentials of the other billing providers' endpoints. Never use them in production. */
export const developmentPaddleWebhookSecret = 'pdl_ntfset_collections_local_development_only';
export const developmentChargebeeCredentials = 'chargebee:collections-local-development-only';
export const developmentInhouseWebhookSecret = 'inhouse_collections_local_development_only';
/** The development portal signing key; `PORTAL_SIGNING_KEY` overrides it. Never use it in production. */
export const developmentPortalSigningKey = 'collections-portal-local-development-key-not-secret';
/** The development report link signing key; `REPORT_LINK_SIGNING_KEY` overrides it. Never use it in production. */
export const developmentReportLinkSigningKey = 'collections-report-links-local-development-key-not-secret';
/** Quoted in HELP answers locally. */
export const developmentSupportContact = 'support@collections.localhost';

/** Operator routes that inject provider payloads into the function subscribed to a channel topic. */
const injectionRoutes: Readonly<Record<string, string>> = {
  'POST /local/inbound/sms': 'inbound-sms',
  'POST /local/inbound/whatsapp': 'whatsapp-events',
  'POST /local/events/ses': 'ses-events',
  'POST /local/events/sms-voice': 'sms-voice-events',
};

export interface LocalRuntimeOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
  /** Data folder for a persistent store (DynamoDB, outbox, clock); in memory when absent. */
  readonly dataDir?: string;
  /** Where the virtual clock starts; default: where a persistent store left it, else the real time. */
  readonly clockStart?: Date;
  readonly stripeWebhookSecret?: string;
  readonly paddleWebhookSecret?: string;
  /** `user:password` of the Chargebee webhook's Basic auth. */
  readonly chargebeeCredentials?: string;
  readonly inhouseWebhookSecret?: string;
  /**
   * The deployment's billing mode: events of the other mode are refused.
   * @default false (test mode)
   */
  readonly livemode?: boolean;
  /**
   * The Stripe API for reconciliation (a test key, or a local server answering like Stripe).
   * @default - none: the reconciliation job skips
   */
  readonly stripeApi?: StripeApiOptions;
  /** Key the portal signs links with (at least 32 characters). */
  readonly portalSigningKey?: string;
  /** Key report links are signed with (at least 32 characters). */
  readonly reportLinkSigningKey?: string;
  /**
   * How many days the archive link of a report email stays valid (`reportLinkTtlDays` context).
   * @default 30
   */
  readonly reportLinkTtlDays?: number;
  /** Where the runtime reports failures (journeys, jobs, requests). */
  readonly log?: (message: string, detail?: unknown) => void;
  /**
   * The company's time zone for the finance metrics and report schedules (`financeTimeZone` context).
   * @default 'UTC'
   */
  readonly metricsTimeZone?: string;
  /** @default 7 */
  readonly attributionWindowDays?: number;
  /**
   * Run the daily, weekly and monthly finance reports on the virtual clock. Off by default so that
   * tests advancing the clock get only the messages they expect; `npm start` turns it on. The jobs
   * can always be run with `POST /local/jobs/<name>/run`. A list turns on only those kinds.
   * @default false
   */
  readonly scheduledReports?: boolean | readonly ReportKind[];
  /** Recipients of each report kind in the outbox. @default - none: reports are archived only */
  readonly reportRecipients?: Partial<Record<ReportKind, readonly string[]>>;
  /** Strategies and routing new cases follow; default: the files under workflows/strategies/. */
  readonly strategies?: StrategyCatalog;
  /**
   * The one strategy every new case takes, e.g. a strategy file being tried out in the simulator
   * (ignored when `strategies` is given).
   * @default the shipped routing (workflows/strategies/routing.json)
   */
  readonly strategy?: Strategy;
}

export interface LocalRuntime {
  readonly url: string;
  readonly port: number;
  readonly clock: VirtualClock;
  readonly outbox: Outbox;
  readonly journeys: LocalJourneyEngine;
  readonly database: EmbeddedDynamoDb;
  readonly table: CollectionsTable;
  readonly synthesized: SynthesizedApp;
  readonly stripeWebhookSecret: string;
  /** Stands in for the billing provider's API: records payment retries, write-offs, cancellations. */
  readonly billing: RecordingBillingActions;
  readonly paddleWebhookSecret: string;
  readonly chargebeeCredentials: string;
  readonly inhouseWebhookSecret: string;
  readonly livemode: boolean;
  readonly portalSigningKey: string;
  /** The debtor portal's items (links, interactions, agent tasks). */
  readonly portal: PortalTable;
  /** Stands in for Stripe's payment pages and API (docs/portal.md). */
  readonly payments: LocalPaymentGateway;
  /** Journeys of open cases re-created from the stored state at start. */
  readonly resumedJourneys: number;
  /** The finance aggregates, contribution records and report deliveries. */
  readonly aggregates: MetricAggregatesTable;
  /** Where archived finance reports are written (`<dir>/reports/<report id>/`). */
  readonly reportsDir: string;
  readonly reportLinkSigningKey: string;
  /**
   * What `deliverChannelMessage` needs locally: the outbox's senders for every channel, the table
   * as consent store and address book, the virtual clock (docs/channels.md).
   */
  readonly channels: DeliverDependencies;
  stop(): Promise<void>;
}

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const simulatedCardSchema = z.strictObject({
  customerId: z.string().min(1),
  behaviour: z.enum(['approve', 'decline']),
});

/** The most steps one `POST /local/clock/advance` takes when asked to repeat them. */
const maxAdvanceSteps = 100_000;

const advanceSchema = z.strictObject({
  seconds: z
    .number()
    .finite()
    .min(0)
    .max(5 * 366 * 24 * 3600),
  /** Answer with the outbox's messages after the first `outboxFrom` (as `GET /local/outbox?offset=`). */
  outboxFrom: z.number().int().min(0).optional(),
  /** Keep stepping by `seconds`, the last step ending here, while the outbox has nothing after `outboxFrom`. */
  repeatUntil: z.iso.datetime({ offset: true }).optional(),
});

class HttpError extends Error {
  public constructor(
    public readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    'cache-control': 'no-store',
  });
  response.end(payload);
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // API Gateway's own payload limit is 10 MB; the handlers refuse far less than that.
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

/**
 * The whole product on one machine: dynalite, the same handlers behind an HTTP server that
 * speaks API Gateway's payload format, the synthesized state machine on aws-local-stepfunctions,
 * an outbox instead of SES, and schedules on a virtual clock.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((message: string, detail?: unknown) => console.error(message, detail ?? ''));
  const dataDir = options.dataDir;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const savedClock = dataDir ? new SavedClock(join(dataDir, 'clock.json')) : undefined;
  const clock = new VirtualClock(options.clockStart ?? savedClock?.read() ?? new Date());
  const stripeWebhookSecret = options.stripeWebhookSecret ?? developmentStripeWebhookSecret;
  const paddleWebhookSecret = options.paddleWebhookSecret ?? developmentPaddleWebhookSecret;
  const chargebeeCredentials = options.chargebeeCredentials ?? developmentChargebeeCredentials;
  const inhouseWebhookSecret = options.inhouseWebhookSecret ?? developmentInhouseWebhookSecret;
  const livemode = options.livemode ?? false;

  const database = await startEmbeddedDynamoDb(dataDir ? { path: join(dataDir, 'dynamodb') } : {});
  const synthesized = synthesizeCollectionsApp(
    { tableName: database.tableName },
    options.metricsTimeZone ? { financeTimeZone: options.metricsTimeZone } : undefined,
  );
  const table = new CollectionsTable(database.client, database.tableName);
  const aggregates = new MetricAggregatesTable(database.client, database.tableName);
  const metricsSettings: MetricsSettings = {
    timeZone: options.metricsTimeZone ?? 'UTC',
    attributionWindowDays: options.attributionWindowDays ?? 7,
  };
  const reportsDir = dataDir ? join(dataDir, 'reports') : mkdtempSync(join(tmpdir(), 'collections-reports-'));
  let baseUrl = '';
  const reportArchive = new FolderReportArchive(reportsDir, () => `${baseUrl}/local/`);
  const portalTable = new PortalTable(database.client, database.tableName);
  const portalSigningKey = options.portalSigningKey ?? developmentPortalSigningKey;
  const portalKeys = parsePortalSigningKeys(portalSigningKey);
  const reportLinkSigningKey = options.reportLinkSigningKey ?? developmentReportLinkSigningKey;
  const reportLinkKeys = parseSigningKeys(reportLinkSigningKey, 'the report link signing key');
  // Known once the server listens (port 0 picks one); links are built after that.
  let publicUrl = '';
  const portalBaseUrl = (): string => `${publicUrl}/portal`;
  const outbox = new Outbox(
    clock,
    { from: developmentSenderEmail },
    dataDir ? join(dataDir, 'outbox.jsonl') : undefined,
  );

  const tryOut = options.strategy;
  const strategies =
    options.strategies ??
    (tryOut === undefined
      ? shippedCatalog
      : new InMemoryStrategyCatalog(
          [
            ...shippedStrategies.filter(
              (shipped) =>
                strategyKey(shipped.id, shipped.version) !== strategyKey(tryOut.id, tryOut.version),
            ),
            tryOut,
          ],
          parseStrategyRouting({ version: 1, rules: [{ id: 'try-out', strategy: tryOut.id }] }),
        ));
  // Every channel has an adapter locally: the outbox records what each would send.
  const planOptions = {
    policy: contactPolicy,
    deliverableChannels: new Set<Channel>(['email', 'sms', 'voice', 'whatsapp']),
  };
  const billing = new RecordingBillingActions(clock);
  const plan = createPlanNextActionHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    clock,
    strategies,
    planOptions,
    consents: table,
  });
  const portalLinks = async (request: { caseId: string; customerId: string; purpose: string }) =>
    (
      await issuePortalLink(request, {
        portal: portalTable,
        clock,
        keys: async () => portalKeys,
        linkTtlDays: defaultPortalPolicy.linkTtlDays,
        portalBaseUrl: portalBaseUrl(),
      })
    ).url;
  const send = createSendJourneyMessageHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    agentTasks: table,
    email: outbox,
    clock,
    strategies,
    planOptions,
    retryLimits: paymentRetryLimits,
    billing,
    portalLinks,
    unsubscribeLinks: async (request) =>
      unsubscribeUrl(portalBaseUrl(), sealUnsubscribeToken(request, portalKeys)),
    // Every channel goes through its outbox sender, with the consent and address checks.
    delivery: { senders: outbox.channelSenders(), consents: table, directory: table, clock },
    consents: table,
  });
  const journeys = new LocalJourneyEngine(
    synthesized.journeyDefinition,
    {
      planNextAction: async (input) =>
        (await plan(input, localLambdaContext('plan-next-action'))) as unknown as JSONValue,
      sendJourneyMessage: async (input) =>
        (await send(input, localLambdaContext('send-journey-message'))) as unknown as JSONValue,
    },
    clock,
    (name, error) => log(`journey ${name} failed`, error),
  );

  const ingestDeps = {
    ...ingestStoresOn(table),
    journeys,
    clock,
    strategy: defaultStrategy,
    webhookSecret: async () => stripeWebhookSecret,
    metrics: claimMetricsRefresher({
      claims: table,
      cases: table,
      messages: table,
      subscriptions: table,
      aggregates,
      clock,
      settings: metricsSettings,
    }),
    strategies,
    livemode,
  };
  const splitSecrets = (value: string): string[] => value.split(',').map((one) => one.trim());
  const ingestStripe = createIngestStripeWebhookHandler({
    ...ingestDeps,
    webhookSecret: async () => splitSecrets(stripeWebhookSecret),
  });
  const ingestPaddle = createIngestPaddleWebhookHandler({
    ...ingestDeps,
    webhookSecrets: async () => splitSecrets(paddleWebhookSecret),
  });
  const ingestChargebee = createIngestChargebeeWebhookHandler({
    ...ingestDeps,
    credentials: async () => splitSecrets(chargebeeCredentials),
  });
  const ingestInhouse = createIngestInhouseWebhookHandler({
    ...ingestDeps,
    webhookSecrets: async () => splitSecrets(inhouseWebhookSecret),
  });
  const stripeApi = options.stripeApi ? createStripeApiClient(options.stripeApi) : undefined;
  const reconcileStripe = createReconcileStripeEventsHandler({
    ...ingestDeps,
    cursors: table,
    stripe: async () => stripeApi,
  });
  const ingestStripeEventBridge = createIngestStripeEventBridgeHandler(ingestDeps);
  const payments = new LocalPaymentGateway({
    clock,
    claims: table,
    customers: table,
    stripeWebhookSecret,
    deliverWebhook: async (body, signature) => {
      const response = await fetch(`${publicUrl}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
      });
      if (!response.ok) throw new Error(`the simulated Stripe webhook was refused: ${response.status}`);
    },
  });
  const portalDependencies: PortalDependencies = {
    cases: table,
    claims: table,
    customers: table,
    consents: table,
    agentTasks: table,
    portal: portalTable,
    rateLimiter: portalTable,
    payments,
    email: outbox,
    clock,
    keys: async () => portalKeys,
    policy: defaultPortalPolicy,
    get portalBaseUrl() {
      return portalBaseUrl();
    },
  };
  const portal = createPortalHandler(portalDependencies, { secureCookies: false, paymentOrigins: [] });
  const runCommitments = createRunPortalCommitmentsHandler(portalDependencies);
  const senders = outbox.channelSenders();
  const replyDependencies = {
    directory: table,
    customers: table,
    cases: table,
    consents: table,
    interactions: table,
    actions: table,
    autoReplies: table,
    senders,
    clock,
    settings: { supportContact: developmentSupportContact, senderName: 'Collections (local)' },
    journeys,
  };
  const deliveryDependencies = { cases: table, interactions: table, consents: table, directory: table };
  const receiveSmsVoiceEvents = createReceiveSmsVoiceEventsHandler(deliveryDependencies);
  const receiveSesEvents = createReceiveSesEventsHandler(deliveryDependencies);
  const receiveInboundSms = createReceiveInboundSmsHandler(replyDependencies);
  const receiveWhatsAppEvents = createReceiveWhatsAppEventsHandler(replyDependencies);
  const getMetrics = createGetRecoveryMetricsHandler({ aggregates, settings: metricsSettings, clock });
  const sendFinanceReport = createSendFinanceReportHandler({
    aggregates,
    deliveries: aggregates,
    settings: metricsSettings,
    renderer: new ChartingReportRenderer(),
    // Archived under the data folder's reports/ (a temporary folder with --memory), served below.
    archive: reportArchive,
    mailer: outbox,
    clock,
    recipients: {
      daily: options.reportRecipients?.daily ?? [],
      weekly: options.reportRecipients?.weekly ?? [],
      monthly: options.reportRecipients?.monthly ?? [],
    },
    // Links to `GET /reports/{token}` on this server, served from the reports folder.
    reportLink: reportLinkIssuer({
      keys: async () => reportLinkKeys,
      clock,
      ttlSeconds: (options.reportLinkTtlDays ?? 30) * 24 * 3600,
      baseUrl: () => `${publicUrl}/reports`,
    }),
  });
  const openReportLink = createOpenReportLinkHandler({
    keys: async () => reportLinkKeys,
    // The folder's files are handed out through the operator route GET /local/reports/...
    archive: reportArchive,
    clock,
    fileLinkTtlSeconds: 300,
  });
  const rebuildMetrics = createRebuildMetricAggregatesHandler({
    store: aggregates,
    partials: new RebuildPartialsTable(database.client, database.tableName),
    settings: metricsSettings,
    // Shards are settled by the time the writers (on the virtual clock) stop choosing them.
    clock,
  });

  // Every function of the template, by entry file: the local runtime serves what `cdk deploy` ships.
  const localFunctions: Record<string, (event: never, context: Context) => Promise<unknown>> = {
    'functions/ingest-stripe-webhook.ts': ingestStripe,
    'functions/ingest-paddle-webhook.ts': ingestPaddle,
    'functions/ingest-chargebee-webhook.ts': ingestChargebee,
    'functions/ingest-inhouse-webhook.ts': ingestInhouse,
    'functions/reconcile-stripe-events.ts': reconcileStripe,
    'functions/ingest-stripe-eventbridge.ts': ingestStripeEventBridge,
    'functions/get-recovery-metrics.ts': getMetrics,
    'functions/plan-next-action.ts': plan,
    'functions/send-journey-message.ts': send,
    'functions/send-finance-report.ts': sendFinanceReport,
    'functions/open-report-link.ts': openReportLink,
    'functions/rebuild-metric-aggregates.ts': rebuildMetrics,
    'functions/portal.ts': portal,
    'functions/run-portal-commitments.ts': runCommitments,
    'functions/receive-sms-voice-events.ts': receiveSmsVoiceEvents,
    'functions/receive-ses-events.ts': receiveSesEvents,
    'functions/receive-inbound-sms.ts': receiveInboundSms,
    'functions/receive-whatsapp-events.ts': receiveWhatsAppEvents,
  };
  const missing = synthesized.functionEntries.filter((entry) => !(entry in localFunctions));
  if (missing.length > 0) throw new Error(`the local runtime has no handler for ${missing.join(', ')}`);
  const functionName = (entry: string): string => basename(entry, '.ts');

  const apiRoutes = new Map<string, { handler: HttpHandler; name: string }>(
    synthesized.routes.map((route) => [
      route.routeKey,
      { handler: localFunctions[route.entry] as HttpHandler, name: functionName(route.entry) },
    ]),
  );
  // Schedules that invoke one function with different inputs (the report kinds) are told apart by
  // the input's `kind`: send-finance-report-daily, -weekly, -monthly.
  // A schedule that starts a state machine is the job of that workflow's name.
  const jobName = (schedule: (typeof synthesized.schedules)[number]): string => {
    if ('workflow' in schedule) return schedule.workflow;
    const kind = schedule.input ? (JSON.parse(schedule.input) as { kind?: unknown }).kind : undefined;
    return typeof kind === 'string'
      ? `${functionName(schedule.entry)}-${kind}`
      : functionName(schedule.entry);
  };
  // The other state machines of the template (the rebuild of the aggregates) run start to end on
  // the same engine as the journeys, each Task on the local handler of its function.
  const workflows = new Map(
    synthesized.workflows
      .filter((workflow) => workflow.name !== WorkflowName.journey)
      .map((workflow) => [
        workflow.name,
        new LocalWorkflowRunner(workflow, (entry) => {
          const handler = localFunctions[entry] as
            | ((event: JSONValue, context: Context) => Promise<unknown>)
            | undefined;
          return (
            handler &&
            (async (input) => (await handler(input, localLambdaContext(functionName(entry)))) as JSONValue)
          );
        }),
      ]),
  );
  const startWorkflow = async (name: string, input: JSONValue): Promise<JSONValue> => {
    const runner = workflows.get(name);
    if (runner === undefined) throw new Error(`the template has no ${name} state machine`);
    const outcome = await runner.run(input);
    // As on AWS, the execution fails: the scheduler logs it, the job route answers 500 with why.
    if (outcome.status === 'FAILED')
      throw new HttpError(500, `${name} failed: ${outcome.error}: ${outcome.cause}`);
    return outcome.output;
  };
  const jobs = new Map<string, (overrides?: object) => Promise<unknown>>(
    synthesized.schedules.map((schedule) => {
      const name = jobName(schedule);
      const input = schedule.input ? (JSON.parse(schedule.input) as object) : {};
      if ('workflow' in schedule) {
        return [
          name,
          (overrides = {}) => startWorkflow(schedule.workflow, { ...input, ...overrides } as JSONValue),
        ];
      }
      const handler = localFunctions[schedule.entry] as (event: object, context: Context) => Promise<unknown>;
      return [name, (overrides = {}) => handler({ ...input, ...overrides }, localLambdaContext(name))];
    }),
  );
  const scheduler = new LocalScheduler(clock, (job, error) => log(`scheduled job ${job} failed`, error));
  scheduler.start(
    synthesized.schedules
      .filter((schedule) => {
        // The weekly proof of the aggregates runs with the reports: tests that seed the table by
        // other paths than ingestion would otherwise see it fail.
        if ('workflow' in schedule) return options.scheduledReports === true;
        if (schedule.entry !== 'functions/send-finance-report.ts') return true;
        const wanted = options.scheduledReports ?? false;
        if (typeof wanted === 'boolean') return wanted;
        const kind = schedule.input ? (JSON.parse(schedule.input) as { kind?: ReportKind }).kind : undefined;
        return kind !== undefined && wanted.includes(kind);
      })
      .map((schedule) => {
        const name = jobName(schedule);
        const run = jobs.get(name);
        if (run === undefined) throw new Error(`no job named ${name}`);
        return { name, expression: schedule.expression, timeZone: schedule.timeZone, run: () => run() };
      }),
  );

  const saveClock = (): void => savedClock?.save(clock.now());
  /** What `GET /local/clock` shows: the time, and when the next parked Wait or schedule falls due. */
  const clockView = (): { now: string; nextWakeUp: string | null } => ({
    now: clock.now().toISOString(),
    nextWakeUp: clock.nextWakeUp()?.toISOString() ?? null,
  });

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const key = `${method} ${url.pathname}`;
    const matched = matchLocalRoute([...apiRoutes.keys()], method, url.pathname);
    const api = matched ? apiRoutes.get(matched.routeKey) : undefined;
    if (matched && api) {
      const body = await readBody(request, 10 * 1024 * 1024);
      const event = toApiGatewayEvent(request, body, matched.routeKey, matched.pathParameters, clock.now());
      const result = await clock.track(() => api.handler(event, localLambdaContext(api.name)));
      writeApiGatewayResult(response, result);
      return;
    }
    if (key === 'GET /health') return sendJson(response, 200, { status: 'ok' });
    if (key === 'GET /local/clock') return sendJson(response, 200, clockView());
    if (key === 'POST /local/clock/advance') {
      const parsed = advanceSchema.safeParse(parseJson(await readBody(request, 64 * 1024)));
      if (!parsed.success) {
        throw new HttpError(
          400,
          'expected {"seconds": <number of seconds, 0 or more>} and optionally "outboxFrom": <offset> and "repeatUntil": <ISO time> (with seconds > 0 and outboxFrom)',
        );
      }
      const { seconds, outboxFrom, repeatUntil } = parsed.data;
      let steps = 1;
      if (repeatUntil === undefined) {
        await clock.advance(seconds);
      } else if (seconds === 0 || outboxFrom === undefined) {
        throw new HttpError(400, 'repeatUntil needs "seconds" above 0 and "outboxFrom"');
      } else {
        const until = new Date(repeatUntil);
        if ((until.getTime() - clock.now().getTime()) / (seconds * 1000) > maxAdvanceSteps)
          throw new HttpError(400, `repeatUntil is more than ${maxAdvanceSteps} steps of ${seconds} s away`);
        // A step that sent nothing shows the caller nothing new: take the next one without a round trip.
        ({ steps } = await clock.advanceInSteps(seconds, until, () => outbox.size <= outboxFrom));
      }
      saveClock();
      return sendJson(response, 200, {
        ...clockView(),
        steps,
        ...(outboxFrom === undefined ? {} : { outbox: outbox.after(outboxFrom) }),
      });
    }
    if (key === 'GET /local/outbox') {
      // `?offset=N` skips the first N messages, so a poller reads only what is new.
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new HttpError(400, 'offset must be an integer >= 0');
      return sendJson(response, 200, outbox.after(offset));
    }
    if (key === 'GET /local/cases') return sendJson(response, 200, await listLocalCases(database));
    if (key === 'POST /local/billing-events') {
      // Operator route (local only): a provider-neutral billing event straight into the ingest
      // core, as the backfill CLI imports them into a running `npm start`.
      const event = parseBillingEvent(parseJson(await readBody(request, 1024 * 1024)));
      if (!event) throw new HttpError(400, 'expected a provider-neutral billing event');
      const outcome = await clock
        .track(() => ingestBillingEvent(event, ingestDeps))
        .catch((error: unknown) => {
          if (error instanceof CollectionsError && error.expose)
            throw new HttpError(error.statusCode, error.message);
          throw error;
        });
      return sendJson(response, 200, {
        status: outcome.status,
        ...(outcome.status === 'applied'
          ? { caseOpened: outcome.caseOpened, ...(outcome.caseId ? { caseId: outcome.caseId } : {}) }
          : {}),
      });
    }
    const topicName = injectionRoutes[key];
    if (topicName !== undefined) {
      const topic = synthesized.topics.find((candidate) => candidate.name === topicName);
      if (topic === undefined || topic.entries.length === 0)
        throw new HttpError(404, `the template has no subscriber of the ${topicName} topic`);
      const event = localSnsEvent(
        parseJson(await readBody(request, 256 * 1024)),
        topic.logicalId,
        clock.now(),
      );
      const results = [];
      for (const entry of topic.entries) {
        const handler = localFunctions[entry] as (event: object, context: Context) => Promise<unknown>;
        results.push(await clock.track(() => handler(event, localLambdaContext(functionName(entry)))));
      }
      return sendJson(response, 200, { topic: topicName, results });
    }
    if (key === 'GET /local/executions') return sendJson(response, 200, journeys.list());
    if (
      method === 'GET' &&
      (url.pathname === '/local/reports' || url.pathname.startsWith('/local/reports/'))
    ) {
      return serveReport(url.pathname, response);
    }
    if (url.pathname.startsWith('/local/pay/') || url.pathname.startsWith('/local/card/')) {
      const form = new URLSearchParams((await readBody(request, 64 * 1024)).toString('utf8'));
      const page = await clock.track(() => payments.handle(method, url.pathname, form));
      if (page === undefined) throw new HttpError(404, `no route for ${key}`);
      response.writeHead(page.status, {
        ...page.headers,
        'content-length': String(Buffer.byteLength(page.body)),
      });
      response.end(page.body);
      return;
    }
    if (key === 'POST /local/payments/cards') {
      const parsed = simulatedCardSchema.safeParse(parseJson(await readBody(request, 64 * 1024)));
      if (!parsed.success) {
        throw new HttpError(
          400,
          'expected {"customerId": "stripe:cus_...", "behaviour": "approve" | "decline"}',
        );
      }
      payments.setCard(parsed.data.customerId, parsed.data.behaviour);
      return sendJson(response, 200, parsed.data);
    }
    if (key === 'GET /local/billing-actions') return sendJson(response, 200, billing.list());
    // The agents' queue, most urgent first: tasks from replies, strategy hand-overs and portal flags
    // (`?queue=` keeps the hand-overs to that queue).
    if (key === 'GET /local/agent-tasks') {
      const queue = url.searchParams.get('queue');
      const tasks = await table.listOpenAgentTasks();
      return sendJson(response, 200, queue ? tasks.filter((task) => task.queue === queue) : tasks);
    }
    const job = /^POST \/local\/jobs\/([a-z0-9-]+)\/run$/.exec(key)?.[1];
    if (job !== undefined) {
      const run = jobs.get(job);
      if (!run) throw new HttpError(404, `no job named ${job}; jobs: ${[...jobs.keys()].join(', ')}`);
      // An optional JSON body overrides the schedule's input, e.g. {"period": "2026-03"} or {"repair": true}.
      const overrides = parseJson(await readBody(request, 64 * 1024));
      if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
        throw new HttpError(400, 'expected a JSON object (or no body)');
      }
      const result = await clock.track(() => run(overrides));
      return sendJson(response, 200, { job, now: clock.now().toISOString(), result });
    }
    throw new HttpError(404, `no route for ${key}`);
  };

  /** `GET /local/reports` lists the archived reports; `/local/reports/<id>/<file>` serves one file. */
  const contentTypes: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.png': 'image/png',
    '.csv': 'text/csv; charset=utf-8',
    '.json': 'application/json; charset=utf-8',
  };
  const serveReport = (pathname: string, response: ServerResponse): void => {
    const folder = join(reportsDir, 'reports');
    if (pathname === '/local/reports' || pathname === '/local/reports/') {
      const ids = existsSync(folder)
        ? readdirSync(folder).filter((id) => statSync(join(folder, id)).isDirectory())
        : [];
      sendJson(
        response,
        200,
        ids.sort().map((id) => ({ reportId: id, url: `${baseUrl}/local/reports/${id}/index.html` })),
      );
      return;
    }
    const match = /^\/local\/reports\/([A-Za-z0-9_.-]+)(?:\/([A-Za-z0-9_.-]*))?$/.exec(pathname);
    if (!match?.[1] || match[1].startsWith('.')) throw new HttpError(404, `no report at ${pathname}`);
    if (match[2] === undefined) {
      // The page references its charts relatively: serve it from the folder URL.
      response.writeHead(302, { location: `${pathname}/` });
      response.end();
      return;
    }
    const file = match[2] ? match[2] : 'index.html';
    let body: Buffer;
    try {
      body = reportArchive.read(`reports/${match[1]}/${file}`);
    } catch {
      throw new HttpError(404, `no report file ${match[1]}/${file}`);
    }
    response.writeHead(200, {
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'content-length': String(body.length),
      'cache-control': 'no-store',
    });
    response.end(body);
  };

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(response, error.statusCode, { error: error.message });
      log(`request ${request.method} ${request.url} failed`, error);
      sendJson(response, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;
  publicUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

  // Executions live in memory: re-create the journeys of open cases from the stored state. The
  // planner reads which steps were already sent, so nothing is lost and nothing is sent twice.
  const openCases = await table.listOpenCases();
  for (const openCase of openCases) await journeys.startJourney(openCase.caseId, openCase.journeyRun);

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    clock,
    outbox,
    journeys,
    database,
    table,
    synthesized,
    stripeWebhookSecret,
    billing,
    paddleWebhookSecret,
    chargebeeCredentials,
    inhouseWebhookSecret,
    livemode,
    portalSigningKey,
    portal: portalTable,
    payments,
    resumedJourneys: openCases.length,
    aggregates,
    reportsDir,
    reportLinkSigningKey,
    channels: { senders, consents: table, directory: table, clock },
    stop: async () => {
      scheduler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Let work in flight finish against the store before closing it; parked journeys stay
      // parked and resume from the stored state at the next start.
      await clock.settled();
      saveClock();
      savedClock?.close();
      await database.stop();
    },
  };
}
