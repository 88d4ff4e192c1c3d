import { z } from 'zod';
import type {
  BillingEvent,
  BillingTranslation,
  ClaimEventKind,
  PaymentAttempt,
  SubscriptionStatus,
} from '../../domain/billing-event.ts';
import { customerFieldsFromMetadata, dataWarningsOf } from '../../domain/customer-metadata.ts';
import { classifyDecline } from '../../domain/decline-classification.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { type BillingInterval, monthlyRecurringAmount } from '../../domain/subscription.ts';
import { hmacSha256Hex, parseSignatureHeader, verifyTimestampedHmac } from '../http/hmac-signature.ts';

/**
 * Paddle Billing notifications: `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=...]`, HMAC-SHA256 of
 * `"<ts>:<raw body>"` with the notification destination's secret key. Amounts are strings in the
 * currency's lowest denomination.
 */
export function verifyPaddleSignature(
  rawBody: string,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  now: Date,
): void {
  const headerName = 'Paddle-Signature';
  const parsed = parseSignatureHeader(signatureHeader, {
    headerName,
    pairSeparator: ';',
    timestampKey: 'ts',
    signatureKey: 'h1',
  });
  verifyTimestampedHmac({
    headerName,
    parsed,
    signedPayload: `${parsed.timestamp}:${rawBody}`,
    secrets,
    now,
  });
}

/** The header Paddle sends for `rawBody` at `atUnixSeconds` (tests, simulator). */
export function signPaddlePayload(
  rawBody: string,
  secret: string | readonly string[],
  atUnixSeconds: number,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const signatures = secrets.map((one) => `h1=${hmacSha256Hex(one, `${atUnixSeconds}:${rawBody}`)}`);
  return [`ts=${atUnixSeconds}`, ...signatures].join(';');
}

const minorAmount = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(Number);

const paddlePayment = z.looseObject({
  payment_attempt_id: z.string().optional(),
  status: z.string(),
  error_code: z.string().nullish(),
  created_at: z.string().optional(),
});

/**
 * Whether a transaction's `origin` bills a subscription's recurring charges: a renewal or a change
 * of plan does; a one-off charge on a subscription or a payment method change does not. Checkout
 * (`web`) and API transactions are left to the default (recurring when they have a subscription).
 */
const paddleOriginIsRecurring: Readonly<Record<string, boolean>> = {
  subscription_recurring: true,
  subscription_update: true,
  subscription_charge: false,
  subscription_payment_method_change: false,
};

