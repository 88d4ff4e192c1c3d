import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claim, ClaimStatus } from '../../../shared/domain/claim.ts';
import {
  cohortMonthsToReport,
  type RecoveryMetricsRow,
  recoveryMetricsByCohort,
} from '../../../shared/domain/recovery-metrics.ts';

const computedAt = new Date('2026-04-02T03:00:00.000Z');

let claimSequence = 0;

/** A claim as the ingest use case stores it; the status follows the recorded timestamps. */
function claim(
  fields: Pick<Claim, 'amountMinor' | 'currency'> &
    Partial<Pick<Claim, 'firstFailedAt' | 'paidAt' | 'writtenOffAt' | 'voidedAt'>>,
): Claim {
  claimSequence += 1;
  const status: ClaimStatus = fields.paidAt
    ? 'paid'
    : fields.voidedAt
      ? 'voided'
      : fields.writtenOffAt
        ? 'written_off'
        : 'failed';
  const snapshotAt = fields.paidAt ?? fields.voidedAt ?? fields.writtenOffAt ?? fields.firstFailedAt;
  return {
    claimId: `stripe:in_${claimSequence}`,
    invoiceId: `in_${claimSequence}`,
    provider: 'stripe',
    customerId: `cus_${claimSequence}`,
    status,
    attemptCount: fields.firstFailedAt ? 1 : 0,
    snapshotAt: snapshotAt ?? '2026-03-01T00:00:00.000Z',
    snapshotEventId: `evt_${claimSequence}`,
    ...(fields.firstFailedAt ? { lastFailedAt: fields.firstFailedAt } : {}),
    ...fields,
  };
}

function row(
  cohortMonth: string,
  currency: string,
  failed: { amount: number; count: number },
  recovered: { amount: number; count: number },
): RecoveryMetricsRow {
  return {
    cohortMonth,
    currency,
    failedAmountMinor: failed.amount,
    failedCount: failed.count,
    recoveredAmountMinor: recovered.amount,
    recoveredCount: recovered.count,
    recoveryRateAmount: failed.amount === 0 ? null : recovered.amount / failed.amount,
    recoveryRateCount: failed.count === 0 ? null : recovered.count / failed.count,
    computedAt: computedAt.toISOString(),
  };
}

