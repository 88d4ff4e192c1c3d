import { describe, expect, it } from 'vitest';
import { parseStrategy } from '../../shared/domain/strategy.ts';
import { inboundSms } from '../support/channel-events.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';
import { failInvoiceOfTextingDebtor } from './support/texting-debtor.ts';

const day = 24 * 3600;
/** 08:30 UTC on Wednesday 11 March 2026: 09:30 in Madrid, inside the contact window. */
const clockStart = new Date('2026-03-11T08:30:00Z');
const phone = '+34600333444';
/** Texts only, on days 0, 3 and 7: a debtor with no email address has no other channel. */
const textsOnly = parseStrategy({
  id: 'texts-only',
  version: 1,
  name: 'Texts only',
  steps: [
    { id: 'day-0', timing: { from: 'first-failure' }, action: sms('payment-failed') },
    { id: 'day-3', timing: { from: 'first-failure', days: 3 }, action: sms('payment-reminder') },
    { id: 'day-7', timing: { from: 'first-failure', days: 7 }, action: sms('final-notice') },
  ],
});

function sms(template: string) {
  return { type: 'send-message', channels: ['sms'], template };
}

describe('a journey that ran out of channels on the local runtime', () => {
  const product = localRuntimePerTest(() => ({ clockStart, strategy: textsOnly }));

  it('ends after a STOP when texts were the only channel, and resumes on START where it stopped', async () => {
    // Prepare: a debtor in Madrid who agreed to texts, without an email address.
    const caseId = await failInvoiceOfTextingDebtor(product, {
      customerId: 'cus_MAD_RESUME',
      invoiceId: 'in_MAD_RESUME',
      phone,
      email: null,
    });
    const journeyTexts = async () =>
      (await product.client.outbox())
        .filter((message) => message.caseId === caseId && !message.stepId.startsWith('reply-'))
        .map((message) => [message.stepId, message.sentAt]);

    // Act: STOP after the first text; ten days later, START.
    await product.client.advance(3600);
    await product.client.inject('/local/inbound/sms', inboundSms({ from: phone, body: 'STOP' }));
    await product.client.advance(10 * day);
    const endedCase = await product.runtime.table.getCase(caseId);
    const textsBeforeStart = await journeyTexts();
    const started = await product.client.inject(
      '/local/inbound/sms',
      inboundSms({ from: phone, body: 'START' }),
    );
    await product.client.advance(10 * day);

    // Assess: the journey ended with the day-3 and day-7 steps undone; START (21 March, 10:30 in
    // Madrid) takes them up, the first at once and the second four days later, as the strategy spaces them.
    expect(endedCase?.journeyEndedAt).toBeDefined();
    expect(textsBeforeStart).toEqual([['day-0', '2026-03-11T08:30:00.000Z']]);
    expect(started.status).toBe(200);
    expect(await journeyTexts()).toEqual([
      ['day-0', '2026-03-11T08:30:00.000Z'],
      ['day-3', '2026-03-21T09:30:00.000Z'],
      ['day-7', '2026-03-25T09:30:00.000Z'],
    ]);
    expect(await product.runtime.table.getCase(caseId)).toMatchObject({ status: 'open', journeyRun: 2 });
  });
});
