import { createHmac, randomBytes } from 'node:crypto';
import type { Customer } from '../../shared/domain/customer.ts';
import type { PayableClaim } from '../../shared/ports.ts';

/**
 * Stripe events the local payment simulator sends, shaped like Stripe's own (the fields the
 * product reads and the ones around them), signed as Stripe signs: `t=<unix>,v1=<HMAC-SHA256 of
 * "<t>.<body>">`. They go through the same ingest path as the real ones.
 */
export type SimulatedInvoiceEventType = 'invoice.paid' | 'invoice.payment_failed';

function unix(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

export function simulatedInvoiceEvent(
  type: SimulatedInvoiceEventType,
  claim: PayableClaim & { readonly attemptCount?: number; readonly subscriptionId?: string },
  customer: Customer | undefined,
  at: Date,
  extra: { readonly paidOutOfBand?: boolean } = {},
): { readonly id: string; readonly body: string } {
  const [, account, stripeCustomer] =
    claim.customerId.split(':').length === 3
      ? claim.customerId.split(':')
      : ['stripe', undefined, claim.customerId.split(':')[1]];
  const created = unix(at);
  const paid = type === 'invoice.paid';
  const id = `evt_local_${randomBytes(12).toString('hex')}`;
  const metadata: Record<string, string> = {};
  if (customer?.timeZone) metadata.time_zone = customer.timeZone;
  if (customer?.locale) metadata.locale = customer.locale;
  const event = {
    id,
    object: 'event',
    ...(account ? { account } : {}),
    api_version: '2025-09-30.clover',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: {
      object: {
        id: claim.invoiceId,
        object: 'invoice',
        customer: stripeCustomer,
        customer_email: customer?.email ?? null,
        customer_name: customer?.name ?? null,
        customer_address: customer?.country ? { country: customer.country } : null,
        currency: claim.currency.toLowerCase(),
        amount_due: claim.amountMinor,
        amount_paid: paid ? claim.amountMinor : 0,
        amount_remaining: paid ? 0 : claim.amountMinor,
        attempt_count: (claim.attemptCount ?? 1) + (paid && extra.paidOutOfBand ? 0 : 1),
        attempted: true,
        collection_method: 'charge_automatically',
        hosted_invoice_url: claim.payUrl ?? null,
        livemode: false,
        metadata,
        next_payment_attempt: null,
        paid_out_of_band: extra.paidOutOfBand ?? false,
        parent: claim.subscriptionId
          ? {
              type: 'subscription_details',
              // Claims hold provider-qualified ids (`stripe:[acct:]sub_...`); Stripe sends the bare one.
              subscription_details: { subscription: claim.subscriptionId.split(':').at(-1), metadata: {} },
            }
          : null,
        status: paid ? 'paid' : 'open',
        status_transitions: {
          finalized_at: created,
          paid_at: paid ? created : null,
          voided_at: null,
          marked_uncollectible_at: null,
        },
      },
    },
  };
  return { id, body: JSON.stringify(event, null, 2) };
}

export function signStripeBody(body: string, secret: string, at: Date): string {
  const t = unix(at);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}
