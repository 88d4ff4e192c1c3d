import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../../shared/domain/claim.ts';
import { InvalidRequestError } from '../../../../shared/domain/errors.ts';
import {
  makePaymentPlan,
  makePromiseToPay,
  type PaymentPlan,
  planDuty,
  planNextDutyAt,
  planOptions,
  planPausedUntil,
  promiseWindow,
  withInstalment,
} from '../../../../shared/domain/portal/commitments.ts';
import { defaultPortalPolicy as policy } from '../../../../shared/domain/portal/portal-policy.ts';

function claim(id: string, amountMinor: number, currency = 'EUR', status: Claim['status'] = 'failed'): Claim {
  return {
    claimId: `stripe:${id}`,
    invoiceId: id,
    provider: 'stripe',
    customerId: 'stripe:cus_1',
    status,
    amountMinor,
    currency,
    attemptCount: 1,
    firstFailedAt: '2026-03-02T09:00:00.000Z',
    snapshotAt: '2026-03-02T09:00:00.000Z',
    snapshotEventId: 'evt_1',
  };
}

/** 23:30 in Berlin on Monday 2 March 2026 (22:30 UTC): "today" is still the 2nd there. */
const now = new Date('2026-03-02T22:30:00Z');

describe('promise to pay', () => {
  it('allows dates from tomorrow to 14 days ahead, in the debtor’s zone', () => {
    expect(promiseWindow(now, 'Europe/Berlin', policy)).toEqual({ min: '2026-03-03', max: '2026-03-16' });
    expect(promiseWindow(now, 'Asia/Tokyo', policy)).toEqual({ min: '2026-03-04', max: '2026-03-17' });
  });

  it('pauses until the end of the promised day plus two days of grace', () => {
    const promise = makePromiseToPay('2026-03-06', ['stripe:in_1'], now, 'Europe/Berlin', policy);
    expect(promise).toMatchObject({
      status: 'active',
      promisedFor: '2026-03-06',
      graceUntil: '2026-03-08T23:00:00Z',
    });
  });

  it('refuses a date outside the window, a non-date and an empty promise', () => {
    expect(() => makePromiseToPay('2026-03-02', ['c'], now, 'Europe/Berlin', policy)).toThrow(
      InvalidRequestError,
    );
    expect(() => makePromiseToPay('2026-03-17', ['c'], now, 'Europe/Berlin', policy)).toThrow(
      InvalidRequestError,
    );
    expect(() => makePromiseToPay('2026-02-30', ['c'], now, 'Europe/Berlin', policy)).toThrow(
      InvalidRequestError,
    );
    expect(() => makePromiseToPay('next friday', ['c'], now, 'Europe/Berlin', policy)).toThrow(
      InvalidRequestError,
    );
    expect(() => makePromiseToPay('2026-03-05', [], now, 'Europe/Berlin', policy)).toThrow(
      InvalidRequestError,
    );
  });
});