/** An RFC 3339 time as the product stores times (UTC ISO); undefined when it is not a time. */
function isoOf(text: string): string | undefined {
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

const paddleTransaction = z.looseObject({
  id: z.string().startsWith('txn_'),
  status: z.string(),
  customer_id: z.string().nullish(),
  subscription_id: z.string().nullish(),
  currency_code: z.string().length(3),
  billed_at: z.string().nullish(),
  /** What created the transaction: `subscription_recurring`, `subscription_charge`, `web`, `api`, ... */
  origin: z.string().nullish(),
  details: z.looseObject({
    totals: z.looseObject({
      grand_total: minorAmount.optional(),
      total: minorAmount,
      balance: minorAmount.optional(),
    }),
  }),
  payments: z.array(paddlePayment).default([]),
  checkout: z.looseObject({ url: z.string().nullish() }).nullish(),
  /** Free-form key-value data: consent, segment and attributes (customer-metadata.ts). */
  custom_data: z.unknown().optional(),
});

const paddleSubscription = z.looseObject({
  id: z.string().startsWith('sub_'),
  status: z.string(),
  customer_id: z.string(),
  currency_code: z.string().length(3).optional(),
  canceled_at: z.string().nullish(),
  current_billing_period: z.looseObject({ ends_at: z.string() }).nullish(),
  items: z
    .array(
      z.looseObject({
        quantity: z.number().default(1),
        price: z.looseObject({
          unit_price: z.looseObject({ amount: minorAmount, currency_code: z.string() }),
          billing_cycle: z
            .looseObject({ interval: z.enum(['day', 'week', 'month', 'year']), frequency: z.number() })
            .nullish(),
        }),
      }),
    )
    .default([]),
});

const paddleCustomer = z.looseObject({
  id: z.string().startsWith('ctm_'),
  email: z.string().nullish(),
  name: z.string().nullish(),
  locale: z.string().nullish(),
  /** Free-form key-value data: consent, segment and attributes (customer-metadata.ts). */
  custom_data: z.unknown().optional(),
});

const paddleNotification = z.looseObject({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  occurred_at: z.iso.datetime({ offset: true }),
  notification_id: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type PaddleNotification = z.infer<typeof paddleNotification>;

/** Parses a verified body; anything that is not a Paddle notification is a 400. */
export function parsePaddleNotification(body: unknown): PaddleNotification {
  const parsed = paddleNotification.safeParse(body);
  if (!parsed.success) throw new InvalidRequestError('body is not a Paddle notification');
  return parsed.data;
}

/** Paddle's payment error codes, read as the Stripe decline code that means the same. */
const paddleErrorAsDeclineCode: Record<string, string> = {
  not_enough_balance: 'insufficient_funds',
  declined: 'generic_decline',
  expired_card: 'expired_card',
  authentication_failed: 'authentication_required',
  blocked_card: 'restricted_card',
  fraud: 'fraudulent',
  issuer_unavailable: 'issuer_not_available',
  psp_error: 'processing_error',
  system_error: 'processing_error',
  invalid_payment_details: 'incorrect_number',
  transaction_not_permitted: 'transaction_not_allowed',
};

const transactionKinds: Record<string, ClaimEventKind | undefined> = {
  'transaction.payment_failed': 'claim.payment_failed',
  'transaction.past_due': 'claim.payment_failed',
  'transaction.completed': 'claim.paid',
  'transaction.paid': 'claim.paid',
  'transaction.canceled': 'claim.voided',
};

function kindFromStatus(status: string): ClaimEventKind | undefined {
  switch (status) {
    case 'paid':
    case 'completed':
      return 'claim.paid';
    case 'canceled':
      return 'claim.voided';
    case 'past_due':
      return 'claim.payment_failed';
    case 'billed':
    case 'ready':
      return 'claim.updated';
    default:
      return undefined;
  }
}

const subscriptionStatuses: Record<string, SubscriptionStatus> = {
  active: 'active',
  trialing: 'trialing',
  past_due: 'past_due',
  paused: 'paused',
  canceled: 'canceled',
};

/**
 * Translates a verified Paddle notification. Paddle's payload does not say whether it comes from
 * the sandbox: the endpoint's secret belongs to one environment, so `livemode` is the endpoint's.
 */
export function translatePaddleNotification(
  notification: PaddleNotification,
  livemode: boolean,
): BillingTranslation {
  const type = notification.event_type;
  const base = {
    provider: 'paddle' as const,
    eventId: notification.event_id,
    occurredAt: new Date(notification.occurred_at).toISOString(),
    livemode,
    sourceType: type,
  };
  if (type.startsWith('transaction.')) {
    const parsed = paddleTransaction.safeParse(notification.data);
    if (!parsed.success) throw new InvalidRequestError(`${type} without a valid transaction`);
    const transaction = parsed.data;
    const kind = transactionKinds[type] ?? kindFromStatus(transaction.status);
    if (kind === undefined)
      return { status: 'ignored', reason: `transaction in status ${transaction.status}` };
    if (!transaction.customer_id) return { status: 'ignored', reason: 'transaction without a customer' };
    const failures = transaction.payments
      .filter((payment) => payment.status === 'error' || payment.status === 'failed')
      .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
    const latestFailure = failures[0];
    const declineCode = latestFailure?.error_code
      ? paddleErrorAsDeclineCode[latestFailure.error_code]
      : undefined;
    const paymentAttempt: PaymentAttempt | undefined =
      kind === 'claim.payment_failed' && latestFailure
        ? {
            ...(latestFailure.payment_attempt_id ? { paymentId: latestFailure.payment_attempt_id } : {}),
            ...(declineCode ? { declineCode } : {}),
            ...(latestFailure.error_code ? { failureCode: latestFailure.error_code } : {}),
            classification: classifyDecline({
              declineCode,
              failureCode: latestFailure.error_code ?? undefined,
            }),
          }
        : undefined;
    const totals = transaction.details.totals;
    // `billed_at`: when the transaction was billed, i.e. issued (absent while it is a draft).
    const billedAt = transaction.billed_at ? isoOf(transaction.billed_at) : undefined;
    const recurring = transaction.origin ? paddleOriginIsRecurring[transaction.origin] : undefined;
    const metadata = customerFieldsFromMetadata(transaction.custom_data, {
      source: 'custom_data',
      occurredAt: base.occurredAt,
    });
    const event: BillingEvent = {
      ...base,
      ...dataWarningsOf(metadata),
      kind,
      customer: { customerId: `paddle:${transaction.customer_id}`, ...metadata.fields },
      claim: {
        claimId: `paddle:${transaction.id}`,
        invoiceId: transaction.id,
        amountMinor: totals.grand_total ?? totals.total,
        ...(totals.balance === undefined ? {} : { amountRemainingMinor: totals.balance }),
        currency: transaction.currency_code.toUpperCase(),
        source: 'invoice',
        attemptCount: failures.length,
        ...(transaction.checkout?.url ? { payUrl: transaction.checkout.url } : {}),
        ...(transaction.subscription_id ? { subscriptionId: `paddle:${transaction.subscription_id}` } : {}),
        ...(billedAt ? { issuedAt: billedAt } : {}),
        ...(recurring === undefined ? {} : { recurring }),
      },
      ...(paymentAttempt ? { paymentAttempt } : {}),
    };
    return { status: 'translated', event };
  }
  if (type.startsWith('subscription.')) {
    const parsed = paddleSubscription.safeParse(notification.data);
    if (!parsed.success) throw new InvalidRequestError(`${type} without a valid subscription`);
    const subscription = parsed.data;
    const status = subscriptionStatuses[subscription.status];
    if (status === undefined)
      return { status: 'ignored', reason: `subscription in status ${subscription.status}` };
    const items = subscription.items.flatMap((item) =>
      item.price.billing_cycle
        ? [
            {
              unitAmountMinor: item.price.unit_price.amount,
              quantity: item.quantity,
              interval: item.price.billing_cycle.interval as BillingInterval,
              intervalCount: item.price.billing_cycle.frequency,
            },
          ]
        : [],
    );
    return {
      status: 'translated',
      event: {
        ...base,
        kind: 'subscription.updated',
        customer: { customerId: `paddle:${subscription.customer_id}` },
        subscription: {
          subscriptionId: `paddle:${subscription.id}`,
          status,
          ...(items.length > 0 ? { mrrMinor: monthlyRecurringAmount(items) } : {}),
          ...(subscription.currency_code ? { currency: subscription.currency_code.toUpperCase() } : {}),
          ...(subscription.canceled_at
            ? { canceledAt: new Date(subscription.canceled_at).toISOString() }
            : {}),
          ...(subscription.current_billing_period
            ? { currentPeriodEnd: new Date(subscription.current_billing_period.ends_at).toISOString() }
            : {}),
        },
      },
    };
  }
  if (type === 'customer.created' || type === 'customer.updated') {
    const parsed = paddleCustomer.safeParse(notification.data);
    if (!parsed.success) throw new InvalidRequestError(`${type} without a valid customer`);
    const customer = parsed.data;
    const metadata = customerFieldsFromMetadata(customer.custom_data, {
      source: 'custom_data',
      occurredAt: base.occurredAt,
    });
    return {
      status: 'translated',
      event: {
        ...base,
        ...dataWarningsOf(metadata),
        kind: 'customer.updated',
        customer: {
          customerId: `paddle:${customer.id}`,
          ...metadata.fields,
          ...(customer.email ? { email: customer.email } : {}),
          ...(customer.name ? { name: customer.name } : {}),
          ...(customer.locale ? { locale: customer.locale } : {}),
        },
      },
    };
  }
  if (type === 'payment_method.saved') {
    const customerId =
      typeof notification.data.customer_id === 'string' ? notification.data.customer_id : undefined;
    if (!customerId) return { status: 'ignored', reason: 'payment method without a customer' };
    return {
      status: 'translated',
      event: {
        ...base,
        kind: 'customer.payment_method_updated',
        customer: { customerId: `paddle:${customerId}` },
      },
    };
  }
  return { status: 'ignored', reason: `event type ${type} is not handled` };
}
