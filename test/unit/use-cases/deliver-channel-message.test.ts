import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError } from '../../../shared/domain/errors.ts';
import type { OutboundWhatsApp } from '../../../shared/ports.ts';
import { deliverChannelMessage } from '../../../shared/use-cases/deliver-channel-message.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { TestClock } from '../../support/fake-ports.ts';
import { RecordingChannelSenders } from '../../support/recording-channel-senders.ts';

const embedded = embeddedCollectionsTablePerFile();

function setup() {
  const recorded = new RecordingChannelSenders();
  const clock = new TestClock('2026-03-11T09:00:00.000Z');
  const deps = { senders: recorded.senders, consents: embedded.table, directory: embedded.table, clock };
  const customerId = `stripe:cus_${uniqueSuffix()}`;
  const phone = `+1425555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  return { recorded, clock, deps, customerId, phone };
}

describe('deliverChannelMessage', () => {
  it('sends on the channel, normalizing the number, and records whose number it is', async () => {
    // Prepare
    const { recorded, deps, customerId, phone } = setup();
    const spaced = `${phone.slice(0, 2)} (${phone.slice(2, 5)}) ${phone.slice(5)}`;

    // Act
    const receipt = await deliverChannelMessage(
      {
        channel: 'sms',
        to: spaced,
        customerId,
        correlation: { caseId: 'case_1', stepId: 'day-2-sms' },
        text: 'Hi',
      },
      deps,
    );

    // Assess
    expect(receipt).toEqual({ providerMessageId: 'msg-1' });
    expect(recorded.accepted).toEqual([expect.objectContaining({ channel: 'sms', to: phone })]);
    expect(await embedded.table.findAddress('sms', phone)).toMatchObject({
      customerId,
      caseId: 'case_1',
      lastOutboundAt: '2026-03-11T09:00:00.000Z',
    });
  });

  it('refuses, without sending, a channel the debtor opted out of and an address that is not a number', async () => {
    // Prepare
    const { recorded, deps, customerId, phone } = setup();
    await embedded.table.putConsent({
      customerId,
      channel: 'sms',
      status: 'opted-out',
      address: phone,
      reason: 'stop-keyword',
      decidedAt: '2026-03-10T00:00:00.000Z',
      sourceEventId: 'sms:in-1',
    });
    const message = { channel: 'sms' as const, customerId, correlation: { stepId: 's' }, text: 'Hi' };

    // Act
    const optedOut = await deliverChannelMessage({ ...message, to: phone }, deps).catch(
      (error: unknown) => error,
    );
    const invalid = await deliverChannelMessage({ ...message, to: '555-0100' }, deps).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(optedOut).toBeInstanceOf(PermanentDeliveryError);
    expect((optedOut as PermanentDeliveryError).reason).toBe('opted-out');
    expect((invalid as PermanentDeliveryError).reason).toBe('invalid-address');
    expect(recorded.accepted).toEqual([]);
  });

  it('still sends to a new address after the old one bounced', async () => {
    // Prepare
    const { recorded, deps, customerId } = setup();
    await embedded.table.putConsent({
      customerId,
      channel: 'email',
      status: 'suppressed',
      address: 'old@example.com',
      reason: 'hard-bounce',
      decidedAt: '2026-03-10T00:00:00.000Z',
      sourceEventId: 'ses:1',
    });
    const email = {
      channel: 'email' as const,
      customerId,
      caseId: 'case_1',
      stepId: 's',
      template: 'payment-reminder' as const,
      subject: 's',
      text: 't',
      html: '<p>t</p>',
    };

    // Act
    const refused = await deliverChannelMessage({ ...email, to: 'Old@Example.com' }, deps).catch(
      (error: unknown) => error,
    );
    await deliverChannelMessage({ ...email, to: 'new@example.com' }, deps);

    // Assess
    expect((refused as PermanentDeliveryError).reason).toBe('suppressed');
    expect(recorded.accepted.map((message) => message.to)).toEqual(['new@example.com']);
  });

  it('sends WhatsApp free text only within 24 hours of the debtor’s last message, the template otherwise', async () => {
    // Prepare
    const { recorded, deps, clock, customerId, phone } = setup();
    const message: OutboundWhatsApp = {
      channel: 'whatsapp',
      to: phone,
      customerId,
      correlation: { stepId: 's' },
      text: 'Thanks, noted.',
      template: { name: 'payment_reminder', languageCode: 'en_US', bodyParameters: ['Ana'] },
    };
    await embedded.table.linkInbound({
      channel: 'whatsapp',
      address: phone,
      customerId,
      at: '2026-03-10T10:00:00.000Z',
    });

    // Act
    await deliverChannelMessage(message, deps);
    clock.set('2026-03-11T10:00:00.000Z');
    await deliverChannelMessage(message, deps);
    const { template: _template, ...withoutTemplate } = message;
    const refused = await deliverChannelMessage(withoutTemplate, deps).catch((error: unknown) => error);

    // Assess
    expect(recorded.accepted[0]).toMatchObject({ text: 'Thanks, noted.' });
    expect(recorded.accepted[1]).not.toHaveProperty('text');
    expect(recorded.accepted[1]).toMatchObject({ template: { name: 'payment_reminder' } });
    expect((refused as PermanentDeliveryError).reason).toBe('outside-session-window');
  });
});
