import Stripe from 'stripe';
import { billingMetadataOf } from './billing-metadata.ts';
import type { DeclineCode } from './decline-codes.ts';
import type { Subscriber } from './population.ts';

/**
 * Builds Stripe webhook events shaped like Stripe's own (API version of the fixtures under
 * test/fixtures/stripe/) for the simulated billing, and signs them with stripe-node's
 * `generateTestHeaderString`, so the product runs its real verification path.
 */

/** The simulated account: its id appears in hosted invoice links. */
const simulatedAccount = 'acct_1SimuLatedAcc0unt';
const apiVersion = '2026-11-18.endive';

export type InvoiceStatus = 'open' | 'paid' | 'void' | 'uncollectible';

/** The simulator's own view of one Stripe invoice at the moment an event is emitted. */
export interface InvoiceState {
  readonly invoiceId: string;
  readonly number: string;
  readonly subscriber: Subscriber;
  readonly amountMinor: number;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly status: InvoiceStatus;
  readonly attemptCount: number;
  /** Unix seconds of Stripe's next automatic attempt, or null when it will not retry. */
  readonly nextPaymentAttempt: number | null;
  readonly paidAt: number | null;
  readonly voidedAt: number | null;
  readonly markedUncollectibleAt: number | null;
  /** The decline of the latest failed attempt, with its charge and payment intent ids. */
  readonly lastDecline: { readonly decline: DeclineCode; readonly chargeId: string } | null;
  readonly paymentIntentId: string;
  readonly paymentMethodId: string;
}

export type InvoiceEventType =
  | 'invoice.payment_failed'
  | 'invoice.paid'
  | 'invoice.voided'
  | 'invoice.marked_uncollectible';

export type PaymentMethodEventType = 'payment_method.attached' | 'payment_method.automatically_updated';

export type SubscriptionEventType = 'customer.subscription.updated' | 'customer.subscription.deleted';

/** Subscription statuses the simulated billing moves through (DOMAIN.md §1). */
export type SimulatedSubscriptionStatus = 'active' | 'past_due' | 'unpaid' | 'canceled';

export type SimulatedEvent =
  | Stripe.InvoicePaymentFailedEvent
  | Stripe.InvoicePaidEvent
  | Stripe.InvoiceVoidedEvent
  | Stripe.InvoiceMarkedUncollectibleEvent
  | Stripe.PaymentMethodAttachedEvent
  | Stripe.PaymentMethodAutomaticallyUpdatedEvent
  | Stripe.CustomerSubscriptionUpdatedEvent
  | Stripe.CustomerSubscriptionDeletedEvent
  | Stripe.ChargeDisputeCreatedEvent
  | Stripe.PaymentIntentPaymentFailedEvent
  | Stripe.CustomerUpdatedEvent;

function hostedToken(invoiceId: string): string {
  return `test_${Buffer.from(`${simulatedAccount},${invoiceId}`).toString('base64url')}`;
}

function addressOf(subscriber: Subscriber): Stripe.Address | null {
  if (subscriber.locationData === 'none') return null;
  return {
    city: null,
    country: subscriber.market.country,
    line1: null,
    line2: null,
    postal_code: null,
    state: null,
  };
}

/**
 * The card error of the latest failed attempt. Stripe keeps it on the payment intent
 * (`last_payment_error`, sent with `payment_intent.payment_failed`, which is where the product
 * reads Stripe's decline codes). The simulator also leaves it in the invoice's
 * `last_finalization_error`, where its Paddle and Chargebee event factories read the decline to
 * write their own error codes; the product does not read that field.
 */
function cardError(state: InvoiceState): Stripe.Invoice.LastFinalizationError | null {
  if (state.lastDecline === null || state.status !== 'open') return null;
  const { decline, chargeId } = state.lastDecline;
  return {
    type: 'card_error',
    code: decline.errorCode as Stripe.Invoice.LastFinalizationError.Code,
    decline_code: decline.code,
    ...(decline.adviceCode ? { advice_code: decline.adviceCode } : {}),
    network_decline_code: decline.networkDeclineCode,
    charge: chargeId,
    doc_url: `https://stripe.com/docs/error-codes/${decline.errorCode.replaceAll('_', '-')}`,
    message: decline.message,
    payment_method_type: 'card',
  };
}

