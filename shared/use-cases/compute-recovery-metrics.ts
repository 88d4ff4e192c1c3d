import {
  cohortMonthsToReport,
  compareRecoveryMetricsRows,
  type RecoveryMetricsRow,
  recoveryMetricsByCohort,
  recoveryMetricsWithoutFailures,
} from '../domain/recovery-metrics.ts';
import type { ClaimStore, Clock, MetricsStore } from '../ports.ts';

export interface ComputeRecoveryMetricsDependencies {
  readonly claims: Pick<ClaimStore, 'listClaimsByFailureMonth'>;
  readonly metrics: MetricsStore;
  readonly clock: Clock;
}

/**
 * The daily job: recomputes the previous and current failure cohorts from the stored claims and
 * stores one row per cohort and currency (rows are keyed by both, so a rerun replaces them).
 * Returns the rows written, sorted by cohort month then currency.
 */
export async function computeRecoveryMetrics(
  deps: ComputeRecoveryMetricsDependencies,
): Promise<RecoveryMetricsRow[]> {
  const computedAt = deps.clock.now();
  const cohortMonths = cohortMonthsToReport(computedAt);
  const [storedRows, cohorts] = await Promise.all([
    deps.metrics.listRecoveryMetrics(),
    Promise.all(
      cohortMonths.map(async (cohortMonth) => ({
        cohortMonth,
        rows: recoveryMetricsByCohort(
          await deps.claims.listClaimsByFailureMonth(cohortMonth),
          cohortMonth,
          computedAt,
        ),
      })),
    ),
  ]);
  const rows = cohorts.flatMap(({ cohortMonth, rows: computed }) => {
    // The store only upserts: a currency stored earlier for this cohort but without claims now
    // would keep its old figures, so it is overwritten with a row saying nothing failed.
    const computedCurrencies = new Set(computed.map((row) => row.currency));
    const superseded = storedRows
      .filter((row) => row.cohortMonth === cohortMonth && !computedCurrencies.has(row.currency))
      .map((row) => recoveryMetricsWithoutFailures(cohortMonth, row.currency, computedAt));
    return [...computed, ...superseded];
  });
  rows.sort(compareRecoveryMetricsRows);
  await deps.metrics.putRecoveryMetrics(rows);
  return rows;
}
