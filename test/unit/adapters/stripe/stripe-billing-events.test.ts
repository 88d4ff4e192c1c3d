import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  isSupportedStripeEvent,
  type StripeTranslationOptions,
  stripeSignatureToleranceSeconds,
  translateStripeEvent,
  verifyStripeEvent,
} from '../../../../shared/adapters/stripe/stripe-billing-events.ts';
import {
  type BillingEvent,
  type ClaimBillingEvent,
  isClaimEvent,
} from '../../../../shared/domain/billing-event.ts';
import { SignatureVerificationError } from '../../../../shared/domain/errors.ts';
import {
  signedStripeRequest,
  signStripePayload,
  stripeInvoiceEvent,
  stripeInvoiceEventTypes,
  stripePayload,
  testWebhookSecret,
} from '../../../support/stripe-events.ts';
import {
  stripeCharge,
  stripeCreditNote,
  stripeCustomer,
  stripeDispute,
  stripeEventOf,
  stripePaymentIntent,
  stripePaymentMethod,
  stripeSubscription,
} from '../../../support/stripe-objects.ts';
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
  it.each([
    ...stripeInvoiceEventTypes,
    'invoice.payment_action_required',
    'invoice.payment_succeeded',
    'invoice.finalized',
    'invoice.updated',
    'invoice.overdue',
    'invoice.will_be_due',
    'invoice.upcoming',
    'customer.subscription.updated',
    'customer.subscription.deleted',
    'charge.dispute.created',
    'charge.dispute.closed',
    'charge.refunded',
    'credit_note.created',
    'payment_method.attached',
    'payment_method.updated',
    'payment_method.automatically_updated',
    'setup_intent.succeeded',
    'customer.updated',
    'customer.deleted',
  ])('handles %s (DOMAIN.md §1)', (type) => {
    // Act & Assess
    expect(isSupportedStripeEvent(type)).toBe(true);
  });

  it.each(['payout.paid', 'product.created', 'checkout.session.completed'])('does not handle %s', (type) => {
    // Act & Assess
    expect(isSupportedStripeEvent(type)).toBe(false);
  });
});

async function translated(
  event: Stripe.Event,
  options: StripeTranslationOptions = {},
): Promise<BillingEvent> {
  const translation = await translateStripeEvent(event, options);
  if (translation.status !== 'translated') throw new Error(`ignored: ${translation.reason}`);
  return translation.event;
}

async function claimEvent(
  event: Stripe.Event,
  options: StripeTranslationOptions = {},
): Promise<ClaimBillingEvent> {
  const billingEvent = await translated(event, options);
  if (!isClaimEvent(billingEvent)) throw new Error(`not a claim event: ${billingEvent.kind}`);
  return billingEvent;
}