describe('recoveryMetricsByCohort', () => {
  it('reports each currency in its own minor units and never sums across currencies', () => {
    // Prepare: USD (2 decimals), JPY (zero-decimal), BHD (three decimals).
    const claims = [
      claim({
        amountMinor: 4999,
        currency: 'USD',
        firstFailedAt: '2026-03-03T10:00:00Z',
        paidAt: '2026-03-05T09:00:00Z',
      }),
      claim({
        amountMinor: 5001,
        currency: 'USD',
        firstFailedAt: '2026-03-04T10:00:00Z',
        writtenOffAt: '2026-03-30T00:00:00Z',
      }),
      claim({
        amountMinor: 5000,
        currency: 'JPY',
        firstFailedAt: '2026-03-10T01:00:00Z',
        paidAt: '2026-03-12T01:00:00Z',
      }),
      claim({ amountMinor: 3000, currency: 'JPY', firstFailedAt: '2026-03-11T01:00:00Z' }),
      claim({
        amountMinor: 12345,
        currency: 'BHD',
        firstFailedAt: '2026-03-20T08:00:00Z',
        paidAt: '2026-03-21T08:00:00Z',
      }),
      claim({
        amountMinor: 10000,
        currency: 'BHD',
        firstFailedAt: '2026-03-22T08:00:00Z',
        writtenOffAt: '2026-03-29T08:00:00Z',
      }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess: figures computed by hand, one row per currency sorted by code.
    expect(rows).toEqual([
      row('2026-03', 'BHD', { amount: 22345, count: 2 }, { amount: 12345, count: 1 }),
      row('2026-03', 'JPY', { amount: 8000, count: 2 }, { amount: 5000, count: 1 }),
      row('2026-03', 'USD', { amount: 10000, count: 2 }, { amount: 4999, count: 1 }),
    ]);
    expect(rows.map((r) => [r.recoveryRateAmount, r.recoveryRateCount])).toEqual([
      [12345 / 22345, 0.5],
      [0.625, 0.5],
      [0.4999, 0.5],
    ]);
  });

  it('puts a first failure at 23:59:59Z in its month and one at 00:00:00Z in the next month', () => {
    // Prepare
    const lastSecondOfMarch = claim({
      amountMinor: 1000,
      currency: 'USD',
      firstFailedAt: '2026-03-31T23:59:59Z',
    });
    const firstSecondOfApril = claim({
      amountMinor: 2000,
      currency: 'USD',
      firstFailedAt: '2026-04-01T00:00:00Z',
    });
    const claims = [lastSecondOfMarch, firstSecondOfApril];

    // Act
    const march = recoveryMetricsByCohort(claims, '2026-03', computedAt);
    const april = recoveryMetricsByCohort(claims, '2026-04', computedAt);

    // Assess
    expect(march).toEqual([row('2026-03', 'USD', { amount: 1000, count: 1 }, { amount: 0, count: 0 })]);
    expect(april).toEqual([row('2026-04', 'USD', { amount: 2000, count: 1 }, { amount: 0, count: 0 })]);
  });

  it('cohorts by the UTC month even when the first failure was written with an offset', () => {
    // Prepare: 2026-03-31T22:30-05:00 is 2026-04-01T03:30Z.
    const claims = [claim({ amountMinor: 700, currency: 'USD', firstFailedAt: '2026-03-31T22:30:00-05:00' })];

    // Act
    const march = recoveryMetricsByCohort(claims, '2026-03', computedAt);
    const april = recoveryMetricsByCohort(claims, '2026-04', computedAt);

    // Assess
    expect(march).toEqual([]);
    expect(april).toEqual([row('2026-04', 'USD', { amount: 700, count: 1 }, { amount: 0, count: 0 })]);
  });

  it('counts a recovery paid in a later month in the failure cohort', () => {
    // Prepare
    const claims = [
      claim({
        amountMinor: 1999,
        currency: 'USD',
        firstFailedAt: '2026-02-27T12:00:00Z',
        paidAt: '2026-03-15T12:00:00Z',
      }),
    ];

    // Act
    const february = recoveryMetricsByCohort(claims, '2026-02', computedAt);
    const march = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess
    expect(february).toEqual([row('2026-02', 'USD', { amount: 1999, count: 1 }, { amount: 1999, count: 1 })]);
    expect(march).toEqual([]);
  });

  it('does not count a payment made after the write-off as recovered', () => {
    // Prepare
    const claims = [
      claim({
        amountMinor: 2500,
        currency: 'USD',
        firstFailedAt: '2026-03-15T00:00:00Z',
        writtenOffAt: '2026-03-25T00:00:00Z',
        paidAt: '2026-03-25T00:00:01Z',
      }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess: the claim stays in the denominator, not in the numerator.
    expect(rows).toEqual([row('2026-03', 'USD', { amount: 2500, count: 1 }, { amount: 0, count: 0 })]);
  });

  it('counts a payment at the very instant of the write-off as recovered', () => {
    // Prepare
    const claims = [
      claim({
        amountMinor: 2500,
        currency: 'USD',
        firstFailedAt: '2026-03-15T00:00:00Z',
        writtenOffAt: '2026-03-25T00:00:00Z',
        paidAt: '2026-03-25T00:00:00.000Z',
      }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess
    expect(rows).toEqual([row('2026-03', 'USD', { amount: 2500, count: 1 }, { amount: 2500, count: 1 })]);
  });

  it('excludes voided claims from the denominators', () => {
    // Prepare
    const claims = [
      claim({
        amountMinor: 4000,
        currency: 'EUR',
        firstFailedAt: '2026-03-02T00:00:00Z',
        paidAt: '2026-03-03T00:00:00Z',
      }),
      claim({ amountMinor: 6000, currency: 'EUR', firstFailedAt: '2026-03-02T00:00:00Z' }),
      claim({
        amountMinor: 90000,
        currency: 'EUR',
        firstFailedAt: '2026-03-04T00:00:00Z',
        voidedAt: '2026-03-06T00:00:00Z',
      }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess: 4000 / 10000, not 4000 / 100000.
    expect(rows).toEqual([row('2026-03', 'EUR', { amount: 10000, count: 2 }, { amount: 4000, count: 1 })]);
    expect(rows[0]?.recoveryRateAmount).toBe(0.4);
  });

  it('reports zero failed and null rates for a currency whose claims were all voided', () => {
    // Prepare
    const claims = [
      claim({
        amountMinor: 800,
        currency: 'GBP',
        firstFailedAt: '2026-03-09T00:00:00Z',
        voidedAt: '2026-03-10T00:00:00Z',
      }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess
    expect(rows).toEqual([
      {
        cohortMonth: '2026-03',
        currency: 'GBP',
        failedAmountMinor: 0,
        failedCount: 0,
        recoveredAmountMinor: 0,
        recoveredCount: 0,
        recoveryRateAmount: null,
        recoveryRateCount: null,
        computedAt: '2026-04-02T03:00:00.000Z',
      },
    ]);
  });

  it('leaves a claim paid with no failure recorded out of every cohort', () => {
    // Prepare
    const paidWithoutFailure = claim({ amountMinor: 999, currency: 'USD', paidAt: '2026-03-12T00:00:00Z' });

    // Act
    const rows = ['2026-02', '2026-03', '2026-04'].flatMap((month) =>
      recoveryMetricsByCohort([paidWithoutFailure], month, computedAt),
    );

    // Assess
    expect(rows).toEqual([]);
  });

  it('matches the hand-computed figures of a mixed cohort', () => {
    // Prepare: cohort 2026-03 in USD.
    const claims = [
      // paid within the month: failed and recovered
      claim({
        amountMinor: 4999,
        currency: 'USD',
        firstFailedAt: '2026-03-02T08:00:00Z',
        paidAt: '2026-03-05T08:00:00Z',
      }),
      // written off, never paid: failed only
      claim({
        amountMinor: 12000,
        currency: 'USD',
        firstFailedAt: '2026-03-10T08:00:00Z',
        writtenOffAt: '2026-04-10T08:00:00Z',
      }),
      // paid after the write-off: failed only
      claim({
        amountMinor: 2500,
        currency: 'USD',
        firstFailedAt: '2026-03-15T08:00:00Z',
        writtenOffAt: '2026-04-01T08:00:00Z',
        paidAt: '2026-04-20T08:00:00Z',
      }),
      // voided: in no denominator
      claim({
        amountMinor: 7500,
        currency: 'USD',
        firstFailedAt: '2026-03-20T08:00:00Z',
        voidedAt: '2026-03-25T08:00:00Z',
      }),
      // last second of the month, paid two months later: failed and recovered
      claim({
        amountMinor: 1999,
        currency: 'USD',
        firstFailedAt: '2026-03-31T23:59:59Z',
        paidAt: '2026-05-03T08:00:00Z',
      }),
      // still open: failed only
      claim({ amountMinor: 5000, currency: 'USD', firstFailedAt: '2026-03-08T08:00:00Z' }),
      // April cohort and February cohort: not in March
      claim({
        amountMinor: 3000,
        currency: 'USD',
        firstFailedAt: '2026-04-01T00:00:00Z',
        paidAt: '2026-04-02T00:00:00Z',
      }),
      claim({
        amountMinor: 3100,
        currency: 'USD',
        firstFailedAt: '2026-02-28T23:59:59Z',
        paidAt: '2026-03-02T00:00:00Z',
      }),
      // paid without any failure: no cohort
      claim({ amountMinor: 999, currency: 'USD', paidAt: '2026-03-12T00:00:00Z' }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess: failed 4999 + 12000 + 2500 + 1999 + 5000 = 26498 (5); recovered 4999 + 1999 = 6998 (2).
    expect(rows).toEqual([row('2026-03', 'USD', { amount: 26498, count: 5 }, { amount: 6998, count: 2 })]);
    expect(rows[0]?.recoveryRateCount).toBe(0.4);
    expect(rows[0]?.recoveryRateAmount).toBeCloseTo(0.264095, 6);
  });

  it('returns no rows for a cohort in which nothing failed', () => {
    // Prepare
    const claims = [claim({ amountMinor: 1000, currency: 'USD', firstFailedAt: '2026-02-10T00:00:00Z' })];

    // Act
    const rows = recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess
    expect(rows).toEqual([]);
  });

  it('sums amounts exactly up to the largest safe integer and refuses anything larger', () => {
    // Prepare: 2^52 + (2^52 - 1) = 2^53 - 1 is exact; one more minor unit is not representable.
    const atLimit = [
      claim({ amountMinor: 2 ** 52, currency: 'USD', firstFailedAt: '2026-03-01T00:00:00Z' }),
      claim({ amountMinor: 2 ** 52 - 1, currency: 'USD', firstFailedAt: '2026-03-01T00:00:00Z' }),
    ];
    const beyondLimit = [
      ...atLimit,
      claim({ amountMinor: 1, currency: 'USD', firstFailedAt: '2026-03-01T00:00:00Z' }),
    ];

    // Act
    const rows = recoveryMetricsByCohort(atLimit, '2026-03', computedAt);
    const overflow = () => recoveryMetricsByCohort(beyondLimit, '2026-03', computedAt);

    // Assess
    expect(rows[0]?.failedAmountMinor).toBe(Number.MAX_SAFE_INTEGER);
    expect(overflow).toThrow(RangeError);
  });

  it.each([
    ['a fractional amount', 10.5],
    ['a negative amount', -100],
  ])('refuses %s instead of reporting it', (_label, amountMinor) => {
    // Prepare
    const claims = [claim({ amountMinor, currency: 'USD', firstFailedAt: '2026-03-01T00:00:00Z' })];

    // Act
    const compute = () => recoveryMetricsByCohort(claims, '2026-03', computedAt);

    // Assess
    expect(compute).toThrow(/not a non-negative integer/);
  });

  it.each(['2026-3', '2026-13', '2026-00', '202603', ''])('rejects the cohort month %j', (cohortMonth) => {
    // Act
    const compute = () => recoveryMetricsByCohort([], cohortMonth, computedAt);

    // Assess
    expect(compute).toThrow(RangeError);
  });

  it('keeps rates within [0, 1], recovered within failed, and per-currency rows adding up to the totals', () => {
    const cohortMonth = '2026-03';
    const instant = fc
      .date({
        min: new Date('2026-02-20T00:00:00Z'),
        max: new Date('2026-04-10T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
    const generatedClaim = fc.record(
      {
        amountMinor: fc.integer({ min: 0, max: 10_000_000_000 }),
        currency: fc.constantFrom('USD', 'JPY', 'BHD', 'EUR'),
        firstFailedAt: instant,
        paidAt: instant,
        writtenOffAt: instant,
        voidedAt: instant,
      },
      { requiredKeys: ['amountMinor', 'currency'] },
    );

    fc.assert(
      fc.property(fc.array(generatedClaim, { maxLength: 40 }), (fields) => {
        // Prepare
        const claims = fields.map((f) => claim(f));
        // Independent oracle: in the cohort when the Z timestamp starts with the month.
        const inCohort = claims.filter((c) => c.firstFailedAt?.startsWith(cohortMonth) && !c.voidedAt);
        const recovered = inCohort.filter(
          (c) => c.paidAt !== undefined && (c.writtenOffAt === undefined || c.paidAt <= c.writtenOffAt),
        );
        const sum = (list: readonly Claim[]) => list.reduce((total, c) => total + c.amountMinor, 0);

        // Act
        const rows = recoveryMetricsByCohort(claims, cohortMonth, computedAt);

        // Assess
        for (const r of rows) {
          expect(r.recoveredAmountMinor).toBeLessThanOrEqual(r.failedAmountMinor);
          expect(r.recoveredCount).toBeLessThanOrEqual(r.failedCount);
          for (const rate of [r.recoveryRateAmount, r.recoveryRateCount]) {
            if (rate !== null) {
              expect(rate).toBeGreaterThanOrEqual(0);
              expect(rate).toBeLessThanOrEqual(1);
            }
          }
          expect(r.recoveryRateAmount === null).toBe(r.failedAmountMinor === 0);
          expect(r.recoveryRateCount === null).toBe(r.failedCount === 0);
          const ofCurrency = (list: readonly Claim[]) => list.filter((c) => c.currency === r.currency);
          expect(r.failedAmountMinor).toBe(sum(ofCurrency(inCohort)));
          expect(r.recoveredAmountMinor).toBe(sum(ofCurrency(recovered)));
        }
        const currencies = rows.map((r) => r.currency);
        expect(currencies).toEqual([...new Set(currencies)].sort());
        expect(rows.reduce((total, r) => total + r.failedAmountMinor, 0)).toBe(sum(inCohort));
        expect(rows.reduce((total, r) => total + r.failedCount, 0)).toBe(inCohort.length);
        expect(rows.reduce((total, r) => total + r.recoveredAmountMinor, 0)).toBe(sum(recovered));
        expect(rows.reduce((total, r) => total + r.recoveredCount, 0)).toBe(recovered.length);
      }),
    );
  });
});

describe('cohortMonthsToReport', () => {
  it.each([
    ['2026-04-15T12:00:00.000Z', ['2026-03', '2026-04']],
    ['2026-01-01T00:00:00.000Z', ['2025-12', '2026-01']],
    ['2026-03-31T23:59:59.999Z', ['2026-02', '2026-03']],
    ['2024-03-01T00:00:00.000Z', ['2024-02', '2024-03']],
  ])('at %s reports the previous and current UTC months', (now, expected) => {
    // Act
    const months = cohortMonthsToReport(new Date(now));

    // Assess
    expect(months).toEqual(expected);
  });
});
