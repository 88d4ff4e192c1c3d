import type Stripe from 'stripe';

/**
 * Stripe events other than invoices, shaped like the API version the fixtures were captured on
 * (2026-11-18): only the fields a reader of the object can rely on, with realistic values. The
 * objects are built as plain JSON and typed at the boundary, as a webhook body would be.
 */

export interface StripeEventEnvelope {
  readonly id?: string;
  /** Unix seconds. */
  readonly created?: number;
  readonly livemode?: boolean;
  readonly account?: string;
  readonly previousAttributes?: Record<string, unknown>;
}

const defaultCreated = 1793614449;

export function stripeEventOf(
  type: string,
  object: object,
  envelope: StripeEventEnvelope = {},
): Stripe.Event {
  const event = {
    id: envelope.id ?? 'evt_1SQ3mNLkdIwHu7ixR4sT5uVw',
    object: 'event',
    api_version: '2026-11-18.endive',
    created: envelope.created ?? defaultCreated,
    data: {
      object,
      ...(envelope.previousAttributes ? { previous_attributes: envelope.previousAttributes } : {}),
    },
    livemode: envelope.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...(envelope.account ? { account: envelope.account } : {}),
  };
  return event as unknown as Stripe.Event;
}

export interface SubscriptionOptions {
  readonly id?: string;
  readonly customer?: string;
  readonly status?: Stripe.Subscription.Status;
  readonly currency?: string;
  readonly items?: readonly {
    unitAmount: number | null;
    quantity?: number;
    interval: 'day' | 'week' | 'month' | 'year';
    intervalCount?: number;
  }[];
  readonly canceledAt?: number | null;
  readonly cancellationReason?: 'payment_failed' | 'payment_disputed' | 'cancellation_requested' | null;
}