describe('translateStripeEvent: invoices', () => {
  it('translates invoice.payment_failed into a failed claim with the retry schedule and pay link', async () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed');

    // Act
    const billingEvent = await translated(event);

    // Assess
    expect(billingEvent).toEqual({
      provider: 'stripe',
      eventId: 'evt_1SQ3kLLkdIwHu7ixTq9fV2Wb',
      kind: 'claim.payment_failed',
      occurredAt: '2026-11-02T10:14:09.000Z',
      livemode: false,
      sourceType: 'invoice.payment_failed',
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
        amountRemainingMinor: 4999,
        currency: 'USD',
        source: 'invoice',
        payUrl: event.data.object.hosted_invoice_url,
        attemptCount: 1,
        nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z',
        subscriptionId: 'stripe:sub_1RkVd9LkdIwHu7ixP0eWcG3s',
        // Finalized at 10:14:07 (status_transitions.finalized_at), billed by a subscription cycle.
        issuedAt: '2026-11-02T10:14:07.000Z',
        recurring: true,
      },
    });
  });

  it('says when the invoice was issued and whether it is recurring, as Stripe says it', async () => {
    // Prepare
    const manual = stripeInvoiceEvent('invoice.payment_failed', { subscriptionId: null });
    const unfinalized = stripeInvoiceEvent('invoice.payment_failed');
    unfinalized.data.object.status_transitions.finalized_at = null;
    const draft = stripeInvoiceEvent('invoice.payment_failed');
    draft.data.object.status_transitions.finalized_at = null;
    draft.data.object.status = 'draft';
    const withoutReason = stripeInvoiceEvent('invoice.payment_failed');
    withoutReason.data.object.billing_reason = null;
    const oneOffItems = stripeInvoiceEvent('invoice.payment_failed');
    oneOffItems.data.object.billing_reason = 'automatic_pending_invoice_item_invoice';
    const threshold = stripeInvoiceEvent('invoice.payment_failed');
    threshold.data.object.billing_reason = 'subscription_threshold';

    // Act
    const [manualClaim, unfinalizedClaim, draftClaim, noReasonClaim, oneOffClaim, thresholdClaim] =
      await Promise.all(
        [manual, unfinalized, draft, withoutReason, oneOffItems, threshold].map(
          async (event) => (await claimEvent(event)).claim,
        ),
      );

    // Assess
    expect(manualClaim).toMatchObject({ recurring: false, issuedAt: '2026-11-02T10:14:07.000Z' });
    expect(manualClaim?.subscriptionId).toBeUndefined();
    // Without a finalization time: the creation time, unless it is still a draft.
    expect(unfinalizedClaim?.issuedAt).toBe('2026-11-02T09:14:05.000Z');
    expect(draftClaim?.issuedAt).toBeUndefined();
    expect(noReasonClaim?.recurring).toBeUndefined();
    expect(oneOffClaim?.recurring).toBe(false);
    expect(thresholdClaim?.recurring).toBe(true);
  });

  it('translates invoice.paid into a paid claim dated by the invoice status transition', async () => {
    // Act
    const billingEvent = await claimEvent(stripeInvoiceEvent('invoice.paid'));

    // Assess
    expect(billingEvent.kind).toBe('claim.paid');
    expect(billingEvent.occurredAt).toBe('2026-11-05T10:31:44.000Z');
    expect(billingEvent.claim).toMatchObject({ paidAt: '2026-11-05T10:31:42.000Z', attemptCount: 2 });
    expect(billingEvent.claim.nextPaymentAttemptAt).toBeUndefined();
  });

  it('translates invoice.payment_succeeded like invoice.paid', async () => {
    // Prepare
    const event = {
      ...stripeInvoiceEvent('invoice.paid'),
      type: 'invoice.payment_succeeded',
    } as Stripe.Event;

    // Act & Assess
    expect((await claimEvent(event)).kind).toBe('claim.paid');
  });

  it('translates invoice.voided into a voided claim', async () => {
    // Act
    const billingEvent = await claimEvent(stripeInvoiceEvent('invoice.voided'));

    // Assess
    expect(billingEvent).toMatchObject({
      kind: 'claim.voided',
      eventId: 'evt_1SQ3yPLkdIwHu7ixJw2sL8Qn',
      occurredAt: '2026-11-03T15:02:12.000Z',
    });
    expect(billingEvent.claim.paidAt).toBeUndefined();
  });

  it('translates invoice.marked_uncollectible into a written-off claim', async () => {
    // Act
    const billingEvent = await claimEvent(stripeInvoiceEvent('invoice.marked_uncollectible'));

    // Assess
    expect(billingEvent).toMatchObject({ kind: 'claim.written_off', occurredAt: '2026-11-16T10:14:10.000Z' });
    expect(billingEvent.claim).toMatchObject({ attemptCount: 4 });
  });

  it('translates invoice.payment_action_required into a failure that asks for authentication', async () => {
    // Prepare
    const event = {
      ...stripeInvoiceEvent('invoice.payment_failed'),
      type: 'invoice.payment_action_required',
    } as Stripe.Event;

    // Act & Assess
    expect((await claimEvent(event)).kind).toBe('claim.action_required');
  });

  it.each([
    ['open', 'claim.updated'],
    ['paid', 'claim.paid'],
    ['void', 'claim.voided'],
    ['uncollectible', 'claim.written_off'],
  ] as const)(
    'decides a lifecycle event of an invoice in status %s from the invoice itself (%s)',
    async (status, kind) => {
      // Prepare
      const event = stripeInvoiceEvent('invoice.payment_failed');
      event.data.object.status = status;
      const overdue = { ...event, type: 'invoice.overdue' } as Stripe.Event;

      // Act & Assess
      expect((await claimEvent(overdue)).kind).toBe(kind);
    },
  );

  it('ignores a draft invoice and the preview of an upcoming invoice, saying why', async () => {
    // Prepare
    const draft = stripeInvoiceEvent('invoice.payment_failed');
    draft.data.object.status = 'draft';
    const upcoming = stripeInvoiceEvent('invoice.payment_failed');
    const { id: _id, ...withoutId } = upcoming.data.object;

    // Act
    const draftTranslation = await translateStripeEvent({
      ...draft,
      type: 'invoice.updated',
    } as Stripe.Event);
    const upcomingTranslation = await translateStripeEvent(stripeEventOf('invoice.upcoming', withoutId));

    // Assess
    expect(draftTranslation).toEqual({ status: 'ignored', reason: 'invoice in status draft' });
    expect(upcomingTranslation).toEqual({
      status: 'ignored',
      reason: 'invoice.upcoming has no invoice id (a preview)',
    });
  });

  it('scopes customer, claim and subscription ids to the connected account of a Connect event', async () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed', { account: 'acct_1PzYxWQv3eRt5uIo' });

    // Act
    const billingEvent = await claimEvent(event);

    // Assess
    expect(billingEvent.customer.customerId).toBe('stripe:acct_1PzYxWQv3eRt5uIo:cus_TMx8qA3nV5bW2k');
    expect(billingEvent.claim.claimId).toBe('stripe:acct_1PzYxWQv3eRt5uIo:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');
    expect(billingEvent.claim.subscriptionId).toBe(
      'stripe:acct_1PzYxWQv3eRt5uIo:sub_1RkVd9LkdIwHu7ixP0eWcG3s',
    );
    expect(billingEvent.claim.invoiceId).toBe('in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');
  });

  it.each([
    ['jpy', 5000, 'JPY'],
    ['krw', 65000, 'KRW'],
    ['bhd', 18850, 'BHD'],
    ['kwd', 15125, 'KWD'],
    ['eur', 4999, 'EUR'],
  ])(
    'keeps a %s amount in its minor unit as is (%i), in upper-case currency',
    async (currency, amount, code) => {
      // Prepare
      const event = stripeInvoiceEvent('invoice.payment_failed', { amountDue: amount, currency });

      // Act & Assess
      expect((await claimEvent(event)).claim).toMatchObject({ amountMinor: amount, currency: code });
    },
  );

  it('carries livemode as Stripe says it', async () => {
    // Act & Assess
    expect(
      (await translated(stripeInvoiceEvent('invoice.payment_failed', { livemode: true }))).livemode,
    ).toBe(true);
  });

  it('reads the time zone and locale the merchant put in the invoice metadata', async () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed', { timeZone: 'America/Chicago' });
    event.data.object.metadata = { ...event.data.object.metadata, locale: 'en-US' };

    // Act & Assess
    expect((await claimEvent(event)).customer).toMatchObject({
      timeZone: 'America/Chicago',
      locale: 'en-US',
    });
  });

  it('leaves out contact fields the invoice does not carry', async () => {
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
    const billingEvent = await claimEvent(event);

    // Assess
    expect(billingEvent.customer).toEqual({ customerId: 'stripe:cus_TMx8qA3nV5bW2k' });
    expect(Object.keys(billingEvent.claim).sort()).toEqual([
      'amountMinor',
      'amountRemainingMinor',
      'attemptCount',
      'claimId',
      'currency',
      'invoiceId',
      'issuedAt',
      'recurring',
      'source',
    ]);
  });

  it('falls back to the shipping country when the invoice has no billing address', async () => {
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

    // Act & Assess
    expect((await claimEvent(event)).customer.country).toBe('CA');
  });

  it('ignores an event type it does not handle, and an invoice without a customer', async () => {
    // Prepare
    const payout = stripeEventOf('payout.paid', { id: 'po_1SQ3', object: 'payout' });
    const orphan = stripeInvoiceEvent('invoice.payment_failed');
    orphan.data.object.customer = null;

    // Act & Assess
    expect(await translateStripeEvent(payout)).toEqual({
      status: 'ignored',
      reason: 'event type payout.paid is not handled',
    });
    expect(await translateStripeEvent(orphan)).toMatchObject({ status: 'ignored' });
  });
});

