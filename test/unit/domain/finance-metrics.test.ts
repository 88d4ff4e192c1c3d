import { describe, expect, it } from 'vitest';
import { type CurrencyMetrics, computeCurrencyMetrics } from '../../../shared/domain/finance-metrics.ts';
import { CellIndex } from '../../../shared/domain/metric-cells.ts';
import type { MetricsSettings } from '../../../shared/domain/metric-contributions.ts';
import { monthPeriod, parsePeriod } from '../../../shared/domain/metrics-calendar.ts';
import { expectedCells, goldenScenario, scenarioClaim } from '../../support/finance-scenarios.ts';

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };

function metricsFor(
  currency: string,
  period: string,
  scenario = goldenScenario,
  options = settings,
): CurrencyMetrics {
  const cells = expectedCells(scenario, options).filter((cell) => cell.currency === currency);
  const index = new CellIndex(
    cells.filter((cell) => cell.granularity === 'month'),
    cells.filter((cell) => cell.granularity === 'day'),
    [...new Set(cells.filter((cell) => cell.granularity === 'day').map((cell) => cell.period.slice(0, 7)))],
  );
  return computeCurrencyMetrics(index, currency, parsePeriod(period));
}

const row = (metrics: CurrencyMetrics, dimension: keyof CurrencyMetrics['breakdowns'], value: string) =>
  metrics.breakdowns[dimension].find((entry) => entry.value === value);

