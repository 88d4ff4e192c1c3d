import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  ClaimBillingEvent as BillingEvent,
  ClaimEventKind as BillingEventKind,
} from '../../../shared/domain/billing-event.ts';
import { applyBillingEventToClaim, type Claim, isClaimOpen } from '../../../shared/domain/claim.ts';
import { billingEvent } from '../../support/billing-records.ts';

const invoiceId = 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc';
const payUrl = `https://invoice.stripe.com/i/acct_1NqLkdIwHu7ixq3W/test_${invoiceId}?s=ap`;
const firstFailureAt = Date.parse('2026-11-02T10:14:09.000Z');

function fold(events: readonly BillingEvent[], start?: Claim): Claim | undefined {
  return events.reduce<Claim | undefined>((claim, event) => applyBillingEventToClaim(claim, event), start);
}

function isoAfterFirstFailure(seconds: number): string {
  return new Date(firstFailureAt + seconds * 1000).toISOString();
}

const kinds: readonly BillingEventKind[] = [
  'claim.payment_failed',
  'claim.paid',
  'claim.voided',
  'claim.written_off',
];

/**
 * One invoice's events as a provider emits them: ids unique, the invoice's own constants (pay
 * link, subscription) stable, everything that changes over its life (amount after a credit note,
 * attempts, Stripe's next retry) free.
 */
function invoiceEvent(secondsAfterFirstFailure: number, index: number) {
  return fc
    .record({
      kind: fc.constantFrom(...kinds, 'claim.payment_failed', 'claim.payment_failed'),
      amountMinor: fc.constantFrom(4999, 3999, 2500),
      attemptCount: fc.integer({ min: 1, max: 8 }),
      nextRetryInSeconds: fc.option(fc.integer({ min: 3_600, max: 5 * 86_400 }), { nil: undefined }),
      carriesPayUrl: fc.boolean(),
    })
    .map(({ kind, amountMinor, attemptCount, nextRetryInSeconds, carriesPayUrl }): BillingEvent => {
      const event = billingEvent(kind, {
        eventId: `evt_1SQ${index.toString().padStart(4, '0')}LkdIwHu7ix${secondsAfterFirstFailure}`,
        occurredAt: isoAfterFirstFailure(secondsAfterFirstFailure),
        claim: {
          invoiceId,
          amountMinor,
          attemptCount,
          payUrl,
          ...(nextRetryInSeconds === undefined || kind !== 'claim.payment_failed'
            ? {}
            : { nextPaymentAttemptAt: isoAfterFirstFailure(secondsAfterFirstFailure + nextRetryInSeconds) }),
        },
      });
      if (carriesPayUrl) return event;
      const { payUrl: _withoutLink, ...claim } = event.claim;
      return { ...event, claim };
    });
}

/** Events at distinct seconds (the common case). */
const eventsAtDistinctSeconds = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 * 86_400 }), { minLength: 1, maxLength: 7 })
  .chain((seconds) => fc.tuple(...seconds.map((second, index) => invoiceEvent(second, index))));

