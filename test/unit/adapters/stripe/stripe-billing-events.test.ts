import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  isSupportedStripeEvent,
  stripeSignatureToleranceSeconds,
  translateStripeEvent,
  verifyStripeEvent,
} from '../../../../shared/adapters/stripe/stripe-billing-events.ts';
import { SignatureVerificationError, UnsupportedEventError } from '../../../../shared/domain/errors.ts';
import {
  signedStripeRequest,
  signStripePayload,
  stripeInvoiceEvent,
  stripeInvoiceEventTypes,
  stripePayload,
  testWebhookSecret,
} from '../../../support/stripe-events.ts';
import { errorThrownBy } from '../../../support/thrown-error.ts';

const previousSecret = 'whsec_Lq8nW3vZ6yD1cF4hK7mP0rT2xB5eG9jA';

describe('verifyStripeEvent', () => {
  const event = stripeInvoiceEvent('invoice.payment_failed');
  const deliveredAt = new Date((event.created + 2) * 1000);

  it('returns the event when the signature over the raw body is valid', () => {
    // Prepare
    const { payload, signature } = signedStripeRequest(event, testWebhookSecret, event.created + 1);

    // Act
    const verified = verifyStripeEvent(payload, signature, testWebhookSecret, deliveredAt);

    // Assess
    expect(verified).toEqual(JSON.parse(payload));
  });

  it('rejects a body changed after signing', () => {
    // Prepare
    const { payload, signature } = signedStripeRequest(event, testWebhookSecret, event.created + 1);
    const tampered = payload.replace('"amount_due": 4999', '"amount_due": 499');

    // Act
    const error = errorThrownBy(() => verifyStripeEvent(tampered, signature, testWebhookSecret, deliveredAt));

    // Assess
    expect(tampered).not.toBe(payload);
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(error).toMatchObject({ statusCode: 400, expose: true, message: 'invalid Stripe signature' });
    expect(error.cause).toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
  });

  it('rejects a body re-serialised by a parser (verification is on the raw bytes)', () => {
    // Prepare
    const { payload, signature } = signedStripeRequest(event, testWebhookSecret, event.created + 1);
    const reserialised = JSON.stringify(JSON.parse(payload));

    // Act
    const error = errorThrownBy(() =>
      verifyStripeEvent(reserialised, signature, testWebhookSecret, deliveredAt),
    );

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
  });

  it('rejects a signature made with another secret', () => {
    // Prepare
    const { payload, signature } = signedStripeRequest(event, previousSecret, event.created + 1);

    // Act
    const error = errorThrownBy(() => verifyStripeEvent(payload, signature, testWebhookSecret, deliveredAt));

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
  });

  it('rejects a request without a Stripe-Signature header', () => {
    // Act
    const error = errorThrownBy(() =>
      verifyStripeEvent(stripePayload(event), undefined, testWebhookSecret, deliveredAt),
    );

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(error).toMatchObject({ message: 'missing Stripe-Signature header' });
  });

  it('rejects a header without a timestamp or signature', () => {
    // Act
    const error = errorThrownBy(() =>
      verifyStripeEvent(stripePayload(event), 'v1=deadbeef', testWebhookSecret, deliveredAt),
    );

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
  });

  it(`accepts a signature up to ${stripeSignatureToleranceSeconds} s old by the given clock`, () => {
    // Prepare
    const signedAt = event.created + 1;
    const { payload, signature } = signedStripeRequest(event, testWebhookSecret, signedAt);
    const now = new Date((signedAt + stripeSignatureToleranceSeconds) * 1000);

    // Act
    const verified = verifyStripeEvent(payload, signature, testWebhookSecret, now);

    // Assess
    expect(verified.id).toBe(event.id);
  });

  it('rejects a replayed delivery whose signature is older than the tolerance by the given clock', () => {
    // Prepare
    const signedAt = event.created + 1;
    const { payload, signature } = signedStripeRequest(event, testWebhookSecret, signedAt);
    const now = new Date((signedAt + stripeSignatureToleranceSeconds + 1) * 1000);

    // Act
    const error = errorThrownBy(() => verifyStripeEvent(payload, signature, testWebhookSecret, now));

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
  });

  it('measures the age against the given clock, not the machine clock', () => {
    // Prepare: a delivery signed in 2020, checked by a (virtual) clock 4 minutes later.
    const signedAt = Date.parse('2020-01-15T09:00:00.000Z') / 1000;
    const old = stripeInvoiceEvent('invoice.payment_failed', { created: signedAt - 1 });
    const { payload, signature } = signedStripeRequest(old, testWebhookSecret, signedAt);

    // Act
    const verified = verifyStripeEvent(
      payload,
      signature,
      testWebhookSecret,
      new Date((signedAt + 240) * 1000),
    );

    // Assess
    expect(verified.id).toBe(old.id);
  });

  it('accepts a header carrying one v1 signature per secret while the secret is rotated', () => {
    // Prepare
    const payload = stripePayload(event);
    const signature = signStripePayload(payload, [previousSecret, testWebhookSecret], event.created + 1);

    // Act
    const withNewSecret = verifyStripeEvent(payload, signature, testWebhookSecret, deliveredAt);
    const withOldSecret = verifyStripeEvent(payload, signature, previousSecret, deliveredAt);
    const withUnrelatedSecret = errorThrownBy(() =>
      verifyStripeEvent(payload, signature, 'whsec_0000000000000000000000000000000a', deliveredAt),
    );

    // Assess
    expect(signature.match(/v1=/g)).toHaveLength(2);
    expect(withNewSecret.id).toBe(event.id);
    expect(withOldSecret.id).toBe(event.id);
    expect(withUnrelatedSecret).toBeInstanceOf(SignatureVerificationError);
  });
});

