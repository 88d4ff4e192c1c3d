import type { Claim } from './claim.ts';
import type { CollectionCase } from './collection-case.ts';
import { addDays, daysBetween, type LocalDay, localDayOf } from './metrics-calendar.ts';

/**
 * What one claim (or one subscription) adds to the finance aggregates, as a function of its
 * stored state only. The aggregates are the sum of every unit's contribution, so keeping them
 * right is a matter of replacing a unit's old contribution by its new one (see
 * `refresh-metric-contributions.ts`), and the rebuild job can recompute them from the claims.
 *
 * A contribution is a map from fact key `CURRENCY|DAY|MEASURE` to a signed integer. DAY is the
 * local day (company time zone) the fact is dated by; MEASURE names what is counted, with an
 * optional breakdown `@dimension=value`. docs/metrics.md lists every measure.
 */
export type Contribution = Readonly<Record<string, number>>;

export interface MetricsSettings {
  /** IANA time zone of the company: days, weeks and months of every report are local to it. */
  readonly timeZone: string;
  /** Last-touch attribution window, in days before the payment. @default 7 */
  readonly attributionWindowDays: number;
}

export const defaultAttributionWindowDays = 7;

/** A message that reached the debtor, as the attribution reads it (MESSAGE# records with status `sent`). */
export interface Touch {
  readonly sentAt: string;
  readonly channel: string;
  readonly stepId: string;
}

/** The case fields the breakdowns read; issue-4 fields are optional. */
export type CaseDimensions = Pick<CollectionCase, 'strategyId'> &
  Partial<Pick<CollectionCase, 'variant' | 'segment' | 'holdout' | 'assignment'>>;

export interface ClaimMetricInputs {
  readonly claim: Claim;
  readonly collectionCase?: CaseDimensions;
  /** Messages of the claim's case; only those sent within the attribution window before payment count. */
  readonly touches?: readonly Touch[];
}

export const timeToRecoveryBuckets = ['same-day', '1-7', '8-30', '31-60', 'over-60'] as const;
export type TimeToRecoveryBucket = (typeof timeToRecoveryBuckets)[number];

/** Breakdowns of the failure cohort (failed and recovered). */
export const cohortDimensions = [
  'strategy',
  'variant',
  'segment',
  'decline',
  'group',
  'strategyGroup',
] as const;
/** Breakdowns of recoveries only: who gets the credit (last touch in the window, or `silent`). */
export const attributionDimensions = ['channel', 'step'] as const;
export type BreakdownDimension = (typeof cohortDimensions)[number] | (typeof attributionDimensions)[number];

export const silentAttribution = 'silent';

/**
 * Receivables as interval flows on the day axis (docs/metrics.md, "Aging"): `open.amount` is + on
 * the issue day and − on the settle day; `pastDue<k>.amount` is + on the day the invoice becomes
 * k days past due (or its issue day, if later) and − on the settle day. Summed up to a day's end
 * they give the open amount and the amount at least k days past due, so a cell holds a constant
 * set of receivable measures whatever the number of claims or distinct due days.
 */
export const openReceivableMeasure = 'open.amount';
export const agingThresholds = [1, 31, 61, 91] as const;
export type AgingThreshold = (typeof agingThresholds)[number];
export function pastDueMeasure(threshold: AgingThreshold): string {
  return `pastDue${threshold}.amount`;
}
/** The measures of the first version (one per due day); read for compatibility until a repair migrates them. */
export const legacyOpenByDuePrefix = 'open@due=';

const factSeparator = '|';

export function factKey(currency: string, day: LocalDay, measure: string): string {
  return `${currency}${factSeparator}${day}${factSeparator}${measure}`;
}

export function parseFactKey(key: string): { currency: string; day: LocalDay; measure: string } {
  const first = key.indexOf(factSeparator);
  const second = key.indexOf(factSeparator, first + 1);
  if (first < 0 || second < 0) throw new RangeError(`malformed fact key ${key}`);
  return { currency: key.slice(0, first), day: key.slice(first + 1, second), measure: key.slice(second + 1) };
}

const dimensionValues = new Map<string, string>();

