import { DateTime } from 'luxon';
import type { Claim } from '../claim.ts';
import { isClaimOpen } from '../claim.ts';
import { InvalidRequestError } from '../errors.ts';
import { minInstalmentFor, type PortalPolicy } from './portal-policy.ts';

/**
 * What a debtor commits to in the portal, kept on the case (additive case fields, see
 * `collection-case.ts`): a promise to pay, a payment plan, holds on flagged claims. Pure rules.
 */

export type CaseFlagKind = 'dispute' | 'already-paid' | 'hardship' | 'contact-me';
export const caseFlagKinds: readonly CaseFlagKind[] = ['dispute', 'already-paid', 'hardship', 'contact-me'];

/** Contact about one claim is on hold until `until` (or until an agent lifts it). */
export interface ClaimHold {
  readonly kind: CaseFlagKind;
  readonly since: string;
  readonly until: string;
  /** The agent task created with it. */
  readonly taskId: string;
}

export type PromiseStatus = 'active' | 'kept' | 'broken';

export interface PromiseToPay {
  /** The date the debtor promised (`YYYY-MM-DD`, in their time zone). */
  readonly promisedFor: string;
  /** End of the promised day in the debtor's zone, plus the grace period: contact resumes then. */
  readonly graceUntil: string;
  readonly madeAt: string;
  readonly claimIds: readonly string[];
  readonly status: PromiseStatus;
  readonly settledAt?: string;
}

export type InstalmentStatus = 'scheduled' | 'paid' | 'missed';

export interface Instalment {
  /** 1-based. */
  readonly number: number;
  readonly dueAt: string;
  readonly amountMinor: number;
  readonly status: InstalmentStatus;
  readonly attempts: number;
  readonly lastAttemptAt?: string;
  readonly reminderSentAt?: string;
  readonly paidAt?: string;
  /** The payment provider's reference of the successful charge. */
  readonly paymentRef?: string;
}

export type PaymentPlanStatus = 'active' | 'completed' | 'broken';

export interface PaymentPlan {
  readonly planId: string;
  readonly createdAt: string;
  readonly status: PaymentPlanStatus;
  readonly currency: string;
  readonly totalMinor: number;
  readonly claimIds: readonly string[];
  readonly instalments: readonly Instalment[];
  readonly endedAt?: string;
  /** When the provider was told to mark the claims paid out of band, once every instalment was collected. */
  readonly settledAt?: string;
  /** The language the debtor agreed in: reminders are written in it. */
  readonly language?: string;
}

export interface PlanOption {
  readonly instalments: number;
  /** Every instalment but the last; the last absorbs the rounding remainder. */
  readonly instalmentMinor: number;
  readonly lastInstalmentMinor: number;
}

/** The end of a calendar day in a zone, as an instant. */
function endOfDay(date: string, zone: string): DateTime {
  return DateTime.fromISO(date, { zone }).endOf('day');
}

/** The dates a debtor may promise: from tomorrow to `maxDaysAhead` days ahead, in their zone. */
export function promiseWindow(now: Date, zone: string, policy: PortalPolicy): { min: string; max: string } {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  return {
    min: today.plus({ days: 1 }).toISODate() ?? '',
    max: today.plus({ days: policy.promiseToPay.maxDaysAhead }).toISODate() ?? '',
  };
}

/** Validates a promised date and builds the promise; contact pauses until `graceUntil`. */
export function makePromiseToPay(
  promisedFor: string,
  claimIds: readonly string[],
  now: Date,
  zone: string,
  policy: PortalPolicy,
): PromiseToPay {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(promisedFor) || !DateTime.fromISO(promisedFor).isValid) {
    throw new InvalidRequestError('the promised date is not a date');
  }
  const window = promiseWindow(now, zone, policy);
  if (promisedFor < window.min || promisedFor > window.max) {
    throw new InvalidRequestError(`the promised date must be between ${window.min} and ${window.max}`);
  }
  if (claimIds.length === 0) throw new InvalidRequestError('a promise covers at least one open invoice');
  const graceUntil = endOfDay(promisedFor, zone).plus({ days: policy.promiseToPay.graceDays });
  return {
    promisedFor,
    graceUntil: wholeSecondIso(graceUntil.toJSDate()),
    madeAt: now.toISOString(),
    claimIds: [...claimIds],
    status: 'active',
  };
}

/** The plans a total allows: `min..max` instalments, none below the minimum instalment. */
export function planOptions(totalMinor: number, currency: string, policy: PortalPolicy): PlanOption[] {
  const { minInstalments, maxInstalments } = policy.paymentPlan;
  const minimum = minInstalmentFor(policy, currency);
  const options: PlanOption[] = [];
  for (let count = minInstalments; count <= maxInstalments; count += 1) {
    const instalmentMinor = Math.floor(totalMinor / count);
    if (instalmentMinor < minimum) break;
    options.push({
      instalments: count,
      instalmentMinor,
      lastInstalmentMinor: totalMinor - instalmentMinor * (count - 1),
    });
  }
  return options;
}

/** The single currency a plan can cover, or undefined when the open claims mix currencies. */
export function planCurrency(claims: readonly Claim[]): string | undefined {
  const currencies = new Set(claims.filter(isClaimOpen).map((claim) => claim.currency));
  return currencies.size === 1 ? [...currencies][0] : undefined;
}

