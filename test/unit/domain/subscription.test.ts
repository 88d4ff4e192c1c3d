import { describe, expect, it } from 'vitest';
import type { SubscriptionBillingEvent } from '../../../shared/domain/billing-event.ts';
import {
  applyBillingEventToSubscription,
  monthlyRecurringAmount,
  type Subscription,
} from '../../../shared/domain/subscription.ts';

describe('monthlyRecurringAmount', () => {
  it.each([
    [[{ unitAmountMinor: 4999, quantity: 1, interval: 'month', intervalCount: 1 }], 4999],
    [[{ unitAmountMinor: 4999, quantity: 3, interval: 'month', intervalCount: 1 }], 14997],
    [[{ unitAmountMinor: 120000, quantity: 1, interval: 'year', intervalCount: 1 }], 10000],
    [[{ unitAmountMinor: 3000, quantity: 1, interval: 'month', intervalCount: 3 }], 1000],
    [[{ unitAmountMinor: 1000, quantity: 1, interval: 'week', intervalCount: 1 }], 4333],
    [[{ unitAmountMinor: 100, quantity: 1, interval: 'day', intervalCount: 1 }], 3042],
    [[{ unitAmountMinor: 12000, quantity: 1, interval: 'year', intervalCount: 2 }], 500],
  ] as const)('normalises %j to %i a month', (items, expected) => {
    // Act & Assess
    expect(monthlyRecurringAmount(items)).toBe(expected);
  });

  it('rounds once, on the sum, not per item', () => {
    // Prepare: three items of 100/year are 8.33… each; 25 in total, not 3 × 8.
    const items = Array.from({ length: 3 }, () => ({
      unitAmountMinor: 100,
      quantity: 1,
      interval: 'year' as const,
      intervalCount: 1,
    }));

    // Act & Assess
    expect(monthlyRecurringAmount(items)).toBe(25);
  });

  it('is zero without items', () => {
    // Act & Assess
    expect(monthlyRecurringAmount([])).toBe(0);
  });
});

function subscriptionEvent(
  eventId: string,
  occurredAt: string,
  subscription: Partial<SubscriptionBillingEvent['subscription']>,
): SubscriptionBillingEvent {
  return {
    provider: 'stripe',
    eventId,
    occurredAt,
    livemode: false,
    kind: 'subscription.updated',
    customer: { customerId: 'stripe:cus_TMx8qA3nV5bW2k' },
    subscription: {
      subscriptionId: 'stripe:sub_1',
      status: 'active',
      mrrMinor: 4999,
      currency: 'USD',
      ...subscription,
    },
  };
}

describe('applyBillingEventToSubscription', () => {
  const events = [
    subscriptionEvent('evt_1', '2026-11-01T00:00:00.000Z', { status: 'active' }),
    subscriptionEvent('evt_2', '2026-11-02T00:00:00.000Z', { status: 'past_due' }),
    subscriptionEvent('evt_3', '2026-11-20T00:00:00.000Z', {
      status: 'canceled',
      canceledAt: '2026-11-20T00:00:00.000Z',
      cancellationReason: 'payment_failed',
    }),
  ];
  const fold = (order: readonly SubscriptionBillingEvent[]) =>
    order.reduce<Subscription | undefined>(
      (one, event) => applyBillingEventToSubscription(one, event),
      undefined,
    );

  it('mirrors the newest status whatever the order, and flags cancellation for non-payment as involuntary churn', () => {
    // Act
    const inOrder = fold(events);
    const reversed = fold([...events].reverse());
    const again = fold([...events, ...events]);

    // Assess
    expect(reversed).toEqual(inOrder);
    expect(again).toEqual(inOrder);
    expect(inOrder).toMatchObject({ status: 'canceled', involuntaryChurn: true, mrrMinor: 4999 });
  });

  it('does not count a cancellation the customer asked for as involuntary churn', () => {
    // Act
    const subscription = fold([
      subscriptionEvent('evt_9', '2026-11-20T00:00:00.000Z', {
        status: 'canceled',
        cancellationReason: 'cancellation_requested',
      }),
    ]);

    // Assess
    expect(subscription?.involuntaryChurn).toBe(false);
  });
});
