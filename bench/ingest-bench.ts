import '../infra/local/promise-with-resolvers.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { createIngestStripeWebhookHandler } from '../functions/ingest-stripe-webhook.ts';
import { startEmbeddedDynamoDb } from '../infra/local/embedded-dynamodb.ts';
import { startLocalRuntime } from '../infra/local/local-runtime.ts';
import { CollectionsTable, ingestStoresOn } from '../shared/adapters/dynamodb/collections-table.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { verifyStripeEvent } from '../shared/adapters/stripe/stripe-billing-events.ts';
import type { Clock, JourneyStarter } from '../shared/ports.ts';
import { httpApiEvent } from '../test/support/lambda-events.ts';
import { signStripePayload, stripeInvoiceEvent, stripePayload } from '../test/support/stripe-events.ts';
import { defaultStrategy } from '../workflows/strategies/index.ts';

/**
 * `npm run bench`: the cost of ingesting one billing event, measured in the same run as its floor
 * (the signature check plus one conditional PutItem on the same embedded table), and the sustained
 * local throughput with 16 concurrent senders, checking that nothing was lost or applied twice.
 * Results go to bench/results/ingest.json.
 */

const secret = 'whsec_bench_5mQ3tV8yB1nR4wK7zC0fH2jL6pS9uX3a';
const created = 1793614449;
const clock: Clock = { now: () => new Date((created + 1) * 1000) };
const context = { functionName: 'bench', awsRequestId: 'bench' } as Context;

function signed(
  type: 'invoice.payment_failed' | 'invoice.paid',
  id: string,
  customer: string,
  invoice: string,
) {
  const event = stripeInvoiceEvent(type, { eventId: id, customerId: customer, invoiceId: invoice, created });
  const payload = stripePayload(event);
  return { payload, signature: signStripePayload(payload, secret, created) };
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = samples.reduce((sum, one) => sum + one, 0) / samples.length;
  return {
    meanMs: +mean.toFixed(3),
    p50Ms: +at(0.5).toFixed(3),
    p95Ms: +at(0.95).toFixed(3),
    n: samples.length,
  };
}

async function perEventCost(rounds: number, perRound: number) {
  const db = await startEmbeddedDynamoDb();
  const table = new CollectionsTable(db.client, db.tableName);
  const journeys: JourneyStarter = { startJourney: async () => {} };
  const handler = createIngestStripeWebhookHandler({
    ...ingestStoresOn(table),
    journeys,
    clock,
    strategy: defaultStrategy,
    livemode: false,
    webhookSecret: async () => secret,
  });
  const floor: number[] = [];
  const failures: number[] = [];
  const payments: number[] = [];
  let sequence = 0;
  // Interleaved rounds: both measurements see the same machine state, table size and JIT.
  for (let round = 0; round < rounds; round += 1) {
    for (let index = 0; index < perRound; index += 1) {
      sequence += 1;
      const floorDelivery = signed(
        'invoice.payment_failed',
        `evt_floor_${sequence}`,
        `cus_f_${sequence}`,
        `in_f_${sequence}`,
      );
      const start = performance.now();
      const event = verifyStripeEvent(floorDelivery.payload, floorDelivery.signature, secret, clock.now());
      await db.client.send(
        new PutItemCommand({
          TableName: db.tableName,
          Item: { pk: { S: `EVENT#stripe#${event.id}` }, sk: { S: 'EVENT' }, type: { S: event.type } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      floor.push(performance.now() - start);
    }
    for (let index = 0; index < perRound; index += 1) {
      sequence += 1;
      const ids = [`cus_b_${sequence}`, `in_b_${sequence}`] as const;
      for (const [type, samples] of [
        ['invoice.payment_failed', failures],
        ['invoice.paid', payments],
      ] as const) {
        const delivery = signed(type, `evt_${type}_${sequence}`, ...ids);
        const request = httpApiEvent({
          path: '/webhooks/stripe',
          headers: { 'Stripe-Signature': delivery.signature },
          body: delivery.payload,
        });
        const start = performance.now();
        const response = await handler(request, context);
        samples.push(performance.now() - start);
        if (response.statusCode !== 200)
          throw new Error(`ingest answered ${response.statusCode}: ${response.body}`);
      }
    }
  }
  await db.stop();
  const floorStats = stats(floor);
  const all = stats([...failures, ...payments]);
  return {
    floor: floorStats,
    ingestFirstFailure: stats(failures),
    ingestPayment: stats(payments),
    ingestAllEvents: all,
    ratioToFloor: +(all.meanMs / floorStats.meanMs).toFixed(2),
    ratioFirstFailureToFloor: +(stats(failures).meanMs / floorStats.meanMs).toFixed(2),
  };
}

async function throughput(senders: number, customersPerSender: number) {
  const runtime = await startLocalRuntime({
    port: 0,
    clockStart: clock.now(),
    stripeWebhookSecret: secret,
    log: () => {},
  });
  let sent = 0;
  let duplicatesAnswered = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async (_, sender) => {
      for (let index = 0; index < customersPerSender; index += 1) {
        const ids = [`cus_t_${sender}_${index}`, `in_t_${sender}_${index}`] as const;
        const failed = signed('invoice.payment_failed', `evt_tf_${sender}_${index}`, ...ids);
        // Every fifth failure is delivered twice, as providers do.
        const deliveries = index % 5 === 0 ? [failed, failed] : [failed];
        for (const delivery of deliveries) {
          const response = await fetch(`${runtime.url}/webhooks/stripe`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature },
            body: delivery.payload,
          });
          const body = (await response.json()) as { status?: string };
          if (response.status !== 200) throw new Error(`answered ${response.status}`);
          if (body.status === 'duplicate') duplicatesAnswered += 1;
          sent += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const expectedCases = senders * customersPerSender;
  const openCases = await runtime.table.listOpenCaseIds();
  const started = runtime.journeys.list().length;
  let lost = 0;
  for (let sender = 0; sender < senders; sender += 1) {
    for (let index = 0; index < customersPerSender; index += 1) {
      if (!(await runtime.table.hasEvent('stripe', `evt_tf_${sender}_${index}`))) lost += 1;
    }
  }
  await runtime.stop();
  return {
    senders,
    requests: sent,
    seconds: +seconds.toFixed(2),
    requestsPerSecond: +(sent / seconds).toFixed(1),
    lostEvents: lost,
    duplicateDeliveries: Math.ceil(customersPerSender / 5) * senders,
    duplicatesAnswered,
    casesOpened: openCases.length,
    expectedCases,
    journeysStarted: started,
    duplicatedEffects: openCases.length - expectedCases + Math.max(0, started - expectedCases),
  };
}

async function main(): Promise<void> {
  // Logs are part of the handler's cost in Lambda too, but thousands of lines would drown the report.
  logger.setLogLevel('ERROR');
  const quick = process.argv.includes('--quick');
  const cost = await perEventCost(quick ? 2 : 5, quick ? 50 : 200);
  const load = await throughput(16, quick ? 10 : 40);
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    perEventCost: cost,
    targetRatioToFloor: 1.5,
    meetsTarget: cost.ratioToFloor <= 1.5,
    throughput: load,
  };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  if (load.lostEvents !== 0 || load.duplicatedEffects !== 0) {
    console.error('lost or duplicated effects');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
