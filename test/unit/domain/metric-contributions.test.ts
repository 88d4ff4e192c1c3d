import { describe, expect, it } from 'vitest';
import {
  claimContribution,
  contributionDelta,
  factKey,
  lastTouchBefore,
  subscriptionClaimSummary,
  subscriptionContribution,
} from '../../../shared/domain/metric-contributions.ts';
import { scenarioClaim } from '../../support/finance-scenarios.ts';

const settings = { timeZone: 'UTC', attributionWindowDays: 7 };

describe('lastTouchBefore', () => {
  const paidAt = '2026-03-10T12:00:00.000Z';

  it('credits a touch exactly at the window edge and the payment instant, not one a second earlier or later', () => {
    const edge = { sentAt: '2026-03-03T12:00:00.000Z', channel: 'email', stepId: 'edge' };
    const early = { sentAt: '2026-03-03T11:59:59.000Z', channel: 'sms', stepId: 'early' };
    const after = { sentAt: '2026-03-10T12:00:01.000Z', channel: 'sms', stepId: 'after' };
    expect(lastTouchBefore(paidAt, [early, edge, after], 7)).toBe(edge);
    expect(lastTouchBefore(paidAt, [early, after], 7)).toBeUndefined();
    const atPayment = { sentAt: paidAt, channel: 'voice', stepId: 'at' };
    expect(lastTouchBefore(paidAt, [edge, atPayment], 7)).toBe(atPayment);
  });

  it('uses the configured window', () => {
    const touch = { sentAt: '2026-03-08T12:00:00.000Z', channel: 'email', stepId: 'two-days' };
    expect(lastTouchBefore(paidAt, [touch], 1)).toBeUndefined();
    expect(lastTouchBefore(paidAt, [touch], 2)).toBe(touch);
  });
});

describe('claimContribution', () => {
  it('contributes nothing for a voided invoice', () => {
    const claim = scenarioClaim('in_V', {
      amountMinor: 100,
      currency: 'USD',
      firstFailedAt: '2026-03-01T00:00:00.000Z',
      voidedAt: '2026-03-02T00:00:00.000Z',
    });
    expect(claimContribution({ claim }, settings)).toEqual({});
  });

  it('never counts more refund than the amount', () => {
    const claim = scenarioClaim('in_R', {
      amountMinor: 100,
      currency: 'usd',
      firstFailedAt: '2026-03-01T00:00:00.000Z',
      paidAt: '2026-03-02T00:00:00.000Z',
      refundedAmountMinor: 500,
    });
    const facts = claimContribution({ claim }, settings);
    expect(facts[factKey('USD', '2026-03-01', 'recovered.amount')]).toBeUndefined();
    expect(facts[factKey('USD', '2026-03-01', 'recovered.count')]).toBe(1);
    expect(facts[factKey('USD', '2026-03-02', 'refunds.amount')]).toBe(100);
  });

  it('refuses an amount that is not a non-negative integer of minor units', () => {
    const claim = scenarioClaim('in_X', {
      amountMinor: 12.5,
      currency: 'USD',
      firstFailedAt: '2026-03-01T00:00:00Z',
    });
    expect(() => claimContribution({ claim }, settings)).toThrow(RangeError);
  });
});

describe('subscriptionContribution', () => {
  const failed = (id: string, failedAt: string, extra: object = {}) =>
    subscriptionClaimSummary(
      scenarioClaim(id, {
        amountMinor: 3000,
        currency: 'EUR',
        subscriptionId: 'sub_S',
        subscriptionMrrMinor: 2500,
        firstFailedAt: failedAt,
        ...extra,
      }),
      1,
    );

  it('counts a subscription with two overlapping failed invoices once, until the last is paid', () => {
    const facts = subscriptionContribution(
      [
        failed('in_S1', '2026-03-01T10:00:00Z', { paidAt: '2026-03-20T10:00:00Z' }),
        failed('in_S2', '2026-03-10T10:00:00Z', { paidAt: '2026-03-25T10:00:00Z' }),
      ],
      settings,
    );
    expect(facts).toEqual({
      [factKey('EUR', '2026-03-01', 'mrr.atRisk.amount')]: 2500,
      [factKey('EUR', '2026-03-01', 'mrr.atRisk.count')]: 1,
      [factKey('EUR', '2026-03-25', 'mrr.atRisk.amount')]: -2500,
      [factKey('EUR', '2026-03-25', 'mrr.atRisk.count')]: -1,
      [factKey('EUR', '2026-03-25', 'mrr.recovered.amount')]: 2500,
      [factKey('EUR', '2026-03-25', 'mrr.recovered.count')]: 1,
    });
  });

  it('ends the risk at churn, without recovered MRR', () => {
    const facts = subscriptionContribution(
      [failed('in_S3', '2026-03-01T10:00:00Z', { subscriptionChurnedAt: '2026-03-15T00:00:00Z' })],
      settings,
    );
    expect(facts[factKey('EUR', '2026-03-15', 'mrr.atRisk.amount')]).toBe(-2500);
    expect(facts[factKey('EUR', '2026-03-15', 'mrr.churned.amount')]).toBe(2500);
    expect(Object.keys(facts).some((key) => key.includes('mrr.recovered'))).toBe(false);
  });

  it('takes the MRR and the cancellation for non-payment from the subscription record when there is one', () => {
    const facts = subscriptionContribution([failed('in_S6', '2026-03-01T10:00:00Z')], settings, {
      mrrMinor: 1000,
      currency: 'eur',
      churnedAt: '2026-03-20T00:00:00Z',
    });
    expect(facts[factKey('EUR', '2026-03-01', 'mrr.atRisk.amount')]).toBe(1000);
    expect(facts[factKey('EUR', '2026-03-20', 'mrr.atRisk.amount')]).toBe(-1000);
    expect(facts[factKey('EUR', '2026-03-20', 'mrr.churned.amount')]).toBe(1000);
  });

  it('does not recover an episode with a written-off invoice', () => {
    const facts = subscriptionContribution(
      [
        failed('in_S4', '2026-03-01T10:00:00Z', { paidAt: '2026-03-05T10:00:00Z' }),
        failed('in_S5', '2026-03-03T10:00:00Z', { writtenOffAt: '2026-03-06T10:00:00Z' }),
      ],
      settings,
    );
    expect(Object.keys(facts).some((key) => key.includes('mrr.recovered'))).toBe(false);
    expect(facts[factKey('EUR', '2026-03-06', 'mrr.atRisk.amount')]).toBe(-2500);
  });
});

describe('contributionDelta', () => {
  it('gives what to add to move from one contribution to the next, and nothing for equal ones', () => {
    expect(contributionDelta({ a: 1, b: 2 }, { b: 5, c: 3 })).toEqual({ a: -1, b: 3, c: 3 });
    expect(contributionDelta({ a: 1 }, { a: 1 })).toEqual({});
  });
});
