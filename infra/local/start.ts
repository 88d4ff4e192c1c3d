import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
 * Environment: PORT, STRIPE_WEBHOOK_SECRET, PORTAL_SIGNING_KEY, COLLECTIONS_CLOCK_START (ISO timestamp).
 */
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
  const dataDir = values.memory ? undefined : resolve(values['data-dir']);

  const runtime = await startLocalRuntime({
    port,
    ...(dataDir ? { dataDir } : {}),
    ...(clockStart ? { clockStart } : {}),
    ...(secret ? { stripeWebhookSecret: secret } : {}),
    ...(portalSigningKey ? { portalSigningKey } : {}),
  });
  const lines = [
    'Collections platform running locally',
    `  Stripe webhooks   POST ${runtime.url}/webhooks/stripe`,
    `  Recovery metrics  GET  ${runtime.url}/api/metrics`,
    `  Health            GET  ${runtime.url}/health`,
    `  Virtual clock     GET  ${runtime.url}/local/clock   POST ${runtime.url}/local/clock/advance {"seconds": N}`,
    `  Outbox            GET  ${runtime.url}/local/outbox   (?offset=N: only messages after the first N)`,
    `  Cases             GET  ${runtime.url}/local/cases`,
    `  Journeys          GET  ${runtime.url}/local/executions`,
    `  Jobs              POST ${runtime.url}/local/jobs/compute-recovery-metrics/run   POST ${runtime.url}/local/jobs/run-portal-commitments/run`,
    `  Debtor portal     ${runtime.url}/portal/l/<token> (links are in the outbox messages)`,
    `  Simulated Stripe  ${runtime.url}/local/pay/... and /local/card/...   POST ${runtime.url}/local/payments/cards {"customerId", "behaviour"}`,
    `  Agent tasks       GET  ${runtime.url}/local/agent-tasks`,
    `  Store             ${dataDir ?? 'in memory (--memory)'}`,
    `  Clock now         ${runtime.clock.now().toISOString()}`,
    `  Stripe webhook signing secret (development): ${runtime.stripeWebhookSecret}${
      runtime.stripeWebhookSecret === developmentStripeWebhookSecret ? '' : ' (from STRIPE_WEBHOOK_SECRET)'
    }`,
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
