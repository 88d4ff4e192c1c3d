import Stripe from 'stripe';
import type {
  BillingEvent,
  BillingTranslation,
  CancellationReason,
  ClaimBillingEvent,
  ClaimEventKind,
  CustomerSnapshot,
  DisputeState,
  PaymentAttempt,
  SubscriptionStatus,
} from '../../domain/billing-event.ts';
import { type CustomerMetadataFields, customerFieldsFromMetadata } from '../../domain/customer-metadata.ts';
import { classifyDecline } from '../../domain/decline-classification.ts';
import { InvalidRequestError, SignatureVerificationError } from '../../domain/errors.ts';
import { type BillingInterval, monthlyRecurringAmount } from '../../domain/subscription.ts';
import { parseVerifiedJson } from '../http/webhook-handler.ts';

/** Stripe's default tolerance for the signature timestamp, in seconds. */
export const stripeSignatureToleranceSeconds = 300;

/**
 * The `stripe` library is used only for its webhook verification here, which needs no API key;
 * a placeholder key keeps the constructor happy without ever reaching the network.
 */
const stripe = new Stripe('sk_verification_only', { maxNetworkRetries: 0 });
const stripeSignature = stripe.webhooks.signature;

/**
 * Verifies `Stripe-Signature` over the raw body, against the runtime's clock (the virtual one
 * locally), before anything parses the body.
 */
export function verifyStripeEvent(
  rawBody: string,
  signatureHeader: string | undefined,
  secret: string | readonly string[],
  now: Date,
): Stripe.Event {
  if (!signatureHeader) throw new SignatureVerificationError('missing Stripe-Signature header');
  if (stripeSignature === null) throw new Error('stripe-node has no webhook signature support');
  // During a secret roll Stripe signs with both secrets; the endpoint may also hold both.
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let failure: unknown;
  let verified = false;
  for (const one of secrets) {
    try {
      // stripe-node takes the receipt time in milliseconds.
      stripeSignature.verifyHeader(
        rawBody,
        signatureHeader,
        one,
        stripeSignatureToleranceSeconds,
        undefined,
        now.getTime(),
      );
      verified = true;
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (!verified) {
    const stale = failure instanceof Error && /timestamp outside the tolerance/i.test(failure.message);
    throw new SignatureVerificationError(
      stale ? 'stale Stripe signature timestamp (older than 300 s)' : 'invalid Stripe signature',
      { cause: failure },
    );
  }
  // Parsed only once the bytes are known to come from Stripe.
  const event = parseVerifiedJson(rawBody);
  if (!isStripeEventShape(event)) throw new InvalidRequestError('body is not a Stripe event');
  return event;
}

function isStripeEventShape(value: unknown): value is Stripe.Event {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: unknown } };
  return (
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.created === 'number' &&
    typeof event.data?.object === 'object' &&
    event.data.object !== null
  );
}

/**
 * Finds the invoice a payment belongs to. Stripe API versions from 2025-03-31 no longer put the
 * invoice on PaymentIntents, charges and disputes; the invoice payments API still knows it.
 */
export type StripePaymentLocator = (payment: {
  readonly paymentIntentId: string;
  readonly account?: string;
}) => Promise<{ invoiceId: string; customerId?: string } | undefined>;

export interface StripeTranslationOptions {
  /** Resolves payments to invoices when the event does not say (needs an API key). */
  readonly locatePayment?: StripePaymentLocator;
}

export type StripeTranslation = BillingTranslation;

const invoiceEventTypes = new Set([
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.marked_uncollectible',
  'invoice.voided',
  'invoice.finalized',
  'invoice.updated',
  'invoice.overdue',
  'invoice.will_be_due',
  'invoice.upcoming',
]);

const subscriptionEventTypes = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
]);

const disputeEventTypes = new Set([
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
]);

const paymentMethodEventTypes = new Set([
  'payment_method.attached',
  'payment_method.updated',
  'payment_method.automatically_updated',
  'setup_intent.succeeded',
]);

