import {
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EndUserMessagingSmsSender } from '../../../../shared/adapters/messaging/sms-sender.ts';
import {
  EndUserMessagingVoiceSender,
  voiceForLocale,
  voiceSsml,
} from '../../../../shared/adapters/messaging/voice-sender.ts';
import {
  DeliveryThrottledError,
  isDefiniteRefusal,
  PermanentDeliveryError,
  ProviderUnavailableError,
} from '../../../../shared/domain/errors.ts';
import type { OutboundSms, OutboundVoice } from '../../../../shared/ports.ts';

const client = new PinpointSMSVoiceV2Client({
  region: 'us-east-1',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
});
const smsVoice = mockClient(client);
afterEach(() => smsVoice.reset());

const sms: OutboundSms = {
  channel: 'sms',
  to: '+14255550156',
  customerId: 'stripe:cus_TMx8qA3nV5bW2k',
  correlation: { caseId: 'case_4f1d2c3b4a5968778695a4b3', stepId: 'day-2-sms', variant: 'challenger' },
  text: 'Acme: your payment of $49.99 failed. Pay here: https://pay.acme.example/in_1. Reply STOP to opt out.',
};
const voice: OutboundVoice = {
  channel: 'voice',
  to: '+34600111222',
  customerId: 'stripe:cus_TMx8qA3nV5bW2k',
  correlation: { caseId: 'case_4f1d2c3b4a5968778695a4b3', stepId: 'day-9-call' },
  text: 'Hola Ana. Su pago de 49,99 € no se ha podido cobrar.\nPuede pagar en acme.example & <rápido>.',
  locale: 'es-ES',
};
const messageId = '862a8790-60c0-4430-9b2b-658bdexample';

describe('EndUserMessagingSmsSender', () => {
  it('sends one transactional SendTextMessage with the configuration set, a short TTL and the correlation context', async () => {
    // Prepare
    smsVoice.on(SendTextMessageCommand).resolves({ MessageId: messageId });
    const sender = new EndUserMessagingSmsSender(client, {
      originationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      configurationSetName: 'collections-sms',
    });

    // Act
    const receipt = await sender.send(sms);

    // Assess
    expect(receipt).toEqual({ providerMessageId: messageId });
    const calls = smsVoice.commandCalls(SendTextMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      DestinationPhoneNumber: '+14255550156',
      OriginationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      MessageBody: sms.text,
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'collections-sms',
      TimeToLive: 3600,
      Context: { caseId: 'case_4f1d2c3b4a5968778695a4b3', stepId: 'day-2-sms', variant: 'challenger' },
    });
  });

  it('puts no personal data in the context, which End User Messaging logs with every event', async () => {
    // Prepare
    smsVoice.on(SendTextMessageCommand).resolves({ MessageId: messageId });
    const sender = new EndUserMessagingSmsSender(client, { originationIdentity: '+12065550152' });

    // Act
    await sender.send(sms);

    // Assess
    const context = JSON.stringify(smsVoice.commandCalls(SendTextMessageCommand)[0]?.args[0].input.Context);
    expect(context).not.toContain('4255550156');
    expect(context).not.toContain('cus_');
    expect(smsVoice.commandCalls(SendTextMessageCommand)[0]?.args[0].input).not.toHaveProperty(
      'ConfigurationSetName',
    );
  });

  it.each([
    ['DESTINATION_PHONE_NUMBER_OPTED_OUT', 'opted-out'],
    ['DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION', 'blocked'],
  ])(
    'reports a %s conflict as a permanent failure (%s), which is a definite refusal',
    async (reason, expected) => {
      // Prepare
      smsVoice.on(SendTextMessageCommand).rejects(
        new ConflictException({
          message: 'conflict',
          $metadata: { httpStatusCode: 409 },
          Reason: reason as 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        }),
      );
      const sender = new EndUserMessagingSmsSender(client, { originationIdentity: '+12065550152' });

      // Act
      const error = await sender.send(sms).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(PermanentDeliveryError);
      expect((error as PermanentDeliveryError).reason).toBe(expected);
      expect(isDefiniteRefusal(error)).toBe(true);
    },
  );

  it('reports a destination number End User Messaging cannot parse as an invalid address', async () => {
    // Prepare
    smsVoice.on(SendTextMessageCommand).rejects(
      new ValidationException({
        message: 'Invalid destination',
        $metadata: { httpStatusCode: 400 },
        Reason: 'INVALID_PARAMETER',
        Fields: [{ Name: 'DestinationPhoneNumber', Message: 'not a valid phone number' }],
      }),
    );
    const sender = new EndUserMessagingSmsSender(client, { originationIdentity: '+12065550152' });

    // Act
    const error = await sender.send(sms).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toBe('invalid-address');
  });

  it('reports throttling and a spent monthly budget as a safe retry', async () => {
    // Prepare
    smsVoice
      .on(SendTextMessageCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }))
      .rejectsOnce(
        new ServiceQuotaExceededException({
          message: 'quota',
          $metadata: { httpStatusCode: 402 },
          Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT',
        }),
      );
    const sender = new EndUserMessagingSmsSender(client, { originationIdentity: '+12065550152' });

    // Act
    const throttled = await sender.send(sms).catch((caught: unknown) => caught);
    const overBudget = await sender.send(sms).catch((caught: unknown) => caught);

    // Assess
    for (const error of [throttled, overBudget]) {
      expect(error).toBeInstanceOf(DeliveryThrottledError);
      expect(isDefiniteRefusal(error)).toBe(true);
    }
  });

  it('reports a server error as retryable but not a definite refusal: the step is never resent', async () => {
    // Prepare
    smsVoice
      .on(SendTextMessageCommand)
      .rejects(new InternalServerException({ message: 'internal', $metadata: { httpStatusCode: 500 } }));
    const sender = new EndUserMessagingSmsSender(client, { originationIdentity: '+12065550152' });

    // Act
    const error = await sender.send(sms).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).retryable).toBe(true);
    expect(isDefiniteRefusal(error)).toBe(false);
  });

  it('passes a timeout through untouched (outcome unknown)', async () => {
    // Prepare
    const timeout = Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
    smsVoice.on(SendTextMessageCommand).rejects(timeout);
    const sender = new EndUserMessagingSmsSender(client, { originationIdentity: '+12065550152' });

    // Act
    const error = await sender.send(sms).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBe(timeout);
    expect(isDefiniteRefusal(error)).toBe(false);
  });
});

