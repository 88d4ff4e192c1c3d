import type Stripe from 'stripe';
import { chargebeeAuthorization } from '../../../shared/adapters/chargebee/chargebee-billing-events.ts';
import {
  inhouseSignatureHeader,
  signInhousePayload,
} from '../../../shared/adapters/inhouse/inhouse-billing-events.ts';
import { signPaddlePayload } from '../../../shared/adapters/paddle/paddle-billing-events.ts';
import { billingMetadataOf, inhouseContactFieldsOf } from './billing-metadata.ts';
import type { BillingProvider, Subscriber } from './population.ts';
import { eventPayload, type SimulatedEvent, signPayload } from './stripe-event-factory.ts';

/**
 * The simulated billing thinks in Stripe's terms; a share of the population is billed by Paddle,
 * Chargebee or the company's in-house billing instead. This module writes each event the way
 * that provider would send it (its own event names, object shapes, ids and authentication), so
 * every ingest endpoint is exercised. An event the provider has no equivalent for (Chargebee
 * has no past-due subscription status, only Stripe and the in-house format report chargebacks)
 * is not sent.
 */

/** What the webhook endpoints of a running product need to accept the simulator's deliveries. */
export interface ProviderCredentials {
  readonly stripe: string;
  readonly paddle: string;
  /** `user:password` of the Chargebee endpoint's Basic auth. */
  readonly chargebee: string;
  readonly inhouse: string;
}

/** One provider delivery, ready to be authenticated at the moment it is posted. */
export interface ProviderDelivery {
  readonly provider: BillingProvider;
  readonly path: string;
  /** The provider's own event type. */
  readonly providerType: string;
  readonly payload: string;
  /** The invoice id as the provider (and so the product) knows it. */
  readonly invoiceId?: string;
}

const webhookPaths: Record<BillingProvider, string> = {
  stripe: '/webhooks/stripe',
  paddle: '/webhooks/paddle',
  chargebee: '/webhooks/chargebee',
  inhouse: '/webhooks/inhouse',
};

/** The customer id the provider uses (Paddle's start with `ctm_`). */
export function providerCustomerId(subscriber: Subscriber): string {
  return subscriber.provider === 'paddle' ? `ctm_${subscriber.customerId.slice(4)}` : subscriber.customerId;
}

/** The product's customer id: the provider's, qualified by the provider (`paddle:ctm_...`). */
export function productCustomerId(subscriber: Subscriber): string {
  return `${subscriber.provider}:${providerCustomerId(subscriber)}`;
}

/** The invoice id the provider uses (Paddle bills transactions, `txn_...`). */
export function providerInvoiceId(provider: BillingProvider, invoiceId: string): string {
  return provider === 'paddle' ? `txn_${invoiceId.slice(3)}` : invoiceId;
}

/** Paddle's payment error codes for the Stripe decline codes the simulated billing draws. */
function paddleErrorCode(declineCode: string): string {
  switch (declineCode) {
    case 'insufficient_funds':
    case 'withdrawal_count_limit_exceeded':
    case 'card_velocity_exceeded':
      return 'not_enough_balance';
    case 'expired_card':
      return 'expired_card';
    case 'authentication_required':
      return 'authentication_failed';
    case 'lost_card':
    case 'stolen_card':
    case 'fraudulent':
    case 'pickup_card':
      return 'fraud';
    case 'restricted_card':
      return 'blocked_card';
    case 'issuer_not_available':
      return 'issuer_unavailable';
    case 'processing_error':
    case 'try_again_later':
      return 'psp_error';
    case 'incorrect_number':
    case 'invalid_number':
      return 'invalid_payment_details';
    case 'transaction_not_allowed':
    case 'card_not_supported':
      return 'transaction_not_permitted';
    default:
      return 'declined';
  }
}

function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

function declineOf(invoice: Stripe.Invoice): { code: string; advice?: string; charge?: string } | undefined {
  const error = invoice.last_finalization_error;
  if (!error?.decline_code) return undefined;
  return {
    code: error.decline_code,
    ...(error.advice_code ? { advice: error.advice_code } : {}),
    ...(typeof error.charge === 'string' ? { charge: error.charge } : {}),
  };
}

