import Stripe from 'stripe';
import markedUncollectibleFixture from '../fixtures/stripe/invoice.marked_uncollectible.json' with {
  type: 'json',
};
import paidFixture from '../fixtures/stripe/invoice.paid.json' with { type: 'json' };
import paymentFailedFixture from '../fixtures/stripe/invoice.payment_failed.json' with { type: 'json' };
import voidedFixture from '../fixtures/stripe/invoice.voided.json' with { type: 'json' };

/**
 * Realistic Stripe webhook events for tests, cloned from the fixtures under
 * `test/fixtures/stripe/` and signed exactly as Stripe signs them, so tests run the real
 * verification path (stripe-node's own `generateTestHeaderString`).
 *
 * ```ts
 * const event = stripeInvoiceEvent('invoice.payment_failed', { customerId: 'cus_A', amountDue: 1200 });
 * const payload = stripePayload(event);
 * const signature = signStripePayload(payload, testWebhookSecret, event.created + 2);
 * ```
 */

/** The invoice event types the product handles, one fixture each. */
export type StripeInvoiceEventType =
  | 'invoice.payment_failed'
  | 'invoice.paid'
  | 'invoice.voided'
  | 'invoice.marked_uncollectible';

export type StripeInvoiceEvent =
  | Stripe.InvoicePaymentFailedEvent
  | Stripe.InvoicePaidEvent
  | Stripe.InvoiceVoidedEvent
  | Stripe.InvoiceMarkedUncollectibleEvent;

export const stripeInvoiceEventTypes: readonly StripeInvoiceEventType[] = [
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
];

/** A development signing secret, shaped like Stripe's (`whsec_` + 32 bytes base64). */
export const testWebhookSecret = 'whsec_5mQ3tV8yB1nR4wK7zC0fH2jL6pS9uX3a';

export interface StripeInvoiceEventOverrides {
  /** `evt_...`; also the unit of idempotency downstream. */
  readonly eventId?: string;
  /**
   * When Stripe created the event (unix seconds). Every timestamp of the invoice (created,
   * finalized, paid, voided, next attempt, periods) moves with it, so the object stays coherent.
   */
  readonly created?: number;
  readonly invoiceId?: string;
  /** `cus_...` */
  readonly customerId?: string;
  /** `amount_due` in the currency's minor unit; totals, line and paid/remaining amounts follow. */
  readonly amountDue?: number;
  /** ISO 4217, any case (Stripe sends lower case). */
  readonly currency?: string;
  readonly email?: string | null;
  readonly name?: string | null;
  /** ISO 3166-1 alpha-2 of `customer_address.country`; null removes the address. */
  readonly country?: string | null;
  /** IANA zone carried in `metadata.time_zone`. */
  readonly timeZone?: string;
  readonly attemptCount?: number;
  /** Unix seconds of Stripe's next automatic retry, or null when it will not retry. */
  readonly nextPaymentAttempt?: number | null;
  readonly hostedInvoiceUrl?: string | null;
  /** `sub_...` in `parent.subscription_details`; null makes a one-off invoice. */
  readonly subscriptionId?: string | null;
  /** Connect: the connected account the event belongs to (`acct_...`). */
  readonly account?: string;
  readonly livemode?: boolean;
}

const fixtures: Record<StripeInvoiceEventType, unknown> = {
  'invoice.payment_failed': paymentFailedFixture,
  'invoice.paid': paidFixture,
  'invoice.voided': voidedFixture,
  'invoice.marked_uncollectible': markedUncollectibleFixture,
};

function isInvoiceEvent(value: unknown, type: StripeInvoiceEventType): value is StripeInvoiceEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as { object?: unknown; type?: unknown; data?: { object?: { object?: unknown } } };
  return event.object === 'event' && event.type === type && event.data?.object?.object === 'invoice';
}

/** A deep copy of one fixture, typed as the Stripe event it is. */
export function stripeInvoiceFixture(type: StripeInvoiceEventType): StripeInvoiceEvent {
  const copy: unknown = structuredClone(fixtures[type]);
  if (!isInvoiceEvent(copy, type)) throw new Error(`fixture ${type} is not a Stripe invoice event`);
  return copy;
}

/** The platform account the fixtures were captured on (its id appears in hosted invoice links). */
const fixtureAccount = 'acct_1NqLkdIwHu7ixq3W';

const emptyAddress: Stripe.Address = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

function shift(value: number | null, by: number): number | null {
  return value === null ? null : value + by;
}

