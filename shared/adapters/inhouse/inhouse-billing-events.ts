import { z } from 'zod';
import type {
  BillingEvent,
  BillingTranslation,
  ClaimEventKind,
  CustomerEventKind,
} from '../../domain/billing-event.ts';
import type { ContactPreferences } from '../../domain/contact-policy.ts';
import { classifyDecline } from '../../domain/decline-classification.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { monthlyRecurringAmount } from '../../domain/subscription.ts';
import { hmacSha256Hex, parseSignatureHeader, verifyTimestampedHmac } from '../http/hmac-signature.ts';

/**
 * The in-house billing format: for companies with their own billing. One JSON document per event,
 * signed like Stripe signs (`Collections-Signature: t=<unix>,v1=<hex>`, HMAC-SHA256 of
 * `"<t>.<raw body>"`). The JSON Schema in `docs/inhouse-billing-event.schema.json` is generated
 * from this definition (a test keeps them equal).
 */
export const inhouseSignatureHeader = 'Collections-Signature';

export function verifyInhouseSignature(
  rawBody: string,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  now: Date,
): void {
  const parsed = parseSignatureHeader(signatureHeader, {
    headerName: inhouseSignatureHeader,
    pairSeparator: ',',
    timestampKey: 't',
    signatureKey: 'v1',
  });
  verifyTimestampedHmac({
    headerName: inhouseSignatureHeader,
    parsed,
    signedPayload: `${parsed.timestamp}.${rawBody}`,
    secrets,
    now,
  });
}

/** The `Collections-Signature` value for `rawBody` at `atUnixSeconds`; one `v1` per secret. */
export function signInhousePayload(
  rawBody: string,
  secret: string | readonly string[],
  atUnixSeconds: number,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [
    `t=${atUnixSeconds}`,
    ...secrets.map((one) => `v1=${hmacSha256Hex(one, `${atUnixSeconds}.${rawBody}`)}`),
  ].join(',');
}

const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
const minor = z
  .number()
  .int()
  .describe('An amount in the currency minor unit (cents; yen for JPY; fils for BHD).');
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/)
  .describe('ISO 4217 code.');
const timestamp = z.iso.datetime({ offset: true });

const customer = z
  .strictObject({
    id,
    email: z.email().optional(),
    name: z.string().max(200).optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'E.164')
      .optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .optional()
      .describe('ISO 3166-1 alpha-2.'),
    timeZone: z.string().max(64).optional().describe('IANA time zone, e.g. Europe/Paris.'),
    locale: z.string().max(35).optional().describe('BCP 47, e.g. fr-FR.'),
    contactPreferences: z
      .partialRecord(
        z.enum(['email', 'sms', 'voice', 'whatsapp']),
        z.strictObject({
          consentAt: timestamp.optional().describe('When the debtor consented to this channel.'),
          optedOutAt: timestamp.optional().describe('When the debtor withdrew consent on this channel.'),
        }),
      )
      .optional()
      .describe(
        'Consent per channel as your records hold it. SMS, voice and WhatsApp need a consent; the later of consentAt and optedOutAt wins; a STOP reply always wins over it (docs/contact-policy.md).',
      ),
    segment: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/)
      .optional()
      .describe('The segment strategies and routing rules select on, e.g. smb.'),
    attributes: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9_]{1,40}$/)
          .refine(
            (name) => !['country', 'locale', 'segment'].includes(name),
            'a profile field, not an attribute',
          ),
        z.string().min(1).max(200),
      )
      .optional()
      .describe('Attributes strategy conditions may match (when.customer), e.g. {"plan": "pro"}.'),
  })
  .describe('The debtor.');

const invoice = z
  .strictObject({
    id,
    amountDue: minor.nonnegative(),
    amountRemaining: minor.nonnegative().optional(),
    currency,
    payUrl: z.url({ protocol: /^https?$/ }).optional(),
    attemptCount: z.number().int().nonnegative().optional(),
    nextPaymentAttemptAt: timestamp
      .optional()
      .describe('When your billing retries by itself; journeys wait for it.'),
    dueAt: timestamp.optional(),
    paidAt: timestamp.optional(),
    subscriptionId: id.optional(),
    issuedAt: timestamp
      .optional()
      .describe('When the invoice was issued (finalized). The finance metrics bill it on that day.'),
    recurring: z
      .boolean()
      .optional()
      .describe(
        "Whether it bills a subscription's recurring charges (false for a one-off). Default: true when subscriptionId is set.",
      ),
  })
  .describe('The invoice (claim) the event is about.');

