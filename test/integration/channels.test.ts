import { beforeEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../infra/local/outbox.ts';
import { PermanentDeliveryError } from '../../shared/domain/errors.ts';
import { deliverChannelMessage } from '../../shared/use-cases/deliver-channel-message.ts';
import {
  inboundSms,
  sesEvent,
  smsVoiceEvent,
  snsEvent,
  whatsAppInboundEvent,
  whatsAppStatusEvent,
} from '../support/channel-events.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

/** 08:30 UTC on Wednesday 11 March 2026: 09:30 in Madrid, inside the contact window. */
const clockStart = new Date('2026-03-11T08:30:00Z');
const phone = '+34600111222';
const debtor = {
  customerId: 'cus_MAD01',
  invoiceId: 'in_MAD01',
  email: 'ana@example.com',
  timeZone: 'Europe/Madrid',
  amountDue: 4999,
  currency: 'eur',
} as const;

describe('channels on the local runtime', () => {
  const product = localRuntimePerTest(() => ({ clockStart }));
  let caseId: string;

  /** What the act step does once it picks SMS: deliver through the same senders and address book. */
  async function textTheDebtor(stepId: string): Promise<OutboxMessage | undefined> {
    await deliverChannelMessage(
      {
        channel: 'sms',
        to: phone,
        customerId: `stripe:${debtor.customerId}`,
        correlation: { caseId, stepId },
        text: 'Acme: your payment of €49.99 failed. Pay: https://pay.acme.example/in_MAD01. Reply STOP to opt out.',
      },
      product.runtime.channels,
    );
    return (await product.client.outbox()).find((message) => message.stepId === stepId);
  }

  beforeEach(async () => {
    const failed = await product.client.deliverStripeEvent('invoice.payment_failed', debtor);
    caseId = String(failed.body.caseId);
  });

  it('records exactly the SendTextMessage request an SMS would make', async () => {
    const sms = await textTheDebtor('day-1-sms');
    expect(sms).toMatchObject({
      channel: 'sms',
      to: phone,
      caseId,
      request: {
        DestinationPhoneNumber: phone,
        OriginationIdentity: '+12065550100',
        MessageType: 'TRANSACTIONAL',
        ConfigurationSetName: 'collections-local',
        TimeToLive: 3600,
        Context: { caseId, stepId: 'day-1-sms' },
      },
    });
  });

  it('opts SMS out at once on an inbound STOP and confirms it by SMS; the next SMS is refused, email is not', async () => {
    await textTheDebtor('day-1-sms');

    const injected = await product.client.inject(
      '/local/inbound/sms',
      inboundSms({ from: phone, body: 'STOP' }),
    );

    expect(injected.status).toBe(200);
    expect(await product.runtime.table.getConsent(`stripe:${debtor.customerId}`, 'sms')).toMatchObject({
      status: 'opted-out',
      reason: 'stop-keyword',
      address: phone,
    });
    const confirmation = (await product.client.outbox()).find((message) =>
      message.stepId.startsWith('reply-'),
    );
    expect(confirmation).toMatchObject({
      channel: 'sms',
      to: phone,
      caseId,
      body: expect.stringContaining('Reply START to opt back in'),
      request: { DestinationPhoneNumber: phone, Context: { caseId, stepId: confirmation?.stepId } },
    });
    await expect(textTheDebtor('day-3-sms')).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(await product.runtime.table.getConsent(`stripe:${debtor.customerId}`, 'email')).toBeUndefined();
  });

  it('records "pagaré el viernes" as a promise for Friday in the debtor’s zone and pauses the case', async () => {
    await textTheDebtor('day-1-sms');
    const now = (await product.client.now()).toISOString();

    // The full SNS envelope, as the subscribed function receives it.
    const injected = await product.client.inject(
      '/local/inbound/sms',
      snsEvent(inboundSms({ from: phone, body: 'Pagaré el viernes' }), { at: now }),
    );

    expect(injected.status).toBe(200);
    expect(await product.runtime.table.getCase(caseId)).toMatchObject({
      promisedDate: '2026-03-13',
      promisedUntil: '2026-03-13T23:00:00.000Z',
    });
    expect(await product.runtime.table.listInteractions(caseId)).toContainEqual(
      expect.objectContaining({ kind: 'replied', intent: 'promise-to-pay', promisedDate: '2026-03-13' }),
    );
  });

  it('suppresses the email address on an SES hard bounce of a journey email', async () => {
    await product.client.advance(60);
    const email = (await product.client.outbox()).find((message) => message.channel === 'email');
    expect(email).toBeDefined();
    const tags = Object.fromEntries(
      (
        (email?.request as { EmailTags?: { Name: string; Value: string }[] } | undefined)?.EmailTags ?? []
      ).map((tag) => [tag.Name, tag.Value]),
    );

    const injected = await product.client.inject(
      '/local/events/ses',
      sesEvent({ eventType: 'Bounce', to: debtor.email, messageId: email?.id ?? '', tags }),
    );

    expect(injected.body).toMatchObject({
      results: [{ outcomes: [{ status: 'recorded', caseId, suppressed: true }] }],
    });
    expect(await product.runtime.table.getConsent(`stripe:${debtor.customerId}`, 'email')).toMatchObject({
      status: 'suppressed',
      reason: 'hard-bounce',
      address: debtor.email,
    });
    expect(await product.runtime.table.listInteractions(caseId)).toContainEqual(
      expect.objectContaining({ kind: 'bounced', stepId: email?.stepId, channel: 'email' }),
    );
  });

  it('puts an SMS delivery receipt on the case timeline through the Context it was sent with', async () => {
    const sms = await textTheDebtor('day-1-sms');
    const context = (sms?.request as { Context?: Record<string, string> } | undefined)?.Context ?? {};

    await product.client.inject(
      '/local/events/sms-voice',
      smsVoiceEvent({
        eventType: 'TEXT_DELIVERED',
        messageId: sms?.id ?? '',
        destinationPhoneNumber: phone,
        context,
      }),
    );

    expect(await product.runtime.table.listInteractions(caseId)).toContainEqual(
      expect.objectContaining({
        kind: 'delivered',
        channel: 'sms',
        stepId: 'day-1-sms',
        providerMessageId: sms?.id,
      }),
    );
  });

  it('acts on a WhatsApp reply and records WhatsApp read receipts', async () => {
    await textTheDebtor('day-1-sms');
    const at = Math.floor((await product.client.now()).getTime() / 1000);

    await product.client.inject(
      '/local/inbound/whatsapp',
      whatsAppInboundEvent({ from: phone, body: 'HELP', at }),
    );
    await product.client.inject(
      '/local/inbound/whatsapp',
      whatsAppStatusEvent({
        status: 'read',
        recipient: phone,
        callbackData: { caseId, stepId: 'day-4-whatsapp' },
        at,
      }),
    );

    const help = (await product.client.outbox()).find((message) => message.channel === 'whatsapp');
    expect(help).toMatchObject({
      to: phone,
      body: expect.stringContaining('support@collections.localhost'),
      request: { message: { type: 'text', to: phone } },
    });
    expect(await product.runtime.table.listInteractions(caseId)).toContainEqual(
      expect.objectContaining({ kind: 'read', channel: 'whatsapp', stepId: 'day-4-whatsapp' }),
    );
  });

  it('answers 400 for a body that is neither an SNS event nor JSON, and writes nothing', async () => {
    const before = await product.client.tableSnapshot();

    const response = await fetch(`${product.runtime.url}/local/events/ses`, {
      method: 'POST',
      body: '{not json',
    });

    expect(response.status).toBe(400);
    expect(await product.client.tableSnapshot()).toEqual(before);
  });
});