describe('translateStripeEvent: subscriptions', () => {
  it('normalises MRR from price interval, interval count and quantity', async () => {
    // Prepare: 49.99/month ×2 + 1,200.00/year + 30.00 every 3 months = 99.98 + 100.00 + 10.00.
    const subscription = stripeSubscription({
      items: [
        { unitAmount: 4999, quantity: 2, interval: 'month' },
        { unitAmount: 120000, interval: 'year' },
        { unitAmount: 3000, interval: 'month', intervalCount: 3 },
      ],
      status: 'past_due',
    });

    // Act
    const billingEvent = await translated(stripeEventOf('customer.subscription.updated', subscription));

    // Assess
    expect(billingEvent).toMatchObject({
      kind: 'subscription.updated',
      customer: { customerId: 'stripe:cus_TMx8qA3nV5bW2k' },
      subscription: {
        subscriptionId: 'stripe:sub_1RkVd9LkdIwHu7ixP0eWcG3s',
        status: 'past_due',
        mrrMinor: 20998,
        currency: 'USD',
        currentPeriodEnd: '2026-12-02T09:14:00.000Z',
      },
    });
  });

  it('marks a subscription cancelled for non-payment as involuntary churn material', async () => {
    // Prepare
    const subscription = stripeSubscription({
      status: 'canceled',
      canceledAt: 1794219249,
      cancellationReason: 'payment_failed',
    });

    // Act
    const billingEvent = await translated(stripeEventOf('customer.subscription.deleted', subscription));

    // Assess
    expect(billingEvent).toMatchObject({
      subscription: {
        status: 'canceled',
        cancellationReason: 'payment_failed',
        canceledAt: '2026-11-09T10:14:09.000Z',
      },
    });
  });

  it('leaves MRR unknown for a tiered price rather than guessing', async () => {
    // Prepare
    const subscription = stripeSubscription({ items: [{ unitAmount: null, interval: 'month' }] });

    // Act
    const billingEvent = await translated(stripeEventOf('customer.subscription.updated', subscription));

    // Assess
    expect(billingEvent).toMatchObject({ subscription: { status: 'active' } });
    expect(JSON.stringify(billingEvent)).not.toContain('mrrMinor');
  });

  it('keeps a zero-decimal MRR in yen', async () => {
    // Prepare: ¥12,000 a year is ¥1,000 a month.
    const subscription = stripeSubscription({
      currency: 'jpy',
      items: [{ unitAmount: 12000, interval: 'year' }],
    });

    // Act & Assess
    expect(await translated(stripeEventOf('customer.subscription.updated', subscription))).toMatchObject({
      subscription: { mrrMinor: 1000, currency: 'JPY' },
    });
  });
});