// Every expected value below is computed by hand from test/support/finance-scenarios.ts; the
// reasoning is in docs/metrics.md ("Worked example").
describe('computeCurrencyMetrics (golden scenario)', () => {
  describe('USD, March 2026', () => {
    const march = metricsFor('USD', '2026-03');

    it('counts the failure cohort without the voided invoice and recovers later-month payments net of refunds', () => {
      expect(march.cohort).toEqual({
        failedAmountMinor: 47000, // U1 10000 + U2 5000 + U3 20000 + U5 3000 + U6 3000 + U12 6000
        failedCount: 6,
        recoveredAmountMinor: 17000, // U1 10000 + U2 (5000 − 1000 refunded) + U5 3000
        recoveredCount: 3,
        recoveryRateAmount: 17000 / 47000,
        recoveryRateCount: 0.5,
        writtenOffAmountMinor: 26000, // U3 20000 + U12 6000 (paid only after its write-off)
        writtenOffCount: 2,
        refundedAmountMinor: 1000,
      });
    });

    it('buckets time to recovery in local days', () => {
      expect(march.timeToRecovery).toEqual([
        { bucket: 'same-day', count: 1, amountMinor: 3000 }, // U5
        { bucket: '1-7', count: 1, amountMinor: 10000 }, // U1: 2 days
        { bucket: '8-30', count: 0, amountMinor: 0 },
        { bucket: '31-60', count: 1, amountMinor: 4000 }, // U2: 10 March → 20 April = 41 days
        { bucket: 'over-60', count: 0, amountMinor: 0 },
      ]);
    });

    it('breaks the cohort down by variant, segment, decline class and group', () => {
      expect(row(march, 'variant', 'default/A')).toMatchObject({
        failedCount: 3,
        failedAmountMinor: 36000,
        recoveredCount: 1,
        recoveredAmountMinor: 10000,
      });
      expect(row(march, 'variant', 'default/B')).toMatchObject({
        failedAmountMinor: 5000,
        recoveredAmountMinor: 4000,
      });
      expect(row(march, 'variant', 'default/holdout')).toMatchObject({
        failedCount: 2,
        failedAmountMinor: 6000,
        recoveredCount: 1,
        recoveredAmountMinor: 3000,
      });
      expect(row(march, 'segment', 'smb')).toMatchObject({
        failedAmountMinor: 42000,
        recoveredAmountMinor: 13000,
      });
      expect(row(march, 'segment', 'enterprise')).toMatchObject({
        failedAmountMinor: 5000,
        recoveredAmountMinor: 4000,
      });
      expect(
        march.breakdowns.decline.map((entry) => [
          entry.value,
          entry.failedAmountMinor,
          entry.recoveredAmountMinor,
        ]),
      ).toEqual([
        ['hard', 5000, 4000],
        ['soft', 39000, 13000],
        ['unclassified', 3000, 0],
      ]);
      expect(march.breakdowns.strategy).toHaveLength(1);
      expect(row(march, 'strategy', 'default')).toMatchObject({
        failedAmountMinor: 47000,
        recoveredAmountMinor: 17000,
      });
    });

    it('credits recoveries to the last touch within 7 days, else to silent', () => {
      expect(
        march.breakdowns.channel.map((entry) => [
          entry.value,
          entry.recoveredCount,
          entry.recoveredAmountMinor,
        ]),
      ).toEqual([
        ['silent', 2, 7000], // U2 (touch 41 days before) and U5 (holdout)
        ['sms', 1, 10000], // U1: the SMS of 4 March, after the email of 3 March
      ]);
      expect(row(march, 'channel', 'sms')?.shareOfRecoveredAmount).toBeCloseTo(10000 / 17000, 12);
      expect(row(march, 'step', 'default/day-1-sms')).toMatchObject({ recoveredAmountMinor: 10000 });
    });

    it('measures lift against the holdout group, overall and per variant', () => {
      expect(march.lift.map((entry) => entry.scope)).toEqual(['all', 'default', 'default/A', 'default/B']);
      const [all, , variantA, variantB] = march.lift;
      // Treated: U1, U2, U3, U12 → 2 of 4, 14000 of 41000. Holdout: U5, U6 → 1 of 2, 3000 of 6000.
      expect(all?.liftRateCount).toBe(0);
      expect(all?.liftRateAmount).toBeCloseTo(14000 / 41000 - 0.5, 12);
      expect(all?.relativeLiftCount).toBe(0);
      expect(variantA?.liftRateCount).toBeCloseTo(1 / 3 - 0.5, 12);
      expect(variantA?.liftRateAmount).toBeCloseTo(10000 / 36000 - 0.5, 12);
      expect(variantB?.liftRateCount).toBe(0.5);
      expect(variantB?.liftRateAmount).toBeCloseTo(0.3, 12);
    });

    it('computes receivables, aging, DSO and CEI', () => {
      expect(march.receivables).toEqual({
        beginningMinor: 10500, // U7 8000 + U10 2500 open at the end of February
        endingMinor: 60500, // U2 5000 + U6 3000 + U9 50000 + U10 2500
        endingCurrentMinor: 50000, // U9, due 4 April
        billedAmountMinor: 109000, // U1, U2, U3, U5, U6, U8, U9, U12 (U4 voided)
        billedCount: 8,
        collectedAmountMinor: 33000, // U1 10000 + U5 3000 + U7 8000 + U8 12000
        refundedAmountMinor: 0,
        writtenOffAmountMinor: 26000, // U3 + U12
        aging: [
          { bucket: 'current', amountMinor: 50000 },
          { bucket: '1-30', amountMinor: 8000 }, // U2 21 days, U6 13 days past due
          { bucket: '31-60', amountMinor: 0 },
          { bucket: '61-90', amountMinor: 0 },
          { bucket: 'over-90', amountMinor: 2500 }, // U10, 106 days
        ],
        dsoSimpleDays: (60500 * 31) / 109000,
        dsoCountbackDays: (60500 * 31) / 109000, // March's billing alone covers the receivables
        dsoCountbackComplete: true,
        cei: ((10500 + 109000 - 60500) * 100) / (10500 + 109000 - 50000),
      });
      expect(march.receivables.cei).toBeCloseTo(84.89208633, 8);
    });

    it('computes the MRR metrics, each subscription counted once', () => {
      expect(march.mrr).toEqual({
        atRiskMinor: 10500, // sub_B 5000 (paid 20 April), sub_F 3000, sub_I 2500
        atRiskSubscriptions: 3,
        recoveredMinor: 21000, // sub_A 10000, sub_E 3000, sub_G 8000
        recoveredSubscriptions: 3,
        involuntaryChurnMinor: 20000, // sub_C
        churnedSubscriptions: 1,
        recurringDueMinor: 59000, // U1, U2, U3, U5, U6, U8, U12
        recurringCollectedMinor: 33000, // U1, U5, U7 (February arrears), U8
        collectionRate: 33000 / 59000,
      });
    });
  });

  describe('USD, April 2026', () => {
    const april = metricsFor('USD', '2026-04');

    it('has a collection rate above 100% when arrears are collected', () => {
      // Due in April: U11 10000. Collected: U11 10000 + U2 5000 + U12 6000, minus U2's refund of 1000.
      expect(april.mrr.recurringDueMinor).toBe(10000);
      expect(april.mrr.recurringCollectedMinor).toBe(20000);
      expect(april.mrr.collectionRate).toBe(2);
      expect(april.mrr).toMatchObject({ atRiskMinor: 5500, recoveredMinor: 5000, involuntaryChurnMinor: 0 });
    });

    it('has no failure cohort, and walks countback DSO back into March', () => {
      expect(april.cohort.failedCount).toBe(0);
      expect(april.cohort.recoveryRateAmount).toBeNull();
      expect(april.receivables).toMatchObject({
        beginningMinor: 60500,
        endingMinor: 55500,
        endingCurrentMinor: 0,
        billedAmountMinor: 10000,
        collectedAmountMinor: 21000,
        refundedAmountMinor: 1000,
        dsoSimpleDays: 166.5,
        cei: ((60500 + 10000 - 55500) * 100) / (60500 + 10000 - 0),
      });
      // 55500 − April's 10000 (30 days) leaves 45500, covered by March's 109000: 30 + 45500/109000 × 31.
      expect(april.receivables.dsoCountbackDays).toBeCloseTo(30 + (45500 * 31) / 109000, 10);
      expect(april.receivables.aging).toEqual([
        { bucket: 'current', amountMinor: 0 },
        { bucket: '1-30', amountMinor: 50000 }, // U9: 26 days past due
        { bucket: '31-60', amountMinor: 3000 }, // U6: 43 days
        { bucket: '61-90', amountMinor: 0 },
        { bucket: 'over-90', amountMinor: 2500 },
      ]);
    });
  });

  it('reports a zero-decimal currency in whole units (JPY, March 2026)', () => {
    const jpy = metricsFor('JPY', '2026-03');
    expect(jpy.cohort).toMatchObject({
      failedAmountMinor: 8000,
      failedCount: 2,
      recoveredAmountMinor: 5000,
      recoveredCount: 1,
      recoveryRateAmount: 0.625,
      recoveryRateCount: 0.5,
    });
    expect(jpy.receivables).toMatchObject({
      beginningMinor: 0,
      endingMinor: 3000,
      billedAmountMinor: 8000,
      collectedAmountMinor: 5000,
      dsoSimpleDays: 11.625,
      cei: 62.5,
    });
    expect(jpy.mrr).toMatchObject({ atRiskMinor: 3000, recoveredMinor: 5000, collectionRate: 0.625 });
    expect(jpy.breakdowns.strategy.map((entry) => entry.value)).toEqual(['none']);
  });

  it('walks countback DSO across months (EUR, March 2026)', () => {
    const eur = metricsFor('EUR', '2026-03');
    // 60000 open; March billed 50000 (31 days), February 20000 covers the last 10000: 31 + 14 = 45.
    expect(eur.receivables).toMatchObject({
      beginningMinor: 50000,
      endingMinor: 60000,
      billedAmountMinor: 50000,
      dsoSimpleDays: 37.2,
      dsoCountbackDays: 45,
      dsoCountbackComplete: true,
      cei: 40,
    });
    expect(eur.receivables.aging.map((entry) => entry.amountMinor)).toEqual([0, 10000, 20000, 30000, 0]);
    expect(eur.cohort.recoveryRateCount).toBeNull();
    expect(eur.mrr.collectionRate).toBeNull();
  });

  it('sums a week from day cells across a month boundary', () => {
    // ISO week 2026-W14: Monday 30 March to Sunday 5 April. Failures: none; cash: U12 6000 (2 April), U11 10000 (3 April).
    const week = metricsFor('USD', '2026-W14');
    expect(week.receivables.collectedAmountMinor).toBe(16000);
    expect(week.receivables.writtenOffAmountMinor).toBe(20000); // U3 on 31 March
    expect(week.mrr.involuntaryChurnMinor).toBe(20000);
  });

  it('dates facts by the local day of the company time zone', () => {
    // 23:30 in New York on 31 March is 03:30 UTC on 1 April.
    const claim = scenarioClaim('in_TZ', {
      amountMinor: 4200,
      currency: 'USD',
      firstFailedAt: '2026-04-01T03:30:00.000Z',
    });
    const newYork = { timeZone: 'America/New_York', attributionWindowDays: 7 };
    expect(metricsFor('USD', '2026-03', [{ claim }], newYork).cohort.failedAmountMinor).toBe(4200);
    expect(metricsFor('USD', '2026-04', [{ claim }], newYork).cohort.failedAmountMinor).toBe(0);
    expect(metricsFor('USD', '2026-04', [{ claim }]).cohort.failedAmountMinor).toBe(4200);
  });

  it('covers every day of a month, February included', () => {
    expect(monthPeriod('2026-02')).toEqual({ start: '2026-02-01', end: '2026-02-28', label: '2026-02' });
  });
});
