import { type CurrencyMetrics, computeCurrencyMetrics, dayCellMonthsFor } from '../domain/finance-metrics.ts';
import { type FinanceReport, reportIdFor } from '../domain/finance-report.ts';
import { CellIndex, type MetricCell } from '../domain/metric-cells.ts';
import type { MetricsSettings } from '../domain/metric-contributions.ts';
import type { ReportPeriod } from '../domain/metrics-calendar.ts';
import {
  firstDayOfMonth,
  type LocalMonth,
  lastDayOfMonth,
  monthOf,
  monthsOf,
} from '../domain/metrics-calendar.ts';
import type { DayCellRange, MetricAggregateStore } from '../ports.ts';

export interface BuildFinanceReportDependencies {
  readonly aggregates: Pick<MetricAggregateStore, 'listCurrencies' | 'listMonthCells' | 'listDayCells'>;
  readonly settings: MetricsSettings;
}

export interface BuildFinanceReportRequest {
  readonly kind: FinanceReport['kind'];
  readonly period: ReportPeriod;
  readonly generatedAt: Date;
  /** Only this currency (ISO 4217, upper case). @default every currency */
  readonly currency?: string;
}

function hasAnything(metrics: CurrencyMetrics): boolean {
  const { cohort, receivables, mrr } = metrics;
  return [
    cohort.failedCount,
    cohort.recoveredCount,
    receivables.beginningMinor,
    receivables.endingMinor,
    receivables.billedCount,
    receivables.collectedAmountMinor,
    receivables.refundedAmountMinor,
    receivables.writtenOffAmountMinor,
    mrr.atRiskSubscriptions,
    mrr.recoveredSubscriptions,
    mrr.churnedSubscriptions,
    mrr.recurringDueMinor,
    mrr.recurringCollectedMinor,
  ].some((value) => value !== 0);
}

/**
 * The day cells of `month` a report of `period` reads: none after the period's end (no sum goes
 * past it), and breakdowns only for the period's own days.
 */
export function dayCellRangeFor(period: ReportPeriod, month: LocalMonth): DayCellRange {
  const inPeriod = monthOf(period.start) <= month && month <= monthOf(period.end);
  return {
    ...(period.end < lastDayOfMonth(month) ? { upTo: period.end } : {}),
    breakdownsFrom: !inPeriod
      ? false
      : monthOf(period.start) === month
        ? period.start
        : firstDayOfMonth(month),
  };
}

/**
 * Computes a report from the aggregates alone. Per currency it reads the core part of the month
 * cells (one item per month of history), the day cells of at most three months (partial months of
 * the period and the day before it), and breakdowns only for the period's own months and days. Its
 * cost depends on the calendar, not on the number of claims or on how many breakdown values the
 * history holds.
 */
export async function buildFinanceReport(
  request: BuildFinanceReportRequest,
  deps: BuildFinanceReportDependencies,
): Promise<FinanceReport> {
  const currencies = request.currency ? [request.currency] : await deps.aggregates.listCurrencies();
  const dayMonths = dayCellMonthsFor(request.period);
  const periodMonths = monthsOf(request.period);
  const perCurrency = await Promise.all(
    currencies.map(async (currency) => {
      const [monthCells, ...dayCellLists] = await Promise.all([
        // Months after the period's end only hold facts dated later (aging thresholds to come).
        deps.aggregates.listMonthCells(currency, monthOf(request.period.end), periodMonths[0]),
        ...dayMonths.map((month) =>
          deps.aggregates.listDayCells(currency, month, dayCellRangeFor(request.period, month)),
        ),
      ]);
      const index = new CellIndex(
        monthCells,
        (dayCellLists as MetricCell[][]).flat(),
        dayMonths,
        request.period.end,
      );
      return computeCurrencyMetrics(index, currency, request.period);
    }),
  );
  return {
    reportId: reportIdFor(request.kind, request.period),
    kind: request.kind,
    period: request.period,
    timeZone: deps.settings.timeZone,
    attributionWindowDays: deps.settings.attributionWindowDays,
    generatedAt: request.generatedAt.toISOString(),
    currencies: perCurrency
      .filter((metrics) => request.currency !== undefined || hasAnything(metrics))
      .sort((a, b) => (a.currency < b.currency ? -1 : 1)),
  };
}