describe('translateStripeEvent: payments, disputes, refunds', () => {
  const invoiceId = 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc';

  it('reads the decline codes of a failed PaymentIntent and classifies them', async () => {
    // Prepare: an API version that still links the invoice.
    const intent = stripePaymentIntent({ declineCode: 'insufficient_funds', invoice: invoiceId });

    // Act
    const billingEvent = await claimEvent(stripeEventOf('payment_intent.payment_failed', intent));

    // Assess
    expect(billingEvent).toMatchObject({
      kind: 'claim.payment_failed',
      claim: { claimId: `stripe:${invoiceId}`, source: 'payment', amountMinor: 4999, currency: 'USD' },
      paymentAttempt: {
        paymentId: 'pi_3SQ3hKLkdIwHu7ix0Xb1Yc2D',
        declineCode: 'insufficient_funds',
        failureCode: 'card_declined',
        classification: { category: 'soft', retry: 'toward_payday' },
      },
    });
  });

  it('finds the invoice of a payment through the locator when the API version does not carry it', async () => {
    // Prepare
    const intent = stripePaymentIntent({ declineCode: 'do_not_honor', networkAdviceCode: '03' });
    const asked: string[] = [];
    const locatePayment = async ({ paymentIntentId }: { paymentIntentId: string }) => {
      asked.push(paymentIntentId);
      return { invoiceId, customerId: 'cus_TMx8qA3nV5bW2k' };
    };

    // Act
    const billingEvent = await claimEvent(stripeEventOf('payment_intent.payment_failed', intent), {
      locatePayment,
    });

    // Assess
    expect(asked).toEqual(['pi_3SQ3hKLkdIwHu7ix0Xb1Yc2D']);
    expect(billingEvent.claim.claimId).toBe(`stripe:${invoiceId}`);
    // Mastercard advice 03 (stop) outranks the soft issuer decline.
    expect(billingEvent.paymentAttempt?.classification).toMatchObject({
      category: 'stop',
      decidedBy: 'network_advice_code',
      routeToAgent: true,
    });
  });

  it('ignores a payment failure it cannot link to an invoice (a one-off checkout)', async () => {
    // Prepare
    const intent = stripePaymentIntent({ declineCode: 'expired_card' });

    // Act & Assess
    expect(await translateStripeEvent(stripeEventOf('payment_intent.payment_failed', intent))).toEqual({
      status: 'ignored',
      reason: 'payment not linked to an invoice',
    });
  });

  it('reads the charge outcome of charge.failed, network advice included', async () => {
    // Prepare
    const charge = stripeCharge({
      status: 'failed',
      failureCode: 'card_declined',
      outcome: { reason: 'generic_decline', networkAdviceCode: '27' },
      invoice: invoiceId,
    });

    // Act
    const billingEvent = await claimEvent(stripeEventOf('charge.failed', charge));

    // Assess: Mastercard 27 asks to wait 4 days.
    expect(billingEvent.paymentAttempt).toMatchObject({
      declineCode: 'generic_decline',
      networkAdviceCode: '27',
      classification: { category: 'soft', retryAfterSeconds: 4 * 86_400 },
    });
  });

  it('turns a dispute into a claim.disputed with its state, amount and reason', async () => {
    // Prepare
    const dispute = stripeDispute({ charge: stripeCharge({ invoice: invoiceId }) });

    // Act
    const billingEvent = await claimEvent(stripeEventOf('charge.dispute.created', dispute));

    // Assess
    expect(billingEvent).toMatchObject({
      kind: 'claim.disputed',
      customer: { customerId: 'stripe:cus_TMx8qA3nV5bW2k' },
      dispute: {
        disputeId: 'stripe:du_1SQ9aBLkdIwHu7ixK3lM4nOp',
        state: 'needs_response',
        amountMinor: 4999,
        currency: 'USD',
        reason: 'product_not_received',
      },
    });
  });

  it('turns charge.refunded into the cumulative refund of that charge', async () => {
    // Prepare
    const charge = stripeCharge({ amountRefunded: 2000, invoice: invoiceId });

    // Act
    const billingEvent = await claimEvent(stripeEventOf('charge.refunded', charge));

    // Assess
    expect(billingEvent).toMatchObject({
      kind: 'claim.refunded',
      credit: {
        creditId: 'stripe:ch_3SQ3hKLkdIwHu7ix0Ab1Cd2E',
        type: 'refund',
        amountMinor: 2000,
        currency: 'USD',
      },
    });
  });

  it('counts only the post-payment part of a credit note, and a voided one as void', async () => {
    // Prepare
    const issued = stripeCreditNote({ total: 1500, postPaymentAmount: 1000, prePaymentAmount: 500 });
    const voided = stripeCreditNote({ total: 1500, postPaymentAmount: 1000, status: 'void' });

    // Act
    const issuedEvent = await claimEvent(stripeEventOf('credit_note.created', issued));
    const voidedEvent = await claimEvent(stripeEventOf('credit_note.voided', voided));

    // Assess
    expect(issuedEvent.credit).toMatchObject({ type: 'credit_note', amountMinor: 1000, voided: false });
    expect(voidedEvent.credit).toMatchObject({ voided: true });
    expect(issuedEvent.claim.claimId).toBe(`stripe:${invoiceId}`);
  });
});

