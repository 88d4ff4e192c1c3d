import { stringify } from 'csv-stringify/sync';
import type { FinanceReport } from '../../domain/finance-report.ts';
import { minorUnitDigits } from '../../domain/money.ts';

export interface CsvFile {
  readonly fileName: string;
  readonly content: string;
}

/** Rates and days at full precision; an undefined figure (division by zero) is an empty cell. */
function decimal(value: number | null): string {
  return value === null ? '' : String(value);
}

function csv(rows: readonly (readonly (string | number)[])[]): string {
  return stringify(rows as (string | number)[][], { record_delimiter: 'windows' });
}

/**
 * The report as CSV for spreadsheets: amounts stay integers in minor units (exact), with each
 * currency's number of decimals alongside so a sheet can convert them.
 */
export function reportCsvFiles(report: FinanceReport): CsvFile[] {
  const period = [report.period.start, report.period.end] as const;
  const summary = [
    [
      'currency',
      'minor_unit_digits',
      'period_start',
      'period_end',
      'failed_amount_minor',
      'failed_count',
      'recovered_amount_minor',
      'recovered_count',
      'recovery_rate_amount',
      'recovery_rate_count',
      'cohort_written_off_amount_minor',
      'cohort_written_off_count',
      'cohort_refunded_amount_minor',
      'mrr_at_risk_minor',
      'mrr_at_risk_subscriptions',
      'recovered_mrr_minor',
      'recovered_mrr_subscriptions',
      'involuntary_churn_mrr_minor',
      'churned_subscriptions',
      'recurring_due_minor',
      'recurring_collected_minor',
      'mrr_collection_rate',
      'beginning_receivables_minor',
      'ending_receivables_minor',
      'ending_current_receivables_minor',
      'billed_amount_minor',
      'billed_count',
      'collected_amount_minor',
      'refunded_amount_minor',
      'written_off_amount_minor',
      'dso_simple_days',
      'dso_countback_days',
      'cei_percent',
    ],
    ...report.currencies.map((m) => [
      m.currency,
      minorUnitDigits(m.currency),
      ...period,
      m.cohort.failedAmountMinor,
      m.cohort.failedCount,
      m.cohort.recoveredAmountMinor,
      m.cohort.recoveredCount,
      decimal(m.cohort.recoveryRateAmount),
      decimal(m.cohort.recoveryRateCount),
      m.cohort.writtenOffAmountMinor,
      m.cohort.writtenOffCount,
      m.cohort.refundedAmountMinor,
      m.mrr.atRiskMinor,
      m.mrr.atRiskSubscriptions,
      m.mrr.recoveredMinor,
      m.mrr.recoveredSubscriptions,
      m.mrr.involuntaryChurnMinor,
      m.mrr.churnedSubscriptions,
      m.mrr.recurringDueMinor,
      m.mrr.recurringCollectedMinor,
      decimal(m.mrr.collectionRate),
      m.receivables.beginningMinor,
      m.receivables.endingMinor,
      m.receivables.endingCurrentMinor,
      m.receivables.billedAmountMinor,
      m.receivables.billedCount,
      m.receivables.collectedAmountMinor,
      m.receivables.refundedAmountMinor,
      m.receivables.writtenOffAmountMinor,
      decimal(m.receivables.dsoSimpleDays),
      decimal(m.receivables.dsoCountbackDays),
      decimal(m.receivables.cei),
    ]),
  ];
  const breakdowns = [
    [
      'currency',
      'dimension',
      'value',
      'failed_count',
      'failed_amount_minor',
      'recovered_count',
      'recovered_amount_minor',
      'recovery_rate_amount',
      'recovery_rate_count',
      'share_of_recovered_amount',
    ],
    ...report.currencies.flatMap((m) =>
      Object.values(m.breakdowns)
        .flat()
        .map((row) => [
          m.currency,
          row.dimension,
          row.value,
          row.failedCount,
          row.failedAmountMinor,
          row.recoveredCount,
          row.recoveredAmountMinor,
          decimal(row.recoveryRateAmount),
          decimal(row.recoveryRateCount),
          decimal(row.shareOfRecoveredAmount),
        ]),
    ),
  ];
  const buckets = [
    ['currency', 'kind', 'bucket', 'count', 'amount_minor'],
    ...report.currencies.flatMap((m) => [
      ...m.receivables.aging.map((row) => [m.currency, 'aging', row.bucket, '', row.amountMinor]),
      ...m.timeToRecovery.map((row) => [
        m.currency,
        'time_to_recovery',
        row.bucket,
        row.count ?? '',
        row.amountMinor,
      ]),
    ]),
  ];
  const lift = [
    [
      'currency',
      'scope',
      'treated_failed_count',
      'treated_recovered_count',
      'treated_recovery_rate_count',
      'treated_recovery_rate_amount',
      'holdout_failed_count',
      'holdout_recovered_count',
      'holdout_recovery_rate_count',
      'holdout_recovery_rate_amount',
      'lift_rate_count',
      'lift_rate_amount',
      'relative_lift_count',
    ],
    ...report.currencies.flatMap((m) =>
      m.lift.map((row) => [
        m.currency,
        row.scope,
        row.treated.failedCount,
        row.treated.recoveredCount,
        decimal(row.treated.recoveryRateCount),
        decimal(row.treated.recoveryRateAmount),
        row.holdout.failedCount,
        row.holdout.recoveredCount,
        decimal(row.holdout.recoveryRateCount),
        decimal(row.holdout.recoveryRateAmount),
        decimal(row.liftRateCount),
        decimal(row.liftRateAmount),
        decimal(row.relativeLiftCount),
      ]),
    ),
  ];
  return [
    { fileName: 'summary.csv', content: csv(summary) },
    { fileName: 'breakdowns.csv', content: csv(breakdowns) },
    { fileName: 'buckets.csv', content: csv(buckets) },
    { fileName: 'lift.csv', content: csv(lift) },
  ];
}