/** Dimension values are free text from the case (segment names...); keep them printable and unambiguous. */
function dimensionValue(value: string): string {
  let clean = dimensionValues.get(value);
  if (clean === undefined) {
    clean =
      value
        .replace(/[|@=\s]+/g, '-')
        .replace(/[^\x21-\x7e]/g, '_')
        .slice(0, 64) || 'none';
    // Dimension values are few (strategies, variants, segments): a small cache, reset if it grows.
    if (dimensionValues.size > 10_000) dimensionValues.clear();
    dimensionValues.set(value, clean);
  }
  return clean;
}

export function measureWith(measure: string, dimension: BreakdownDimension, value: string): string {
  return `${measure}@${dimension}=${dimensionValue(value)}`;
}

function laterDay(a: LocalDay, b: LocalDay): LocalDay {
  return a < b ? b : a;
}

/** Accumulates signed facts, dropping those that cancel out. */
class ContributionBuilder {
  private readonly facts = new Map<string, number>();

  public add(currency: string, day: LocalDay, measure: string, value: number): void {
    if (value === 0) return;
    const key = factKey(currency, day, measure);
    const next = (this.facts.get(key) ?? 0) + value;
    if (next === 0) this.facts.delete(key);
    else this.facts.set(key, next);
  }

  public build(): Contribution {
    return Object.fromEntries([...this.facts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

function amountOf(
  claim: Claim,
  field: 'amountMinor' | 'refundedAmountMinor' | 'subscriptionMrrMinor',
): number {
  const value = claim[field] ?? 0;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `claim ${claim.claimId} ${field} ${value} is not a non-negative integer in minor units`,
    );
  }
  return value;
}

function instant(claim: Claim, field: keyof Claim): number | undefined {
  const value = claim[field];
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new RangeError(`claim ${claim.claimId} has an invalid ${field}: ${value}`);
  return parsed;
}

/** Voided invoices leave every figure, numerators and denominators alike (DOMAIN.md §1). */
export function isVoidedClaim(claim: Pick<Claim, 'status' | 'voidedAt'>): boolean {
  return claim.status === 'voided' || claim.voidedAt !== undefined;
}

/** Paid by any means before being written off; a payment at the write-off instant counts (docs/metrics.md). */
export function isRecoveredClaim(claim: Claim): boolean {
  const paid = instant(claim, 'paidAt');
  if (paid === undefined || isVoidedClaim(claim)) return false;
  const writtenOff = instant(claim, 'writtenOffAt');
  return writtenOff === undefined || paid <= writtenOff;
}

/** When the receivable stopped being open: paid or written off, whichever came first. */
function settledAtOf(claim: Claim): string | undefined {
  const paid = instant(claim, 'paidAt');
  const writtenOff = instant(claim, 'writtenOffAt');
  if (paid === undefined) return claim.writtenOffAt;
  if (writtenOff === undefined) return claim.paidAt;
  return paid <= writtenOff ? claim.paidAt : claim.writtenOffAt;
}

/** When the newest refund or credit note of the claim was made: its stamp's time (`rank|time|id`). */
function latestCreditAt(claim: Claim): string | undefined {
  const times = Object.values(claim.credits ?? {})
    .filter((credit) => !credit.voided)
    .map((credit) => credit.stamp.split('|')[1])
    .filter((time): time is string => time !== undefined && time.length > 0)
    .sort();
  return times[times.length - 1];
}

export function isRecurringClaim(claim: Pick<Claim, 'recurring' | 'subscriptionId'>): boolean {
  return claim.recurring ?? claim.subscriptionId !== undefined;
}

export function timeToRecoveryBucket(days: number): TimeToRecoveryBucket {
  if (days <= 0) return 'same-day';
  if (days <= 7) return '1-7';
  if (days <= 30) return '8-30';
  if (days <= 60) return '31-60';
  return 'over-60';
}

/** The last touch sent within the window before the payment, or undefined (a silent recovery). */
export function lastTouchBefore(
  paidAt: string,
  touches: readonly Touch[],
  windowDays: number,
): Touch | undefined {
  const paid = Date.parse(paidAt);
  const from = paid - windowDays * 24 * 3600 * 1000;
  let last: Touch | undefined;
  for (const touch of touches) {
    const sent = Date.parse(touch.sentAt);
    if (Number.isNaN(sent) || sent < from || sent > paid) continue;
    // Ties on the instant go to the later step id, so the answer does not depend on list order.
    if (
      last === undefined ||
      sent > Date.parse(last.sentAt) ||
      (sent === Date.parse(last.sentAt) && touch.stepId > last.stepId)
    ) {
      last = touch;
    }
  }
  return last;
}

function cohortDimensionValues(inputs: ClaimMetricInputs): Record<(typeof cohortDimensions)[number], string> {
  const { claim, collectionCase } = inputs;
  const strategy = collectionCase?.strategyId ?? 'none';
  // The case's experiment assignment (strategy routing) unless the case says otherwise.
  const assignment = collectionCase?.assignment;
  const holdout = (collectionCase?.holdout ?? assignment?.holdout) === true;
  const variant = collectionCase?.variant ?? assignment?.variant ?? 'default';
  return {
    strategy,
    variant: `${strategy}/${holdout ? 'holdout' : variant}`,
    segment: collectionCase?.segment ?? assignment?.ruleId ?? 'none',
    decline: claim.declineClass ?? claim.lastDecline?.classification.category ?? 'unclassified',
    group: holdout ? 'holdout' : 'treated',
    strategyGroup: `${strategy}/${holdout ? 'holdout' : 'treated'}`,
  };
}

/**
 * The claim's contribution: its failure cohort (failed, recovered, written off, time to recovery,
 * breakdowns and attribution) and its receivable and cash flows (billed, open and past due,
 * collected, refunded, written off, recurring due and collected). Pure: the same stored state
 * always gives the same contribution.
 */
export function claimContribution(inputs: ClaimMetricInputs, settings: MetricsSettings): Contribution {
  const { claim } = inputs;
  const facts = new ContributionBuilder();
  if (isVoidedClaim(claim)) return facts.build();
  const currency = claim.currency.toUpperCase();
  const day = (iso: string): LocalDay => localDayOf(iso, settings.timeZone);
  const amount = amountOf(claim, 'amountMinor');
  const refunded = Math.min(amountOf(claim, 'refundedAmountMinor'), amount);
  const recurring = isRecurringClaim(claim);

  // Failure cohort: dated by the local day of the first failed attempt.
  if (claim.firstFailedAt !== undefined) {
    const cohortDay = day(claim.firstFailedAt);
    const dimensions = cohortDimensionValues(inputs);
    const addCohort = (measure: string, value: number, extra: Record<string, string> = {}): void => {
      facts.add(currency, cohortDay, measure, value);
      for (const [dimension, dimensionVal] of Object.entries({ ...dimensions, ...extra })) {
        facts.add(
          currency,
          cohortDay,
          measureWith(measure, dimension as BreakdownDimension, dimensionVal),
          value,
        );
      }
    };
    addCohort('failed.count', 1);
    addCohort('failed.amount', amount);
    if (isRecoveredClaim(claim) && claim.paidAt !== undefined) {
      const touch = lastTouchBefore(claim.paidAt, inputs.touches ?? [], settings.attributionWindowDays);
      const attribution = {
        channel: touch?.channel ?? silentAttribution,
        step: touch ? `${dimensions.strategy}/${touch.stepId}` : silentAttribution,
      };
      addCohort('recovered.count', 1, attribution);
      addCohort('recovered.amount', amount - refunded, attribution);
      facts.add(currency, cohortDay, 'refunded.amount', refunded);
      const bucket = timeToRecoveryBucket(daysBetween(cohortDay, day(claim.paidAt)));
      facts.add(currency, cohortDay, `ttr.${bucket}.count`, 1);
      facts.add(currency, cohortDay, `ttr.${bucket}.amount`, amount - refunded);
    } else if (claim.writtenOffAt !== undefined) {
      facts.add(currency, cohortDay, 'writtenOff.count', 1);
      facts.add(currency, cohortDay, 'writtenOff.amount', amount);
    }
  }

  // Receivable: billed on the issue day, open (by due day) until paid or written off.
  const issuedAt = claim.issuedAt ?? claim.dueAt ?? claim.firstFailedAt ?? claim.paidAt ?? claim.snapshotAt;
  const issueDay = day(issuedAt);
  const dueDay = day(claim.dueAt ?? issuedAt);
  facts.add(currency, issueDay, 'billed.count', 1);
  facts.add(currency, issueDay, 'billed.amount', amount);
  const settledAt = settledAtOf(claim);
  const settleDay = settledAt === undefined ? undefined : day(settledAt);
  if (settleDay === undefined || settleDay > issueDay) {
    facts.add(currency, issueDay, openReceivableMeasure, amount);
    if (settleDay !== undefined) facts.add(currency, settleDay, openReceivableMeasure, -amount);
    // Open from `pastDueFrom` (inclusive) to the settle day (exclusive) while k or more days past
    // due; these facts may be dated in the future, and count only once their day is reached.
    for (const threshold of agingThresholds) {
      const becomesPastDue = addDays(dueDay, threshold);
      const pastDueFrom = laterDay(becomesPastDue, issueDay);
      if (settleDay !== undefined && pastDueFrom >= settleDay) continue;
      facts.add(currency, pastDueFrom, pastDueMeasure(threshold), amount);
      if (settleDay !== undefined) facts.add(currency, settleDay, pastDueMeasure(threshold), -amount);
    }
  }
  if (settledAt !== undefined && settledAt === claim.writtenOffAt && settledAt !== claim.paidAt) {
    facts.add(currency, day(settledAt), 'arWrittenOff.amount', amount);
  }

  // Cash: every payment is cash on its day, a recovery or not; refunds are cash out on theirs.
  if (claim.paidAt !== undefined) {
    facts.add(currency, day(claim.paidAt), 'collected.amount', amount);
    if (recurring) facts.add(currency, day(claim.paidAt), 'recurring.collected.amount', amount);
    if (refunded > 0) {
      const refundDay = day(claim.refundedAt ?? latestCreditAt(claim) ?? claim.paidAt);
      facts.add(currency, refundDay, 'refunds.amount', refunded);
      if (recurring) facts.add(currency, refundDay, 'recurring.refunds.amount', refunded);
    }
  }
  if (recurring) facts.add(currency, dueDay, 'recurring.due.amount', amount);
  return facts.build();
}

/** What the MRR metrics need to know about one claim of a subscription. */
export interface SubscriptionClaimSummary {
  readonly claimId: string;
  /** Stored version of the claim the summary was taken from: an older one never replaces a newer one. */
  readonly claimVersion: number;
  readonly currency: string;
  readonly mrrMinor: number;
  /** The claim's `snapshotAt`: the newest claim says what the subscription's MRR is. */
  readonly snapshotAt: string;
  readonly failedAt?: string;
  readonly settledAt?: string;
  readonly recovered: boolean;
  readonly voided: boolean;
  readonly churnedAt?: string;
}

/** The subscription a claim belongs to (its provider-qualified id), the unit of the MRR metrics; undefined for one-off invoices. */
export function subscriptionUnitOf(claim: Claim): string | undefined {
  if (claim.subscriptionId === undefined || !isRecurringClaim(claim)) return undefined;
  return claim.subscriptionId;
}

/** What the subscription record itself says (issue 3's `Subscription`): it wins over what its claims say. */
export interface SubscriptionFacts {
  readonly mrrMinor?: number;
  readonly currency?: string;
  /** Cancelled for non-payment at. */
  readonly churnedAt?: string;
}

/**
 * Until billing adapters provide `subscriptionMrrMinor`, a recurring invoice's own amount stands
 * for the subscription's MRR (exact for monthly plans, docs/metrics.md).
 */
export function subscriptionClaimSummary(claim: Claim, claimVersion: number): SubscriptionClaimSummary {
  const settledAt = settledAtOf(claim);
  return {
    claimId: claim.claimId,
    claimVersion,
    currency: claim.currency.toUpperCase(),
    mrrMinor:
      claim.subscriptionMrrMinor === undefined
        ? amountOf(claim, 'amountMinor')
        : amountOf(claim, 'subscriptionMrrMinor'),
    snapshotAt: claim.snapshotAt,
    ...(claim.firstFailedAt === undefined ? {} : { failedAt: claim.firstFailedAt }),
    ...(settledAt === undefined ? {} : { settledAt }),
    recovered: isRecoveredClaim(claim),
    voided: isVoidedClaim(claim),
    ...(claim.subscriptionChurnedAt === undefined ? {} : { churnedAt: claim.subscriptionChurnedAt }),
  };
}

interface Episode {
  start: LocalDay;
  /** Exclusive; undefined while a failed invoice is still open. */
  end: LocalDay | undefined;
  recovered: boolean;
}

/**
 * The subscription's contribution to the MRR metrics. A subscription is at risk from the first
 * failure of one of its invoices until none of its failed invoices is open (overlapping failures
 * make one episode, counted once), or until it churns. An episode that ends with all of its failed
 * invoices recovered adds the MRR to recovered MRR on that day; a cancellation for non-payment adds
 * it to involuntary churn MRR.
 */
export function subscriptionContribution(
  summaries: readonly SubscriptionClaimSummary[],
  settings: MetricsSettings,
  subscription: SubscriptionFacts = {},
): Contribution {
  const built = new ContributionBuilder();
  const latest = [...summaries].sort((a, b) =>
    a.snapshotAt === b.snapshotAt ? (a.claimId < b.claimId ? -1 : 1) : a.snapshotAt < b.snapshotAt ? -1 : 1,
  )[summaries.length - 1];
  if (latest === undefined) return built.build();
  const currency = (subscription.currency ?? latest.currency).toUpperCase();
  const mrr = subscription.mrrMinor ?? latest.mrrMinor;
  if (!Number.isSafeInteger(mrr) || mrr < 0)
    throw new RangeError(`subscription MRR ${mrr} is not a non-negative integer`);
  const day = (iso: string): LocalDay => localDayOf(iso, settings.timeZone);
  const churnedAt = [subscription.churnedAt, ...summaries.map((summary) => summary.churnedAt)]
    .filter((at): at is string => at !== undefined)
    .sort()[0];
  const facts = built;
  const churnDay = churnedAt === undefined ? undefined : day(churnedAt);

  const intervals = summaries
    .filter((summary) => !summary.voided && summary.failedAt !== undefined)
    .map((summary) => ({
      start: day(summary.failedAt as string),
      end: summary.settledAt === undefined ? undefined : day(summary.settledAt),
      recovered: summary.recovered,
    }))
    .filter((interval) => churnDay === undefined || interval.start < churnDay)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const episodes: Episode[] = [];
  for (const interval of intervals) {
    const current = episodes[episodes.length - 1];
    if (current !== undefined && (current.end === undefined || interval.start <= current.end)) {
      current.end =
        current.end === undefined || interval.end === undefined
          ? undefined
          : [current.end, interval.end].sort()[1];
      current.recovered &&= interval.recovered;
    } else {
      episodes.push({ ...interval });
    }
  }
  for (const episode of episodes) {
    const endsByChurn = churnDay !== undefined && (episode.end === undefined || churnDay < episode.end);
    const end = endsByChurn ? churnDay : episode.end;
    facts.add(currency, episode.start, 'mrr.atRisk.amount', mrr);
    facts.add(currency, episode.start, 'mrr.atRisk.count', 1);
    if (end !== undefined) {
      facts.add(currency, end, 'mrr.atRisk.amount', -mrr);
      facts.add(currency, end, 'mrr.atRisk.count', -1);
    }
    if (!endsByChurn && end !== undefined && episode.recovered) {
      facts.add(currency, end, 'mrr.recovered.amount', mrr);
      facts.add(currency, end, 'mrr.recovered.count', 1);
    }
  }
  if (churnDay !== undefined) {
    facts.add(currency, churnDay, 'mrr.churned.amount', mrr);
    facts.add(currency, churnDay, 'mrr.churned.count', 1);
  }
  return facts.build();
}

/** `next − previous`, fact by fact: what the aggregates must add to replace one by the other. */
export function contributionDelta(previous: Contribution, next: Contribution): Contribution {
  const delta = new Map<string, number>();
  for (const [key, value] of Object.entries(next)) delta.set(key, value);
  for (const [key, value] of Object.entries(previous)) {
    const remaining = (delta.get(key) ?? 0) - value;
    if (remaining === 0) delta.delete(key);
    else delta.set(key, remaining);
  }
  return Object.fromEntries(delta);
}