describe('translateStripeEvent: customers and payment methods', () => {
  it('translates customer.updated into a contact snapshot', async () => {
    // Prepare
    const customer = stripeCustomer({
      phone: '+14155550123',
      country: 'us',
      locales: ['fr-FR'],
      timeZone: 'Europe/Paris',
    });

    // Act & Assess
    expect(await translated(stripeEventOf('customer.updated', customer))).toMatchObject({
      kind: 'customer.updated',
      customer: {
        customerId: 'stripe:cus_TMx8qA3nV5bW2k',
        email: 'jenny.rosen@example.com',
        phone: '+14155550123',
        country: 'US',
        locale: 'fr-FR',
        timeZone: 'Europe/Paris',
      },
    });
  });

  it('translates customer.deleted into a deletion', async () => {
    // Act & Assess
    expect((await translated(stripeEventOf('customer.deleted', stripeCustomer({})))).kind).toBe(
      'customer.deleted',
    );
  });

  it.each([
    ['payment_method.attached', false],
    ['payment_method.updated', false],
    ['payment_method.automatically_updated', true],
  ] as const)('translates %s into a payment method change (automatic: %s)', async (type, automatic) => {
    // Act & Assess
    expect(await translated(stripeEventOf(type, stripePaymentMethod('cus_TMx8qA3nV5bW2k')))).toMatchObject({
      kind: 'customer.payment_method_updated',
      customer: { customerId: 'stripe:cus_TMx8qA3nV5bW2k' },
      automatic,
    });
  });

  it('ignores a payment method that belongs to no customer', async () => {
    // Act & Assess
    expect(
      await translateStripeEvent(stripeEventOf('payment_method.updated', stripePaymentMethod(null))),
    ).toMatchObject({
      status: 'ignored',
    });
  });
});

