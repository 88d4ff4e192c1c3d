import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  ClaimBillingEvent,
  ClaimEventKind,
  CreditSnapshot,
  DisputeSnapshot,
  DisputeState,
  PaymentAttempt,
} from '../../../shared/domain/billing-event.ts';
import { applyBillingEventToClaim, type Claim, isClaimOpen } from '../../../shared/domain/claim.ts';
import { classifyDecline } from '../../../shared/domain/decline-classification.ts';
import { billingEvent } from '../../support/billing-records.ts';

const invoiceId = 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc';
const start = Date.parse('2026-11-02T10:14:09.000Z');

function fold(events: readonly ClaimBillingEvent[]): Claim | undefined {
  return events.reduce<Claim | undefined>(
    (claim, event) => applyBillingEventToClaim(claim, event),
    undefined,
  );
}

const kinds: readonly ClaimEventKind[] = [
  'claim.updated',
  'claim.payment_failed',
  'claim.action_required',
  'claim.paid',
  'claim.voided',
  'claim.written_off',
  'claim.disputed',
  'claim.refunded',
];

const disputeStates: readonly DisputeState[] = [
  'needs_response',
  'under_review',
  'won',
  'lost',
  'warning_closed',
];

const declineCodes = [
  'insufficient_funds',
  'expired_card',
  'do_not_honor',
  'fraudulent',
  'authentication_required',
];

/**
 * Any event of one invoice, from any source: payment-derived snapshots (a PaymentIntent failure,
 * a dispute) with their own amounts, pay links that change, disputes and refunds under a few ids,
 * and timestamps that collide within a second (Stripe stamps to the second).
 */
