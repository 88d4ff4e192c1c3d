import { signStripePayload, stripeInvoiceEvent, stripePayload } from '../../support/stripe-events.ts';
import type { RuntimePerTest } from './runtime-per-test.ts';

export interface TextingDebtor {
  /** Stripe's customer id (the product qualifies it `stripe:`). */
  readonly customerId: string;
  readonly invoiceId: string;
  readonly phone: string;
  /** null: billing holds no email address for the debtor. */
  readonly email: string | null;
}

/**
 * A debtor in Madrid who agreed to texts earlier (texts need consent: TCPA), as a START reply
 * records it, and whose failed invoice of €49.99 carries their mobile number: the invoice's
 * `invoice.payment_failed`, signed at the virtual now, opens a case. Returns the case id.
 */
export async function failInvoiceOfTextingDebtor(
  product: RuntimePerTest,
  debtor: TextingDebtor,
): Promise<string> {
  await product.runtime.table.putConsent({
    customerId: `stripe:${debtor.customerId}`,
    channel: 'sms',
    status: 'opted-in',
    address: debtor.phone,
    reason: 'start-keyword',
    decidedAt: '2026-03-01T10:00:00.000Z',
    sourceEventId: 'inbound-start-at-signup',
  });
  const now = Math.floor((await product.client.now()).getTime() / 1000);
  const event = stripeInvoiceEvent('invoice.payment_failed', {
    eventId: `evt_${debtor.invoiceId}`,
    created: now,
    customerId: debtor.customerId,
    invoiceId: debtor.invoiceId,
    email: debtor.email,
    timeZone: 'Europe/Madrid',
    amountDue: 4999,
    currency: 'eur',
  });
  event.data.object.customer_phone = debtor.phone;
  const payload = stripePayload(event);
  const response = await product.client.postStripe(
    payload,
    signStripePayload(payload, product.runtime.stripeWebhookSecret, now),
  );
  if (response.status !== 200) throw new Error(`the failed invoice answered ${response.status}`);
  return String(response.body.caseId);
}