describe('translateStripeEvent: consent, segment and attributes from metadata', () => {
  it('reads them from the customer metadata', async () => {
    // Prepare
    const customer = stripeCustomer({ phone: '+14155550123' });
    customer.metadata = {
      sms_consent_at: '2026-10-01T09:30:00Z',
      whatsapp_consent_at: '1790000000',
      segment: 'smb',
      attr_plan: 'pro',
    };

    // Act
    const event = await translated(stripeEventOf('customer.updated', customer));

    // Assess
    expect(event.customer).toMatchObject({
      contactPreferences: {
        sms: { consentAt: '2026-10-01T09:30:00.000Z' },
        whatsapp: { consentAt: '2026-09-21T14:13:20.000Z' },
      },
      segment: 'smb',
      attributes: { plan: 'pro' },
    });
    expect(event).not.toHaveProperty('dataWarnings');
  });

  it('reads them from the invoice metadata', async () => {
    // Prepare
    const event = stripeInvoiceEvent('invoice.payment_failed');
    event.data.object.metadata = { sms_opted_out_at: '2026-10-20T00:00:00Z', segment: 'enterprise' };

    // Act & Assess
    expect((await claimEvent(event)).customer).toMatchObject({
      contactPreferences: { sms: { optedOutAt: '2026-10-20T00:00:00.000Z' } },
      segment: 'enterprise',
    });
  });

  it('still ingests the event when the metadata is malformed, leaving the bad keys out with a warning', async () => {
    // Prepare
    const customer = stripeCustomer({});
    customer.metadata = { sms_consent_at: 'yes please', segment: 'smb' };

    // Act
    const event = await translated(stripeEventOf('customer.updated', customer));

    // Assess
    expect(event.customer).not.toHaveProperty('contactPreferences');
    expect(event.customer).toMatchObject({ segment: 'smb' });
    expect(event.dataWarnings).toEqual([
      'metadata.sms_consent_at: not a timestamp (ISO 8601 with an offset, or unix seconds)',
    ]);
  });
});
