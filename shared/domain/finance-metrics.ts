import type { CellIndex } from './metric-cells.ts';
import {
  agingThresholds,
  attributionDimensions,
  type BreakdownDimension,
  cohortDimensions,
  legacyOpenByDuePrefix,
  openReceivableMeasure,
  pastDueMeasure,
  type TimeToRecoveryBucket,
  timeToRecoveryBuckets,
} from './metric-contributions.ts';
import {
  addDays,
  addMonths,
  daysBetween,
  firstDayOfMonth,
  type LocalDay,
  type LocalMonth,
  lastDayOfMonth,
  monthOf,
  monthsOf,
  periodDays,
  type ReportPeriod,
} from './metrics-calendar.ts';

/**
 * Every metric of DOMAIN.md §6 for one currency and one period, computed from the aggregate cells
 * only (never from claims), so its cost does not depend on how many claims there are.
 * docs/metrics.md defines each field; the report footer repeats the definitions.
 */
export interface RecoveryFigures {
  readonly failedAmountMinor: number;
  readonly failedCount: number;
  readonly recoveredAmountMinor: number;
  readonly recoveredCount: number;
  /** recovered ÷ failed by amount; null when nothing failed. */
  readonly recoveryRateAmount: number | null;
  /** recovered ÷ failed by count; null when nothing failed. */
  readonly recoveryRateCount: number | null;
}

export interface CohortMetrics extends RecoveryFigures {
  readonly writtenOffAmountMinor: number;
  readonly writtenOffCount: number;
  /** Refunded after recovery; already deducted from the recovered amount. */
  readonly refundedAmountMinor: number;
}

export interface BreakdownRow extends RecoveryFigures {
  readonly dimension: BreakdownDimension;
  readonly value: string;
  /** Share of the cohort's recovered amount credited to this value (attribution dimensions); null when nothing was recovered. */
  readonly shareOfRecoveredAmount: number | null;
}

export interface LiftRow {
  /** `all`, a strategy id, or `strategy/variant`. */
  readonly scope: string;
  readonly treated: RecoveryFigures;
  readonly holdout: RecoveryFigures;
  /** Treated minus holdout recovery rate by count, in rate points (0.1 = 10 points); null without both groups. */
  readonly liftRateCount: number | null;
  readonly liftRateAmount: number | null;
  /** Treated ÷ holdout recovery rate by count, minus 1; null when the holdout rate is 0 or missing. */
  readonly relativeLiftCount: number | null;
}

export interface BucketRow<B extends string> {
  readonly bucket: B;
  readonly count?: number;
  readonly amountMinor: number;
}

export const agingBuckets = ['current', '1-30', '31-60', '61-90', 'over-90'] as const;
export type AgingBucket = (typeof agingBuckets)[number];

export interface ReceivablesMetrics {
  /** Open receivables at the end of the day before the period. */
  readonly beginningMinor: number;
  /** Open receivables at the end of the period's last day. */
  readonly endingMinor: number;
  /** Of those, not yet due. */
  readonly endingCurrentMinor: number;
  readonly billedAmountMinor: number;
  readonly billedCount: number;
  readonly collectedAmountMinor: number;
  readonly refundedAmountMinor: number;
  readonly writtenOffAmountMinor: number;
  readonly aging: readonly BucketRow<AgingBucket>[];
  /** endingReceivables ÷ billed × days in period; null when nothing was billed. */
  readonly dsoSimpleDays: number | null;
  /** Countback DSO; null when receivables outlive the look-back (then `dsoCountbackComplete` is false). */
  readonly dsoCountbackDays: number | null;
  readonly dsoCountbackComplete: boolean;
  /** Collection effectiveness index, in percent; null when its denominator is 0. */
  readonly cei: number | null;
}

export interface MrrMetrics {
  /** MRR of subscriptions with an open failed invoice at the end of the period. */
  readonly atRiskMinor: number;
  readonly atRiskSubscriptions: number;
  readonly recoveredMinor: number;
  readonly recoveredSubscriptions: number;
  readonly involuntaryChurnMinor: number;
  readonly churnedSubscriptions: number;
  readonly recurringDueMinor: number;
  /** Recurring cash collected in the period, net of recurring refunds made in it. */
  readonly recurringCollectedMinor: number;
  /** recurringCollected ÷ recurringDue; above 1 when arrears were collected; null when nothing was due. */
  readonly collectionRate: number | null;
}