const anyClaimEvent = (index: number) =>
  fc
    .record({
      kind: fc.constantFrom(...kinds),
      second: fc.integer({ min: 0, max: 40 }),
      amountMinor: fc.constantFrom(4999, 3999, 2500),
      source: fc.constantFrom('invoice' as const, 'payment' as const),
      attemptCount: fc.integer({ min: 0, max: 8 }),
      payUrl: fc.option(fc.constantFrom('https://pay.example/a', 'https://pay.example/b'), {
        nil: undefined,
      }),
      nextRetry: fc.option(fc.integer({ min: 60, max: 5 * 86_400 }), { nil: undefined }),
      declineCode: fc.option(fc.constantFrom(...declineCodes), { nil: undefined }),
      disputeId: fc.constantFrom('du_1', 'du_2'),
      disputeState: fc.constantFrom(...disputeStates),
      creditId: fc.constantFrom('ch_1', 'cn_1'),
      creditAmount: fc.integer({ min: 0, max: 4999 }),
      creditVoided: fc.boolean(),
      dunning: fc.option(fc.constantFrom('in_progress' as const, 'exhausted' as const), { nil: undefined }),
      // Invoice events say when it was issued and whether it recurs; payment events may not.
      issuedSecond: fc.option(fc.integer({ min: -3600, max: 0 }), { nil: undefined }),
      recurring: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map((draw): ClaimBillingEvent => {
      const occurredAt = new Date(start + draw.second * 1000).toISOString();
      const event = billingEvent(draw.kind, {
        eventId: `evt_${index.toString().padStart(3, '0')}`,
        occurredAt,
        claim: {
          invoiceId,
          amountMinor: draw.amountMinor,
          source: draw.source,
          attemptCount: draw.attemptCount,
          ...(draw.dunning ? { dunningStatus: draw.dunning } : {}),
          ...(draw.issuedSecond === undefined
            ? {}
            : { issuedAt: new Date(start + draw.issuedSecond * 1000).toISOString() }),
          ...(draw.recurring === undefined ? {} : { recurring: draw.recurring }),
          ...(draw.nextRetry === undefined
            ? {}
            : {
                nextPaymentAttemptAt: new Date(start + (draw.second + draw.nextRetry) * 1000).toISOString(),
              }),
        },
      });
      const { payUrl: _payUrl, ...claimWithoutLink } = event.claim;
      const claim =
        draw.payUrl === undefined ? claimWithoutLink : { ...claimWithoutLink, payUrl: draw.payUrl };
      const paymentAttempt: PaymentAttempt | undefined =
        draw.kind === 'claim.payment_failed' && draw.declineCode
          ? {
              declineCode: draw.declineCode,
              classification: classifyDecline({ declineCode: draw.declineCode }),
            }
          : undefined;
      const dispute: DisputeSnapshot | undefined =
        draw.kind === 'claim.disputed'
          ? {
              disputeId: `stripe:${draw.disputeId}`,
              state: draw.disputeState,
              amountMinor: 4999,
              currency: 'USD',
            }
          : undefined;
      const credit: CreditSnapshot | undefined =
        draw.kind === 'claim.refunded'
          ? {
              creditId: `stripe:${draw.creditId}`,
              type: draw.creditId.startsWith('cn') ? 'credit_note' : 'refund',
              amountMinor: draw.creditAmount,
              currency: 'USD',
              voided: draw.creditId.startsWith('cn') && draw.creditVoided,
            }
          : undefined;
      return {
        ...event,
        claim,
        ...(paymentAttempt ? { paymentAttempt } : {}),
        ...(dispute ? { dispute } : {}),
        ...(credit ? { credit } : {}),
      };
    });

const eventSets = fc
  .integer({ min: 1, max: 9 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => anyClaimEvent(index))));

function deliveriesOf(events: readonly ClaimBillingEvent[]) {
  return fc
    .tuple(
      fc.shuffledSubarray([...events], { minLength: events.length, maxLength: events.length }),
      fc.array(fc.tuple(fc.nat(events.length - 1), fc.nat(events.length)), { maxLength: 6 }),
    )
    .map(([order, duplicates]) => {
      const deliveries = [...order];
      for (const [which, where] of duplicates) {
        const duplicate = events[which];
        if (duplicate) deliveries.splice(Math.min(where, deliveries.length), 0, duplicate);
      }
      return deliveries;
    });
}

describe('applyBillingEventToClaim over every kind of claim event', () => {
  it('gives the same claim for every delivery order and any number of repeated deliveries', () => {
    fc.assert(
      fc.property(
        eventSets.chain((events) => fc.tuple(fc.constant(events), deliveriesOf(events))),
        ([events, deliveries]) => {
          // Act & Assess
          expect(fold(deliveries)).toEqual(fold(events));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never reopens a paid claim, whatever arrives late', () => {
    fc.assert(
      fc.property(
        eventSets.filter((events) => events.some((event) => event.kind === 'claim.paid')),
        (events) => {
          // Act
          const claim = fold(events);

          // Assess
          expect(claim?.status).toBe('paid');
          expect(claim && isClaimOpen(claim)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('prefers the invoice snapshot to any payment-derived one, whatever their times', () => {
    fc.assert(
      fc.property(eventSets, (events) => {
        // Prepare
        const fromInvoice = events.filter((event) => event.claim.source !== 'payment');
        fc.pre(fromInvoice.length > 0);

        // Act
        const claim = fold(events);
        const newestInvoice = [...fromInvoice].sort((a, b) =>
          `${a.occurredAt}|${a.eventId}` < `${b.occurredAt}|${b.eventId}` ? 1 : -1,
        )[0];

        // Assess
        expect(claim?.amountMinor).toBe(newestInvoice?.claim.amountMinor);
      }),
      { numRuns: 300 },
    );
  });
});

describe('claim disputes and credits', () => {
  const disputed = (eventId: string, second: number) =>
    billingEvent('claim.disputed', {
      eventId,
      occurredAt: new Date(start + second * 1000).toISOString(),
      claim: { invoiceId, source: 'payment' },
    });

  it('reports an open dispute until it closes, and the closed outcome after, in any order', () => {
    // Prepare
    const opened = { ...disputed('evt_a', 10), dispute: dispute('needs_response') };
    const review = { ...disputed('evt_b', 20), dispute: dispute('under_review') };
    const lost = { ...disputed('evt_c', 30), dispute: dispute('lost') };

    // Act
    const stillOpen = fold([opened, review]);
    const closedLate = fold([lost, review, opened]);
    const closedInOrder = fold([opened, review, lost]);

    // Assess
    expect(stillOpen).toMatchObject({ disputeStatus: 'open' });
    expect(closedLate).toEqual(closedInOrder);
    expect(closedInOrder?.disputeStatus).toBe('lost');
    expect(closedInOrder?.disputes?.['stripe:du_1']).toMatchObject({
      state: 'lost',
      openedAt: opened.occurredAt,
      closedAt: lost.occurredAt,
    });
  });

  it('sums refunds per payment (cumulative) and credit notes, leaving voided ones out', () => {
    // Prepare
    const refund = (eventId: string, creditId: string, amountMinor: number, voided = false) => ({
      ...billingEvent('claim.refunded', { eventId, claim: { invoiceId, source: 'payment' } }),
      credit: {
        creditId,
        type: creditId.includes('cn_') ? ('credit_note' as const) : ('refund' as const),
        amountMinor,
        currency: 'USD',
        voided,
      },
    });

    // Act
    const claim = fold([
      refund('evt_r1', 'stripe:ch_1', 1000),
      refund('evt_r2', 'stripe:ch_1', 2500),
      refund('evt_r1', 'stripe:ch_1', 1000),
      refund('evt_c1', 'stripe:cn_1', 700),
      refund('evt_c2', 'stripe:cn_2', 300),
      refund('evt_c3', 'stripe:cn_2', 300, true),
    ]);

    // Assess
    expect(claim?.refundedAmountMinor).toBe(2500 + 700);
  });

  function dispute(state: DisputeState): DisputeSnapshot {
    return { disputeId: 'stripe:du_1', state, amountMinor: 4999, currency: 'USD', reason: 'fraudulent' };
  }
});

describe('claim reporting inputs (docs/metrics.md, "What each metric needs")', () => {
  const at = (second: number) => new Date(start + second * 1000).toISOString();
  const failed = billingEvent('claim.payment_failed', {
    eventId: 'evt_failed',
    occurredAt: at(0),
    claim: { invoiceId, issuedAt: at(-3600), recurring: true },
  });
  // A PaymentIntent failure: it knows neither the issue date nor the billing reason.
  const paymentFailure = billingEvent('claim.payment_failed', {
    eventId: 'evt_payment',
    occurredAt: at(5),
    claim: { invoiceId, source: 'payment' },
  });
  const paid = billingEvent('claim.paid', {
    eventId: 'evt_paid',
    occurredAt: at(60),
    claim: { invoiceId, issuedAt: at(-3600), recurring: true },
  });

  it('keeps the issue date and the recurring flag through events that do not say them', () => {
    // Act
    const claims = [
      fold([failed, paymentFailure]),
      fold([paymentFailure, failed]),
      fold([failed, paymentFailure, paid]),
      fold([paid, paymentFailure, failed]),
    ];

    // Assess
    for (const claim of claims) expect(claim).toMatchObject({ issuedAt: at(-3600), recurring: true });
    expect(fold([paymentFailure])).not.toHaveProperty('issuedAt');
    expect(fold([paymentFailure])).not.toHaveProperty('recurring');
  });

  it('keeps the earliest issue date given, and the recurring flag of the newest event that gave one', () => {
    // Prepare: the invoice was re-sent as a one-off after a plan change (a later event says so).
    const reissued = billingEvent('claim.updated', {
      eventId: 'evt_updated',
      occurredAt: at(30),
      claim: { invoiceId, issuedAt: at(-1800), recurring: false },
    });

    // Act & Assess
    for (const order of [
      [failed, reissued],
      [reissued, failed],
    ]) {
      expect(fold(order)).toMatchObject({ issuedAt: at(-3600), recurring: false });
    }
  });

  it('keeps the overrides another writer set on the claim when the next event arrives', () => {
    // Prepare
    const first = fold([failed]);
    if (first === undefined) throw new Error('no claim');
    const annotated: Claim = {
      ...first,
      subscriptionMrrMinor: 2500,
      refundedAt: at(40),
      subscriptionChurnedAt: at(50),
      declineClass: 'soft',
    };

    // Act
    const next = applyBillingEventToClaim(annotated, paid);

    // Assess
    expect(next).toMatchObject({
      subscriptionMrrMinor: 2500,
      refundedAt: at(40),
      subscriptionChurnedAt: at(50),
      declineClass: 'soft',
      status: 'paid',
    });
  });
});
