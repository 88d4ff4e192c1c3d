import { type DeclineCode, declineCodeMix } from '../infra/local/simulator/decline-codes.ts';
import { buildPopulation } from '../infra/local/simulator/population.ts';
import { SeededRandom } from '../infra/local/simulator/seeded-random.ts';
import {
  eventPayload,
  type InvoiceState,
  invoiceEvent,
  signPayload,
} from '../infra/local/simulator/stripe-event-factory.ts';

export interface SignedEvent {
  readonly payload: string;
  readonly signature: string;
}

export interface InvoiceEventSet {
  readonly failed: readonly SignedEvent[];
  readonly paid: readonly SignedEvent[];
}

/**
 * `count` realistic invoices of distinct subscribers (the simulator's population and event
 * factory): each one's first failed payment at `at`, and its payment an hour later, signed at
 * those moments with `secret`.
 */
export function invoiceEventSet(
  seed: number,
  count: number,
  at: Date,
  secret: string,
  tag: string,
): InvoiceEventSet {
  const random = new SeededRandom(seed);
  const population = buildPopulation(random.fork('population'), { customers: count, idTag: tag });
  const failedAt = Math.floor(at.getTime() / 1000);
  const paidAt = failedAt + 3600;
  const failed: SignedEvent[] = [];
  const paid: SignedEvent[] = [];
  for (const subscriber of population) {
    const decline: DeclineCode = random.weighted(declineCodeMix);
    const open: InvoiceState = {
      invoiceId: `in_${tag}${random.token(14)}`,
      number: `${tag}-${subscriber.index}`,
      subscriber,
      amountMinor: subscriber.amountMinor,
      createdAt: failedAt - 3600,
      periodStart: failedAt,
      periodEnd: failedAt + 30 * 86_400,
      status: 'open',
      attemptCount: 1,
      nextPaymentAttempt: failedAt + 86_400,
      paidAt: null,
      voidedAt: null,
      markedUncollectibleAt: null,
      lastDecline: { decline, chargeId: random.id('ch', 24) },
      paymentIntentId: random.id('pi', 24),
      paymentMethodId: random.id('pm', 24),
    };
    const failedPayload = eventPayload(
      invoiceEvent('invoice.payment_failed', open, {
        eventId: `evt_${tag}${random.token(16)}`,
        created: failedAt,
        requestId: null,
      }),
    );
    failed.push({ payload: failedPayload, signature: signPayload(failedPayload, secret, failedAt) });
    const settled: InvoiceState = {
      ...open,
      status: 'paid',
      attemptCount: 2,
      nextPaymentAttempt: null,
      paidAt,
    };
    const paidPayload = eventPayload(
      invoiceEvent('invoice.paid', settled, {
        eventId: `evt_${tag}${random.token(16)}`,
        created: paidAt,
        requestId: null,
      }),
    );
    paid.push({ payload: paidPayload, signature: signPayload(paidPayload, secret, paidAt) });
  }
  return { failed, paid };
}