const otherEventTypes = new Set([
  'payment_intent.payment_failed',
  'charge.failed',
  'charge.refunded',
  'credit_note.created',
  'credit_note.updated',
  'credit_note.voided',
  'customer.updated',
  'customer.deleted',
]);

/** Every Stripe event type of DOMAIN.md §1 (and the payment failures that carry decline codes). */
export const handledStripeEventTypes: readonly string[] = [
  ...invoiceEventTypes,
  ...subscriptionEventTypes,
  ...disputeEventTypes,
  ...paymentMethodEventTypes,
  ...otherEventTypes,
];

const handled = new Set(handledStripeEventTypes);

export function isSupportedStripeEvent(type: string): boolean {
  return handled.has(type);
}

function isoFromUnix(seconds: number | null | undefined): string | undefined {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.id;
}

/** Copies only defined, non-empty values, so optional fields stay absent. */
function compact<T extends object>(value: { [K in keyof T]: T[K] | undefined | null }): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ) as T;
}

/** A field that older API versions (before 2025-03-31) still send and the current types lack. */
function legacyInvoiceOf(object: object): string | undefined {
  const invoice = (object as { invoice?: unknown }).invoice;
  if (typeof invoice === 'string') return invoice;
  if (typeof invoice === 'object' && invoice !== null && typeof (invoice as { id?: unknown }).id === 'string')
    return (invoice as { id: string }).id;
  return undefined;
}

class Translator {
  private readonly scope: string;

  public constructor(
    private readonly event: Stripe.Event,
    private readonly options: StripeTranslationOptions,
  ) {
    // Connect: ids are only unique within one account.
    this.scope = event.account ? `stripe:${event.account}:` : 'stripe:';
  }

  private qualify(id: string): string {
    return `${this.scope}${id}`;
  }

  /** What `metadataFields` left out, reported with the event (`dataWarnings`). */
  private readonly dataWarnings: string[] = [];

  private base() {
    return {
      provider: 'stripe' as const,
      eventId: this.event.id,
      occurredAt: new Date(this.event.created * 1000).toISOString(),
      livemode: this.event.livemode,
      sourceType: this.event.type,
      ...(this.dataWarnings.length > 0 ? { dataWarnings: [...this.dataWarnings] } : {}),
    };
  }

  /** Consent, segment and attributes from a customer's or an invoice's `metadata` (customer-metadata.ts). */
  private metadataFields(metadata: Stripe.Metadata | null | undefined): CustomerMetadataFields {
    const parsed = customerFieldsFromMetadata(metadata, {
      source: 'metadata',
      occurredAt: new Date(this.event.created * 1000).toISOString(),
    });
    this.dataWarnings.push(...parsed.warnings);
    return parsed.fields;
  }

  public async translate(): Promise<StripeTranslation> {
    const type: string = this.event.type;
    const object = this.event.data.object as object;
    if (invoiceEventTypes.has(type)) return this.invoice(type, object as Stripe.Invoice);
    if (subscriptionEventTypes.has(type)) return this.subscription(object as Stripe.Subscription);
    if (disputeEventTypes.has(type)) return this.dispute(object as Stripe.Dispute);
    if (paymentMethodEventTypes.has(type)) return this.paymentMethod(type, object);
    switch (type) {
      case 'payment_intent.payment_failed':
        return this.paymentIntentFailed(object as Stripe.PaymentIntent);
      case 'charge.failed':
        return this.chargeFailed(object as Stripe.Charge);
      case 'charge.refunded':
        return this.chargeRefunded(object as Stripe.Charge);
      case 'credit_note.created':
      case 'credit_note.updated':
      case 'credit_note.voided':
        return this.creditNote(object as Stripe.CreditNote);
      case 'customer.updated':
      case 'customer.deleted':
        return this.customer(type, object as Stripe.Customer);
      default:
        return { status: 'ignored', reason: `event type ${type} is not handled` };
    }
  }