export interface CohortTrendRow {
  readonly month: LocalMonth;
  readonly failedAmountMinor: number;
  readonly recoveredAmountMinor: number;
  readonly recoveryRateAmount: number | null;
}

export interface CurrencyMetrics {
  readonly currency: string;
  readonly cohort: CohortMetrics;
  readonly timeToRecovery: readonly BucketRow<TimeToRecoveryBucket>[];
  readonly breakdowns: Readonly<Record<BreakdownDimension, readonly BreakdownRow[]>>;
  readonly lift: readonly LiftRow[];
  readonly mrr: MrrMetrics;
  readonly receivables: ReceivablesMetrics;
  /** Failure cohorts of the months up to the period's last, oldest first (for the trend chart). */
  readonly cohortTrend: readonly CohortTrendRow[];
}

export interface FinanceMetricsOptions {
  /** How far countback DSO walks back. @default 24 */
  readonly countbackMonths?: number;
  /** Cohort months in the trend. @default 6 */
  readonly trendMonths?: number;
}

function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function figures(failedCount: number, failedAmount: number, recoveredCount: number, recoveredAmount: number) {
  return {
    failedAmountMinor: failedAmount,
    failedCount,
    recoveredAmountMinor: recoveredAmount,
    recoveredCount,
    recoveryRateAmount: rate(recoveredAmount, failedAmount),
    recoveryRateCount: rate(recoveredCount, failedCount),
  };
}

/**
 * The months whose day cells a report of `period` must load: those it covers partly, and the
 * month of the day before it when that day is not a month end (beginning receivables).
 */
export function dayCellMonthsFor(period: Pick<ReportPeriod, 'start' | 'end'>): LocalMonth[] {
  const months = new Set<LocalMonth>();
  const before = addDays(period.start, -1);
  if (before !== lastDayOfMonth(monthOf(before))) months.add(monthOf(before));
  for (const month of monthsOf(period)) {
    const whole = period.start <= firstDayOfMonth(month) && lastDayOfMonth(month) <= period.end;
    if (!whole) months.add(month);
  }
  return [...months].sort();
}

/** The months countback DSO and the trend read whole: month cells only. */
function sumMonth(index: CellIndex, month: LocalMonth, measure: string, upTo?: LocalDay): number {
  const end = upTo !== undefined && upTo < lastDayOfMonth(month) ? upTo : lastDayOfMonth(month);
  return index.sumRange(firstDayOfMonth(month), end, (name) => name === measure).get(measure) ?? 0;
}