/** A Stripe invoice object as it stands in `state`. */
export function stripeInvoice(state: InvoiceState): Stripe.Invoice {
  const { subscriber } = state;
  const currency = subscriber.market.currency.toLowerCase();
  const paid = state.status === 'paid';
  const token = hostedToken(state.invoiceId);
  // Consent, segment and plan travel in the invoice metadata, as the merchant's integration puts them.
  const metadata: Record<string, string> = billingMetadataOf(subscriber);
  if (subscriber.locationData === 'time-zone') metadata.time_zone = subscriber.timeZone;
  metadata.locale = subscriber.locale;
  const line: Stripe.InvoiceLineItem = {
    id: `il_${state.invoiceId.slice(3)}`,
    object: 'line_item',
    amount: state.amountMinor,
    currency,
    description: `1 × ${subscriber.segment} plan (per ${subscriber.interval})`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: state.invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: null,
        proration: false,
        proration_details: { credited_items: null },
        subscription: subscriber.subscriptionId,
        subscription_item: `si_${subscriber.subscriptionId.slice(4)}`,
      },
      type: 'subscription_item_details',
    },
    period: { start: state.periodStart, end: state.periodEnd },
    pretax_credit_amounts: [],
    pricing: {
      price_details: {
        price: `price_${subscriber.segment}_${subscriber.interval}_${currency}`,
        product: `prod_${subscriber.segment}`,
      },
      type: 'price_details',
      unit_amount_decimal: Stripe.Decimal.from(state.amountMinor),
    },
    quantity: 1,
    quantity_decimal: Stripe.Decimal.from(1),
    subscription: subscriber.subscriptionId,
    subtotal: state.amountMinor,
    taxes: [],
  };
  return {
    id: state.invoiceId,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Simulated SaaS, Inc.',
    account_tax_ids: null,
    amount_due: state.amountMinor,
    amount_overpaid: 0,
    amount_paid: paid ? state.amountMinor : 0,
    amount_remaining: paid ? 0 : state.amountMinor,
    amount_shipping: 0,
    application: null,
    attempt_count: state.attemptCount,
    attempted: state.attemptCount > 0,
    auto_advance: state.status === 'open',
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: state.createdAt,
    currency,
    custom_fields: null,
    customer: subscriber.customerId,
    customer_account: null,
    customer_address: addressOf(subscriber),
    customer_email: subscriber.email ?? null,
    customer_name: subscriber.name,
    customer_phone: subscriber.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: state.createdAt,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/${simulatedAccount}/${token}?s=ap`,
    invoice_pdf: `https://pay.stripe.com/invoice/${simulatedAccount}/${token}/pdf?s=ap`,
    issuer: { type: 'self' },
    last_finalization_error: cardError(state),
    latest_revision: null,
    lines: {
      object: 'list',
      data: [line],
      has_more: false,
      url: `/v1/invoices/${state.invoiceId}/lines`,
    },
    livemode: false,
    metadata,
    next_payment_attempt: state.status === 'open' ? state.nextPaymentAttempt : null,
    number: state.number,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: {}, subscription: subscriber.subscriptionId },
      type: 'subscription_details',
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: state.periodEnd,
    period_start: state.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: state.status,
    status_transitions: {
      finalized_at: state.createdAt,
      marked_uncollectible_at: state.markedUncollectibleAt,
      paid_at: state.paidAt,
      voided_at: state.voidedAt,
    },
    subtotal: state.amountMinor,
    subtotal_excluding_tax: state.amountMinor,
    test_clock: null,
    total: state.amountMinor,
    total_discount_amounts: [],
    total_excluding_tax: state.amountMinor,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: state.createdAt + 1,
  };
}

export interface EventEnvelope {
  readonly eventId: string;
  /** Unix seconds. */
  readonly created: number;
  /** The API request behind the event; null for Stripe's automatic actions (renewals, retries). */
  readonly requestId: string | null;
}

function envelope(meta: EventEnvelope) {
  return {
    id: meta.eventId,
    object: 'event' as const,
    api_version: apiVersion,
    created: meta.created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: meta.requestId, idempotency_key: null },
  };
}

