import type { Claim } from './claim.ts';

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

/** The claim fields the recovery metrics read. */
export type CohortClaim = Pick<
  Claim,
  'claimId' | 'status' | 'amountMinor' | 'currency' | 'firstFailedAt' | 'paidAt' | 'writtenOffAt' | 'voidedAt'
>;

/** `YYYY-MM` with a real month number. */
export const cohortMonthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isCohortMonth(value: string): boolean {
  return cohortMonthPattern.test(value);
}

/** The UTC month (`YYYY-MM`) an instant falls in. */
export function utcMonthOf(instant: Date): string {
  return instant.toISOString().slice(0, 7);
}

/**
 * The failure cohorts the daily job recomputes: the previous and the current UTC month. The
 * previous one is still moving early in a month (its late recoveries keep arriving).
 */
export function cohortMonthsToReport(now: Date): readonly [previous: string, current: string] {
  const firstOfPreviousMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return [utcMonthOf(firstOfPreviousMonth), utcMonthOf(now)];
}

/** Orders rows by cohort month, then currency: the order the API and the store present them in. */
export function compareRecoveryMetricsRows(a: RecoveryMetricsRow, b: RecoveryMetricsRow): number {
  if (a.cohortMonth !== b.cohortMonth) return a.cohortMonth < b.cohortMonth ? -1 : 1;
  if (a.currency !== b.currency) return a.currency < b.currency ? -1 : 1;
  return 0;
}

function instantOf(
  claim: CohortClaim,
  field: 'firstFailedAt' | 'paidAt' | 'writtenOffAt',
  iso: string,
): number {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) throw new RangeError(`claim ${claim.claimId} has an invalid ${field}: ${iso}`);
  return instant;
}

/** Cohort by the first failure, in UTC, whatever offset the timestamp was written with. */
function failureMonthOf(claim: CohortClaim): string | undefined {
  if (claim.firstFailedAt === undefined) return undefined;
  return utcMonthOf(new Date(instantOf(claim, 'firstFailedAt', claim.firstFailedAt)));
}

/** Stripe's `invoice.voided`: the invoice was cancelled, so it leaves every denominator. */
function isVoided(claim: CohortClaim): boolean {
  return claim.status === 'voided' || claim.voidedAt !== undefined;
}

/**
 * Paid by any means before being written off. A payment at the write-off instant counts; one
 * after it is a later cash event, not a recovery of this cohort.
 */
function isRecovered(claim: CohortClaim): boolean {
  if (claim.paidAt === undefined) return false;
  if (claim.writtenOffAt === undefined) return true;
  return instantOf(claim, 'paidAt', claim.paidAt) <= instantOf(claim, 'writtenOffAt', claim.writtenOffAt);
}

/** Amounts are summed as bigint so a total is either exact or refused, never silently rounded. */
function amountOf(claim: CohortClaim): bigint {
  if (!Number.isSafeInteger(claim.amountMinor) || claim.amountMinor < 0) {
    throw new RangeError(
      `claim ${claim.claimId} amount ${claim.amountMinor} is not a non-negative integer in minor units`,
    );
  }
  return BigInt(claim.amountMinor);
}

function exactNumber(total: bigint, what: string): number {
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${total} is too large to report exactly`);
  }
  return Number(total);
}

interface CurrencyTotals {
  failedAmountMinor: bigint;
  failedCount: number;
  recoveredAmountMinor: bigint;
  recoveredCount: number;
}

function rowOf(
  cohortMonth: string,
  currency: string,
  totals: CurrencyTotals,
  computedAt: Date,
): RecoveryMetricsRow {
  const what = `${cohortMonth} ${currency}`;
  const failedAmountMinor = exactNumber(totals.failedAmountMinor, `${what} failed amount`);
  const recoveredAmountMinor = exactNumber(totals.recoveredAmountMinor, `${what} recovered amount`);
  return {
    cohortMonth,
    currency,
    failedAmountMinor,
    failedCount: totals.failedCount,
    recoveredAmountMinor,
    recoveredCount: totals.recoveredCount,
    recoveryRateAmount: failedAmountMinor === 0 ? null : recoveredAmountMinor / failedAmountMinor,
    recoveryRateCount: totals.failedCount === 0 ? null : totals.recoveredCount / totals.failedCount,
    computedAt: computedAt.toISOString(),
  };
}

/**
 * A row for a currency with nothing failed in the cohort; it replaces a stored row that no longer
 * has claims behind it (e.g. the only claim moved to an earlier cohort or was voided).
 */
export function recoveryMetricsWithoutFailures(
  cohortMonth: string,
  currency: string,
  computedAt: Date,
): RecoveryMetricsRow {
  const none: CurrencyTotals = {
    failedAmountMinor: 0n,
    failedCount: 0,
    recoveredAmountMinor: 0n,
    recoveredCount: 0,
  };
  return rowOf(cohortMonth, currency.toUpperCase(), none, computedAt);
}

/**
 * Recovery metrics of one failure cohort, one row per currency sorted by currency (DOMAIN.md §6,
 * pinned): failed = claims whose first failed payment attempt falls in `cohortMonth` (UTC), voided
 * ones excluded; recovered = those paid before being written off, whenever the payment came. A
 * currency whose claims in the cohort were all voided gets a row with zero failed and null rates.
 */
export function recoveryMetricsByCohort(
  claims: readonly CohortClaim[],
  cohortMonth: string,
  computedAt: Date,
): RecoveryMetricsRow[] {
  if (!isCohortMonth(cohortMonth)) throw new RangeError(`cohort month ${cohortMonth} is not YYYY-MM`);
  const totalsByCurrency = new Map<string, CurrencyTotals>();
  for (const claim of claims) {
    if (failureMonthOf(claim) !== cohortMonth) continue;
    const currency = claim.currency.toUpperCase();
    let totals = totalsByCurrency.get(currency);
    if (totals === undefined) {
      totals = { failedAmountMinor: 0n, failedCount: 0, recoveredAmountMinor: 0n, recoveredCount: 0 };
      totalsByCurrency.set(currency, totals);
    }
    if (isVoided(claim)) continue;
    const amount = amountOf(claim);
    totals.failedAmountMinor += amount;
    totals.failedCount += 1;
    if (isRecovered(claim)) {
      totals.recoveredAmountMinor += amount;
      totals.recoveredCount += 1;
    }
  }
  return [...totalsByCurrency]
    .map(([currency, totals]) => rowOf(cohortMonth, currency, totals, computedAt))
    .sort(compareRecoveryMetricsRows);
}
