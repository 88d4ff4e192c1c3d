import { describe, expect, it } from 'vitest';
import { translateSesEvent } from '../../../../shared/adapters/events/ses-events.ts';
import {
  translateInboundSms,
  translateSmsVoiceEvent,
} from '../../../../shared/adapters/events/sms-voice-events.ts';
import { readSnsNotifications } from '../../../../shared/adapters/events/sns-envelope.ts';
import { translateWhatsAppEvent } from '../../../../shared/adapters/events/whatsapp-events.ts';
import { InvalidRequestError } from '../../../../shared/domain/errors.ts';
import {
  inboundSms,
  sesEvent,
  smsVoiceEvent,
  snsEvent,
  whatsAppInboundEvent,
  whatsAppStatusEvent,
} from '../../../support/channel-events.ts';

const correlation = { caseId: 'case_4f1d2c3b4a5968778695a4b3', stepId: 'day-2-sms', variant: 'challenger' };

describe('readSnsNotifications', () => {
  it('reads the service message and the publish time from the SNS envelope', () => {
    const [notification] = readSnsNotifications(
      snsEvent({ hello: 'world' }, { at: '2026-03-11T09:00:00.123Z' }),
    );
    expect(notification).toMatchObject({
      message: { hello: 'world' },
      publishedAt: '2026-03-11T09:00:00.123Z',
    });
  });

  it('refuses what is not an SNS event, and a message that is not JSON', () => {
    expect(() => readSnsNotifications({ detail: {} })).toThrow(InvalidRequestError);
    const broken = snsEvent({});
    const record = broken.Records[0];
    if (record) record.Sns.Message = 'not json';
    expect(() => readSnsNotifications(broken)).toThrow(/is not JSON/);
  });
});

describe('translateSmsVoiceEvent', () => {
  it.each([
    ['TEXT_DELIVERED', 'sms', 'delivered'],
    ['TEXT_SUCCESSFUL', 'sms', 'delivered'],
    ['TEXT_BLOCKED', 'sms', 'failed'],
    ['TEXT_CARRIER_UNREACHABLE', 'sms', 'failed'],
    ['VOICE_ANSWERED', 'voice', 'answered'],
    ['VOICE_COMPLETED', 'voice', 'delivered'],
    ['VOICE_NO_ANSWER', 'voice', 'no-answer'],
    ['VOICE_BUSY', 'voice', 'busy'],
    ['VOICE_FAILED', 'voice', 'failed'],
  ])('turns %s into a %s %s interaction with the correlation sent in Context', (eventType, channel, kind) => {
    expect(translateSmsVoiceEvent(smsVoiceEvent({ eventType, context: correlation }))).toEqual({
      eventId: `862a8790-60c0-4430-9b2b-658bdexample:${eventType}`,
      channel,
      kind,
      occurredAt: '2026-03-11T09:00:05.000Z',
      providerMessageId: '862a8790-60c0-4430-9b2b-658bdexample',
      correlation,
      address: '+14255550156',
      detail: eventType,
    });
  });

  it('suppresses the number on TEXT_INVALID', () => {
    expect(translateSmsVoiceEvent(smsVoiceEvent({ eventType: 'TEXT_INVALID' }))?.suppress).toBe(
      'invalid-address',
    );
  });

  it.each(['TEXT_QUEUED', 'TEXT_PENDING', 'VOICE_INITIATED', 'VOICE_RINGING'])(
    'skips the interim %s',
    (eventType) => {
      expect(translateSmsVoiceEvent(smsVoiceEvent({ eventType }))).toBeUndefined();
    },
  );

  it('ignores a payload that is not an SMS/voice event', () => {
    expect(translateSmsVoiceEvent({ eventType: 'TEXT_DELIVERED' })).toBeUndefined();
  });
});

describe('translateInboundSms', () => {
  it('reads the sender, the words and the id; the SNS publish time stands for the receipt time', () => {
    const message = inboundSms({
      from: '+14255550182',
      body: 'STOP',
      inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
    });
    expect(translateInboundSms(message, '2026-03-11T09:00:00.000Z')).toEqual({
      channel: 'sms',
      inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
      from: '+14255550182',
      to: '+12065550152',
      text: 'STOP',
      receivedAt: '2026-03-11T09:00:00.000Z',
    });
  });
});

