import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type {
  BillingEvent,
  BillingTranslation,
  CancellationReason,
  ClaimBillingEvent,
  ClaimEventKind,
  CustomerSnapshot,
  PaymentAttempt,
  SubscriptionStatus,
} from '../../domain/billing-event.ts';
import {
  combineCustomerMetadata,
  customerFieldsFromMetadata,
  dataWarningsOf,
  type ParsedCustomerMetadata,
} from '../../domain/customer-metadata.ts';
import { classifyDecline } from '../../domain/decline-classification.ts';
import { AuthenticationError, InvalidRequestError } from '../../domain/errors.ts';
import { type BillingInterval, monthlyRecurringAmount } from '../../domain/subscription.ts';

/**
 * Chargebee protects a webhook with HTTP Basic auth on the endpoint (its payload is not signed).
 * `credentials` are `user:password` pairs; several are accepted while they are rotated.
 */
export function verifyChargebeeBasicAuth(
  authorization: string | undefined,
  credentials: readonly string[],
): void {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) throw new AuthenticationError('missing or malformed Basic authorization');
  const given = Buffer.from(match[1], 'base64');
  const ok = credentials.some((expected) => {
    const wanted = Buffer.from(expected, 'utf8');
    return wanted.length === given.length && timingSafeEqual(wanted, given);
  });
  if (!ok) throw new AuthenticationError('wrong Basic authorization');
}