const paymentAttempt = z.strictObject({
  id: id.optional(),
  declineCode: z
    .string()
    .max(64)
    .optional()
    .describe('Issuer decline code, Stripe vocabulary (insufficient_funds, expired_card, ...).'),
  adviceCode: z.string().max(64).optional(),
  networkAdviceCode: z.string().max(8).optional().describe('Card network advice, e.g. Mastercard 03, 24.'),
  failureCode: z.string().max(64).optional(),
});

const dispute = z.strictObject({
  id,
  status: z.enum([
    'warning_needs_response',
    'warning_under_review',
    'warning_closed',
    'needs_response',
    'under_review',
    'won',
    'lost',
    'prevented',
  ]),
  amount: minor.nonnegative(),
  currency,
  reason: z.string().max(64).optional(),
});

const refund = z.strictObject({
  id,
  type: z.enum(['refund', 'credit_note']),
  amount: minor.nonnegative().describe('Total given back under this id so far.'),
  currency,
  voided: z.boolean().optional(),
});

const subscription = z.strictObject({
  id,
  status: z.enum([
    'incomplete',
    'incomplete_expired',
    'trialing',
    'active',
    'past_due',
    'unpaid',
    'paused',
    'canceled',
  ]),
  currency: currency.optional(),
  items: z
    .array(
      z.strictObject({
        unitAmount: minor.nonnegative(),
        quantity: z.number().nonnegative(),
        interval: z.enum(['day', 'week', 'month', 'year']),
        intervalCount: z.number().int().positive(),
      }),
    )
    .optional(),
  canceledAt: timestamp.optional(),
  cancellationReason: z
    .enum(['payment_failed', 'payment_disputed', 'cancellation_requested', 'other'])
    .optional(),
  currentPeriodEnd: timestamp.optional(),
});

const common = {
  specVersion: z.literal('1.0'),
  id: id.describe('Unique per event: the unit of deduplication. Resend the same id on retries.'),
  occurredAt: timestamp.describe('When it happened in your billing (ISO 8601 with offset).'),
  livemode: z.boolean().describe('false for test data; must match the deployment mode.'),
  customer,
};

const invoiceTypes = [
  'invoice.updated',
  'invoice.payment_failed',
  'invoice.action_required',
  'invoice.paid',
  'invoice.voided',
  'invoice.written_off',
] as const;

export const inhouseBillingEventSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      ...common,
      type: z.enum(invoiceTypes),
      invoice,
      paymentAttempt: paymentAttempt.optional(),
    }),
    z.strictObject({ ...common, type: z.literal('invoice.disputed'), invoice, dispute }),
    z.strictObject({ ...common, type: z.literal('invoice.refunded'), invoice, refund }),
    z.strictObject({
      ...common,
      type: z.enum(['customer.updated', 'customer.deleted', 'customer.payment_method_updated']),
      automatic: z.boolean().optional().describe('payment_method_updated: done by the card network updater.'),
    }),
    z.strictObject({ ...common, type: z.literal('subscription.updated'), subscription }),
  ])
  .describe('A billing event in the in-house format of the collections platform.');

export type InhouseBillingEvent = z.infer<typeof inhouseBillingEventSchema>;

/** The published JSON Schema (draft 2020-12). */
export function inhouseBillingEventJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://collections.invalid/schemas/inhouse-billing-event/1.0',
    title: 'In-house billing event',
    ...z.toJSONSchema(inhouseBillingEventSchema, { target: 'draft-2020-12' }),
  };
}

/** Validates a verified body; every problem is named, with its path, in one 400. */
export function parseInhouseEvent(body: unknown): InhouseBillingEvent {
  const parsed = inhouseBillingEventSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidRequestError(`not an in-house billing event: ${problems}`);
  }
  return parsed.data;
}

const claimKinds: Record<string, ClaimEventKind> = {
  'invoice.updated': 'claim.updated',
  'invoice.payment_failed': 'claim.payment_failed',
  'invoice.action_required': 'claim.action_required',
  'invoice.paid': 'claim.paid',
  'invoice.voided': 'claim.voided',
  'invoice.written_off': 'claim.written_off',
  'invoice.disputed': 'claim.disputed',
  'invoice.refunded': 'claim.refunded',
};

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Consent times as the product stores them (UTC `toISOString()`), so they compare as strings. */
function utcPreferences(
  preferences: Partial<Record<string, { consentAt?: string | undefined; optedOutAt?: string | undefined }>>,
): ContactPreferences {
  const utc = (time: string | undefined) => time && new Date(time).toISOString();
  return Object.fromEntries(
    Object.entries(preferences).map(([channel, entry]) => [
      channel,
      {
        ...optional('consentAt', utc(entry?.consentAt)),
        ...optional('optedOutAt', utc(entry?.optedOutAt)),
      },
    ]),
  ) as ContactPreferences;
}

