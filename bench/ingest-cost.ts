import { translateStripeEvent, verifyStripeEvent } from '../shared/adapters/stripe/stripe-billing-events.ts';
import { invoiceEventSet, type SignedEvent } from './benchmark-events.ts';
import type { RequestTally } from './dynamodb-request-meter.ts';
import { benchWebhookSecret, startMeteredProduct } from './metered-product.ts';

export interface IngestVariant {
  readonly name: string;
  readonly events: number;
  readonly microsecondsPerEvent: number;
  /** Per-event time ÷ the floor's. */
  readonly timesFloor: number;
  /** DynamoDB per event (full ingest variants only). */
  readonly dynamoDb?: {
    readonly requests: number;
    readonly readUnits: number;
    readonly writeUnits: number;
    readonly indexWriteUnits: number;
  };
}

export interface IngestCostResult {
  readonly floor: string;
  readonly variants: readonly IngestVariant[];
}

const at = new Date('2026-03-02T15:00:00Z');

function perEvent(tally: RequestTally, events: number) {
  const round = (value: number) => Math.round((value / events) * 100) / 100;
  return {
    requests: round(tally.requests),
    readUnits: round(tally.readUnits),
    writeUnits: round(tally.writeUnits),
    indexWriteUnits: round(tally.indexWriteUnits),
  };
}

/** Per-event time of `work` over `events`, repeated until at least `minimumMs` have passed. */
function timeSync(
  events: readonly SignedEvent[],
  minimumMs: number,
  work: (event: SignedEvent) => void,
): number {
  let calls = 0;
  const started = performance.now();
  do {
    for (const event of events) work(event);
    calls += events.length;
  } while (performance.now() - started < minimumMs);
  return ((performance.now() - started) * 1000) / calls;
}

/**
 * The cost of ingesting one webhook event against its floor, in one run: the floor is what any
 * Stripe endpoint must do (verify the signature over the raw body with stripe-node's
 * constructEvent, then nothing); then verify + translate; then the full handler on dynalite for
 * a first failure (claim, customer, case), a redelivery (ledger hit) and a payment (closes the
 * case). Journey executions are counted, not run: they are the journey's cost.
 */
export async function measureIngestCost(events = 400): Promise<IngestCostResult> {
  const warmup = invoiceEventSet(99, 100, at, benchWebhookSecret, 'W');
  const set = invoiceEventSet(1, events, at, benchWebhookSecret, 'B');

  const floorSet = set.failed;
  timeSync(floorSet, 200, (event) =>
    verifyStripeEvent(event.payload, event.signature, benchWebhookSecret, at),
  );
  const floor = timeSync(floorSet, 1000, (event) => {
    verifyStripeEvent(event.payload, event.signature, benchWebhookSecret, at);
  });
  const translate = timeSync(floorSet, 1000, (event) => {
    translateStripeEvent(verifyStripeEvent(event.payload, event.signature, benchWebhookSecret, at));
  });

  const product = await startMeteredProduct({ clockStart: at, runJourneys: false });
  try {
    const deliverAll = async (list: readonly SignedEvent[], expected: string): Promise<number> => {
      const started = performance.now();
      for (const event of list) {
        const answer = await product.deliver(event.payload, event.signature);
        if (answer.statusCode !== 200 || !answer.body.includes(expected)) {
          throw new Error(`ingest answered ${answer.statusCode} ${answer.body}, expected ${expected}`);
        }
      }
      return ((performance.now() - started) * 1000) / list.length;
    };
    await deliverAll(warmup.failed, '"applied"');
    product.dynamo.reset();

    const firstFailure = await deliverAll(set.failed, '"applied"');
    const firstFailureUnits = product.dynamo.total('ingest');
    product.dynamo.reset();
    const duplicate = await deliverAll(set.failed, '"duplicate"');
    const duplicateUnits = product.dynamo.total('ingest');
    product.dynamo.reset();
    await product.clock.advance(3600);
    const payment = await deliverAll(set.paid, '"applied"');
    const paymentUnits = product.dynamo.total('ingest');

    const variant = (name: string, microseconds: number, tally?: RequestTally): IngestVariant => ({
      name,
      events: name.startsWith('floor') || name.startsWith('verify') ? floorSet.length : events,
      microsecondsPerEvent: Math.round(microseconds * 10) / 10,
      timesFloor: Math.round((microseconds / floor) * 10) / 10,
      ...(tally ? { dynamoDb: perEvent(tally, events) } : {}),
    });
    return {
      floor: 'stripe-node constructEvent (HMAC-SHA256 over the raw body, 300 s tolerance) and a no-op',
      variants: [
        variant('floor: verify signature, no-op', floor),
        variant('verify + translate to a billing event', translate),
        variant('full ingest: first failure (claim, customer, case opened)', firstFailure, firstFailureUnits),
        variant('full ingest: redelivery (ledger hit)', duplicate, duplicateUnits),
        variant('full ingest: payment (claim paid, case closed)', payment, paymentUnits),
      ],
    };
  } finally {
    await product.stop();
  }
}