  private invoiceKind(type: string, invoice: Stripe.Invoice): ClaimEventKind | undefined {
    switch (type) {
      case 'invoice.payment_failed':
        return 'claim.payment_failed';
      case 'invoice.payment_action_required':
        return 'claim.action_required';
      case 'invoice.paid':
      case 'invoice.payment_succeeded':
        return 'claim.paid';
      case 'invoice.marked_uncollectible':
        return 'claim.written_off';
      case 'invoice.voided':
        return 'claim.voided';
      default:
        // Lifecycle events: the invoice's own status decides, never the event's arrival order.
        switch (invoice.status) {
          case 'paid':
            return 'claim.paid';
          case 'void':
            return 'claim.voided';
          case 'uncollectible':
            return 'claim.written_off';
          case 'open':
            return 'claim.updated';
          default:
            return undefined;
        }
    }
  }

  private invoice(type: string, invoice: Stripe.Invoice): StripeTranslation {
    // `invoice.upcoming` previews a draft that has no id yet.
    if (!invoice.id) return { status: 'ignored', reason: `${type} has no invoice id (a preview)` };
    const kind = this.invoiceKind(type, invoice);
    if (kind === undefined) return { status: 'ignored', reason: `invoice in status ${invoice.status}` };
    const customerId = idOf(invoice.customer);
    if (!customerId) return { status: 'ignored', reason: 'invoice without a customer' };
    return { status: 'translated', event: this.invoiceEvent(kind, invoice, customerId) };
  }

