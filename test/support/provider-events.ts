import { chargebeeAuthorization } from '../../shared/adapters/chargebee/chargebee-billing-events.ts';
import { signInhousePayload } from '../../shared/adapters/inhouse/inhouse-billing-events.ts';
import { signPaddlePayload } from '../../shared/adapters/paddle/paddle-billing-events.ts';

/**
 * Realistic deliveries of the other billing providers, shaped like their documented payloads and
 * authenticated exactly as they authenticate (Paddle-Signature, Basic auth, Collections-Signature).
 */

export const testPaddleSecret = 'pdl_ntfset_01jd8v2k5q7r9t3w6y8z0b2c4d_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345';
export const testChargebeeCredentials = 'collections:Zq8nW3vZ6yD1cF4hK7mP0rT2';
export const testInhouseSecret = 'inhouse_9f2c7a1e5b8d3f6a0c4e7b1d9f3a6c8e';

export interface PaddleTransactionOptions {
  readonly eventId?: string;
  readonly eventType?: string;
  readonly occurredAt?: string;
  readonly transactionId?: string;
  readonly customerId?: string;
  readonly status?: string;
  readonly total?: number;
  readonly currency?: string;
  readonly errorCode?: string | null;
}

export function paddleTransactionNotification(options: PaddleTransactionOptions = {}) {
  const occurredAt = options.occurredAt ?? '2026-11-02T10:14:09.421Z';
  const failed = (options.eventType ?? 'transaction.payment_failed') === 'transaction.payment_failed';
  const total = String(options.total ?? 4999);
  return {
    event_id: options.eventId ?? 'evt_01jd8v2m3n4p5q6r7s8t9v0w1x',
    event_type: options.eventType ?? 'transaction.payment_failed',
    occurred_at: occurredAt,
    notification_id: 'ntf_01jd8v2m3n4p5q6r7s8t9v0w1y',
    data: {
      id: options.transactionId ?? 'txn_01jd8tx5k2m4n6p8q0r2s4t6v8',
      status: options.status ?? (failed ? 'past_due' : 'completed'),
      customer_id: options.customerId ?? 'ctm_01jd8c7q3w5e7r9t1y3u5i7o9p',
      address_id: 'add_01jd8a1s3d5f7g9h1j3k5l7z9x',
      subscription_id: 'sub_01jd8s2d4f6g8h0j2k4l6z8x0c',
      currency_code: options.currency ?? 'USD',
      origin: 'subscription_recurring',
      collection_mode: 'automatic',
      billed_at: '2026-11-02T10:14:02.000Z',
      created_at: '2026-11-02T10:14:01.512Z',
      updated_at: occurredAt,
      details: {
        totals: {
          subtotal: total,
          tax: '0',
          discount: '0',
          total,
          grand_total: total,
          balance: failed ? total : '0',
          currency_code: options.currency ?? 'USD',
        },
      },
      payments: [
        {
          payment_attempt_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
          stored_payment_method_id: 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9',
          amount: total,
          status: failed ? 'error' : 'captured',
          error_code: failed
            ? options.errorCode === undefined
              ? 'not_enough_balance'
              : options.errorCode
            : null,
          method_details: {
            type: 'card',
            card: { type: 'visa', last4: '4242', expiry_month: 12, expiry_year: 2029 },
          },
          created_at: '2026-11-02T10:14:03.000Z',
          captured_at: failed ? null : occurredAt,
        },
      ],
      checkout: { url: 'https://pay.acme.example/checkout?_ptxn=txn_01jd8tx5k2m4n6p8q0r2s4t6v8' },
    },
  };
}

export function signedPaddleRequest(
  notification: object,
  atUnixSeconds: number,
  secret: string | readonly string[] = testPaddleSecret,
) {
  const payload = JSON.stringify(notification);
  return { payload, headers: { 'Paddle-Signature': signPaddlePayload(payload, secret, atUnixSeconds) } };
}

export interface ChargebeeInvoiceOptions {
  readonly eventId?: string;
  readonly eventType?: string;
  readonly occurredAt?: number;
  readonly invoiceId?: string;
  readonly customerId?: string;
  readonly status?: string;
  readonly total?: number;
  readonly currency?: string;
  readonly dunningStatus?: string;
  readonly errorCode?: string;
  readonly email?: string;
}

