import type { CurrencyMetrics } from './finance-metrics.ts';
import type { ReportKind, ReportPeriod } from './metrics-calendar.ts';

/** A finance report: every metric, per currency, for one period of local days. */
export interface FinanceReport {
  /** `monthly-2026-03`, `weekly-2026-W10`, `daily-2026-03-05`, or `adhoc-<period>`. */
  readonly reportId: string;
  readonly kind: ReportKind | 'adhoc';
  readonly period: ReportPeriod;
  readonly timeZone: string;
  readonly attributionWindowDays: number;
  readonly generatedAt: string;
  /** One entry per currency with activity in the period or open balances at its end, by currency code. */
  readonly currencies: readonly CurrencyMetrics[];
}

export const reportTitles: Record<FinanceReport['kind'], string> = {
  daily: 'Daily recovery summary',
  weekly: 'Weekly recovery report',
  monthly: 'Monthly close',
  adhoc: 'Recovery report',
};

export function reportIdFor(kind: FinanceReport['kind'], period: ReportPeriod): string {
  return `${kind}-${period.label.replace(/\.\./g, '_')}`;
}

/**
 * The definitions printed in every report's footer and in docs/metrics.md (one source, so the
 * two cannot disagree). `{window}` is replaced by the attribution window in days.
 */
export const metricDefinitions: readonly { readonly term: string; readonly definition: string }[] = [
  {
    term: 'Per currency',
    definition:
      'Every amount is in one currency, in its minor unit (cents; yen for JPY). Nothing is summed across currencies.',
  },
  {
    term: 'Period',
    definition:
      'Whole local days in the company time zone, first and last day included. Every fact is dated by its local day.',
  },
  {
    term: 'Failed amount / count',
    definition:
      'Invoices whose first payment attempt failed during the period (failure cohort), voided invoices excluded: sum of their amounts and their number.',
  },
  {
    term: 'Recovered amount / count',
    definition:
      'Of the failure cohort, invoices paid by any means before being written off, whenever the payment came (up to the report time); the amount is net of later refunds.',
  },
  {
    term: 'Recovery rate',
    definition: 'Recovered ÷ failed, by amount and by count, for the failure cohort of the period.',
  },
  {
    term: 'Written off (cohort)',
    definition: 'Of the failure cohort, invoices written off without a payment before the write-off.',
  },
  {
    term: 'Time to recovery',
    definition:
      'Local days from the first failure to the payment of recovered invoices of the cohort: same day, 1-7, 8-30, 31-60, over 60.',
  },
  {
    term: 'Attribution',
    definition:
      'A recovery is credited to the last message sent within {window} days before the payment (channel and step); with none it is "silent" (retry or self-cure).',
  },
  {
    term: 'Breakdowns',
    definition:
      'Failure cohort by the case strategy, variant, segment, decline classification and group (holdout or treated); recoveries also by last-touch channel and step.',
  },
  {
    term: 'Lift',
    definition:
      'Recovery rate of treated invoices minus that of the random holdout group (no contact), overall, per strategy and per variant against its strategy holdout, in rate points.',
  },
  {
    term: 'MRR at risk',
    definition:
      'Monthly recurring revenue of subscriptions with an open failed invoice at the end of the period, each subscription counted once.',
  },
  {
    term: 'Recovered MRR',
    definition:
      'MRR of subscriptions whose failed invoices were all recovered, counted on the day the last one was paid.',
  },
  {
    term: 'Involuntary churn MRR',
    definition: 'MRR of subscriptions cancelled for non-payment during the period.',
  },
  {
    term: 'MRR collection rate',
    definition:
      'Recurring cash collected in the period (net of recurring refunds in it) ÷ recurring amount due in the period. Above 100% means arrears from earlier periods were collected.',
  },
  {
    term: 'Receivables',
    definition:
      'Invoices issued and not yet paid, written off or voided, at the end of a day. Beginning: end of the day before the period; ending: end of its last day.',
  },
  {
    term: 'Aging',
    definition: 'Ending receivables by days past due: current (not yet due), 1-30, 31-60, 61-90, over 90.',
  },
  {
    term: 'DSO (simple)',
    definition: 'Ending receivables ÷ billed in the period × days in the period.',
  },
  {
    term: 'DSO (countback)',
    definition:
      'Walk back month by month from the period end, using up ending receivables with each month’s billed amount, adding whole months’ days and the pro-rated part of the last.',
  },
  {
    term: 'CEI',
    definition:
      '(beginning receivables + billed − ending receivables) ÷ (beginning receivables + billed − ending current receivables) × 100, with the total billed in the period.',
  },
];

export function definitionsFor(attributionWindowDays: number): { term: string; definition: string }[] {
  return metricDefinitions.map(({ term, definition }) => ({
    term,
    definition: definition.replace('{window}', String(attributionWindowDays)),
  }));
}