  public invoiceEvent(kind: ClaimEventKind, invoice: Stripe.Invoice & { id: string }, customerId: string) {
    const metadataTimeZone = invoice.metadata?.time_zone ?? invoice.metadata?.timezone;
    const fromMetadata = this.metadataFields(invoice.metadata);
    const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription);
    const event: ClaimBillingEvent = {
      ...this.base(),
      kind,
      customer: compact<CustomerSnapshot>({
        customerId: this.qualify(customerId),
        email: invoice.customer_email,
        name: invoice.customer_name,
        phone: invoice.customer_phone,
        country:
          invoice.customer_address?.country?.toUpperCase() ??
          invoice.customer_shipping?.address?.country?.toUpperCase(),
        timeZone: metadataTimeZone,
        locale: invoice.metadata?.locale,
        ...fromMetadata,
      }),
      claim: compact({
        claimId: this.qualify(invoice.id),
        invoiceId: invoice.id,
        amountMinor: invoice.amount_due,
        amountRemainingMinor: invoice.amount_remaining,
        currency: invoice.currency.toUpperCase(),
        source: 'invoice' as const,
        payUrl: invoice.hosted_invoice_url,
        attemptCount: invoice.attempt_count,
        nextPaymentAttemptAt: isoFromUnix(invoice.next_payment_attempt),
        dueAt: isoFromUnix(invoice.due_date),
        paidAt: isoFromUnix(invoice.status_transitions?.paid_at),
        subscriptionId: subscriptionId ? this.qualify(subscriptionId) : undefined,
        issuedAt: stripeInvoiceIssuedAt(invoice),
        recurring: stripeInvoiceIsRecurring(invoice),
      }),
    };
    return event;
  }

  private subscription(subscription: Stripe.Subscription): StripeTranslation {
    const customerId = idOf(subscription.customer);
    if (!customerId) return { status: 'ignored', reason: 'subscription without a customer' };
    const items = subscription.items?.data ?? [];
    const priced = items.flatMap((item) => {
      const recurring = item.price?.recurring;
      const unit = item.price?.unit_amount ?? Number(item.price?.unit_amount_decimal ?? Number.NaN);
      if (!recurring || !Number.isFinite(unit)) return [];
      return [
        {
          unitAmountMinor: unit,
          quantity: item.quantity ?? 1,
          interval: recurring.interval as BillingInterval,
          intervalCount: recurring.interval_count,
        },
      ];
    });
    const reason: string | null | undefined = subscription.cancellation_details?.reason;
    const cancellationReason: CancellationReason | undefined =
      reason === null || reason === undefined
        ? undefined
        : reason === 'payment_failed' || reason === 'payment_disputed' || reason === 'cancellation_requested'
          ? reason
          : 'other';
    const periodEnd = Math.max(0, ...items.map((item) => item.current_period_end ?? 0));
    return {
      status: 'translated',
      event: {
        ...this.base(),
        kind: 'subscription.updated',
        customer: { customerId: this.qualify(customerId) },
        subscription: compact({
          subscriptionId: this.qualify(subscription.id),
          status: subscription.status as SubscriptionStatus,
          // Tiered prices have no unit amount: MRR is left unknown rather than guessed.
          mrrMinor:
            priced.length === items.length && items.length > 0 ? monthlyRecurringAmount(priced) : undefined,
          currency: subscription.currency?.toUpperCase(),
          canceledAt: isoFromUnix(subscription.ended_at ?? subscription.canceled_at),
          cancellationReason: subscription.status === 'canceled' ? cancellationReason : undefined,
          currentPeriodEnd: periodEnd > 0 ? isoFromUnix(periodEnd) : undefined,
        }),
      },
    };
  }

  /** The invoice (and customer) of a payment: from the payload when it says, else from the API. */
  private async locate(
    object: object,
    paymentIntentId: string | undefined,
  ): Promise<{ invoiceId: string; customerId?: string } | undefined> {
    const legacy = legacyInvoiceOf(object);
    if (legacy) return { invoiceId: legacy };
    if (!paymentIntentId || !this.options.locatePayment) return undefined;
    return this.options.locatePayment({
      paymentIntentId,
      ...(this.event.account ? { account: this.event.account } : {}),
    });
  }

  private paymentClaim(
    kind: ClaimEventKind,
    located: { invoiceId: string; customerId?: string },
    customerId: string,
    amountMinor: number,
    currency: string,
  ): ClaimBillingEvent {
    return {
      ...this.base(),
      kind,
      customer: { customerId: this.qualify(customerId) },
      claim: {
        claimId: this.qualify(located.invoiceId),
        invoiceId: located.invoiceId,
        amountMinor,
        currency: currency.toUpperCase(),
        // A payment's amount only stands in for the invoice's until the invoice is seen.
        source: 'payment',
      },
    };
  }

  private async paymentIntentFailed(intent: Stripe.PaymentIntent): Promise<StripeTranslation> {
    const located = await this.locate(intent, intent.id);
    const customerId = located?.customerId ?? idOf(intent.customer);
    if (!located || !customerId) return { status: 'ignored', reason: 'payment not linked to an invoice' };
    const error = intent.last_payment_error;
    const attempt: PaymentAttempt = compact({
      paymentId: intent.id,
      declineCode: error?.decline_code,
      failureCode: error?.code,
      adviceCode: error?.advice_code,
      networkAdviceCode: error?.network_advice_code,
      networkDeclineCode: error?.network_decline_code,
      classification: classifyDecline({
        declineCode: error?.decline_code,
        adviceCode: error?.advice_code,
        networkAdviceCode: error?.network_advice_code,
        failureCode: error?.code,
      }),
    });
    const event = this.paymentClaim(
      'claim.payment_failed',
      located,
      customerId,
      intent.amount,
      intent.currency,
    );
    return { status: 'translated', event: { ...event, paymentAttempt: attempt } };
  }

  private async chargeFailed(charge: Stripe.Charge): Promise<StripeTranslation> {
    const located = await this.locate(charge, idOf(charge.payment_intent));
    const customerId = located?.customerId ?? idOf(charge.customer);
    if (!located || !customerId) return { status: 'ignored', reason: 'payment not linked to an invoice' };
    const outcome = charge.outcome;
    const declineCode = outcome?.reason ?? undefined;
    const attempt: PaymentAttempt = compact({
      paymentId: idOf(charge.payment_intent) ?? charge.id,
      declineCode,
      failureCode: charge.failure_code,
      adviceCode: outcome?.advice_code,
      networkAdviceCode: outcome?.network_advice_code,
      networkDeclineCode: outcome?.network_decline_code,
      classification: classifyDecline({
        declineCode,
        adviceCode: outcome?.advice_code ?? undefined,
        networkAdviceCode: outcome?.network_advice_code ?? undefined,
        failureCode: charge.failure_code ?? undefined,
      }),
    });
    const event = this.paymentClaim(
      'claim.payment_failed',
      located,
      customerId,
      charge.amount,
      charge.currency,
    );
    return { status: 'translated', event: { ...event, paymentAttempt: attempt } };
  }

  private async chargeRefunded(charge: Stripe.Charge): Promise<StripeTranslation> {
    const located = await this.locate(charge, idOf(charge.payment_intent));
    const customerId = located?.customerId ?? idOf(charge.customer);
    if (!located || !customerId) return { status: 'ignored', reason: 'payment not linked to an invoice' };
    const event = this.paymentClaim('claim.refunded', located, customerId, charge.amount, charge.currency);
    return {
      status: 'translated',
      event: {
        ...event,
        credit: {
          creditId: this.qualify(charge.id),
          type: 'refund',
          amountMinor: charge.amount_refunded,
          currency: charge.currency.toUpperCase(),
        },
      },
    };
  }

  private async dispute(dispute: Stripe.Dispute): Promise<StripeTranslation> {
    const located = await this.locate(
      typeof dispute.charge === 'object' ? dispute.charge : dispute,
      idOf(dispute.payment_intent),
    );
    const chargeCustomer = typeof dispute.charge === 'object' ? idOf(dispute.charge.customer) : undefined;
    const customerId = located?.customerId ?? chargeCustomer;
    if (!located || !customerId) return { status: 'ignored', reason: 'dispute not linked to an invoice' };
    const event = this.paymentClaim('claim.disputed', located, customerId, dispute.amount, dispute.currency);
    return {
      status: 'translated',
      event: {
        ...event,
        dispute: compact({
          disputeId: this.qualify(dispute.id),
          state: dispute.status as DisputeState,
          amountMinor: dispute.amount,
          currency: dispute.currency.toUpperCase(),
          reason: dispute.reason,
        }),
      },
    };
  }

  private creditNote(note: Stripe.CreditNote): StripeTranslation {
    const invoiceId = idOf(note.invoice);
    const customerId = idOf(note.customer);
    if (!invoiceId || !customerId)
      return { status: 'ignored', reason: 'credit note without invoice or customer' };
    // A pre-payment credit note lowers what is owed, which the invoice's next snapshot carries;
    // only the post-payment part gives money back.
    const event = this.paymentClaim('claim.refunded', { invoiceId }, customerId, note.total, note.currency);
    return {
      status: 'translated',
      event: {
        ...event,
        credit: {
          creditId: this.qualify(note.id),
          type: 'credit_note',
          amountMinor: note.post_payment_amount ?? 0,
          currency: note.currency.toUpperCase(),
          voided: note.status === 'void',
        },
      },
    };
  }

  private paymentMethod(type: string, object: object): StripeTranslation {
    const customerId = idOf((object as { customer?: string | { id: string } | null }).customer);
    if (!customerId) return { status: 'ignored', reason: `${type} without a customer` };
    return {
      status: 'translated',
      event: {
        ...this.base(),
        kind: 'customer.payment_method_updated',
        customer: { customerId: this.qualify(customerId) },
        automatic: type === 'payment_method.automatically_updated',
      },
    };
  }

  private customer(type: string, customer: Stripe.Customer): StripeTranslation {
    const timeZone = customer.metadata?.time_zone ?? customer.metadata?.timezone;
    const fromMetadata = this.metadataFields(customer.metadata);
    return {
      status: 'translated',
      event: {
        ...this.base(),
        kind: type === 'customer.deleted' ? 'customer.deleted' : 'customer.updated',
        customer: compact<CustomerSnapshot>({
          customerId: this.qualify(customer.id),
          email: customer.email,
          name: customer.name,
          phone: customer.phone,
          country: customer.address?.country?.toUpperCase(),
          timeZone,
          locale: customer.preferred_locales?.[0],
          ...fromMetadata,
        }),
      },
    };
  }
}

