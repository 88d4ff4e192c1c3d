/** One row of the recovery metrics: a failure cohort month in one currency (DOMAIN.md §6, pinned). */
export interface RecoveryMetricsRow {
  /** Failure cohort: the month (UTC, `YYYY-MM`) of the claims' first failed payment attempt. */
  readonly cohortMonth: string;
  /** ISO 4217; money is never summed across currencies. */
  readonly currency: string;
  readonly failedAmountMinor: number;
  readonly failedCount: number;
  readonly recoveredAmountMinor: number;
  readonly recoveredCount: number;
  /** recovered ÷ failed by amount, 0..1; null when nothing failed. */
  readonly recoveryRateAmount: number | null;
  /** recovered ÷ failed by count, 0..1; null when nothing failed. */
  readonly recoveryRateCount: number | null;
  /** When the job computed the row (ISO). */
  readonly computedAt: string;
}
