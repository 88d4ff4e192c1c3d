import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isContactAllowed } from '../../shared/domain/contact-policy.ts';
import { defaultStrategyOnly } from '../support/strategy-catalogs.ts';
import { signedStripeRequest } from '../support/stripe-events.ts';
import { stripeCustomer, stripeEventOf } from '../support/stripe-objects.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

const day = 24 * 3600;
/** 03:00 UTC on Monday 2 March 2026 is 22:00 on Sunday in New York: outside the contact window. */
const clockStart = new Date('2026-03-02T03:00:00Z');
const newYork = 'America/New_York';
const debtor = {
  customerId: 'cus_NYC01',
  invoiceId: 'in_NYC01',
  email: 'dana@example.com',
  timeZone: newYork,
  amountDue: 4999,
  currency: 'usd',
} as const;

describe('the local collection journey', () => {
  const product = localRuntimePerTest(() => ({
    clockStart,
    // These journeys follow the three-email default strategy; the shipped routing is tested apart.
    strategies: defaultStrategyOnly,
  }));

  it('turns a failed payment into compliant emails and stops for good once the invoice is paid', async () => {
    const failed = await product.client.deliverStripeEvent('invoice.payment_failed', debtor);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'applied', caseId: expect.stringMatching(/^case_/) });
    expect(await product.client.outbox()).toEqual([]);

    await product.client.advanceTo('2026-03-02T12:59:59Z');
    expect(await product.client.outbox()).toEqual([]);

    await product.client.advance(1);
    const [first] = await product.client.outbox();
    expect(first).toMatchObject({
      channel: 'email',
      to: debtor.email,
      customerId: 'stripe:cus_NYC01',
      caseId: failed.body.caseId,
      template: 'payment-failed',
      subject: 'Your payment of $49.99 did not go through',
      sentAt: '2026-03-02T13:00:00.000Z',
    });
    expect(first?.body).toContain('$49.99');
    expect(first?.body).toContain('https://invoice.stripe.com/i/');
    expect(first?.body).toContain('in_NYC01');

    await product.client.advance(7 * day);
    const sent = await product.client.outbox();
    expect(sent.map((message) => message.template)).toEqual([
      'payment-failed',
      'payment-reminder',
      'final-notice',
    ]);
    for (const message of sent) {
      expect(isContactAllowed(new Date(message.sentAt), [newYork])).toBe(true);
    }
    // Day 7 falls after the switch to daylight saving time (8 March): 08:00 EDT is 12:00 UTC.
    expect(sent[2]?.sentAt).toBe('2026-03-09T12:00:00.000Z');

    const paid = await product.client.deliverStripeEvent('invoice.paid', debtor);
    expect(paid.status).toBe(200);
    expect((await product.runtime.table.getCase(String(failed.body.caseId)))?.status).toBe('closed');

    await product.client.advance(30 * day);
    expect(await product.client.outbox()).toHaveLength(3);
    expect(product.runtime.journeys.get(String(failed.body.caseId))?.status).toBe('SUCCEEDED');

    // The finance metrics were kept up to date as the events arrived: nothing to run.
    const march = await product.client.metrics('?currency=USD&period=2026-03');
    expect(march.currencies).toEqual([
      expect.objectContaining({
        currency: 'USD',
        cohort: expect.objectContaining({
          failedAmountMinor: 4999,
          failedCount: 1,
          recoveredAmountMinor: 4999,
          recoveredCount: 1,
          recoveryRateAmount: 1,
          recoveryRateCount: 1,
        }),
      }),
    ]);
    // Without a period: the current month to date (the virtual clock is in April by now).
    const toDate = await product.client.metrics('?currency=USD');
    expect(toDate.period.start).toBe('2026-04-01');
    expect(toDate.currencies[0]?.cohort.failedCount).toBe(0);
  });

  it('sends nothing more once the debtor pays in the middle of the journey', async () => {
    const failed = await product.client.deliverStripeEvent('invoice.payment_failed', debtor);
    await product.client.advance(day);
    expect((await product.client.outbox()).map((message) => message.template)).toEqual(['payment-failed']);

    await product.client.deliverStripeEvent('invoice.paid', debtor);
    await product.client.advance(40 * day);

    expect((await product.client.outbox()).map((message) => message.template)).toEqual(['payment-failed']);
    const execution = product.runtime.journeys.get(String(failed.body.caseId));
    expect(execution?.status).toBe('SUCCEEDED');
    // The journey woke for day 3, re-read the case, found it closed and ended: a few transitions, not a loop.
    expect(execution?.stateTransitions).toBeLessThanOrEqual(12);
  });

  it('opens one case and sends one message per step however often every event is delivered', async () => {
    const secondInvoice = { ...debtor, invoiceId: 'in_NYC02', amountDue: 1500 };
    const deliveries = [
      await product.client.deliverStripeEvent('invoice.payment_failed', debtor),
      await product.client.deliverStripeEvent('invoice.payment_failed', secondInvoice),
    ];
    const replays = await Promise.all(
      [...deliveries, ...deliveries].map((delivery) =>
        product.client.postStripe(delivery.payload, delivery.signature),
      ),
    );
    expect(replays.map((replay) => replay.status)).toEqual([200, 200, 200, 200]);
    expect(replays.map((replay) => replay.body.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(deliveries[0]?.body.caseId).toBe(deliveries[1]?.body.caseId);

    await product.client.advance(10 * day);
    const sent = await product.client.outbox();
    expect(sent.map((message) => message.stepId)).toEqual([
      'day-0-payment-failed',
      'day-3-reminder',
      'day-7-final-notice',
    ]);
    // One message lists both claims, each with its own amount.
    expect(sent[0]?.body).toContain('$49.99');
    expect(sent[0]?.body).toContain('$15.00');
    expect(sent[0]?.subject).toBe('Your payment of $64.99 did not go through');
    expect(product.runtime.journeys.list()).toHaveLength(1);
  });

  it('starts a fresh journey listing every open claim when a new invoice fails after the last step', async () => {
    const first = await product.client.deliverStripeEvent('invoice.payment_failed', debtor);
    await product.client.advance(10 * day);
    expect(await product.client.outbox()).toHaveLength(3);

    const second = await product.client.deliverStripeEvent('invoice.payment_failed', {
      ...debtor,
      invoiceId: 'in_NYC02',
      amountDue: 1500,
    });
    expect(second.body.caseId).not.toBe(first.body.caseId);
    await product.client.advance(day);

    const fresh = (await product.client.outbox()).slice(3);
    expect(fresh.map((message) => message.stepId)).toEqual(['day-0-payment-failed']);
    expect(fresh[0]?.caseId).toBe(second.body.caseId);
    expect(fresh[0]?.body).toContain('in_NYC01');
    expect(fresh[0]?.body).toContain('in_NYC02');
    expect(await product.runtime.table.getCase(String(first.body.caseId))).toMatchObject({
      status: 'closed',
      closeReason: 'superseded',
      supersededBy: second.body.caseId,
    });

    await product.client.deliverStripeEvent('invoice.paid', debtor);
    expect((await product.runtime.table.getCase(String(second.body.caseId)))?.status).toBe('open');
    await product.client.deliverStripeEvent('invoice.paid', {
      ...debtor,
      invoiceId: 'in_NYC02',
      amountDue: 1500,
    });
    expect((await product.runtime.table.getCase(String(second.body.caseId)))?.closeReason).toBe('paid');
    await product.client.advance(30 * day);
    expect(await product.client.outbox()).toHaveLength(4);
  });

  it('resumes the journey of a debtor nobody could reach once billing gives them an email address', async () => {
    // Prepare: the invoice fails for a customer without email; the journey finds no channel and ends.
    const failed = await product.client.deliverStripeEvent('invoice.payment_failed', {
      ...debtor,
      email: null,
    });
    const caseId = String(failed.body.caseId);
    await product.client.advance(2 * day);
    const endedCase = await product.runtime.table.getCase(caseId);
    const sentBefore = await product.client.outbox();

    // Act: the customer adds an address in Stripe, which sends customer.updated.
    const now = Math.floor((await product.client.now()).getTime() / 1000);
    const updated = signedStripeRequest(
      stripeEventOf(
        'customer.updated',
        stripeCustomer({ id: debtor.customerId, email: 'dana.late@example.com', timeZone: newYork }),
        { id: 'evt_customer_late_email', created: now },
      ),
      product.runtime.stripeWebhookSecret,
      now,
    );
    const delivered = await product.client.postStripe(updated.payload, updated.signature);
    await product.client.advance(10 * day);

    // Assess: the second run of the case's journey emails the new address, each step once, on the
    // strategy's spacing (days 0, 3 and 7) counted from the resume at 22:00 on 3 March in New York,
    // each at 08:00 there, the window's opening (EST, then EDT from 8 March).
    expect(endedCase?.journeyEndedAt).toBeDefined();
    expect(sentBefore).toEqual([]);
    expect(delivered).toEqual({ status: 200, body: expect.objectContaining({ status: 'recorded' }) });
    const sent = await product.client.outbox();
    expect(sent.map((message) => [message.caseId, message.to, message.template, message.sentAt])).toEqual([
      [caseId, 'dana.late@example.com', 'payment-failed', '2026-03-04T13:00:00.000Z'],
      [caseId, 'dana.late@example.com', 'payment-reminder', '2026-03-07T13:00:00.000Z'],
      [caseId, 'dana.late@example.com', 'final-notice', '2026-03-11T12:00:00.000Z'],
    ]);
    const executions = (await (await fetch(`${product.runtime.url}/local/executions`)).json()) as {
      name: string;
      caseId: string;
      status: string;
    }[];
    expect(executions).toEqual([
      expect.objectContaining({ name: caseId, caseId, status: 'SUCCEEDED' }),
      expect.objectContaining({ name: `${caseId}-run2`, caseId, status: 'SUCCEEDED' }),
    ]);
    expect(await product.runtime.table.getCase(caseId)).toMatchObject({ status: 'open', journeyRun: 2 });
  });

  it('answers 400 to a bad, stale or mismatched signature and leaves the table unchanged', async () => {
    const before = await product.client.tableSnapshot();

    const forged = await product.client.deliverStripeEvent('invoice.payment_failed', debtor, {
      secret: 'whsec_not_the_configured_secret',
    });
    const signedAt = Math.floor(clockStart.getTime() / 1000) - 301;
    const stale = await product.client.deliverStripeEvent('invoice.payment_failed', debtor, { signedAt });
    const genuine = await product.client.signStripeEvent('invoice.payment_failed', debtor);
    const tampered = await product.client.postStripe(
      genuine.payload.replace('"amount_due": 4999', '"amount_due": 1'),
      genuine.signature,
    );
    const unsigned = await product.client.postStripe(genuine.payload, '');

    expect([forged.status, stale.status, tampered.status, unsigned.status]).toEqual([400, 400, 400, 400]);
    expect(forged.body).toMatchObject({ error: 'SignatureVerificationError' });
    expect(await product.client.tableSnapshot()).toEqual(before);
    expect(product.runtime.journeys.list()).toEqual([]);

    const accepted = await product.client.postStripe(genuine.payload, genuine.signature);
    expect(accepted.status).toBe(200);
  });

  it('contacts a debtor known only by country within the window of every zone of that country', async () => {
    await product.client.deliverStripeEvent('invoice.payment_failed', {
      customerId: 'cus_US01',
      invoiceId: 'in_US01',
      email: 'sam@example.com',
      country: 'US',
    });
    await product.client.advance(day);
    const [first] = await product.client.outbox();
    expect(first).toBeDefined();
    const sentAt = DateTime.fromISO(first?.sentAt ?? '', { zone: 'UTC' });
    // 08:00 in Los Angeles (PST, UTC-8) is the first moment inside the window from Honolulu to New York.
    expect(sentAt.setZone('America/Los_Angeles').hour).toBeGreaterThanOrEqual(8);
    expect(sentAt.setZone('America/New_York').hour).toBeLessThan(21);
  });
});
