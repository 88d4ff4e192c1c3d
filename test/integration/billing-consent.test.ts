import { describe, expect, it } from 'vitest';
import { shippedStrategies } from '../../workflows/strategies/index.ts';
import { inboundSms } from '../support/channel-events.ts';
import { signStripePayload, stripeInvoiceEvent, stripePayload } from '../support/stripe-events.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

const day = 24 * 3600;
/** 08:30 UTC on Wednesday 11 March 2026: 09:30 in Madrid, inside the contact window. */
const clockStart = new Date('2026-03-11T08:30:00Z');
const smsFirst = shippedStrategies.find((strategy) => strategy.id === 'gentle-b2c-sms-first');

describe('consent to texts sent through billing metadata, on the local runtime', () => {
  const product = localRuntimePerTest(() => {
    if (smsFirst === undefined) throw new Error('the SMS-first strategy is not shipped');
    return { clockStart, strategy: smsFirst };
  });

  /** A Stripe invoice event of a debtor in Madrid with a mobile number and the given invoice metadata. */
  async function sendInvoiceEvent(options: {
    eventId: string;
    customer: string;
    phone: string;
    metadata: Record<string, string>;
  }) {
    const now = Math.floor((await product.client.now()).getTime() / 1000);
    const event = stripeInvoiceEvent('invoice.payment_failed', {
      eventId: options.eventId,
      created: now,
      customerId: options.customer,
      invoiceId: `in_${options.customer}`,
      email: `${options.customer.toLowerCase()}@example.com`,
      timeZone: 'Europe/Madrid',
      amountDue: 4999,
      currency: 'eur',
    });
    event.data.object.customer_phone = options.phone;
    event.data.object.metadata = { ...event.data.object.metadata, ...options.metadata };
    const payload = stripePayload(event);
    const response = await product.client.postStripe(
      payload,
      signStripePayload(payload, product.runtime.stripeWebhookSecret, now),
    );
    expect(response.status).toBe(200);
    return String(response.body.caseId);
  }

  it('texts the debtor whose billing metadata gives SMS consent, and emails the one without', async () => {
    // Prepare
    const consented = await sendInvoiceEvent({
      eventId: 'evt_consent_01',
      customer: 'cus_CONSENTED',
      phone: '+34600111001',
      metadata: { sms_consent_at: '2026-01-15T10:00:00Z', segment: 'b2c', attr_plan: 'starter' },
    });
    const silent = await sendInvoiceEvent({
      eventId: 'evt_consent_02',
      customer: 'cus_NO_CONSENT',
      phone: '+34600111002',
      metadata: { sms_consent_at: 'yes' },
    });

    // Act
    await product.client.advance(3600);

    // Assess
    const sent = await product.client.outbox();
    expect(sent.filter((message) => message.caseId === consented).map((message) => message.channel)).toEqual([
      'sms',
    ]);
    expect(sent.filter((message) => message.caseId === silent).map((message) => message.channel)).toEqual([
      'email',
    ]);
    expect(await product.runtime.table.getCustomer('stripe:cus_CONSENTED')).toMatchObject({
      contactPreferences: { sms: { consentAt: '2026-01-15T10:00:00.000Z' } },
      segment: 'b2c',
      attributes: { plan: 'starter' },
    });
  });

  it('keeps texts stopped after STOP, even when billing sends a newer consent', async () => {
    // Prepare: consent in billing, a text, then STOP.
    const phone = '+34600111003';
    const caseId = await sendInvoiceEvent({
      eventId: 'evt_consent_03',
      customer: 'cus_STOPPED',
      phone,
      metadata: { sms_consent_at: '2026-01-15T10:00:00Z' },
    });
    await product.client.advance(3600);
    expect(
      (await product.client.inject('/local/inbound/sms', inboundSms({ from: phone, body: 'STOP' }))).status,
    ).toBe(200);
    const afterStop = (await product.client.outbox()).length;

    // Act: the next attempt fails, and the merchant's billing sends a renewed consent with it.
    await sendInvoiceEvent({
      eventId: 'evt_consent_04',
      customer: 'cus_STOPPED',
      phone,
      metadata: { sms_consent_at: '2026-03-11T12:00:00Z' },
    });
    await product.client.advance(5 * day);

    // Assess
    const later = (await product.client.outbox())
      .slice(afterStop)
      .filter((message) => message.caseId === caseId);
    expect(later.length).toBeGreaterThan(0);
    expect(later.filter((message) => message.channel === 'sms')).toEqual([]);
  });
});
