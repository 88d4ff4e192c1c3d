import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../shared/domain/claim.ts';
import {
  decidePaymentRetry,
  defaultPaymentRetryLimits,
} from '../../../shared/domain/payment-retry-policy.ts';
import { declined, failedClaim } from '../../support/billing-records.ts';

const now = new Date('2026-11-06T12:00:00.000Z');

function claim(overrides: Partial<Claim> = {}): Claim {
  const { nextPaymentAttemptAt: _none, ...withoutSchedule } = failedClaim(overrides);
  return overrides.nextPaymentAttemptAt
    ? { ...withoutSchedule, nextPaymentAttemptAt: overrides.nextPaymentAttemptAt }
    : withoutSchedule;
}

describe('decidePaymentRetry', () => {
  it('retries an open soft-declined claim with no provider retry scheduled', () => {
    expect(
      decidePaymentRetry(claim({ ...declined('insufficient-funds') }), now, defaultPaymentRetryLimits, []),
    ).toEqual({
      retry: true,
    });
  });

  it.each([
    ['a paid claim', { status: 'paid' as const }, 'claim-settled'],
    ['a disputed claim', { disputeStatus: 'open' as const }, 'claim-disputed'],
    ['a hard decline (Visa category 1)', { ...declined('hard') }, 'hard-decline:hard'],
    ['a revoked authorization', { ...declined('revoked') }, 'hard-decline:revoked'],
    [
      'a 3-D Secure requirement',
      { ...declined('authentication-required') },
      'hard-decline:authentication-required',
    ],
    [
      'a claim Stripe will retry itself',
      { nextPaymentAttemptAt: '2026-11-07T00:00:00.000Z' },
      'provider-retry-scheduled',
    ],
    ['15 attempts within 30 days of the first failure', { attemptCount: 15 }, 'network-limit-30-days'],
  ])('never retries %s', (_label, overrides, reason) => {
    expect(decidePaymentRetry(claim(overrides), now, defaultPaymentRetryLimits, [])).toEqual({
      retry: false,
      reason,
    });
  });

  it('retries once Stripe has stopped retrying (its next attempt is in the past or absent)', () => {
    expect(
      decidePaymentRetry(
        claim({ nextPaymentAttemptAt: '2026-11-05T00:00:00.000Z' }),
        now,
        defaultPaymentRetryLimits,
        [],
      ),
    ).toEqual({ retry: true });
  });

  it('keeps to the daily network limit with its own recent attempts', () => {
    // Prepare
    const limits = { ...defaultPaymentRetryLimits, maxAttemptsPerDay: 2 };
    const ours = ['2026-11-06T02:00:00.000Z', '2026-11-06T08:00:00.000Z'];

    // Act & Assess
    expect(decidePaymentRetry(claim(), now, limits, ours)).toEqual({
      retry: false,
      reason: 'network-limit-per-day',
    });
    expect(decidePaymentRetry(claim(), new Date('2026-11-07T03:00:00.000Z'), limits, ours)).toEqual({
      retry: true,
    });
  });

  it('counts only recent attempts for a claim that first failed more than 30 days ago', () => {
    // Prepare: 20 attempts long ago, the latest failure 40 days ago.
    const old = claim({
      attemptCount: 20,
      firstFailedAt: '2026-08-01T00:00:00.000Z',
      lastFailedAt: '2026-09-27T00:00:00.000Z',
    });

    // Act & Assess
    expect(decidePaymentRetry(old, now, defaultPaymentRetryLimits, [])).toEqual({ retry: true });
  });
});
