import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signStripeBody, simulatedInvoiceEvent } from '../../../infra/local/simulated-stripe-events.ts';
import { translateStripeEvent } from '../../../shared/adapters/stripe/stripe-billing-events.ts';

describe('simulatedInvoiceEvent', () => {
  it('round-trips the claim ids through a real Stripe verification and translation', async () => {
    // Prepare
    const at = new Date('2026-03-02T12:00:00Z');
    const secret = 'whsec_simulated_events_test';
    const claim = {
      claimId: 'stripe:acct_1Connect:in_123',
      invoiceId: 'in_123',
      customerId: 'stripe:acct_1Connect:cus_123',
      amountMinor: 4999,
      currency: 'USD',
      subscriptionId: 'stripe:acct_1Connect:sub_123',
    };

    // Act
    const event = simulatedInvoiceEvent('invoice.paid', claim, undefined, at);
    const verified = new Stripe('sk_test_unused').webhooks.constructEvent(
      event.body,
      signStripeBody(event.body, secret, at),
      secret,
      300,
      undefined,
      at.getTime(),
    );
    const translated = await translateStripeEvent(verified);

    // Assess
    const invoice = verified.data.object as Stripe.Invoice;
    expect(invoice.parent?.subscription_details?.subscription).toBe('sub_123');
    expect(JSON.stringify(translated)).toContain('"stripe:acct_1Connect:sub_123"');
    expect(JSON.stringify(translated)).not.toContain('stripe:stripe:');
  });
});
