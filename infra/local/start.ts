import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { StripeApiOptions } from '../../shared/adapters/stripe/stripe-api.ts';
import { loadMetricsConfig } from '../../shared/config.ts';
import {
  developmentPortalSigningKey,
  developmentStripeWebhookSecret,
  startLocalRuntime,
} from './local-runtime.ts';

/**
 * `npm start`: the whole product on this machine. Options:
 *   --memory            throwaway in-memory store (default: persistent under --data-dir)
 *   --data-dir <path>   where the store, outbox and clock live (default: .data)
 *   --port <n>          HTTP port (default: $PORT or 3000)
 * Environment: PORT, STRIPE_WEBHOOK_SECRET, COLLECTIONS_CLOCK_START (ISO timestamp);
 * finance reports: METRICS_TIME_ZONE, ATTRIBUTION_WINDOW_DAYS, REPORT_RECIPIENTS_DAILY / _WEEKLY /
 * _MONTHLY (comma-separated; the monthly close goes to finance@collections.localhost by default).
 * Environment: PORT, STRIPE_WEBHOOK_SECRET, PADDLE_WEBHOOK_SECRET, CHARGEBEE_WEBHOOK_CREDENTIALS
 * (user:password), INHOUSE_WEBHOOK_SECRET, BILLING_LIVEMODE (true|false, default false),
 * STRIPE_API_KEY (+ STRIPE_API_HOST, STRIPE_API_PORT, STRIPE_API_PROTOCOL) for reconciliation,
 * PORTAL_SIGNING_KEY, REPORT_LINK_SIGNING_KEY, REPORT_LINK_TTL_DAYS (default 30),
 * COLLECTIONS_CLOCK_START (ISO timestamp).
 */
