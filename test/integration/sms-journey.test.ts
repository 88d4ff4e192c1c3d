import { describe, expect, it } from 'vitest';
import { shippedStrategies } from '../../workflows/strategies/index.ts';
import { inboundSms } from '../support/channel-events.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';
import { failInvoiceOfTextingDebtor } from './support/texting-debtor.ts';

const day = 24 * 3600;
/** 08:30 UTC on Wednesday 11 March 2026: 09:30 in Madrid, inside the contact window. */
const clockStart = new Date('2026-03-11T08:30:00Z');
const phone = '+34600111222';
const smsFirst = shippedStrategies.find((strategy) => strategy.id === 'gentle-b2c-sms-first');

describe('a journey across channels on the local runtime', () => {
  const product = localRuntimePerTest(() => {
    if (smsFirst === undefined) throw new Error('the SMS-first strategy is not shipped');
    return { clockStart, strategy: smsFirst };
  });

  const failInvoice = () =>
    failInvoiceOfTextingDebtor(product, {
      customerId: 'cus_MAD_SMS',
      invoiceId: 'in_MAD_SMS',
      phone,
      email: 'ana@example.com',
    });

  it('texts first, honours a STOP at once, and sends the next step by email', async () => {
    const caseId = await failInvoice();
    await product.client.advance(3600);
    const firstSms = (await product.client.outbox()).filter(
      (message) => message.channel === 'sms' && message.caseId === caseId,
    );
    expect(firstSms).toHaveLength(1);
    expect(firstSms[0]?.to).toBe(phone);

    const injected = await product.client.inject(
      '/local/inbound/sms',
      inboundSms({ from: phone, body: 'STOP' }),
    );
    expect(injected.status).toBe(200);
    const afterStop = await product.client.outbox();
    expect(
      afterStop.some((message) => message.channel === 'sms' && message.stepId.startsWith('reply-')),
    ).toBe(true);

    await product.client.advance(5 * day);
    const later = (await product.client.outbox())
      .slice(afterStop.length)
      .filter((message) => message.caseId === caseId);
    // The day-3 reminder prefers WhatsApp, then SMS, then email: WhatsApp is outside its 24-hour
    // window without an approved template and SMS is opted out, so it goes by email.
    expect(later.map((message) => message.channel)).toContain('email');
    expect(later.filter((message) => message.channel === 'sms')).toEqual([]);
  });

  it('pauses the journey on a promise to pay by SMS until the promised date', async () => {
    const caseId = await failInvoice();
    await product.client.advance(3600);
    const beforePromise = (await product.client.outbox()).length;

    // Wednesday: "I will pay on Friday" → promised for 13 March, contact paused until it has passed.
    const injected = await product.client.inject(
      '/local/inbound/sms',
      inboundSms({ from: phone, body: 'Pagaré el viernes' }),
    );
    expect(injected.status).toBe(200);
    expect(await product.runtime.table.getCase(caseId)).toMatchObject({ promisedDate: '2026-03-13' });

    await product.client.advanceTo('2026-03-13T22:59:00Z');
    const duringPause = (await product.client.outbox())
      .slice(beforePromise)
      .filter((message) => message.caseId === caseId && !message.stepId.startsWith('reply-'));
    expect(duringPause).toEqual([]);

    await product.client.advance(4 * day);
    const afterPause = (await product.client.outbox())
      .slice(beforePromise)
      .filter((message) => message.caseId === caseId && !message.stepId.startsWith('reply-'));
    expect(afterPause.length).toBeGreaterThan(0);
    for (const message of afterPause)
      expect(Date.parse(message.sentAt)).toBeGreaterThan(Date.parse('2026-03-13T23:00:00Z'));
  });
});
