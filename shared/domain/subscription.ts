import type { CancellationReason, SubscriptionBillingEvent, SubscriptionStatus } from './billing-event.ts';
import { definedOnly, isNewer, minIso, type Stamp, stampOf } from './stamp.ts';

/** A subscription as collections sees it: its status, its MRR, and whether it churned involuntarily. */
export interface Subscription {
  readonly subscriptionId: string;
  readonly provider: string;
  readonly customerId: string;
  readonly status: SubscriptionStatus;
  readonly mrrMinor?: number;
  readonly currency?: string;
  readonly currentPeriodEnd?: string;
  readonly canceledAt?: string;
  readonly cancellationReason?: CancellationReason;
  /** Cancelled for non-payment (or a lost dispute): counts as involuntary churn MRR. */
  readonly involuntaryChurn: boolean;
  readonly snapshotStamp: Stamp;
}

export type BillingInterval = 'day' | 'week' | 'month' | 'year';

export interface RecurringPriceItem {
  /** Price per unit per billing interval, in the currency's minor unit. */
  readonly unitAmountMinor: number;
  readonly quantity: number;
  readonly interval: BillingInterval;
  /** Bill every `intervalCount` intervals (e.g. 3 months = quarterly). */
  readonly intervalCount: number;
}

/** How many of each interval fit in a month, on average over a year. */
const intervalsPerMonth: Record<BillingInterval, number> = {
  day: 365 / 12,
  week: 52 / 12,
  month: 1,
  year: 1 / 12,
};

/**
 * Monthly recurring revenue of a subscription's items, in minor units of their currency:
 * amount × quantity normalised to one month (a yearly 120.00 is 10.00 a month; 3-monthly 30.00 is
 * 10.00). The sum is rounded once, at the end, to the nearest minor unit, which suits zero- and
 * three-decimal currencies alike since amounts are already in minor units.
 */
export function monthlyRecurringAmount(items: readonly RecurringPriceItem[]): number {
  const exact = items.reduce((sum, item) => {
    if (item.intervalCount <= 0) return sum;
    return (
      sum + (item.unitAmountMinor * item.quantity * intervalsPerMonth[item.interval]) / item.intervalCount
    );
  }, 0);
  return Math.round(exact);
}

const involuntaryReasons: ReadonlySet<CancellationReason> = new Set(['payment_failed', 'payment_disputed']);

/** Folds a subscription event: the newest snapshot's fields win; the first cancellation time is kept. */
export function applyBillingEventToSubscription(
  existing: Subscription | undefined,
  event: SubscriptionBillingEvent,
): Subscription {
  const snapshot = event.subscription;
  const stamp = stampOf(event.occurredAt, event.eventId);
  const canceledAt = minIso(existing?.canceledAt, snapshot.canceledAt);
  if (existing !== undefined && !isNewer(stamp, existing.snapshotStamp)) {
    return definedOnly<Subscription>({ ...existing, canceledAt });
  }
  // Whole-snapshot register: providers send the full subscription each time.
  const cancellationReason = snapshot.cancellationReason;
  return definedOnly<Subscription>({
    subscriptionId: snapshot.subscriptionId,
    provider: event.provider,
    customerId: event.customer.customerId,
    status: snapshot.status,
    mrrMinor: snapshot.mrrMinor,
    currency: snapshot.currency,
    currentPeriodEnd: snapshot.currentPeriodEnd,
    canceledAt,
    cancellationReason,
    involuntaryChurn:
      snapshot.status === 'canceled' &&
      cancellationReason !== undefined &&
      involuntaryReasons.has(cancellationReason),
    snapshotStamp: stamp,
  });
}