export function translateInhouseEvent(event: InhouseBillingEvent): BillingTranslation {
  const c = event.customer;
  const base = {
    provider: 'inhouse' as const,
    eventId: event.id,
    occurredAt: new Date(event.occurredAt).toISOString(),
    livemode: event.livemode,
    sourceType: event.type,
    customer: {
      customerId: `inhouse:${c.id}`,
      ...optional('email', c.email),
      ...optional('name', c.name),
      ...optional('phone', c.phone),
      ...optional('country', c.country?.toUpperCase()),
      ...optional('timeZone', c.timeZone),
      ...optional('locale', c.locale),
      ...optional('contactPreferences', c.contactPreferences && utcPreferences(c.contactPreferences)),
      ...optional('segment', c.segment),
      ...optional('attributes', c.attributes),
    },
  };
  if ('invoice' in event) {
    const inv = event.invoice;
    const kind = claimKinds[event.type];
    if (kind === undefined) return { status: 'ignored', reason: `event type ${event.type} is not handled` };
    const claim = {
      claimId: `inhouse:${inv.id}`,
      invoiceId: inv.id,
      amountMinor: inv.amountDue,
      ...optional('amountRemainingMinor', inv.amountRemaining),
      currency: inv.currency.toUpperCase(),
      source: 'invoice' as const,
      ...optional('payUrl', inv.payUrl),
      ...optional('attemptCount', inv.attemptCount),
      ...optional(
        'nextPaymentAttemptAt',
        inv.nextPaymentAttemptAt && new Date(inv.nextPaymentAttemptAt).toISOString(),
      ),
      ...optional('dueAt', inv.dueAt && new Date(inv.dueAt).toISOString()),
      ...optional('paidAt', inv.paidAt && new Date(inv.paidAt).toISOString()),
      ...optional('subscriptionId', inv.subscriptionId && `inhouse:${inv.subscriptionId}`),
      ...optional('issuedAt', inv.issuedAt && new Date(inv.issuedAt).toISOString()),
      ...optional('recurring', inv.recurring),
    };
    const attempt = 'paymentAttempt' in event ? event.paymentAttempt : undefined;
    const event_: BillingEvent = {
      ...base,
      kind,
      claim,
      ...(attempt
        ? {
            paymentAttempt: {
              ...optional('paymentId', attempt.id),
              ...optional('declineCode', attempt.declineCode),
              ...optional('adviceCode', attempt.adviceCode),
              ...optional('networkAdviceCode', attempt.networkAdviceCode),
              ...optional('failureCode', attempt.failureCode),
              classification: classifyDecline(attempt),
            },
          }
        : {}),
      ...('dispute' in event
        ? {
            dispute: {
              disputeId: `inhouse:${event.dispute.id}`,
              state: event.dispute.status,
              amountMinor: event.dispute.amount,
              currency: event.dispute.currency.toUpperCase(),
              ...optional('reason', event.dispute.reason),
            },
          }
        : {}),
      ...('refund' in event
        ? {
            credit: {
              creditId: `inhouse:${event.refund.id}`,
              type: event.refund.type,
              amountMinor: event.refund.amount,
              currency: event.refund.currency.toUpperCase(),
              ...optional('voided', event.refund.voided),
            },
          }
        : {}),
    };
    return { status: 'translated', event: event_ };
  }
  if ('subscription' in event) {
    const sub = event.subscription;
    return {
      status: 'translated',
      event: {
        ...base,
        kind: 'subscription.updated',
        subscription: {
          subscriptionId: `inhouse:${sub.id}`,
          status: sub.status,
          ...optional(
            'mrrMinor',
            sub.items
              ? monthlyRecurringAmount(
                  sub.items.map((item) => ({
                    unitAmountMinor: item.unitAmount,
                    quantity: item.quantity,
                    interval: item.interval,
                    intervalCount: item.intervalCount,
                  })),
                )
              : undefined,
          ),
          ...optional('currency', sub.currency?.toUpperCase()),
          ...optional('canceledAt', sub.canceledAt && new Date(sub.canceledAt).toISOString()),
          ...optional('cancellationReason', sub.cancellationReason),
          ...optional(
            'currentPeriodEnd',
            sub.currentPeriodEnd && new Date(sub.currentPeriodEnd).toISOString(),
          ),
        },
      },
    };
  }
  const kind = event.type as CustomerEventKind;
  return {
    status: 'translated',
    event: { ...base, kind, ...('automatic' in event && event.automatic ? { automatic: true } : {}) },
  };
}