/**
 * A plan over `claims` (one currency) in `count` instalments: the first due now (charged by the
 * next commitments run), then every `intervalDays`.
 */
export function makePaymentPlan(
  planId: string,
  claims: readonly Claim[],
  count: number,
  now: Date,
  policy: PortalPolicy,
  language?: string,
): PaymentPlan {
  const open = claims.filter(isClaimOpen);
  const currency = planCurrency(open);
  if (currency === undefined) throw new InvalidRequestError('a plan covers open invoices of one currency');
  const totalMinor = open.reduce((sum, claim) => sum + claim.amountMinor, 0);
  const option = planOptions(totalMinor, currency, policy).find((o) => o.instalments === count);
  if (option === undefined) throw new InvalidRequestError(`a plan of ${count} instalments is not available`);
  const start = DateTime.fromJSDate(now, { zone: 'UTC' });
  const instalments: Instalment[] = Array.from({ length: count }, (_, index) => ({
    number: index + 1,
    dueAt: wholeSecondIso(start.plus({ days: index * policy.paymentPlan.intervalDays }).toJSDate()),
    amountMinor: index === count - 1 ? option.lastInstalmentMinor : option.instalmentMinor,
    status: 'scheduled',
    attempts: 0,
  }));
  return {
    planId,
    createdAt: now.toISOString(),
    status: 'active',
    currency,
    totalMinor,
    claimIds: open.map((claim) => claim.claimId),
    instalments,
    ...(language === undefined ? {} : { language }),
  };
}

/** The next instalment not paid yet. */
export function nextInstalment(plan: PaymentPlan): Instalment | undefined {
  return plan.instalments.find((instalment) => instalment.status === 'scheduled');
}

/**
 * How long contact stays paused for a plan in good standing: until the moment the next open
 * instalment counts as missed (its last attempt, plus two hourly runs of the commitments job).
 * A paid instalment extends the pause to the next one; a missed one lets the journey resume then.
 */
export function planPausedUntil(plan: PaymentPlan, policy: PortalPolicy): string | undefined {
  if (plan.status !== 'active') return undefined;
  const next = nextInstalment(plan);
  if (next === undefined) return undefined;
  const hours = policy.paymentPlan.retryAfterHours * (policy.paymentPlan.maxChargeAttempts - 1) + 2;
  return wholeSecondIso(new Date(Date.parse(next.dueAt) + hours * 3_600_000));
}

/** What the commitments job must do for a plan now. */
export type PlanDuty =
  | { readonly kind: 'remind'; readonly instalment: Instalment }
  | { readonly kind: 'charge'; readonly instalment: Instalment }
  | { readonly kind: 'miss'; readonly instalment: Instalment };

export function planDuty(plan: PaymentPlan, now: Date, policy: PortalPolicy): PlanDuty | undefined {
  if (plan.status !== 'active') return undefined;
  const next = nextInstalment(plan);
  if (next === undefined) return undefined;
  const due = Date.parse(next.dueAt);
  const reminderAt = due - policy.paymentPlan.reminderDaysBefore * 86_400_000;
  if (
    next.number > 1 &&
    next.reminderSentAt === undefined &&
    now.getTime() >= reminderAt &&
    now.getTime() < due
  ) {
    return { kind: 'remind', instalment: next };
  }
  if (now.getTime() < due) return undefined;
  if (next.attempts >= policy.paymentPlan.maxChargeAttempts) return { kind: 'miss', instalment: next };
  const retryAt =
    next.lastAttemptAt === undefined
      ? due
      : Date.parse(next.lastAttemptAt) + policy.paymentPlan.retryAfterHours * 3_600_000;
  return now.getTime() >= retryAt ? { kind: 'charge', instalment: next } : undefined;
}

/** When the plan next needs the commitments job. */
export function planNextDutyAt(plan: PaymentPlan, policy: PortalPolicy): string | undefined {
  if (plan.status !== 'active') return undefined;
  const next = nextInstalment(plan);
  if (next === undefined) return undefined;
  const due = Date.parse(next.dueAt);
  if (next.number > 1 && next.reminderSentAt === undefined) {
    return wholeSecondIso(new Date(due - policy.paymentPlan.reminderDaysBefore * 86_400_000));
  }
  if (next.lastAttemptAt === undefined) return next.dueAt;
  if (next.attempts >= policy.paymentPlan.maxChargeAttempts) return next.lastAttemptAt;
  return wholeSecondIso(
    new Date(Date.parse(next.lastAttemptAt) + policy.paymentPlan.retryAfterHours * 3_600_000),
  );
}

export function withInstalment(plan: PaymentPlan, instalment: Instalment): PaymentPlan {
  const instalments = plan.instalments.map((one) => (one.number === instalment.number ? instalment : one));
  const completed = instalments.every((one) => one.status === 'paid');
  const broken = instalments.some((one) => one.status === 'missed');
  const status: PaymentPlanStatus = broken ? 'broken' : completed ? 'completed' : plan.status;
  const endedAt = status === plan.status ? plan.endedAt : (instalment.paidAt ?? instalment.lastAttemptAt);
  return { ...plan, instalments, status, ...(endedAt === undefined ? {} : { endedAt }) };
}

export function wholeSecondIso(at: Date): string {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