describe('EndUserMessagingVoiceSender', () => {
  it('sends one SendVoiceMessage in SSML, spoken by the voice of the debtor’s locale, with the correlation context', async () => {
    // Prepare
    smsVoice.on(SendVoiceMessageCommand).resolves({ MessageId: messageId });
    const sender = new EndUserMessagingVoiceSender(client, {
      originationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      configurationSetName: 'collections-sms',
      timeToLiveSeconds: 900,
    });

    // Act
    const receipt = await sender.send(voice);

    // Assess
    expect(receipt).toEqual({ providerMessageId: messageId });
    expect(smsVoice.commandCalls(SendVoiceMessageCommand)[0]?.args[0].input).toEqual({
      DestinationPhoneNumber: '+34600111222',
      OriginationIdentity: 'phone-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      MessageBody:
        '<speak><prosody rate="95%"><p>Hola Ana. Su pago de 49,99 € no se ha podido cobrar.</p><p>Puede pagar en acme.example &amp; &lt;rápido&gt;.</p><break time="1s"/><p>Hola Ana. Su pago de 49,99 € no se ha podido cobrar.</p><p>Puede pagar en acme.example &amp; &lt;rápido&gt;.</p></prosody></speak>',
      MessageBodyTextType: 'SSML',
      VoiceId: 'LUCIA',
      ConfigurationSetName: 'collections-sms',
      TimeToLive: 900,
      Context: { caseId: 'case_4f1d2c3b4a5968778695a4b3', stepId: 'day-9-call' },
    });
  });

  it.each([
    ['en-US', 'JOANNA'],
    ['en-GB', 'AMY'],
    ['es-ES', 'LUCIA'],
    ['es-MX', 'MIA'],
    ['de-DE', 'VICKI'],
    ['de_AT', 'VICKI'],
    ['fr-FR', 'LEA'],
    ['fr-CA', 'CHANTAL'],
    ['es-AR', 'LUCIA'],
    ['fi-FI', 'JOANNA'],
  ])('speaks %s with %s', (locale, voiceId) => {
    expect(voiceForLocale(locale)).toBe(voiceId);
  });

  it('escapes every XML special character of the text', () => {
    expect(voiceSsml(`"Tom" & 'Jerry' <3`)).toContain('&quot;Tom&quot; &amp; &apos;Jerry&apos; &lt;3');
  });

  it('reports a number without voice capability as a permanent failure', async () => {
    // Prepare
    smsVoice.on(SendVoiceMessageCommand).rejects(
      new ValidationException({
        message: 'no voice',
        $metadata: { httpStatusCode: 400 },
        Reason: 'VOICE_CAPABILITY_NOT_AVAILABLE',
      }),
    );
    const sender = new EndUserMessagingVoiceSender(client, { originationIdentity: '+12065550152' });

    // Act
    const error = await sender.send(voice).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toBe('unsupported-destination');
  });

  it('treats an answer without a MessageId as a failure whose outcome is unknown', async () => {
    // Prepare
    smsVoice.on(SendVoiceMessageCommand).resolves({});
    const sender = new EndUserMessagingVoiceSender(client, { originationIdentity: '+12065550152' });

    // Act
    const error = await sender.send(voice).catch((caught: unknown) => caught);

    // Assess
    expect(isDefiniteRefusal(error)).toBe(false);
    expect(String(error)).toContain('without a MessageId');
  });
});