export function invoiceEvent(
  type: InvoiceEventType,
  state: InvoiceState,
  meta: EventEnvelope,
): SimulatedEvent {
  const data = { object: stripeInvoice(state) };
  const base = envelope(meta);
  switch (type) {
    case 'invoice.payment_failed':
      return { ...base, type, data };
    case 'invoice.paid':
      return { ...base, type, data };
    case 'invoice.voided':
      return { ...base, type, data };
    case 'invoice.marked_uncollectible':
      return { ...base, type, data };
  }
}

/** The debtor's new card (`payment_method.attached`) or the network's update of the old one. */
export function paymentMethodEvent(
  type: PaymentMethodEventType,
  subscriber: Subscriber,
  paymentMethodId: string,
  meta: EventEnvelope & { readonly last4: string; readonly expYear: number },
): SimulatedEvent {
  const paymentMethod: Stripe.PaymentMethod = {
    id: paymentMethodId,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: addressOf(subscriber),
      email: subscriber.email ?? null,
      name: subscriber.name,
      phone: null,
      tax_id: null,
    },
    card: {
      brand: 'visa',
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: subscriber.market.country,
      display_brand: 'visa',
      exp_month: 12,
      exp_year: meta.expYear,
      funding: 'credit',
      generated_from: null,
      last4: meta.last4,
      networks: { available: ['visa'], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: meta.created,
    customer: subscriber.customerId,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
  const base = envelope(meta);
  const data = { object: paymentMethod };
  return type === 'payment_method.attached' ? { ...base, type, data } : { ...base, type, data };
}

/** The subscription as it stands: one item at the subscriber's price, in its status. */
export interface SubscriptionState {
  readonly subscriber: Subscriber;
  readonly status: SimulatedSubscriptionStatus;
  /** Unix seconds: the current period. */
  readonly periodStart: number;
  readonly periodEnd: number;
  /** Unix seconds, when cancelled. */
  readonly canceledAt: number | null;
}

/**
 * A Stripe subscription object with the fields a reader relies on (status, items with their
 * price and period, cancellation details). Built as plain JSON and typed at the boundary, as a
 * webhook body is; the item's price is the subscriber's own, so the product can compute MRR.
 */
export function stripeSubscription(state: SubscriptionState): Stripe.Subscription {
  const { subscriber } = state;
  const currency = subscriber.market.currency.toLowerCase();
  const canceled = state.status === 'canceled';
  const subscription = {
    id: subscriber.subscriptionId,
    object: 'subscription',
    billing_cycle_anchor: state.periodStart,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: state.canceledAt,
    cancellation_details: {
      comment: null,
      feedback: null,
      reason: canceled ? 'payment_failed' : null,
    },
    collection_method: 'charge_automatically',
    created: state.periodStart,
    currency,
    customer: subscriber.customerId,
    ended_at: canceled ? state.canceledAt : null,
    items: {
      object: 'list',
      data: [
        {
          id: `si_${subscriber.subscriptionId.slice(4)}`,
          object: 'subscription_item',
          current_period_start: state.periodStart,
          current_period_end: state.periodEnd,
          price: {
            id: `price_${subscriber.segment}_${subscriber.interval}_${currency}`,
            object: 'price',
            currency,
            product: `prod_${subscriber.segment}`,
            recurring: { interval: subscriber.interval, interval_count: 1, usage_type: 'licensed' },
            type: 'recurring',
            unit_amount: subscriber.amountMinor,
            unit_amount_decimal: String(subscriber.amountMinor),
          },
          quantity: 1,
          subscription: subscriber.subscriptionId,
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${subscriber.subscriptionId}`,
    },
    livemode: false,
    metadata: {},
    status: state.status,
  };
  return subscription as unknown as Stripe.Subscription;
}

/** `customer.subscription.updated` (with the previous status) or `customer.subscription.deleted`. */
export function subscriptionEvent(
  type: SubscriptionEventType,
  state: SubscriptionState,
  previousStatus: SimulatedSubscriptionStatus,
  meta: EventEnvelope,
): SimulatedEvent {
  const base = envelope(meta);
  const object = stripeSubscription(state);
  if (type === 'customer.subscription.deleted') return { ...base, type, data: { object } };
  return {
    ...base,
    type,
    data: { object, previous_attributes: { status: previousStatus } },
  };
}

/**
 * `customer.updated` after the merchant added the customer's email address: the customer object
 * as it stands, with the address it had before (none) in `previous_attributes`. Built as plain
 * JSON and typed at the boundary, as a webhook body is.
 */
export function customerUpdatedEvent(subscriber: Subscriber, meta: EventEnvelope): SimulatedEvent {
  const metadata: Record<string, string> = billingMetadataOf(subscriber);
  if (subscriber.locationData === 'time-zone') metadata.time_zone = subscriber.timeZone;
  const customer = {
    id: subscriber.customerId,
    object: 'customer',
    address: addressOf(subscriber),
    balance: 0,
    created: meta.created - 400 * 86_400,
    currency: subscriber.market.currency.toLowerCase(),
    default_source: null,
    delinquent: true,
    description: null,
    email: subscriber.email ?? null,
    invoice_prefix: subscriber.customerId.slice(-8).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata,
    name: subscriber.name,
    phone: subscriber.phone ?? null,
    preferred_locales: [subscriber.locale],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  } as unknown as Stripe.Customer;
  return {
    ...envelope(meta),
    type: 'customer.updated',
    data: { object: customer, previous_attributes: { email: null } },
  };
}

/** What the debtor's bank disputes: the charge of an invoice's latest attempt. */
export interface DisputedCharge {
  readonly subscriber: Subscriber;
  readonly disputeId: string;
  readonly chargeId: string;
  readonly paymentIntentId: string;
  readonly invoiceId: string;
  readonly amountMinor: number;
  /** Unix seconds. */
  readonly createdAt: number;
}

/**
 * `charge.dispute.created`: a chargeback. The charge is expanded and names its invoice, the
 * shape of endpoints on an API version before 2025-03-31 (the product reads it without calling
 * Stripe; on a newer version it would locate the invoice through the invoice payments API, which
 * needs a Stripe key the local runtime does not have).
 */
export function disputeEvent(charge: DisputedCharge, meta: EventEnvelope): SimulatedEvent {
  const currency = charge.subscriber.market.currency.toLowerCase();
  const dispute = {
    id: charge.disputeId,
    object: 'dispute',
    amount: charge.amountMinor,
    charge: {
      id: charge.chargeId,
      object: 'charge',
      amount: charge.amountMinor,
      currency,
      customer: charge.subscriber.customerId,
      invoice: charge.invoiceId,
      payment_intent: charge.paymentIntentId,
      disputed: true,
      livemode: false,
    },
    created: charge.createdAt,
    currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.paymentIntentId,
    reason: 'subscription_canceled',
    status: 'needs_response',
  } as unknown as Stripe.Dispute;
  return { ...envelope(meta), type: 'charge.dispute.created', data: { object: dispute } };
}

/**
 * `payment_intent.payment_failed`: the failed attempt with its card error, which Stripe sends next
 * to `invoice.payment_failed`. The intent names its invoice, the shape of endpoints on an API
 * version before 2025-03-31, as `disputeEvent` does (on a newer version the product locates the
 * invoice through the invoice payments API, with a Stripe key the local runtime does not have).
 */
export function paymentIntentFailedEvent(state: InvoiceState, meta: EventEnvelope): SimulatedEvent {
  const error = cardError(state);
  const intent = {
    id: state.paymentIntentId,
    object: 'payment_intent',
    amount: state.amountMinor,
    amount_received: 0,
    currency: state.subscriber.market.currency.toLowerCase(),
    customer: state.subscriber.customerId,
    invoice: state.invoiceId,
    last_payment_error: error === null ? null : { ...error, payment_method: { id: state.paymentMethodId } },
    latest_charge: state.lastDecline?.chargeId ?? null,
    livemode: false,
    metadata: {},
    payment_method: state.paymentMethodId,
    payment_method_types: ['card'],
    status: 'requires_payment_method',
    created: state.createdAt,
  } as unknown as Stripe.PaymentIntent;
  return { ...envelope(meta), type: 'payment_intent.payment_failed', data: { object: intent } };
}

const signer = new Stripe('sk_test_simulator_signing_only', { maxNetworkRetries: 0 });

/** The body Stripe posts: the event as pretty-printed JSON; exactly these bytes are signed. */
export function eventPayload(event: SimulatedEvent): string {
  return JSON.stringify(event, null, 2);
}

/** The `Stripe-Signature` header of `payload` signed at `atUnixSeconds` (stripe-node's own test signer). */
export function signPayload(payload: string, secret: string, atUnixSeconds: number): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret, timestamp: atUnixSeconds });
}