/**
 * Translates a verified Stripe event into the provider-neutral billing event. Ids are qualified
 * with the provider (and the Connect account when there is one) so that several billing sources
 * can share one table. Events that carry nothing for collections are `ignored`, with the reason.
 */
export async function translateStripeEvent(
  event: Stripe.Event,
  options: StripeTranslationOptions = {},
): Promise<StripeTranslation> {
  return new Translator(event, options).translate();
}

/**
 * The billing event for an invoice read from the API (backfill): an open invoice with failed
 * attempts counts as a payment failure, a paid, void or uncollectible one as its outcome.
 */
export function billingEventFromInvoice(
  invoice: Stripe.Invoice,
  observedAt: Date,
  options: { livemode: boolean; account?: string },
): BillingEvent | undefined {
  const customerId = idOf(invoice.customer);
  if (!invoice.id || !customerId) return undefined;
  const kind: ClaimEventKind | undefined =
    invoice.status === 'paid'
      ? 'claim.paid'
      : invoice.status === 'void'
        ? 'claim.voided'
        : invoice.status === 'uncollectible'
          ? 'claim.written_off'
          : invoice.status === 'open'
            ? invoice.attempt_count > 0 && invoice.amount_remaining > 0
              ? 'claim.payment_failed'
              : 'claim.updated'
            : undefined;
  if (kind === undefined) return undefined;
  // A synthetic event id: one per invoice state, so importing twice applies once.
  const synthetic = {
    id: `import_${invoice.id}_${invoice.status}_${invoice.attempt_count}`,
    object: 'event',
    type: 'invoice.updated',
    created: Math.floor(observedAt.getTime() / 1000),
    livemode: options.livemode,
    ...(options.account ? { account: options.account } : {}),
    data: { object: invoice },
  } as unknown as Stripe.Event;
  const translator = new Translator(synthetic, {});
  const event = translator.invoiceEvent(kind, { ...invoice, id: invoice.id }, customerId);
  // When Stripe first failed to collect: the invoice's finalization is the closest fact it gives.
  const failedAt = isoFromUnix(invoice.status_transitions?.finalized_at ?? invoice.created);
  return kind === 'claim.payment_failed' && failedAt !== undefined
    ? { ...event, occurredAt: failedAt, sourceType: 'import' }
    : { ...event, sourceType: 'import' };
}

/**
 * When a Stripe invoice was issued: finalized (`status_transitions.finalized_at`), else created
 * unless it is still a draft (a draft is not a receivable yet).
 */
export function stripeInvoiceIssuedAt(
  invoice: Pick<Stripe.Invoice, 'status_transitions' | 'created' | 'status'>,
): string | undefined {
  const finalizedAt = invoice.status_transitions?.finalized_at;
  if (typeof finalizedAt === 'number') return isoFromUnix(finalizedAt);
  return invoice.status === 'draft' ? undefined : isoFromUnix(invoice.created);
}

/**
 * Whether a Stripe invoice bills a subscription's recurring charges, from `billing_reason`:
 * `subscription_cycle`, `subscription_create`, `subscription_update`, `subscription_threshold`
 * and `subscription` are; `manual`, `upcoming`, `quote_accept` and
 * `automatic_pending_invoice_item_invoice` (one-off items) are not. Unknown without a reason.
 */
export function stripeInvoiceIsRecurring(
  invoice: Pick<Stripe.Invoice, 'billing_reason'>,
): boolean | undefined {
  const reason = invoice.billing_reason;
  if (reason === null || reason === undefined) return undefined;
  return reason === 'subscription' || reason.startsWith('subscription_');
}