describe('translateSesEvent', () => {
  const tags = { caseId: correlation.caseId, stepId: 'day-0-payment-failed', template: 'payment-failed' };

  it('turns a permanent bounce into a bounced interaction that suppresses the address', () => {
    expect(translateSesEvent(sesEvent({ eventType: 'Bounce', to: 'Jenny.Rosen@Example.com', tags }))).toEqual(
      {
        eventId:
          '0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d000001-000000:Bounce:0100019a6f3c2b1e-feedback-bounce-000001',
        channel: 'email',
        kind: 'bounced',
        occurredAt: '2026-03-11T09:00:03.000Z',
        providerMessageId: '0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d000001-000000',
        correlation: { caseId: correlation.caseId, stepId: 'day-0-payment-failed' },
        address: 'jenny.rosen@example.com',
        detail: 'Permanent/General',
        suppress: 'hard-bounce',
      },
    );
  });

  it('does not suppress on a transient bounce', () => {
    const event = translateSesEvent(
      sesEvent({ eventType: 'Bounce', to: 'a@example.com', bounceType: 'Transient', tags }),
    );
    expect(event).toMatchObject({ kind: 'bounced', detail: 'Transient/MailboxFull' });
    expect(event).not.toHaveProperty('suppress');
  });

  it.each([
    ['Delivery', 'delivered', undefined],
    ['Complaint', 'complained', 'email-complaint'],
    ['Open', 'opened', undefined],
    ['Click', 'clicked', undefined],
  ] as const)('turns %s into %s', (eventType, kind, suppress) => {
    const event = translateSesEvent(sesEvent({ eventType, to: 'a@example.com', tags }));
    expect(event).toMatchObject({ kind, correlation: { caseId: correlation.caseId } });
    expect(event?.suppress).toBe(suppress);
    // A clicked link can carry tokens: it is never kept.
    expect(JSON.stringify(event)).not.toContain('token=secret');
  });

  it.each(['Send', 'DeliveryDelay'] as const)('skips %s', (eventType) => {
    expect(translateSesEvent(sesEvent({ eventType, to: 'a@example.com', tags }))).toBeUndefined();
  });
});

describe('translateWhatsAppEvent', () => {
  it('turns statuses into interactions correlated by the callback data', () => {
    const { deliveries, replies } = translateWhatsAppEvent(
      whatsAppStatusEvent({ status: 'read', recipient: '+14255550156', callbackData: correlation }),
    );
    expect(replies).toEqual([]);
    expect(deliveries).toEqual([
      {
        eventId: 'wamid.HBgLMTQyNTU1NTAxNTYVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA:read',
        channel: 'whatsapp',
        kind: 'read',
        occurredAt: '2026-03-11T09:00:05.000Z',
        providerMessageId: 'wamid.HBgLMTQyNTU1NTAxNTYVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
        correlation,
        address: '+14255550156',
        detail: 'read',
      },
    ]);
  });

  it('suppresses a number that is not on WhatsApp (131026), and skips "sent"', () => {
    const failed = translateWhatsAppEvent(
      whatsAppStatusEvent({ status: 'failed', recipient: '+14255550156' }),
    );
    expect(failed.deliveries[0]).toMatchObject({
      kind: 'failed',
      detail: 'failed/131026',
      suppress: 'invalid-address',
    });
    expect(
      translateWhatsAppEvent(whatsAppStatusEvent({ status: 'sent', recipient: '+14255550156' })).deliveries,
    ).toEqual([]);
  });

  it('turns an inbound text into a reply from the sender’s number', () => {
    const { replies } = translateWhatsAppEvent(
      whatsAppInboundEvent({ from: '+34600111222', body: 'Pagaré el viernes', wamid: 'wamid.IN1' }),
    );
    expect(replies).toEqual([
      {
        channel: 'whatsapp',
        inboundMessageId: 'wamid.IN1',
        from: '+34600111222',
        to: 'abcde1234567890',
        text: 'Pagaré el viernes',
        receivedAt: '2026-03-11T09:00:00.000Z',
      },
    ]);
  });

  it('ignores what is not an End User Messaging Social event', () => {
    expect(translateWhatsAppEvent({ whatsAppWebhookEntry: 'not json' })).toEqual({
      deliveries: [],
      replies: [],
    });
  });
});