export function computeCurrencyMetrics(
  index: CellIndex,
  currency: string,
  period: Pick<ReportPeriod, 'start' | 'end'>,
  options: FinanceMetricsOptions = {},
): CurrencyMetrics {
  const flows = index.sumRange(period.start, period.end, () => true);
  const flow = (measure: string): number => flows.get(measure) ?? 0;

  const cohort: CohortMetrics = {
    ...figures(
      flow('failed.count'),
      flow('failed.amount'),
      flow('recovered.count'),
      flow('recovered.amount'),
    ),
    writtenOffAmountMinor: flow('writtenOff.amount'),
    writtenOffCount: flow('writtenOff.count'),
    refundedAmountMinor: flow('refunded.amount'),
  };
  const timeToRecovery = timeToRecoveryBuckets.map((bucket) => ({
    bucket,
    count: flow(`ttr.${bucket}.count`),
    amountMinor: flow(`ttr.${bucket}.amount`),
  }));

  const byDimension = (dimension: BreakdownDimension): BreakdownRow[] => {
    const values = new Set<string>();
    const prefix = `@${dimension}=`;
    for (const measure of flows.keys()) {
      const at = measure.indexOf(prefix);
      if (at >= 0) values.add(measure.slice(at + prefix.length));
    }
    const attribution = (attributionDimensions as readonly string[]).includes(dimension);
    return [...values].sort().map((value) => {
      const suffix = `${prefix}${value}`;
      const recoveredAmount = flow(`recovered.amount${suffix}`);
      return {
        dimension,
        value,
        ...figures(
          flow(`failed.count${suffix}`),
          flow(`failed.amount${suffix}`),
          flow(`recovered.count${suffix}`),
          recoveredAmount,
        ),
        shareOfRecoveredAmount: attribution ? rate(recoveredAmount, cohort.recoveredAmountMinor) : null,
      };
    });
  };
  const breakdowns = Object.fromEntries(
    [...cohortDimensions, ...attributionDimensions].map((dimension) => [dimension, byDimension(dimension)]),
  ) as Record<BreakdownDimension, BreakdownRow[]>;

  const lift = liftRows(breakdowns);

  // Stocks: cumulative flows up to a day's end.
  const beginning = receivablesAt(index, addDays(period.start, -1)).open;
  const endingStock = receivablesAt(index, period.end);
  const ending = endingStock.open;
  const aging = endingStock.aging;
  const endingCurrent = aging.get('current') ?? 0;
  const billed = flow('billed.amount');
  const ceiDenominator = beginning + billed - endingCurrent;
  const countback = countbackDso(index, period.end, ending, options.countbackMonths ?? 24);
  const receivables: ReceivablesMetrics = {
    beginningMinor: beginning,
    endingMinor: ending,
    endingCurrentMinor: endingCurrent,
    billedAmountMinor: billed,
    billedCount: flow('billed.count'),
    collectedAmountMinor: flow('collected.amount'),
    refundedAmountMinor: flow('refunds.amount'),
    writtenOffAmountMinor: flow('arWrittenOff.amount'),
    aging: agingBuckets.map((bucket) => ({ bucket, amountMinor: aging.get(bucket) ?? 0 })),
    dsoSimpleDays: billed === 0 ? null : (ending * periodDays(period)) / billed,
    dsoCountbackDays: countback.days,
    dsoCountbackComplete: countback.complete,
    cei: ceiDenominator === 0 ? null : ((beginning + billed - ending) * 100) / ceiDenominator,
  };

  const atRisk = index.cumulative(period.end, (m) => m.startsWith('mrr.atRisk.'));
  const recurringDue = flow('recurring.due.amount');
  const recurringCollected = flow('recurring.collected.amount') - flow('recurring.refunds.amount');
  const mrr: MrrMetrics = {
    atRiskMinor: atRisk.get('mrr.atRisk.amount') ?? 0,
    atRiskSubscriptions: atRisk.get('mrr.atRisk.count') ?? 0,
    recoveredMinor: flow('mrr.recovered.amount'),
    recoveredSubscriptions: flow('mrr.recovered.count'),
    involuntaryChurnMinor: flow('mrr.churned.amount'),
    churnedSubscriptions: flow('mrr.churned.count'),
    recurringDueMinor: recurringDue,
    recurringCollectedMinor: recurringCollected,
    collectionRate: rate(recurringCollected, recurringDue),
  };

  const trendMonths = options.trendMonths ?? 6;
  const lastMonth = monthOf(period.end);
  const cohortTrend: CohortTrendRow[] = [];
  for (let offset = trendMonths - 1; offset >= 0; offset -= 1) {
    const month = addMonths(lastMonth, -offset);
    const monthCells = index.monthEntries().find(([name]) => name === month)?.[1] ?? {};
    const failedAmount = monthCells['failed.amount'] ?? 0;
    const recoveredAmount = monthCells['recovered.amount'] ?? 0;
    cohortTrend.push({
      month,
      failedAmountMinor: failedAmount,
      recoveredAmountMinor: recoveredAmount,
      recoveryRateAmount: rate(recoveredAmount, failedAmount),
    });
  }

  return { currency, cohort, timeToRecovery, breakdowns, lift, mrr, receivables, cohortTrend };
}

interface ReceivablesStock {
  readonly open: number;
  readonly aging: ReadonlyMap<AgingBucket, number>;
}

function agingBucketOf(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return 'over-90';
}

/**
 * Open receivables at the end of `day` and their aging, from the interval flows summed up to that
 * day: current = open − pastDue1, 1-30 = pastDue1 − pastDue31, …, over 90 = pastDue91. Facts dated
 * after `day` (invoices that will become past due later) are not summed. Cells written before the
 * interval flows hold `open@due=<day>` measures instead; they are aged here the old way, so
 * reports stay right until a rebuild with repair migrates them.
 */