/** A realistic Stripe invoice event of `type`, cloned from its fixture with `overrides` applied. */
export function stripeInvoiceEvent(
  type: StripeInvoiceEventType,
  overrides: StripeInvoiceEventOverrides = {},
): StripeInvoiceEvent {
  const event = stripeInvoiceFixture(type);
  const invoice: Stripe.Invoice = event.data.object;

  if (overrides.created !== undefined) {
    const by = overrides.created - event.created;
    event.created = overrides.created;
    invoice.created += by;
    invoice.period_start += by;
    invoice.period_end += by;
    invoice.effective_at = shift(invoice.effective_at, by);
    invoice.next_payment_attempt = shift(invoice.next_payment_attempt, by);
    invoice.webhooks_delivered_at = shift(invoice.webhooks_delivered_at, by);
    const transitions = invoice.status_transitions;
    transitions.finalized_at = shift(transitions.finalized_at, by);
    transitions.paid_at = shift(transitions.paid_at, by);
    transitions.voided_at = shift(transitions.voided_at, by);
    transitions.marked_uncollectible_at = shift(transitions.marked_uncollectible_at, by);
    for (const line of invoice.lines.data) {
      line.period = { start: line.period.start + by, end: line.period.end + by };
    }
  }
  if (overrides.eventId !== undefined) event.id = overrides.eventId;
  if (overrides.account !== undefined) event.account = overrides.account;
  if (overrides.livemode !== undefined) {
    event.livemode = overrides.livemode;
    invoice.livemode = overrides.livemode;
    for (const line of invoice.lines.data) line.livemode = overrides.livemode;
  }
  if (overrides.invoiceId !== undefined) {
    const invoiceId = overrides.invoiceId;
    invoice.id = invoiceId;
    invoice.lines.url = `/v1/invoices/${invoiceId}/lines`;
    for (const line of invoice.lines.data) line.invoice = invoiceId;
    // Each invoice has its own hosted page: the token encodes the account and the invoice.
    const token = `test_${Buffer.from(`${fixtureAccount},${invoiceId}`).toString('base64url')}`;
    invoice.hosted_invoice_url = `https://invoice.stripe.com/i/${fixtureAccount}/${token}?s=ap`;
    invoice.invoice_pdf = `https://pay.stripe.com/invoice/${fixtureAccount}/${token}/pdf?s=ap`;
  }
  if (overrides.customerId !== undefined) invoice.customer = overrides.customerId;
  if (overrides.amountDue !== undefined) {
    const amount = overrides.amountDue;
    const paid = invoice.status === 'paid';
    invoice.amount_due = amount;
    invoice.amount_paid = paid ? amount : 0;
    invoice.amount_remaining = paid ? 0 : amount;
    invoice.subtotal = amount;
    invoice.subtotal_excluding_tax = amount;
    invoice.total = amount;
    invoice.total_excluding_tax = amount;
    for (const line of invoice.lines.data) {
      line.amount = amount;
      line.subtotal = amount;
    }
  }
  if (overrides.currency !== undefined) {
    const currency = overrides.currency.toLowerCase();
    invoice.currency = currency;
    for (const line of invoice.lines.data) line.currency = currency;
  }
  if (overrides.email !== undefined) invoice.customer_email = overrides.email;
  if (overrides.name !== undefined) invoice.customer_name = overrides.name;
  if (overrides.country !== undefined) {
    invoice.customer_address =
      overrides.country === null
        ? null
        : { ...emptyAddress, ...invoice.customer_address, country: overrides.country };
  }
  if (overrides.timeZone !== undefined)
    invoice.metadata = { ...invoice.metadata, time_zone: overrides.timeZone };
  if (overrides.attemptCount !== undefined) invoice.attempt_count = overrides.attemptCount;
  if (overrides.nextPaymentAttempt !== undefined) invoice.next_payment_attempt = overrides.nextPaymentAttempt;
  if (overrides.hostedInvoiceUrl !== undefined) invoice.hosted_invoice_url = overrides.hostedInvoiceUrl;
  if (overrides.subscriptionId !== undefined) {
    const subscription = overrides.subscriptionId;
    invoice.parent =
      subscription === null
        ? null
        : {
            quote_details: null,
            subscription_details: { metadata: {}, subscription },
            type: 'subscription_details',
          };
    invoice.billing_reason = subscription === null ? 'manual' : invoice.billing_reason;
    for (const line of invoice.lines.data) line.subscription = subscription;
  }
  return event;
}

/** The body Stripe posts: the event as pretty-printed JSON (2 spaces), exactly these bytes are signed. */
export function stripePayload(event: StripeInvoiceEvent | Stripe.Event): string {
  return JSON.stringify(event, null, 2);
}

const stripe = new Stripe('sk_test_signing_only', { maxNetworkRetries: 0 });

/**
 * The `Stripe-Signature` header for `payload` at `atUnixSeconds`. With several secrets (a
 * rotation in progress) the header carries one `v1` signature per secret, as Stripe sends it.
 */
export function signStripePayload(
  payload: string,
  secret: string | readonly string[],
  atUnixSeconds: number,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const signatures = secrets.map((one) => {
    const header = stripe.webhooks.generateTestHeaderString({
      payload,
      secret: one,
      timestamp: atUnixSeconds,
    });
    const v1 = header.split(',').find((part) => part.startsWith('v1='));
    if (v1 === undefined) throw new Error('stripe-node produced a header without a v1 signature');
    return v1;
  });
  return [`t=${atUnixSeconds}`, ...signatures].join(',');
}

export interface SignedStripeRequest {
  readonly payload: string;
  readonly signature: string;
}

/** The body and `Stripe-Signature` header of one delivery of `event`, signed at `atUnixSeconds`. */
export function signedStripeRequest(
  event: StripeInvoiceEvent | Stripe.Event,
  secret: string | readonly string[],
  atUnixSeconds: number,
): SignedStripeRequest {
  const payload = stripePayload(event);
  return { payload, signature: signStripePayload(payload, secret, atUnixSeconds) };
}

/** Unix seconds of an ISO instant, the unit of Stripe's timestamps. */
export function unixSeconds(iso: string): number {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) throw new Error(`not an ISO instant: ${iso}`);
  return Math.floor(millis / 1000);
}