function firstName(subscriber: Subscriber): string {
  return subscriber.name.split(' ')[0] ?? subscriber.name;
}

function lastName(subscriber: Subscriber): string {
  return subscriber.name.split(' ').slice(1).join(' ');
}

// ------------------------------------------------------------------------------------------------
// Paddle Billing

function paddleTransaction(invoice: Stripe.Invoice, subscriber: Subscriber, status: string) {
  const total = String(invoice.amount_due);
  const decline = declineOf(invoice);
  const paid = invoice.status === 'paid';
  const attemptAt = iso(invoice.created);
  return {
    id: providerInvoiceId('paddle', invoice.id ?? ''),
    status,
    customer_id: providerCustomerId(subscriber),
    address_id: null,
    subscription_id: subscriber.subscriptionId,
    currency_code: subscriber.market.currency,
    origin: 'subscription_recurring',
    collection_mode: 'automatic',
    billed_at: attemptAt,
    created_at: attemptAt,
    details: {
      totals: {
        subtotal: total,
        tax: '0',
        discount: '0',
        total,
        grand_total: total,
        balance: paid || invoice.status === 'void' ? '0' : total,
        currency_code: subscriber.market.currency,
      },
    },
    payments:
      invoice.attempt_count === 0
        ? []
        : [
            {
              payment_attempt_id: `${invoice.id}-${invoice.attempt_count}`,
              amount: total,
              status: paid ? 'captured' : 'error',
              error_code: paid || decline === undefined ? null : paddleErrorCode(decline.code),
              method_details: { type: 'card' },
              created_at: iso(invoice.status_transitions.paid_at ?? invoice.created),
            },
          ],
    checkout: {
      url: `https://pay.simulated.example/checkout?_ptxn=${providerInvoiceId('paddle', invoice.id ?? '')}`,
    },
  };
}

function paddleSubscription(subscription: Stripe.Subscription, subscriber: Subscriber) {
  const status = subscription.status === 'unpaid' ? 'past_due' : subscription.status;
  const item = subscription.items.data[0];
  return {
    id: subscriber.subscriptionId,
    status,
    customer_id: providerCustomerId(subscriber),
    currency_code: subscriber.market.currency,
    canceled_at: subscription.canceled_at ? iso(subscription.canceled_at) : null,
    current_billing_period: item
      ? { starts_at: iso(item.current_period_start), ends_at: iso(item.current_period_end) }
      : null,
    items: [
      {
        status: 'active',
        quantity: 1,
        price: {
          id: `pri_${subscriber.segment}_${subscriber.interval}`,
          unit_price: { amount: String(subscriber.amountMinor), currency_code: subscriber.market.currency },
          billing_cycle: { interval: subscriber.interval, frequency: 1 },
        },
      },
    ],
  };
}

/** A Paddle customer entity as its notifications carry it. */
function paddleCustomer(subscriber: Subscriber, createdAt: string) {
  return {
    id: providerCustomerId(subscriber),
    name: subscriber.name,
    email: subscriber.email ?? null,
    locale: subscriber.locale,
    custom_data: billingMetadataOf(subscriber),
    status: 'active',
    created_at: createdAt,
  };
}

/** Paddle's `customer.created`: its transactions name the customer only by id. */
export function paddleCustomerCreated(subscriber: Subscriber, eventId: string, at: Date): ProviderDelivery {
  const notification = {
    event_id: eventId,
    event_type: 'customer.created',
    occurred_at: at.toISOString(),
    notification_id: `ntf_${eventId.slice(4)}`,
    data: paddleCustomer(subscriber, at.toISOString()),
  };
  return {
    provider: 'paddle',
    path: webhookPaths.paddle,
    providerType: 'customer.created',
    payload: JSON.stringify(notification),
  };
}