/** The `Authorization` header Chargebee sends for `user:password`. */
export function chargebeeAuthorization(credentials: string): string {
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

const unix = z.number().int().nonnegative();

const chargebeeInvoice = z.looseObject({
  id: z.string().min(1),
  customer_id: z.string().min(1),
  subscription_id: z.string().nullish(),
  status: z.string(),
  total: z.number().int(),
  amount_due: z.number().int().optional(),
  amount_paid: z.number().int().optional(),
  write_off_amount: z.number().int().optional(),
  currency_code: z.string().length(3),
  due_date: unix.nullish(),
  /** The invoice date, and when it was generated (posted): the issue date of the receivable. */
  date: unix.nullish(),
  generated_at: unix.nullish(),
  /** Whether the invoice belongs to a subscription's recurring billing (false for one-off charges). */
  recurring: z.boolean().nullish(),
  paid_at: unix.nullish(),
  next_retry_at: unix.nullish(),
  dunning_status: z.enum(['in_progress', 'exhausted', 'stopped', 'success']).nullish(),
  dunning_attempts: z.array(z.unknown()).optional(),
});

const chargebeeTransaction = z.looseObject({
  id: z.string(),
  status: z.string(),
  error_code: z.string().nullish(),
  amount: z.number().int().optional(),
  linked_invoices: z.array(z.looseObject({ invoice_id: z.string() })).optional(),
});

const chargebeeCustomer = z.looseObject({
  id: z.string().min(1),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  phone: z.string().nullish(),
  locale: z.string().nullish(),
  billing_address: z.looseObject({ country: z.string().nullish() }).nullish(),
  /** Free-form JSON: consent, segment and attributes (customer-metadata.ts); `cf_` fields too. */
  meta_data: z.unknown().optional(),
});

const chargebeeSubscription = z.looseObject({
  id: z.string().min(1),
  customer_id: z.string().min(1),
  status: z.string(),
  mrr: z.number().int().nullish(),
  currency_code: z.string().length(3).optional(),
  billing_period: z.number().int().positive().optional(),
  billing_period_unit: z.enum(['day', 'week', 'month', 'year']).optional(),
  cancelled_at: unix.nullish(),
  cancel_reason: z.string().nullish(),
  current_term_end: unix.nullish(),
  subscription_items: z
    .array(
      z.looseObject({
        unit_price: z.number().int().optional(),
        quantity: z.number().optional(),
        item_type: z.string().optional(),
      }),
    )
    .optional(),
});

const chargebeeEvent = z.looseObject({
  id: z.string().min(1),
  event_type: z.string().min(1),
  occurred_at: unix,
  content: z.record(z.string(), z.unknown()),
});
export type ChargebeeEvent = z.infer<typeof chargebeeEvent>;

export function parseChargebeeEvent(body: unknown): ChargebeeEvent {
  const parsed = chargebeeEvent.safeParse(body);
  if (!parsed.success) throw new InvalidRequestError('body is not a Chargebee event');
  return parsed.data;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function iso(seconds: number | null | undefined): string | undefined {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined;
}

const subscriptionStatuses: Record<string, SubscriptionStatus> = {
  future: 'incomplete',
  in_trial: 'trialing',
  active: 'active',
  non_renewing: 'active',
  paused: 'paused',
  cancelled: 'canceled',
};

/** Chargebee cancels for non-payment with `not_paid` or `no_card`. */
function cancellationReasonOf(reason: string | null | undefined): CancellationReason | undefined {
  if (!reason) return undefined;
  if (reason === 'not_paid' || reason === 'no_card') return 'payment_failed';
  return 'other';
}

function invoiceKind(
  eventType: string,
  invoice: z.infer<typeof chargebeeInvoice>,
): ClaimEventKind | undefined {
  if (eventType === 'payment_failed') return 'claim.payment_failed';
  if (eventType === 'payment_succeeded') return 'claim.paid';
  if (eventType === 'invoice_deleted') return 'claim.voided';
  switch (invoice.status) {
    case 'paid':
      // A write-off settles the invoice in Chargebee's books without the money.
      return (invoice.write_off_amount ?? 0) > 0 && (invoice.amount_paid ?? 0) < invoice.total
        ? 'claim.written_off'
        : 'claim.paid';
    case 'voided':
      return 'claim.voided';
    case 'payment_due':
    case 'not_paid':
      return (invoice.dunning_attempts?.length ?? 0) > 0 || invoice.dunning_status
        ? 'claim.payment_failed'
        : 'claim.updated';
    case 'posted':
    case 'pending':
      return 'claim.updated';
    default:
      return undefined;
  }
}

/**
 * Consent, segment and attributes of a Chargebee customer: from its `meta_data` JSON and from
 * custom fields named `cf_<key>` (customer-metadata.ts); a custom field wins a key both carry.
 */
function chargebeeCustomerMetadata(
  customer: z.infer<typeof chargebeeCustomer> | undefined,
  occurredAt: string,
): ParsedCustomerMetadata {
  if (customer === undefined) return { fields: {}, warnings: [] };
  let metaData: unknown = customer.meta_data;
  if (typeof metaData === 'string') {
    try {
      metaData = JSON.parse(metaData);
    } catch {
      return combineCustomerMetadata(
        { fields: {}, warnings: ['meta_data: not JSON'] },
        customerFieldsFromMetadata(customer, { source: 'customer', keyPrefix: 'cf_', occurredAt }),
      );
    }
  }
  return combineCustomerMetadata(
    customerFieldsFromMetadata(metaData, { source: 'meta_data', occurredAt }),
    customerFieldsFromMetadata(customer, { source: 'customer', keyPrefix: 'cf_', occurredAt }),
  );
}

/**
 * Translates a Chargebee event. Chargebee does not say in the payload whether the site is a test
 * site: the endpoint's credentials belong to one site, so `livemode` is the endpoint's.
 */
export function translateChargebeeEvent(event: ChargebeeEvent, livemode: boolean): BillingTranslation {
  const occurredAt = new Date(event.occurred_at * 1000).toISOString();
  const parsedCustomer =
    event.content.customer === undefined ? undefined : chargebeeCustomer.safeParse(event.content.customer);
  if (parsedCustomer && !parsedCustomer.success)
    throw new InvalidRequestError(`${event.event_type} with an invalid customer`);
  const customer = parsedCustomer?.data;
  const metadata = chargebeeCustomerMetadata(customer, occurredAt);
  const base = {
    provider: 'chargebee' as const,
    eventId: event.id,
    occurredAt,
    livemode,
    sourceType: event.event_type,
    ...dataWarningsOf(metadata),
  };
  const customerSnapshot = (customerId: string): CustomerSnapshot => {
    const name = [customer?.first_name, customer?.last_name].filter(Boolean).join(' ');
    return {
      customerId: `chargebee:${customerId}`,
      ...(customer?.email ? { email: customer.email } : {}),
      ...(name ? { name } : {}),
      ...(customer?.phone ? { phone: customer.phone } : {}),
      ...(customer?.locale ? { locale: customer.locale } : {}),
      ...(customer?.billing_address?.country
        ? { country: customer.billing_address.country.toUpperCase() }
        : {}),
      ...metadata.fields,
    };
  };

  // An event is about one document, though Chargebee sends its neighbours too: a payment event
  // carries the subscription, and a `subscription_cancelled` may carry the invoice that closed the
  // term. The event type names the subject; reading the invoice of a cancellation would drop the
  // cancellation (and with it the involuntary churn). The neighbour comes with its own events.
  const aboutSubscription =
    event.event_type.startsWith('subscription_') && event.content.subscription !== undefined;

  if (event.content.invoice !== undefined && !aboutSubscription) {
    const parsed = chargebeeInvoice.safeParse(event.content.invoice);
    if (!parsed.success) throw new InvalidRequestError(`${event.event_type} with an invalid invoice`);
    const invoice = parsed.data;
    const kind = invoiceKind(event.event_type, invoice);
    if (kind === undefined) return { status: 'ignored', reason: `invoice in status ${invoice.status}` };
    const transactionParse =
      event.content.transaction === undefined
        ? undefined
        : chargebeeTransaction.safeParse(event.content.transaction);
    const transaction = transactionParse?.success ? transactionParse.data : undefined;
    const paymentAttempt: PaymentAttempt | undefined =
      kind === 'claim.payment_failed' && transaction
        ? {
            paymentId: `chargebee:${transaction.id}`,
            ...(transaction.error_code ? { declineCode: transaction.error_code } : {}),
            classification: classifyDecline({ declineCode: transaction.error_code ?? undefined }),
          }
        : undefined;
    const dunningStatus =
      invoice.dunning_status && invoice.dunning_status !== 'success' ? invoice.dunning_status : undefined;
    const claimEvent: ClaimBillingEvent = {
      ...base,
      kind,
      customer: customerSnapshot(invoice.customer_id),
      claim: {
        claimId: `chargebee:${invoice.id}`,
        invoiceId: invoice.id,
        amountMinor: invoice.total,
        ...(invoice.amount_due === undefined ? {} : { amountRemainingMinor: invoice.amount_due }),
        currency: invoice.currency_code.toUpperCase(),
        source: 'invoice',
        attemptCount: invoice.dunning_attempts?.length ?? (kind === 'claim.payment_failed' ? 1 : 0),
        ...optional('nextPaymentAttemptAt', iso(invoice.next_retry_at)),
        ...optional('dueAt', iso(invoice.due_date)),
        ...optional('paidAt', iso(invoice.paid_at)),
        ...(invoice.subscription_id ? { subscriptionId: `chargebee:${invoice.subscription_id}` } : {}),
        ...(dunningStatus ? { dunningStatus } : {}),
        ...optional('issuedAt', iso(invoice.generated_at ?? invoice.date)),
        ...(typeof invoice.recurring === 'boolean' ? { recurring: invoice.recurring } : {}),
      },
      ...(paymentAttempt ? { paymentAttempt } : {}),
    };
    return { status: 'translated', event: claimEvent };
  }

  if (event.content.subscription !== undefined) {
    const parsed = chargebeeSubscription.safeParse(event.content.subscription);
    if (!parsed.success) throw new InvalidRequestError(`${event.event_type} with an invalid subscription`);
    const subscription = parsed.data;
    const status = subscriptionStatuses[subscription.status];
    if (status === undefined)
      return { status: 'ignored', reason: `subscription in status ${subscription.status}` };
    const interval = subscription.billing_period_unit as BillingInterval | undefined;
    const computedMrr =
      interval && subscription.subscription_items
        ? monthlyRecurringAmount(
            subscription.subscription_items
              .filter((item) => item.item_type === undefined || item.item_type === 'plan')
              .map((item) => ({
                unitAmountMinor: item.unit_price ?? 0,
                quantity: item.quantity ?? 1,
                interval,
                intervalCount: subscription.billing_period ?? 1,
              })),
          )
        : undefined;
    // Chargebee computes MRR itself (after discounts); use it when present.
    const mrrMinor = subscription.mrr ?? computedMrr;
    const cancellationReason =
      status === 'canceled' ? cancellationReasonOf(subscription.cancel_reason) : undefined;
    const subscriptionEvent: BillingEvent = {
      ...base,
      kind: 'subscription.updated',
      customer: customerSnapshot(subscription.customer_id),
      subscription: {
        subscriptionId: `chargebee:${subscription.id}`,
        status,
        ...(mrrMinor === undefined ? {} : { mrrMinor }),
        ...(subscription.currency_code ? { currency: subscription.currency_code.toUpperCase() } : {}),
        ...optional('canceledAt', iso(subscription.cancelled_at)),
        ...(cancellationReason ? { cancellationReason } : {}),
        ...optional('currentPeriodEnd', iso(subscription.current_term_end)),
      },
    };
    return { status: 'translated', event: subscriptionEvent };
  }

  if (customer) {
    const kind =
      event.event_type === 'customer_deleted'
        ? 'customer.deleted'
        : ['card_added', 'card_updated', 'payment_source_added', 'payment_source_updated'].includes(
              event.event_type,
            )
          ? 'customer.payment_method_updated'
          : 'customer.updated';
    return { status: 'translated', event: { ...base, kind, customer: customerSnapshot(customer.id) } };
  }
  return { status: 'ignored', reason: `event type ${event.event_type} is not handled` };
}
