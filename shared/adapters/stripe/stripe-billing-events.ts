import Stripe from 'stripe';
import type { BillingEvent, BillingEventKind } from '../../domain/billing-event.ts';
import { SignatureVerificationError, UnsupportedEventError } from '../../domain/errors.ts';

/** Stripe's default tolerance for the signature timestamp, in seconds. */
export const stripeSignatureToleranceSeconds = 300;

/**
 * The `stripe` library is used only for its webhook verification here, which needs no API key;
 * a placeholder key keeps the constructor happy without ever reaching the network.
 */
const stripe = new Stripe('sk_verification_only', { maxNetworkRetries: 0 });

/**
 * Verifies `Stripe-Signature` over the raw body, against the runtime's clock (the virtual one
 * locally), before anything parses the body.
 */
export function verifyStripeEvent(
  rawBody: string,
  signatureHeader: string | undefined,
  secret: string,
  now: Date,
): Stripe.Event {
  if (!signatureHeader) throw new SignatureVerificationError('missing Stripe-Signature header');
  try {
    return stripe.webhooks.constructEvent(
      rawBody,
      signatureHeader,
      secret,
      stripeSignatureToleranceSeconds,
      undefined,
      // stripe-node takes the receipt time in milliseconds.
      now.getTime(),
    );
  } catch (error) {
    throw new SignatureVerificationError('invalid Stripe signature', { cause: error });
  }
}

const invoiceEventKinds: Partial<Record<Stripe.Event.Type, BillingEventKind>> = {
  'invoice.payment_failed': 'claim.payment_failed',
  'invoice.paid': 'claim.paid',
  'invoice.voided': 'claim.voided',
  'invoice.marked_uncollectible': 'claim.written_off',
};

export function isSupportedStripeEvent(type: string): boolean {
  return Object.hasOwn(invoiceEventKinds, type);
}

function isoFromUnix(seconds: number | null | undefined): string | undefined {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.id;
}

/** Copies only defined values, so optional fields stay absent. */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ) as T;
}

/**
 * Translates a verified Stripe event into the provider-neutral billing event. Ids are
 * qualified with the provider (and the Connect account when there is one) so that several
 * billing sources can share one table.
 */
export function translateStripeEvent(event: Stripe.Event): BillingEvent {
  const kind = invoiceEventKinds[event.type];
  if (kind === undefined) throw new UnsupportedEventError(`Stripe event type ${event.type} is not handled`);
  const invoice = event.data.object as Stripe.Invoice;
  const scope = event.account ? `stripe:${event.account}:` : 'stripe:';
  const customerId = idOf(invoice.customer);
  if (!invoice.id || !customerId)
    throw new UnsupportedEventError(`Stripe event ${event.id} has no invoice or customer id`);
  const metadataTimeZone = invoice.metadata?.time_zone ?? invoice.metadata?.timezone;
  return {
    provider: 'stripe',
    eventId: event.id,
    kind,
    occurredAt: new Date(event.created * 1000).toISOString(),
    livemode: event.livemode,
    customer: compact({
      customerId: `${scope}${customerId}`,
      email: invoice.customer_email ?? undefined,
      name: invoice.customer_name ?? undefined,
      country:
        invoice.customer_address?.country?.toUpperCase() ??
        invoice.customer_shipping?.address?.country?.toUpperCase(),
      timeZone: metadataTimeZone,
      locale: invoice.metadata?.locale,
    }),
    claim: compact({
      claimId: `${scope}${invoice.id}`,
      invoiceId: invoice.id,
      amountMinor: invoice.amount_due,
      currency: invoice.currency.toUpperCase(),
      payUrl: invoice.hosted_invoice_url ?? undefined,
      attemptCount: invoice.attempt_count,
      nextPaymentAttemptAt: isoFromUnix(invoice.next_payment_attempt),
      paidAt: isoFromUnix(invoice.status_transitions?.paid_at),
      subscriptionId: idOf(invoice.parent?.subscription_details?.subscription),
    }),
  };
}