/** A delivery order of `events`: any permutation, with any of them delivered again. */
function deliveriesOf(events: readonly BillingEvent[]) {
  return fc
    .tuple(
      fc.shuffledSubarray([...events], { minLength: events.length, maxLength: events.length }),
      fc.array(fc.tuple(fc.nat(events.length - 1), fc.nat(events.length)), { maxLength: 5 }),
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

describe('applyBillingEventToClaim', () => {
  it('opens a failed claim from the first failed payment with the invoice snapshot', () => {
    // Prepare
    const failed = billingEvent('claim.payment_failed', {
      occurredAt: '2026-11-02T10:14:09.000Z',
      claim: { invoiceId, attemptCount: 1, nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z', payUrl },
    });

    // Act
    const claim = applyBillingEventToClaim(undefined, failed);

    // Assess
    expect(claim).toEqual({
      claimId: `stripe:${invoiceId}`,
      invoiceId,
      provider: 'stripe',
      customerId: 'stripe:cus_TMx8qA3nV5bW2k',
      status: 'failed',
      amountMinor: 4999,
      currency: 'USD',
      payUrl,
      subscriptionId: 'sub_1RkVd9LkdIwHu7ixP0eWcG3s',
      attemptCount: 1,
      nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z',
      firstFailedAt: '2026-11-02T10:14:09.000Z',
      lastFailedAt: '2026-11-02T10:14:09.000Z',
      snapshotAt: '2026-11-02T10:14:09.000Z',
      snapshotEventId: failed.eventId,
      snapshotStamp: `1|2026-11-02T10:14:09.000Z|${failed.eventId}`,
      fieldStamps: {
        customerId: `0|2026-11-02T10:14:09.000Z|${failed.eventId}`,
        payUrl: `0|2026-11-02T10:14:09.000Z|${failed.eventId}`,
        subscriptionId: `0|2026-11-02T10:14:09.000Z|${failed.eventId}`,
      },
    });
    expect(isClaimOpen(claim)).toBe(true);
  });

  it('keeps the first failure as the cohort and follows the newest retry schedule', () => {
    // Prepare
    const first = billingEvent('claim.payment_failed', {
      eventId: 'evt_first',
      occurredAt: '2026-11-02T10:14:09.000Z',
      claim: { invoiceId, attemptCount: 1, nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z' },
    });
    const second = billingEvent('claim.payment_failed', {
      eventId: 'evt_second',
      occurredAt: '2026-11-05T10:14:12.000Z',
      claim: { invoiceId, attemptCount: 2, nextPaymentAttemptAt: '2026-11-10T10:14:07.000Z' },
    });

    // Act
    const claim = fold([second, first]);

    // Assess
    expect(claim).toMatchObject({
      status: 'failed',
      attemptCount: 2,
      firstFailedAt: '2026-11-02T10:14:09.000Z',
      lastFailedAt: '2026-11-05T10:14:12.000Z',
      nextPaymentAttemptAt: '2026-11-10T10:14:07.000Z',
      snapshotAt: '2026-11-05T10:14:12.000Z',
    });
  });

  it('stays paid when a stale failure arrives after the payment', () => {
    // Prepare
    const paid = billingEvent('claim.paid', {
      eventId: 'evt_paid',
      occurredAt: '2026-11-05T10:31:44.000Z',
      claim: { invoiceId, attemptCount: 2, paidAt: '2026-11-05T10:31:42.000Z' },
    });
    const staleFailure = billingEvent('claim.payment_failed', {
      eventId: 'evt_failed',
      occurredAt: '2026-11-02T10:14:09.000Z',
      claim: { invoiceId, attemptCount: 1, nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z' },
    });

    // Act
    const claim = fold([paid, staleFailure]);

    // Assess
    expect(claim?.status).toBe('paid');
    expect(claim?.paidAt).toBe('2026-11-05T10:31:42.000Z');
    expect(claim?.firstFailedAt).toBe('2026-11-02T10:14:09.000Z');
    expect(claim?.nextPaymentAttemptAt).toBeUndefined();
    expect(claim && isClaimOpen(claim)).toBe(false);
  });

  it('records a payment of a written-off invoice as paid (Stripe allows paying uncollectible invoices)', () => {
    // Prepare
    const writtenOff = billingEvent('claim.written_off', {
      eventId: 'evt_uncollectible',
      occurredAt: '2026-11-16T10:14:10.000Z',
      claim: { invoiceId, attemptCount: 4 },
    });
    const paid = billingEvent('claim.paid', {
      eventId: 'evt_paid',
      occurredAt: '2026-11-20T08:00:00.000Z',
      claim: { invoiceId, attemptCount: 4, paidAt: '2026-11-20T07:59:58.000Z' },
    });

    // Act
    const claim = fold([paid, writtenOff]);

    // Assess
    expect(claim).toMatchObject({
      status: 'paid',
      writtenOffAt: '2026-11-16T10:14:10.000Z',
      paidAt: '2026-11-20T07:59:58.000Z',
    });
  });

  it('keeps the case the claim was attached to whatever event follows', () => {
    // Prepare
    const attached: Claim = {
      ...applyBillingEventToClaim(undefined, billingEvent('claim.payment_failed', { claim: { invoiceId } })),
      caseId: 'case_4f1d2c3b4a5968778695a4b3',
    };

    // Act
    const claim = applyBillingEventToClaim(
      attached,
      billingEvent('claim.voided', { eventId: 'evt_void', occurredAt: '2026-11-03T15:02:12.000Z' }),
    );

    // Assess
    expect(claim.caseId).toBe('case_4f1d2c3b4a5968778695a4b3');
    expect(claim.status).toBe('voided');
    expect(claim.voidedAt).toBe('2026-11-03T15:02:12.000Z');
  });

  it('gives the same claim for every delivery order and any duplicate delivery of the same events', () => {
    fc.assert(
      fc.property(
        eventsAtDistinctSeconds.chain((events) => fc.tuple(fc.constant(events), deliveriesOf(events))),
        ([events, deliveries]) => {
          // Act
          const inOrder = fold(events);
          const delivered = fold(deliveries);

          // Assess
          expect(delivered).toEqual(inOrder);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('is idempotent: applying an event the claim already reflects changes nothing', () => {
    fc.assert(
      fc.property(eventsAtDistinctSeconds, fc.nat(), (events, pick) => {
        // Prepare
        const claim = fold(events);
        const again = events[pick % events.length];
        if (claim === undefined || again === undefined) throw new Error('generator produced no event');

        // Act
        const reapplied = applyBillingEventToClaim(claim, again);

        // Assess
        expect(reapplied).toEqual(claim);
      }),
      { numRuns: 300 },
    );
  });

  it('never leaves paid once a payment was seen, whatever arrives late', () => {
    fc.assert(
      fc.property(
        eventsAtDistinctSeconds.filter((events) => events.some((event) => event.kind === 'claim.paid')),
        (events) => {
          // Act
          const claim = fold(events);

          // Assess
          expect(claim?.status).toBe('paid');
          expect(claim && isClaimOpen(claim)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same claim in either order for two events stamped in the same second', () => {
    // Prepare: Stripe stamps events to the second. A retry fails (next attempt in 5 days) in the
    // same second as the customer pays through the hosted invoice page.
    const failed = billingEvent('claim.payment_failed', {
      eventId: 'evt_1SQ4mMLkdIwHu7ixRetry2',
      occurredAt: '2026-11-05T10:14:08.000Z',
      claim: { invoiceId, attemptCount: 2, nextPaymentAttemptAt: '2026-11-10T10:14:07.000Z' },
    });
    const paid = billingEvent('claim.paid', {
      eventId: 'evt_1SQ4mNLkdIwHu7ixBc7dH5Rk',
      occurredAt: '2026-11-05T10:14:08.000Z',
      claim: { invoiceId, attemptCount: 2, paidAt: '2026-11-05T10:14:07.000Z' },
    });

    // Act
    const failedFirst = fold([failed, paid]);
    const paidFirst = fold([paid, failed]);

    // Assess
    expect(paidFirst).toEqual(failedFirst);
  });
});