describe('isSupportedStripeEvent', () => {
  it.each(stripeInvoiceEventTypes)('handles %s', (type) => {
    // Act & Assess
    expect(isSupportedStripeEvent(type)).toBe(true);
  });

  it.each(['invoice.finalized', 'invoice.payment_succeeded', 'customer.subscription.updated'])(
    'does not handle %s',
    (type) => {
      // Act & Assess
      expect(isSupportedStripeEvent(type)).toBe(false);
    },
  );
});

describe('translateStripeEvent', () => {
  it('translates invoice.payment_failed into a failed claim with the retry schedule and pay link', () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed');

    // Act
    const billingEvent = translateStripeEvent(event);

    // Assess
    expect(billingEvent).toEqual({
      provider: 'stripe',
      eventId: 'evt_1SQ3kLLkdIwHu7ixTq9fV2Wb',
      kind: 'claim.payment_failed',
      occurredAt: '2026-11-02T10:14:09.000Z',
      livemode: false,
      customer: {
        customerId: 'stripe:cus_TMx8qA3nV5bW2k',
        email: 'jenny.rosen@example.com',
        name: 'Jenny Rosen',
        country: 'US',
      },
      claim: {
        claimId: 'stripe:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc',
        invoiceId: 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc',
        amountMinor: 4999,
        currency: 'USD',
        payUrl: event.data.object.hosted_invoice_url,
        attemptCount: 1,
        nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z',
        subscriptionId: 'sub_1RkVd9LkdIwHu7ixP0eWcG3s',
      },
    });
  });

  it('translates invoice.paid into a paid claim dated by the invoice status transition', () => {
    // Act
    const billingEvent = translateStripeEvent(stripeInvoiceEvent('invoice.paid'));

    // Assess
    expect(billingEvent.kind).toBe('claim.paid');
    expect(billingEvent.occurredAt).toBe('2026-11-05T10:31:44.000Z');
    expect(billingEvent.claim).toMatchObject({ paidAt: '2026-11-05T10:31:42.000Z', attemptCount: 2 });
    expect(billingEvent.claim.nextPaymentAttemptAt).toBeUndefined();
  });

  it('translates invoice.voided into a voided claim', () => {
    // Act
    const billingEvent = translateStripeEvent(stripeInvoiceEvent('invoice.voided'));

    // Assess
    expect(billingEvent).toMatchObject({
      kind: 'claim.voided',
      eventId: 'evt_1SQ3yPLkdIwHu7ixJw2sL8Qn',
      occurredAt: '2026-11-03T15:02:12.000Z',
    });
    expect(billingEvent.claim.paidAt).toBeUndefined();
  });

  it('translates invoice.marked_uncollectible into a written-off claim', () => {
    // Act
    const billingEvent = translateStripeEvent(stripeInvoiceEvent('invoice.marked_uncollectible'));

    // Assess
    expect(billingEvent).toMatchObject({ kind: 'claim.written_off', occurredAt: '2026-11-16T10:14:10.000Z' });
    expect(billingEvent.claim).toMatchObject({ attemptCount: 4 });
  });

  it('scopes customer and claim ids to the connected account of a Connect event', () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed', { account: 'acct_1PzYxWQv3eRt5uIo' });

    // Act
    const billingEvent = translateStripeEvent(event);

    // Assess
    expect(billingEvent.customer.customerId).toBe('stripe:acct_1PzYxWQv3eRt5uIo:cus_TMx8qA3nV5bW2k');
    expect(billingEvent.claim.claimId).toBe('stripe:acct_1PzYxWQv3eRt5uIo:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');
    expect(billingEvent.claim.invoiceId).toBe('in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');
  });

  it('keeps a zero-decimal amount as is, in upper-case currency', () => {
    // Prepare: ¥5,000 is amount_due 5000 in JPY.
    const event = stripeInvoiceEvent('invoice.payment_failed', {
      amountDue: 5000,
      currency: 'jpy',
      country: 'JP',
    });

    // Act
    const billingEvent = translateStripeEvent(event);

    // Assess
    expect(billingEvent.claim).toMatchObject({ amountMinor: 5000, currency: 'JPY' });
    expect(billingEvent.customer.country).toBe('JP');
  });

  it('reads the time zone and locale the merchant put in the invoice metadata', () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed', { timeZone: 'America/Chicago' });
    event.data.object.metadata = { ...event.data.object.metadata, locale: 'en-US' };

    // Act
    const billingEvent = translateStripeEvent(event);

    // Assess
    expect(billingEvent.customer).toMatchObject({ timeZone: 'America/Chicago', locale: 'en-US' });
  });

  it('leaves out contact fields the invoice does not carry', () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed', {
      email: null,
      name: null,
      country: null,
      hostedInvoiceUrl: null,
      subscriptionId: null,
      nextPaymentAttempt: null,
    });

    // Act
    const billingEvent = translateStripeEvent(event);

    // Assess
    expect(billingEvent.customer).toEqual({ customerId: 'stripe:cus_TMx8qA3nV5bW2k' });
    expect(Object.keys(billingEvent.claim).sort()).toEqual([
      'amountMinor',
      'attemptCount',
      'claimId',
      'currency',
      'invoiceId',
    ]);
  });

  it('falls back to the shipping country when the invoice has no billing address', () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed', { country: null });
    event.data.object.customer_shipping = {
      address: {
        city: 'Toronto',
        country: 'CA',
        line1: '100 King St W',
        line2: null,
        postal_code: 'M5X 1A9',
        state: 'ON',
      },
      carrier: null,
      name: 'Jenny Rosen',
      phone: null,
      tracking_number: null,
    };

    // Act
    const billingEvent = translateStripeEvent(event);

    // Assess
    expect(billingEvent.customer.country).toBe('CA');
  });

  it('rejects an event type it does not handle', () => {
    // Prepare
    const finalized: Stripe.InvoiceFinalizedEvent = {
      ...stripeInvoiceEvent('invoice.payment_failed'),
      id: 'evt_1SQ3hKLkdIwHu7ixFn1zQ0Pa',
      type: 'invoice.finalized',
    };

    // Act
    const error = errorThrownBy(() => translateStripeEvent(finalized));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedEventError);
    expect(error).toMatchObject({ message: 'Stripe event type invoice.finalized is not handled' });
  });

  it('rejects an invoice without a customer', () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed');
    event.data.object.customer = null;

    // Act
    const error = errorThrownBy(() => translateStripeEvent(event));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedEventError);
  });
});