function stripeApiFromEnvironment(env: NodeJS.ProcessEnv): StripeApiOptions | undefined {
  const apiKey = env.STRIPE_API_KEY;
  if (!apiKey) return undefined;
  const protocol = env.STRIPE_API_PROTOCOL;
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https')
    throw new Error('STRIPE_API_PROTOCOL must be http or https');
  return {
    apiKey,
    ...(env.STRIPE_API_HOST ? { host: env.STRIPE_API_HOST } : {}),
    ...(env.STRIPE_API_PORT ? { port: Number(env.STRIPE_API_PORT) } : {}),
    ...(protocol ? { protocol } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      memory: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.data' },
      port: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid port ${values.port ?? process.env.PORT}`);
  const clockStartText = process.env.COLLECTIONS_CLOCK_START;
  const clockStart = clockStartText ? new Date(clockStartText) : undefined;
  if (clockStart && Number.isNaN(clockStart.getTime())) {
    throw new Error(`COLLECTIONS_CLOCK_START is not an ISO timestamp: ${clockStartText}`);
  }
  const secret = process.env.STRIPE_WEBHOOK_SECRET;
  if (secret !== undefined && !secret.startsWith('whsec_'))
    throw new Error('STRIPE_WEBHOOK_SECRET must start with whsec_');
  const portalSigningKey = process.env.PORTAL_SIGNING_KEY;
  if (portalSigningKey !== undefined && portalSigningKey.length < 32)
    throw new Error('PORTAL_SIGNING_KEY must be at least 32 characters');
  const reportLinkSigningKey = process.env.REPORT_LINK_SIGNING_KEY;
  if (reportLinkSigningKey !== undefined && reportLinkSigningKey.length < 32)
    throw new Error('REPORT_LINK_SIGNING_KEY must be at least 32 characters');
  const reportLinkTtlText = process.env.REPORT_LINK_TTL_DAYS;
  const reportLinkTtlDays = reportLinkTtlText === undefined ? undefined : Number(reportLinkTtlText);
  if (
    reportLinkTtlDays !== undefined &&
    (!Number.isInteger(reportLinkTtlDays) || reportLinkTtlDays < 1 || reportLinkTtlDays > 400)
  )
    throw new Error('REPORT_LINK_TTL_DAYS must be a whole number of days from 1 to 400');
  const dataDir = values.memory ? undefined : resolve(values['data-dir']);
  const metrics = loadMetricsConfig();
  const recipients = (name: string, fallback: string[] = []): string[] => {
    const list = process.env[name];
    if (list === undefined) return fallback;
    return list
      .split(',')
      .map((address) => address.trim())
      .filter((address) => address.length > 0);
  };
  const livemodeText = process.env.BILLING_LIVEMODE;
  if (livemodeText !== undefined && livemodeText !== 'true' && livemodeText !== 'false')
    throw new Error('BILLING_LIVEMODE must be true or false');
  const stripeApi = stripeApiFromEnvironment(process.env);

  const runtime = await startLocalRuntime({
    port,
    ...(dataDir ? { dataDir } : {}),
    ...(clockStart ? { clockStart } : {}),
    ...(secret ? { stripeWebhookSecret: secret } : {}),
    metricsTimeZone: metrics.METRICS_TIME_ZONE,
    attributionWindowDays: metrics.ATTRIBUTION_WINDOW_DAYS,
    scheduledReports: true,
    reportRecipients: {
      daily: recipients('REPORT_RECIPIENTS_DAILY'),
      weekly: recipients('REPORT_RECIPIENTS_WEEKLY'),
      monthly: recipients('REPORT_RECIPIENTS_MONTHLY', ['finance@collections.localhost']),
    },
    ...(process.env.PADDLE_WEBHOOK_SECRET ? { paddleWebhookSecret: process.env.PADDLE_WEBHOOK_SECRET } : {}),
    ...(process.env.CHARGEBEE_WEBHOOK_CREDENTIALS
      ? { chargebeeCredentials: process.env.CHARGEBEE_WEBHOOK_CREDENTIALS }
      : {}),
    ...(process.env.INHOUSE_WEBHOOK_SECRET
      ? { inhouseWebhookSecret: process.env.INHOUSE_WEBHOOK_SECRET }
      : {}),
    ...(livemodeText ? { livemode: livemodeText === 'true' } : {}),
    ...(stripeApi ? { stripeApi } : {}),
    ...(portalSigningKey ? { portalSigningKey } : {}),
    ...(reportLinkSigningKey ? { reportLinkSigningKey } : {}),
    ...(reportLinkTtlDays === undefined ? {} : { reportLinkTtlDays }),
  });
  const lines = [
    'Collections platform running locally',
    `  Stripe webhooks   POST ${runtime.url}/webhooks/stripe`,
    `  Paddle webhooks   POST ${runtime.url}/webhooks/paddle`,
    `  Chargebee         POST ${runtime.url}/webhooks/chargebee   (Basic auth)`,
    `  In-house format   POST ${runtime.url}/webhooks/inhouse   (docs/billing-ingest.md)`,
    `  Finance metrics   GET  ${runtime.url}/api/metrics   (?period=2026-03; without it, this month to date)`,
    `  Health            GET  ${runtime.url}/health`,
    `  Virtual clock     GET  ${runtime.url}/local/clock   POST ${runtime.url}/local/clock/advance {"seconds": N}`,
    `  Outbox            GET  ${runtime.url}/local/outbox   (?offset=N: only messages after the first N)`,
    `  Cases             GET  ${runtime.url}/local/cases`,
    `  Journeys          GET  ${runtime.url}/local/executions`,
    `  Jobs              POST ${runtime.url}/local/jobs/send-finance-report-monthly/run (also -daily, -weekly)`,
    `                    POST ${runtime.url}/local/jobs/rebuild-metric-aggregates/run`,
    `                    POST ${runtime.url}/local/jobs/run-portal-commitments/run`,
    `                    POST ${runtime.url}/local/jobs/reconcile-stripe-events/run${stripeApi ? '' : '   (skips: no STRIPE_API_KEY)'}`,
    `  Finance reports   GET  ${runtime.url}/local/reports   (${metrics.METRICS_TIME_ZONE}; archived in ${runtime.reportsDir})`,
    `                    GET  ${runtime.url}/reports/<token>   (the signed link in each report email)`,
    `  Billing mode      ${runtime.livemode ? 'live' : 'test'} (events of the other mode are refused)`,
    `  Debtor portal     ${runtime.url}/portal/l/<token> (links are in the outbox messages)`,
    `  Simulated Stripe  ${runtime.url}/local/pay/... and /local/card/...   POST ${runtime.url}/local/payments/cards {"customerId", "behaviour"}`,
    `  Agent tasks       GET  ${runtime.url}/local/agent-tasks   (the agents' queue, most urgent first; ?queue=)`,
    `  Store             ${dataDir ?? 'in memory (--memory)'}`,
    `  Clock now         ${runtime.clock.now().toISOString()}`,
    `  Stripe webhook signing secret (development): ${runtime.stripeWebhookSecret}${
      runtime.stripeWebhookSecret === developmentStripeWebhookSecret ? '' : ' (from STRIPE_WEBHOOK_SECRET)'
    }`,
    `  Paddle notification secret (development): ${runtime.paddleWebhookSecret}`,
    `  Chargebee Basic auth user:password (development): ${runtime.chargebeeCredentials}`,
    `  In-house signing secret (development): ${runtime.inhouseWebhookSecret}`,
    `  Portal signing key (development): ${
      runtime.portalSigningKey === developmentPortalSigningKey
        ? runtime.portalSigningKey
        : '(from PORTAL_SIGNING_KEY)'
    }`,
    `  Resumed journeys  ${runtime.resumedJourneys}`,
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('failed to stop cleanly', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
