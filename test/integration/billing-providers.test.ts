import { describe, expect, it } from 'vitest';
import { chargebeeAuthorization } from '../../shared/adapters/chargebee/chargebee-billing-events.ts';
import { signInhousePayload } from '../../shared/adapters/inhouse/inhouse-billing-events.ts';
import { signPaddlePayload } from '../../shared/adapters/paddle/paddle-billing-events.ts';
import {
  chargebeeInvoiceEvent,
  inhouseInvoiceEvent,
  paddleTransactionNotification,
} from '../support/provider-events.ts';
import { signStripePayload, stripeInvoiceEvent, stripePayload } from '../support/stripe-events.ts';
import { stripeEventOf, stripePaymentIntent } from '../support/stripe-objects.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

/** 2026-11-02T10:14:09Z, when every event below happens; the virtual clock starts there. */
const failedAtUnix = 1793614449;
const clockStart = new Date(failedAtUnix * 1000);

describe('every billing provider in the local runtime', () => {
  const product = localRuntimePerTest(() => ({ clockStart }));

  async function post(path: string, body: string, headers: Record<string, string>) {
    const response = await fetch(`${product.runtime.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function caseStatus(caseId: unknown) {
    return (await product.runtime.table.getCase(String(caseId)))?.status;
  }

  it('Stripe: a decline opens a case with its classification, the payment closes it', async () => {
    // Prepare
    const ids = {
      eventId: 'evt_int_s1',
      invoiceId: 'in_int_s1',
      customerId: 'cus_int_s1',
      created: failedAtUnix,
    };
    const failed = stripePayload(stripeInvoiceEvent('invoice.payment_failed', ids));
    const declined = stripePayload(
      stripeEventOf(
        'payment_intent.payment_failed',
        stripePaymentIntent({ customer: 'cus_int_s1', declineCode: 'expired_card', invoice: 'in_int_s1' }),
        {
          id: 'evt_int_s2',
          created: failedAtUnix,
        },
      ),
    );
    const paid = stripePayload(
      stripeInvoiceEvent('invoice.paid', { ...ids, eventId: 'evt_int_s3', created: failedAtUnix + 60 }),
    );
    const sign = (body: string, at: number) => ({
      'stripe-signature': signStripePayload(body, product.runtime.stripeWebhookSecret, at),
    });

    // Act
    const opened = await post('/webhooks/stripe', failed, sign(failed, failedAtUnix));
    const decline = await post('/webhooks/stripe', declined, sign(declined, failedAtUnix));
    const claimAfterDecline = await product.runtime.table.getClaim('stripe:in_int_s1');
    await product.runtime.clock.advance(60);
    const closed = await post('/webhooks/stripe', paid, sign(paid, failedAtUnix + 60));

    // Assess
    expect(opened).toMatchObject({
      status: 200,
      body: { status: 'applied', caseId: expect.stringMatching(/^case_/) },
    });
    expect(decline).toMatchObject({ status: 200, body: { status: 'applied' } });
    expect(claimAfterDecline?.claim.lastDecline).toMatchObject({
      declineCode: 'expired_card',
      classification: { category: 'hard', askForNewPaymentMethod: true },
    });
    expect(closed.status).toBe(200);
    expect(await caseStatus(opened.body.caseId)).toBe('closed');
  });

  it('Stripe: a failed payment intent before its invoice opens no case; the invoice opens it and the journey runs', async () => {
    // Prepare: Stripe sends the two in either order; here the payment intent comes first.
    const ids = {
      eventId: 'evt_int_s4',
      invoiceId: 'in_int_s4',
      customerId: 'cus_int_s4',
      created: failedAtUnix,
    };
    const declined = stripePayload(
      stripeEventOf(
        'payment_intent.payment_failed',
        stripePaymentIntent({
          customer: 'cus_int_s4',
          declineCode: 'insufficient_funds',
          invoice: 'in_int_s4',
        }),
        { id: 'evt_int_s5', created: failedAtUnix },
      ),
    );
    const failed = stripePayload(stripeInvoiceEvent('invoice.payment_failed', ids));
    const sign = (body: string) => ({
      'stripe-signature': signStripePayload(body, product.runtime.stripeWebhookSecret, failedAtUnix),
    });

    // Act
    const early = await post('/webhooks/stripe', declined, sign(declined));
    const caseAfterIntent = (await product.runtime.table.getClaim('stripe:in_int_s4'))?.claim.caseId;
    const opened = await post('/webhooks/stripe', failed, sign(failed));
    await product.runtime.clock.advance(4 * 24 * 3600);

    // Assess: the decline is kept, and the journey of the case the invoice opened contacts the debtor.
    expect(early).toMatchObject({ status: 200, body: { status: 'applied' } });
    expect(early.body.caseId).toBeUndefined();
    expect(caseAfterIntent).toBeUndefined();
    expect(opened.body).toMatchObject({ status: 'applied', caseId: expect.stringMatching(/^case_/) });
    const collectionCase = await product.runtime.table.getCase(String(opened.body.caseId));
    expect(collectionCase?.journeyEndedAt).toBeUndefined();
    expect((await product.runtime.table.getClaim('stripe:in_int_s4'))?.claim.lastDecline).toMatchObject({
      declineCode: 'insufficient_funds',
    });
    const outbox = (await (await fetch(`${product.runtime.url}/local/outbox`)).json()) as {
      caseId: string;
    }[];
    expect(outbox.filter((message) => message.caseId === opened.body.caseId).length).toBeGreaterThan(0);
  });

  it('Paddle: transaction.payment_failed opens a case, transaction.completed closes it', async () => {
    // Prepare
    const failed = JSON.stringify(
      paddleTransactionNotification({
        eventId: 'evt_int_p1',
        transactionId: 'txn_int_p1',
        customerId: 'ctm_int_p1',
      }),
    );
    const completed = JSON.stringify(
      paddleTransactionNotification({
        eventId: 'evt_int_p2',
        eventType: 'transaction.completed',
        transactionId: 'txn_int_p1',
        customerId: 'ctm_int_p1',
        occurredAt: '2026-11-02T10:15:09.000Z',
      }),
    );
    const sign = (body: string, at: number) => ({
      'paddle-signature': signPaddlePayload(body, product.runtime.paddleWebhookSecret, at),
    });

    // Act
    const opened = await post('/webhooks/paddle', failed, sign(failed, failedAtUnix));
    await product.runtime.clock.advance(60);
    const closed = await post('/webhooks/paddle', completed, sign(completed, failedAtUnix + 60));

    // Assess
    expect(opened).toMatchObject({
      status: 200,
      body: { status: 'applied', caseId: expect.stringMatching(/^case_/) },
    });
    expect((await product.runtime.table.getClaim('paddle:txn_int_p1'))?.claim).toMatchObject({
      status: 'paid',
      amountMinor: 4999,
      lastDecline: {
        failureCode: 'not_enough_balance',
        classification: { category: 'soft', retry: 'toward_payday' },
      },
    });
    expect(closed.status).toBe(200);
    expect(await caseStatus(opened.body.caseId)).toBe('closed');
  });

  it('Chargebee: payment_failed behind Basic auth opens a case, payment_succeeded closes it', async () => {
    // Prepare
    const auth = { authorization: chargebeeAuthorization(product.runtime.chargebeeCredentials) };
    const failed = JSON.stringify(
      chargebeeInvoiceEvent({ eventId: 'ev_int_c1', invoiceId: 'inv_int_c1', customerId: 'cb_int_c1' }),
    );
    const succeeded = JSON.stringify(
      chargebeeInvoiceEvent({
        eventId: 'ev_int_c2',
        eventType: 'payment_succeeded',
        invoiceId: 'inv_int_c1',
        customerId: 'cb_int_c1',
        occurredAt: failedAtUnix + 60,
      }),
    );

    // Act
    const refused = await post('/webhooks/chargebee', failed, {
      authorization: chargebeeAuthorization('chargebee:wrong'),
    });
    const opened = await post('/webhooks/chargebee', failed, auth);
    const closed = await post('/webhooks/chargebee', succeeded, auth);

    // Assess
    expect(refused.status).toBe(401);
    expect(opened).toMatchObject({
      status: 200,
      body: { status: 'applied', caseId: expect.stringMatching(/^case_/) },
    });
    expect(await product.runtime.table.getCustomer('chargebee:cb_int_c1')).toMatchObject({
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
    });
    expect(closed.status).toBe(200);
    expect(await caseStatus(opened.body.caseId)).toBe('closed');
  });

  it('in-house format: a signed invoice.payment_failed opens a case, invoice.paid closes it', async () => {
    // Prepare
    const failed = JSON.stringify(
      inhouseInvoiceEvent({ id: 'evt-int-h1', invoiceId: 'INV-int-h1', customerId: 'acct-int-h1' }),
    );
    const paid = JSON.stringify(
      inhouseInvoiceEvent({
        id: 'evt-int-h2',
        type: 'invoice.paid',
        invoiceId: 'INV-int-h1',
        customerId: 'acct-int-h1',
        occurredAt: '2026-11-02T10:15:09Z',
      }),
    );
    const sign = (body: string, at: number) => ({
      'collections-signature': signInhousePayload(body, product.runtime.inhouseWebhookSecret, at),
    });

    // Act
    const opened = await post('/webhooks/inhouse', failed, sign(failed, failedAtUnix));
    await product.runtime.clock.advance(60);
    const closed = await post('/webhooks/inhouse', paid, sign(paid, failedAtUnix + 60));

    // Assess
    expect(opened).toMatchObject({
      status: 200,
      body: { status: 'applied', caseId: expect.stringMatching(/^case_/) },
    });
    expect(closed.status).toBe(200);
    expect(await caseStatus(opened.body.caseId)).toBe('closed');
  });

  it('answers 404 for a provider route that does not exist, writing nothing', async () => {
    // Act
    const response = await fetch(`${product.runtime.url}/webhooks/braintree`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(404);
  });
});