function paddleNotification(event: SimulatedEvent, subscriber: Subscriber) {
  const object = event.data.object;
  switch (event.type) {
    case 'invoice.payment_failed':
      return {
        type: 'transaction.payment_failed',
        data: paddleTransaction(event.data.object, subscriber, 'past_due'),
      };
    case 'invoice.paid':
      return {
        type: 'transaction.completed',
        data: paddleTransaction(event.data.object, subscriber, 'completed'),
      };
    case 'invoice.voided':
      return {
        type: 'transaction.canceled',
        data: paddleTransaction(event.data.object, subscriber, 'canceled'),
      };
    case 'payment_method.attached':
    case 'payment_method.automatically_updated':
      return {
        type: 'payment_method.saved',
        data: {
          id: `paymtd_${object.id.slice(3)}`,
          customer_id: providerCustomerId(subscriber),
          type: 'card',
        },
      };
    case 'customer.subscription.updated':
      return { type: 'subscription.updated', data: paddleSubscription(event.data.object, subscriber) };
    case 'customer.subscription.deleted':
      return { type: 'subscription.canceled', data: paddleSubscription(event.data.object, subscriber) };
    case 'customer.updated':
      return { type: 'customer.updated', data: paddleCustomer(subscriber, iso(event.data.object.created)) };
    default:
      // Paddle writes nothing off and reports no chargebacks to the merchant's webhook.
      return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// Chargebee

function chargebeeCustomer(subscriber: Subscriber) {
  return {
    id: providerCustomerId(subscriber),
    first_name: firstName(subscriber),
    last_name: lastName(subscriber),
    ...(subscriber.email ? { email: subscriber.email } : {}),
    ...(subscriber.phone ? { phone: subscriber.phone } : {}),
    locale: subscriber.locale,
    ...(subscriber.locationData === 'none'
      ? {}
      : { billing_address: { country: subscriber.market.country } }),
    meta_data: billingMetadataOf(subscriber),
  };
}

function chargebeeInvoice(invoice: Stripe.Invoice, subscriber: Subscriber) {
  const paid = invoice.status === 'paid';
  const writtenOff = invoice.status === 'uncollectible';
  const status = paid ? 'paid' : invoice.status === 'void' ? 'voided' : writtenOff ? 'paid' : 'payment_due';
  return {
    id: invoice.id,
    customer_id: providerCustomerId(subscriber),
    subscription_id: subscriber.subscriptionId,
    status,
    total: invoice.amount_due,
    amount_due: paid || writtenOff || invoice.status === 'void' ? 0 : invoice.amount_due,
    amount_paid: paid ? invoice.amount_due : 0,
    ...(writtenOff ? { write_off_amount: invoice.amount_due } : {}),
    currency_code: subscriber.market.currency,
    date: invoice.created,
    due_date: invoice.created,
    ...(invoice.status_transitions.paid_at ? { paid_at: invoice.status_transitions.paid_at } : {}),
    ...(invoice.next_payment_attempt ? { next_retry_at: invoice.next_payment_attempt } : {}),
    ...(invoice.status === 'open'
      ? { dunning_status: invoice.next_payment_attempt ? 'in_progress' : 'exhausted' }
      : {}),
    dunning_attempts: Array.from({ length: invoice.attempt_count }, (_, attempt) => ({ attempt })),
  };
}

function chargebeeContent(event: SimulatedEvent, subscriber: Subscriber) {
  const customer = chargebeeCustomer(subscriber);
  switch (event.type) {
    case 'invoice.payment_failed': {
      const invoice = event.data.object;
      const decline = declineOf(invoice);
      return {
        type: 'payment_failed',
        content: {
          transaction: {
            id: decline?.charge ?? `txn_${invoice.id}`,
            customer_id: customer.id,
            type: 'payment',
            status: 'failure',
            amount: invoice.amount_due,
            currency_code: subscriber.market.currency,
            ...(decline ? { error_code: decline.code } : {}),
            date: event.created,
            linked_invoices: [{ invoice_id: invoice.id, applied_amount: invoice.amount_due }],
          },
          invoice: chargebeeInvoice(invoice, subscriber),
          customer,
        },
      };
    }
    case 'invoice.paid':
      return {
        type: 'payment_succeeded',
        content: { invoice: chargebeeInvoice(event.data.object, subscriber), customer },
      };
    case 'invoice.voided':
    case 'invoice.marked_uncollectible':
      return {
        type: 'invoice_updated',
        content: { invoice: chargebeeInvoice(event.data.object, subscriber), customer },
      };
    case 'payment_method.attached':
    case 'payment_method.automatically_updated':
      return { type: 'payment_source_updated', content: { customer } };
    case 'customer.updated':
      return { type: 'customer_changed', content: { customer } };
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      return {
        type: 'subscription_cancelled',
        content: {
          subscription: {
            id: subscriber.subscriptionId,
            customer_id: customer.id,
            status: 'cancelled',
            mrr: subscriber.mrrMinor,
            currency_code: subscriber.market.currency,
            billing_period: 1,
            billing_period_unit: subscriber.interval,
            ...(subscription.canceled_at ? { cancelled_at: subscription.canceled_at } : {}),
            cancel_reason: 'not_paid',
          },
          customer,
        },
      };
    }
    default:
      // Chargebee has no past-due subscription status and sends no chargebacks.
      return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// The in-house format (docs/inhouse-billing-event.schema.json)

function inhouseCustomer(subscriber: Subscriber) {
  return {
    id: providerCustomerId(subscriber),
    name: subscriber.name,
    ...(subscriber.email ? { email: subscriber.email } : {}),
    ...(subscriber.locationData === 'none' ? {} : { country: subscriber.market.country }),
    ...(subscriber.locationData === 'time-zone' ? { timeZone: subscriber.timeZone } : {}),
    locale: subscriber.locale,
    ...inhouseContactFieldsOf(subscriber),
  };
}

function inhouseInvoice(invoice: Stripe.Invoice, subscriber: Subscriber) {
  return {
    id: invoice.id ?? '',
    amountDue: invoice.amount_due,
    amountRemaining: invoice.amount_remaining,
    currency: subscriber.market.currency,
    attemptCount: invoice.attempt_count,
    ...(invoice.next_payment_attempt ? { nextPaymentAttemptAt: iso(invoice.next_payment_attempt) } : {}),
    ...(invoice.status_transitions.paid_at ? { paidAt: iso(invoice.status_transitions.paid_at) } : {}),
    subscriptionId: subscriber.subscriptionId,
  };
}

const inhouseInvoiceTypes: Partial<Record<SimulatedEvent['type'], string>> = {
  'invoice.payment_failed': 'invoice.payment_failed',
  'invoice.paid': 'invoice.paid',
  'invoice.voided': 'invoice.voided',
  'invoice.marked_uncollectible': 'invoice.written_off',
};

function inhouseBody(event: SimulatedEvent, subscriber: Subscriber): Record<string, unknown> | undefined {
  const common = {
    specVersion: '1.0',
    id: event.id,
    occurredAt: iso(event.created),
    livemode: false,
    customer: inhouseCustomer(subscriber),
  };
  switch (event.type) {
    case 'invoice.payment_failed':
    case 'invoice.paid':
    case 'invoice.voided':
    case 'invoice.marked_uncollectible': {
      const invoice = event.data.object;
      const decline = event.type === 'invoice.payment_failed' ? declineOf(invoice) : undefined;
      return {
        ...common,
        type: inhouseInvoiceTypes[event.type],
        invoice: inhouseInvoice(invoice, subscriber),
        ...(decline
          ? {
              paymentAttempt: {
                ...(decline.charge ? { id: decline.charge } : {}),
                declineCode: decline.code,
                ...(decline.advice ? { adviceCode: decline.advice } : {}),
              },
            }
          : {}),
      };
    }
    case 'payment_method.attached':
    case 'payment_method.automatically_updated':
      return { ...common, type: 'customer.payment_method_updated' };
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      const canceled = subscription.status === 'canceled';
      return {
        ...common,
        type: 'subscription.updated',
        subscription: {
          id: subscriber.subscriptionId,
          status: subscription.status,
          currency: subscriber.market.currency,
          items: [
            {
              unitAmount: subscriber.amountMinor,
              quantity: 1,
              interval: subscriber.interval,
              intervalCount: 1,
            },
          ],
          ...(canceled && subscription.canceled_at ? { canceledAt: iso(subscription.canceled_at) } : {}),
          ...(canceled ? { cancellationReason: 'payment_failed' } : {}),
        },
      };
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      const charge = dispute.charge as unknown as { invoice?: string };
      return {
        ...common,
        type: 'invoice.disputed',
        invoice: {
          id: charge.invoice ?? '',
          amountDue: dispute.amount,
          currency: subscriber.market.currency,
          subscriptionId: subscriber.subscriptionId,
        },
        dispute: {
          id: dispute.id,
          status: 'needs_response',
          amount: dispute.amount,
          currency: subscriber.market.currency,
          reason: dispute.reason,
        },
      };
    }
    case 'payment_intent.payment_failed':
      // The in-house format carries the card error in `invoice.payment_failed` (above).
      return undefined;
    case 'customer.updated':
      return { ...common, type: 'customer.updated' };
  }
}

/**
 * The delivery of `event` as the subscriber's billing provider sends it, or undefined when that
 * provider has no such event.
 */
export function providerDelivery(
  event: SimulatedEvent,
  subscriber: Subscriber,
  invoiceId?: string,
): ProviderDelivery | undefined {
  const provider = subscriber.provider;
  const ids = invoiceId === undefined ? {} : { invoiceId: providerInvoiceId(provider, invoiceId) };
  if (provider === 'stripe') {
    return {
      provider,
      path: webhookPaths.stripe,
      providerType: event.type,
      payload: eventPayload(event),
      ...ids,
    };
  }
  if (provider === 'paddle') {
    const notification = paddleNotification(event, subscriber);
    if (notification === undefined) return undefined;
    const body = {
      event_id: event.id,
      event_type: notification.type,
      occurred_at: iso(event.created),
      notification_id: `ntf_${event.id.slice(4)}`,
      data: notification.data,
    };
    return {
      provider,
      path: webhookPaths.paddle,
      providerType: notification.type,
      payload: JSON.stringify(body),
      ...ids,
    };
  }
  if (provider === 'chargebee') {
    const content = chargebeeContent(event, subscriber);
    if (content === undefined) return undefined;
    const body = {
      id: event.id,
      occurred_at: event.created,
      source: event.request?.id ? 'api' : 'scheduled_job',
      object: 'event',
      api_version: 'v2',
      event_type: content.type,
      webhook_status: 'scheduled',
      content: content.content,
    };
    return {
      provider,
      path: webhookPaths.chargebee,
      providerType: content.type,
      payload: JSON.stringify(body),
      ...ids,
    };
  }
  const body = inhouseBody(event, subscriber);
  if (body === undefined) return undefined;
  return {
    provider,
    path: webhookPaths.inhouse,
    providerType: String(body.type),
    payload: JSON.stringify(body),
    ...ids,
  };
}

/** The authentication headers of a delivery posted at `atUnixSeconds`. */
export function authenticate(
  delivery: ProviderDelivery,
  credentials: ProviderCredentials,
  atUnixSeconds: number,
): Record<string, string> {
  switch (delivery.provider) {
    case 'stripe':
      return { 'stripe-signature': signPayload(delivery.payload, credentials.stripe, atUnixSeconds) };
    case 'paddle':
      return { 'paddle-signature': signPaddlePayload(delivery.payload, credentials.paddle, atUnixSeconds) };
    case 'chargebee':
      return { authorization: chargebeeAuthorization(credentials.chargebee) };
    case 'inhouse':
      return {
        [inhouseSignatureHeader.toLowerCase()]: signInhousePayload(
          delivery.payload,
          credentials.inhouse,
          atUnixSeconds,
        ),
      };
  }
}