describe('payment plan options and schedule', () => {
  it('offers 2 to 6 instalments, none below the minimum instalment, the last one taking the remainder', () => {
    expect(planOptions(10_000, 'EUR', policy).map((o) => o.instalments)).toEqual([2, 3, 4, 5, 6]);
    expect(planOptions(10_000, 'EUR', policy)[1]).toEqual({
      instalments: 3,
      instalmentMinor: 3333,
      lastInstalmentMinor: 3334,
    });
    expect(planOptions(3500, 'EUR', policy).map((o) => o.instalments)).toEqual([2, 3]);
    expect(planOptions(1500, 'EUR', policy)).toEqual([]);
    // Zero-decimal: 1,000 yen minimum.
    expect(planOptions(5000, 'JPY', policy).map((o) => o.instalments)).toEqual([2, 3, 4, 5]);
  });

  it('schedules the first instalment now and the next every interval, summing to the total', () => {
    const plan = makePaymentPlan('plan_1', [claim('in_1', 6000), claim('in_2', 4001)], 3, now, policy);
    expect(plan.totalMinor).toBe(10_001);
    expect(plan.instalments.map((one) => one.amountMinor)).toEqual([3333, 3333, 3335]);
    expect(plan.instalments.map((one) => one.dueAt)).toEqual([
      '2026-03-02T22:30:00Z',
      '2026-03-16T22:30:00Z',
      '2026-03-30T22:30:00Z',
    ]);
    expect(plan.claimIds).toEqual(['stripe:in_1', 'stripe:in_2']);
  });

  it('refuses mixed currencies and a count the policy does not offer', () => {
    expect(() =>
      makePaymentPlan('p', [claim('in_1', 6000), claim('in_2', 6000, 'USD')], 2, now, policy),
    ).toThrow(InvalidRequestError);
    expect(() => makePaymentPlan('p', [claim('in_1', 6000)], 7, now, policy)).toThrow(InvalidRequestError);
    expect(() => makePaymentPlan('p', [claim('in_1', 1500)], 2, now, policy)).toThrow(InvalidRequestError);
  });
});

describe('payment plan duties', () => {
  const plan: PaymentPlan = makePaymentPlan('plan_1', [claim('in_1', 9000)], 3, now, policy);
  const at = (iso: string) => new Date(iso);

  it('charges the first instalment at once, then reminds two days before the next one', () => {
    expect(planDuty(plan, now, policy)).toMatchObject({ kind: 'charge', instalment: { number: 1 } });
    const first = plan.instalments[0];
    if (!first) throw new Error('no instalment');
    const paid = withInstalment(plan, { ...first, status: 'paid', attempts: 1, paidAt: now.toISOString() });
    expect(planDuty(paid, at('2026-03-14T22:00:00Z'), policy)).toBeUndefined();
    expect(planNextDutyAt(paid, policy)).toBe('2026-03-14T22:30:00Z');
    expect(planDuty(paid, at('2026-03-14T22:30:00Z'), policy)).toMatchObject({
      kind: 'remind',
      instalment: { number: 2 },
    });
  });

  it('retries a failed charge after the retry delay, and counts the instalment missed after the last attempt', () => {
    const first = plan.instalments[0];
    if (!first) throw new Error('no instalment');
    const failedOnce = withInstalment(plan, { ...first, attempts: 1, lastAttemptAt: now.toISOString() });
    expect(planDuty(failedOnce, at('2026-03-03T10:00:00Z'), policy)).toBeUndefined();
    expect(planDuty(failedOnce, at('2026-03-03T22:30:00Z'), policy)).toMatchObject({ kind: 'charge' });
    const failedTwice = withInstalment(plan, {
      ...first,
      attempts: 2,
      lastAttemptAt: '2026-03-03T22:30:00.000Z',
    });
    expect(planDuty(failedTwice, at('2026-03-03T23:00:00Z'), policy)).toMatchObject({ kind: 'miss' });
    const broken = withInstalment(failedTwice, { ...first, attempts: 2, status: 'missed' });
    expect(broken.status).toBe('broken');
    expect(planPausedUntil(broken, policy)).toBeUndefined();
    expect(planDuty(broken, at('2026-03-04T00:00:00Z'), policy)).toBeUndefined();
  });

  it('pauses contact until the next instalment can no longer be collected, and completes when all are paid', () => {
    // Due + one retry after 24 h + two hourly job runs.
    expect(planPausedUntil(plan, policy)).toBe('2026-03-04T00:30:00Z');
    const paid = plan.instalments.reduce(
      (current, one) => withInstalment(current, { ...one, status: 'paid', attempts: 1, paidAt: one.dueAt }),
      plan,
    );
    expect(paid.status).toBe('completed');
    expect(planPausedUntil(paid, policy)).toBeUndefined();
    expect(planNextDutyAt(paid, policy)).toBeUndefined();
  });
});
