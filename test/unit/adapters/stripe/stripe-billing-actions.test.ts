import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  StripeBillingActions,
  type StripeBillingClient,
} from '../../../../shared/adapters/stripe/stripe-billing-actions.ts';

interface Call {
  readonly method: string;
  readonly id: string;
  readonly params?: unknown;
  readonly idempotencyKey?: string;
}

/** A Stripe client double that records calls and answers like the API would. */
function fakeStripe(options: { status?: string; payError?: Error; paidStatus?: string } = {}) {
  const calls: Call[] = [];
  const record = (
    method: string,
    id: string,
    params?: unknown,
    requestOptions?: { idempotencyKey?: string },
  ) => {
    calls.push({
      method,
      id,
      ...(params === undefined ? {} : { params }),
      ...(requestOptions?.idempotencyKey ? { idempotencyKey: requestOptions.idempotencyKey } : {}),
    });
  };
  const client = {
    invoices: {
      retrieve: async (id: string) => {
        record('invoices.retrieve', id);
        return { id, status: options.status ?? 'open' };
      },
      pay: async (id: string, params: unknown, requestOptions: { idempotencyKey?: string }) => {
        record('invoices.pay', id, params, requestOptions);
        if (options.payError) throw options.payError;
        return { id, status: options.paidStatus ?? 'paid' };
      },
      markUncollectible: async (id: string, params: unknown, requestOptions: { idempotencyKey?: string }) => {
        record('invoices.markUncollectible', id, params, requestOptions);
        return { id, status: 'uncollectible' };
      },
    },
    subscriptions: {
      cancel: async (id: string, params: unknown, requestOptions: { idempotencyKey?: string }) => {
        record('subscriptions.cancel', id, params, requestOptions);
        return { id, status: 'canceled' };
      },
      update: async (id: string, params: unknown, requestOptions: { idempotencyKey?: string }) => {
        record('subscriptions.update', id, params, requestOptions);
        return { id, status: 'active' };
      },
    },
  } as unknown as StripeBillingClient;
  return { client, calls };
}

const claim = { claimId: 'stripe:in_1SQ3', invoiceId: 'in_1SQ3', provider: 'stripe' };

describe('StripeBillingActions', () => {
  it('pays an open invoice with the idempotency key of the step', async () => {
    // Prepare
    const { client, calls } = fakeStripe();

    // Act
    const outcome = await new StripeBillingActions(client).retryPayment(claim, 'case_1:retry:stripe:in_1SQ3');

    // Assess
    expect(outcome).toEqual({ outcome: 'paid' });
    expect(calls).toEqual([
      { method: 'invoices.retrieve', id: 'in_1SQ3' },
      { method: 'invoices.pay', id: 'in_1SQ3', params: {}, idempotencyKey: 'case_1:retry:stripe:in_1SQ3' },
    ]);
  });

  it('answers declined with the decline code when the card is declined again', async () => {
    // Prepare
    const declined = new Stripe.errors.StripeCardError({
      type: 'card_error',
      message: 'Your card has insufficient funds.',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
    });
    const { client } = fakeStripe({ payError: declined });

    // Act
    const outcome = await new StripeBillingActions(client).retryPayment(claim, 'key');

    // Assess
    expect(outcome).toEqual({ outcome: 'declined', declineCode: 'insufficient_funds' });
  });

  it('answers requires-action when the payment needs 3-D Secure', async () => {
    // Prepare
    const needsAction = new Stripe.errors.StripeCardError({
      type: 'card_error',
      message: 'This payment requires additional user action before it can be completed successfully.',
      code: 'invoice_payment_intent_requires_action',
    });
    const { client } = fakeStripe({ payError: needsAction });

    // Act & Assess
    expect(await new StripeBillingActions(client).retryPayment(claim, 'key')).toEqual({
      outcome: 'requires-action',
    });
  });

  it('does not charge an invoice already paid, voided or uncollectible', async () => {
    // Prepare
    const { client, calls } = fakeStripe({ status: 'paid' });

    // Act
    const outcome = await new StripeBillingActions(client).retryPayment(claim, 'key');

    // Assess
    expect(outcome).toEqual({ outcome: 'already-settled' });
    expect(calls.map((call) => call.method)).toEqual(['invoices.retrieve']);
  });

  it('rethrows errors that are not answers (the task retries with the same key)', async () => {
    // Prepare
    const outage = new Stripe.errors.StripeConnectionError({
      type: 'api_error',
      message: 'connection reset',
    });
    const { client } = fakeStripe({ payError: outage });

    // Act & Assess
    await expect(new StripeBillingActions(client).retryPayment(claim, 'key')).rejects.toBe(outage);
  });

  it('marks an open invoice uncollectible, and leaves a settled one alone', async () => {
    // Prepare
    const open = fakeStripe();
    const voided = fakeStripe({ status: 'void' });

    // Act
    await new StripeBillingActions(open.client).markUncollectible(claim, 'k1');
    await new StripeBillingActions(voided.client).markUncollectible(claim, 'k2');

    // Assess
    expect(open.calls.at(-1)).toEqual({
      method: 'invoices.markUncollectible',
      id: 'in_1SQ3',
      params: {},
      idempotencyKey: 'k1',
    });
    expect(voided.calls.map((call) => call.method)).toEqual(['invoices.retrieve']);
  });

  it('cancels a subscription now, or at period end', async () => {
    // Prepare
    const { client, calls } = fakeStripe();
    const actions = new StripeBillingActions(client);
    const subscription = { provider: 'stripe', subscriptionId: 'sub_1' };

    // Act
    await actions.cancelSubscription(subscription, 'immediately', 'k1');
    await actions.cancelSubscription(subscription, 'at-period-end', 'k2');

    // Assess
    expect(calls).toEqual([
      { method: 'subscriptions.cancel', id: 'sub_1', params: {}, idempotencyKey: 'k1' },
      {
        method: 'subscriptions.update',
        id: 'sub_1',
        params: { cancel_at_period_end: true },
        idempotencyKey: 'k2',
      },
    ]);
  });
});