export function stripeSubscription(options: SubscriptionOptions = {}): Stripe.Subscription {
  const id = options.id ?? 'sub_1RkVd9LkdIwHu7ixP0eWcG3s';
  const currency = options.currency ?? 'usd';
  const items = options.items ?? [{ unitAmount: 4999, interval: 'month' }];
  return {
    id,
    object: 'subscription',
    billing_cycle_anchor: 1790932440,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: options.canceledAt ?? null,
    cancellation_details: { comment: null, feedback: null, reason: options.cancellationReason ?? null },
    collection_method: 'charge_automatically',
    created: 1785662040,
    currency,
    customer: options.customer ?? 'cus_TMx8qA3nV5bW2k',
    ended_at: options.canceledAt ?? null,
    items: {
      object: 'list',
      data: items.map((item, index) => ({
        id: `si_TMx8rZp1Lq6uN${index}`,
        object: 'subscription_item',
        current_period_end: 1796202840,
        current_period_start: 1793610840,
        quantity: item.quantity ?? 1,
        price: {
          id: `price_1RkVb2LkdIwHu7ixW4xYzA${index}`,
          object: 'price',
          currency,
          recurring: {
            interval: item.interval,
            interval_count: item.intervalCount ?? 1,
            usage_type: 'licensed',
            meter: null,
          },
          type: 'recurring',
          unit_amount: item.unitAmount,
          unit_amount_decimal: item.unitAmount === null ? null : String(item.unitAmount),
          billing_scheme: item.unitAmount === null ? 'tiered' : 'per_unit',
        },
        subscription: id,
      })),
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    livemode: false,
    metadata: {},
    start_date: 1785662040,
    status: options.status ?? 'active',
  } as unknown as Stripe.Subscription;
}

export interface PaymentErrorOptions {
  readonly declineCode?: string;
  readonly adviceCode?: string;
  readonly networkAdviceCode?: string;
  readonly code?: string;
}

export function stripePaymentIntent(
  options: PaymentErrorOptions & {
    id?: string;
    customer?: string;
    amount?: number;
    currency?: string;
    invoice?: string;
  },
): Stripe.PaymentIntent {
  return {
    id: options.id ?? 'pi_3SQ3hKLkdIwHu7ix0Xb1Yc2D',
    object: 'payment_intent',
    amount: options.amount ?? 4999,
    currency: options.currency ?? 'usd',
    customer: options.customer ?? 'cus_TMx8qA3nV5bW2k',
    description: 'Subscription update',
    last_payment_error: {
      type: 'card_error',
      code: options.code ?? 'card_declined',
      ...(options.declineCode ? { decline_code: options.declineCode } : {}),
      ...(options.adviceCode ? { advice_code: options.adviceCode } : {}),
      ...(options.networkAdviceCode ? { network_advice_code: options.networkAdviceCode } : {}),
      message: 'Your card was declined.',
    },
    latest_charge: 'ch_3SQ3hKLkdIwHu7ix0Ab1Cd2E',
    livemode: false,
    metadata: {},
    status: 'requires_payment_method',
    // API versions before 2025-03-31 still put the invoice here.
    ...(options.invoice ? { invoice: options.invoice } : {}),
  } as unknown as Stripe.PaymentIntent;
}

export function stripeCharge(options: {
  id?: string;
  customer?: string;
  paymentIntent?: string;
  amount?: number;
  amountRefunded?: number;
  currency?: string;
  status?: 'failed' | 'succeeded';
  failureCode?: string;
  outcome?: { reason?: string; adviceCode?: string; networkAdviceCode?: string };
  invoice?: string;
}): Stripe.Charge {
  return {
    id: options.id ?? 'ch_3SQ3hKLkdIwHu7ix0Ab1Cd2E',
    object: 'charge',
    amount: options.amount ?? 4999,
    amount_captured: options.status === 'failed' ? 0 : (options.amount ?? 4999),
    amount_refunded: options.amountRefunded ?? 0,
    currency: options.currency ?? 'usd',
    customer: options.customer ?? 'cus_TMx8qA3nV5bW2k',
    failure_code: options.failureCode ?? null,
    failure_message: options.failureCode ? 'Your card was declined.' : null,
    livemode: false,
    metadata: {},
    outcome: {
      advice_code: options.outcome?.adviceCode ?? null,
      network_advice_code: options.outcome?.networkAdviceCode ?? null,
      network_decline_code: null,
      network_status: options.status === 'failed' ? 'declined_by_network' : 'approved_by_network',
      reason: options.outcome?.reason ?? null,
      risk_level: 'normal',
      seller_message:
        options.status === 'failed' ? 'The bank did not return any further details.' : 'Payment complete.',
      type: options.status === 'failed' ? 'issuer_declined' : 'authorized',
    },
    paid: options.status !== 'failed',
    payment_intent: options.paymentIntent ?? 'pi_3SQ3hKLkdIwHu7ix0Xb1Yc2D',
    refunded: (options.amountRefunded ?? 0) >= (options.amount ?? 4999),
    status: options.status ?? 'succeeded',
    ...(options.invoice ? { invoice: options.invoice } : {}),
  } as unknown as Stripe.Charge;
}

export function stripeDispute(options: {
  id?: string;
  status?: Stripe.Dispute.Status;
  amount?: number;
  currency?: string;
  paymentIntent?: string;
  charge?: string | Stripe.Charge;
  reason?: string;
}): Stripe.Dispute {
  return {
    id: options.id ?? 'du_1SQ9aBLkdIwHu7ixK3lM4nOp',
    object: 'dispute',
    amount: options.amount ?? 4999,
    charge: options.charge ?? 'ch_3SQ3hKLkdIwHu7ix0Ab1Cd2E',
    created: 1794219249,
    currency: options.currency ?? 'usd',
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: options.paymentIntent ?? 'pi_3SQ3hKLkdIwHu7ix0Xb1Yc2D',
    reason: options.reason ?? 'product_not_received',
    status: options.status ?? 'needs_response',
  } as unknown as Stripe.Dispute;
}

export function stripeCreditNote(options: {
  id?: string;
  invoice?: string;
  customer?: string;
  total?: number;
  postPaymentAmount?: number;
  prePaymentAmount?: number;
  status?: 'issued' | 'void';
  currency?: string;
}): Stripe.CreditNote {
  return {
    id: options.id ?? 'cn_1SQ9cDLkdIwHu7ixQ1rS2tUv',
    object: 'credit_note',
    amount: options.total ?? 1000,
    currency: options.currency ?? 'usd',
    customer: options.customer ?? 'cus_TMx8qA3nV5bW2k',
    invoice: options.invoice ?? 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc',
    livemode: false,
    number: 'B7C41D9E-0007-CN-01',
    post_payment_amount: options.postPaymentAmount ?? options.total ?? 1000,
    pre_payment_amount: options.prePaymentAmount ?? 0,
    reason: 'order_change',
    status: options.status ?? 'issued',
    total: options.total ?? 1000,
    type: 'post_payment',
  } as unknown as Stripe.CreditNote;
}

export function stripeCustomer(options: {
  id?: string;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  country?: string | null;
  locales?: string[];
  timeZone?: string;
}): Stripe.Customer {
  return {
    id: options.id ?? 'cus_TMx8qA3nV5bW2k',
    object: 'customer',
    address: options.country
      ? { city: null, country: options.country, line1: null, line2: null, postal_code: null, state: null }
      : null,
    created: 1785662000,
    email: options.email === undefined ? 'jenny.rosen@example.com' : options.email,
    livemode: false,
    metadata: options.timeZone ? { time_zone: options.timeZone } : {},
    name: options.name === undefined ? 'Jenny Rosen' : options.name,
    phone: options.phone ?? null,
    preferred_locales: options.locales ?? [],
  } as unknown as Stripe.Customer;
}

export function stripePaymentMethod(customer: string | null): Stripe.PaymentMethod {
  return {
    id: 'pm_1SQ9eFLkdIwHu7ixW5xY6zAb',
    object: 'payment_method',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: { brand: 'visa', exp_month: 12, exp_year: 2029, last4: '4242', funding: 'credit', country: 'US' },
    created: 1794219249,
    customer,
    livemode: false,
    metadata: {},
    type: 'card',
  } as unknown as Stripe.PaymentMethod;
}