export function chargebeeInvoiceEvent(options: ChargebeeInvoiceOptions = {}) {
  const failed = (options.eventType ?? 'payment_failed') === 'payment_failed';
  const occurredAt = options.occurredAt ?? 1793614449;
  const total = options.total ?? 4999;
  const invoiceId = options.invoiceId ?? 'inv_AzZhZjU8pQ1r';
  const customerId = options.customerId ?? 'AzZhZjU8pQ0a';
  return {
    id: options.eventId ?? 'ev_AzZhZjU8pQ3k',
    occurred_at: occurredAt,
    source: 'scheduled_job',
    object: 'event',
    api_version: 'v2',
    event_type: options.eventType ?? 'payment_failed',
    webhook_status: 'scheduled',
    content: {
      transaction: {
        id: 'txn_AzZhZjU8pQ5m',
        customer_id: customerId,
        type: 'payment',
        status: failed ? 'failure' : 'success',
        amount: total,
        currency_code: options.currency ?? 'USD',
        error_code: failed ? (options.errorCode ?? 'insufficient_funds') : null,
        error_text: failed ? 'Your card has insufficient funds.' : null,
        date: occurredAt,
        linked_invoices: [{ invoice_id: invoiceId, applied_amount: total }],
      },
      invoice: {
        id: invoiceId,
        customer_id: customerId,
        subscription_id: 'AzZhZjU8pQ7s',
        status: options.status ?? (failed ? 'payment_due' : 'paid'),
        total,
        amount_due: failed ? total : 0,
        amount_paid: failed ? 0 : total,
        currency_code: options.currency ?? 'USD',
        date: occurredAt - 60,
        due_date: occurredAt - 60,
        paid_at: failed ? undefined : occurredAt,
        next_retry_at: failed ? occurredAt + 3 * 86_400 : undefined,
        dunning_status: options.dunningStatus ?? (failed ? 'in_progress' : undefined),
        dunning_attempts: failed
          ? [{ attempt: 0, created_at: occurredAt, transaction_id: 'txn_AzZhZjU8pQ5m' }]
          : [],
      },
      customer: {
        id: customerId,
        first_name: 'Jenny',
        last_name: 'Rosen',
        email: options.email ?? 'jenny.rosen@example.com',
        locale: 'en-US',
        billing_address: { first_name: 'Jenny', last_name: 'Rosen', country: 'US' },
      },
    },
  };
}

export function chargebeeRequest(event: object, credentials: string = testChargebeeCredentials) {
  return { payload: JSON.stringify(event), headers: { Authorization: chargebeeAuthorization(credentials) } };
}

export interface InhouseEventOptions {
  readonly id?: string;
  readonly type?: string;
  readonly occurredAt?: string;
  readonly livemode?: boolean;
  readonly customerId?: string;
  readonly invoiceId?: string;
  readonly amountDue?: number;
  readonly currency?: string;
  readonly declineCode?: string;
  readonly email?: string;
  readonly timeZone?: string;
}

export function inhouseInvoiceEvent(options: InhouseEventOptions = {}) {
  const type = options.type ?? 'invoice.payment_failed';
  return {
    specVersion: '1.0',
    id: options.id ?? 'bill_evt_000184467',
    type,
    occurredAt: options.occurredAt ?? '2026-11-02T10:14:09Z',
    livemode: options.livemode ?? false,
    customer: {
      id: options.customerId ?? 'acct-88412',
      email: options.email ?? 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      country: 'US',
      timeZone: options.timeZone ?? 'America/New_York',
    },
    invoice: {
      id: options.invoiceId ?? 'INV-2026-11-00412',
      amountDue: options.amountDue ?? 4999,
      currency: options.currency ?? 'USD',
      payUrl: 'https://billing.acme.example/pay/INV-2026-11-00412',
      attemptCount: 1,
      nextPaymentAttemptAt: '2026-11-05T10:14:09Z',
    },
    ...(type === 'invoice.payment_failed'
      ? { paymentAttempt: { id: 'pay-77120', declineCode: options.declineCode ?? 'insufficient_funds' } }
      : {}),
  };
}

export function signedInhouseRequest(
  event: object,
  atUnixSeconds: number,
  secret: string | readonly string[] = testInhouseSecret,
) {
  const payload = JSON.stringify(event);
  return {
    payload,
    headers: { 'Collections-Signature': signInhousePayload(payload, secret, atUnixSeconds) },
  };
}