export function receivablesAt(index: CellIndex, day: LocalDay): ReceivablesStock {
  const stocks = index.cumulative(
    day,
    (measure) =>
      measure === openReceivableMeasure ||
      measure.startsWith('pastDue') ||
      measure.startsWith(legacyOpenByDuePrefix),
  );
  const stock = (measure: string): number => stocks.get(measure) ?? 0;
  const open = stock(openReceivableMeasure);
  const [pastDue1, pastDue31, pastDue61, pastDue91] = agingThresholds.map((threshold) =>
    stock(pastDueMeasure(threshold)),
  ) as [number, number, number, number];
  const aging = new Map<AgingBucket, number>([
    ['current', open - pastDue1],
    ['1-30', pastDue1 - pastDue31],
    ['31-60', pastDue31 - pastDue61],
    ['61-90', pastDue61 - pastDue91],
    ['over-90', pastDue91],
  ]);
  let legacyOpen = 0;
  for (const [measure, amount] of stocks) {
    if (!measure.startsWith(legacyOpenByDuePrefix)) continue;
    const bucket = agingBucketOf(daysBetween(measure.slice(legacyOpenByDuePrefix.length), day));
    aging.set(bucket, (aging.get(bucket) ?? 0) + amount);
    legacyOpen += amount;
  }
  return { open: open + legacyOpen, aging };
}

function liftRows(breakdowns: Record<BreakdownDimension, BreakdownRow[]>): LiftRow[] {
  const rows: LiftRow[] = [];
  const none = figures(0, 0, 0, 0);
  const compare = (
    scope: string,
    treated: RecoveryFigures | undefined,
    holdout: RecoveryFigures | undefined,
  ) => {
    if (treated === undefined || holdout === undefined) return;
    const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
    rows.push({
      scope,
      treated,
      holdout,
      liftRateCount: diff(treated.recoveryRateCount, holdout.recoveryRateCount),
      liftRateAmount: diff(treated.recoveryRateAmount, holdout.recoveryRateAmount),
      relativeLiftCount:
        treated.recoveryRateCount === null || !holdout.recoveryRateCount
          ? null
          : treated.recoveryRateCount / holdout.recoveryRateCount - 1,
    });
  };
  const find = (dimension: BreakdownDimension, value: string) =>
    breakdowns[dimension].find((row) => row.value === value);
  const holdoutAll = find('group', 'holdout');
  if (holdoutAll) compare('all', find('group', 'treated') ?? none, holdoutAll);
  for (const row of breakdowns.strategyGroup) {
    if (!row.value.endsWith('/holdout')) continue;
    const strategy = row.value.slice(0, -'/holdout'.length);
    compare(strategy, find('strategyGroup', `${strategy}/treated`) ?? none, row);
    for (const variant of breakdowns.variant) {
      if (variant.value.startsWith(`${strategy}/`) && variant.value !== `${strategy}/holdout`) {
        compare(variant.value, variant, row);
      }
    }
  }
  return rows;
}

/**
 * DOMAIN.md §6: walk back month by month from the period's end, using up the ending receivables
 * with each month's billed amount, adding each whole month's days and the pro-rated part of the
 * last. The period end's own month counts its days up to the end.
 */
function countbackDso(
  index: CellIndex,
  end: LocalDay,
  endingReceivables: number,
  maxMonths: number,
): { days: number | null; complete: boolean } {
  let remaining = endingReceivables;
  if (remaining <= 0) return { days: 0, complete: true };
  let days = 0;
  let month = monthOf(end);
  for (let step = 0; step < maxMonths; step += 1) {
    const monthDays =
      step === 0
        ? daysBetween(firstDayOfMonth(month), end) + 1
        : daysBetween(firstDayOfMonth(month), lastDayOfMonth(month)) + 1;
    const billed = sumMonth(index, month, 'billed.amount', step === 0 ? end : undefined);
    if (billed >= remaining && billed > 0)
      return { days: days + (remaining * monthDays) / billed, complete: true };
    days += monthDays;
    remaining -= billed;
    month = addMonths(month, -1);
  }
  return { days: null, complete: false };
}
