import {
  DependencyException,
  SendWhatsAppMessageCommand,
  SocialMessagingClient,
  ThrottledRequestException,
} from '@aws-sdk/client-socialmessaging';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EndUserMessagingWhatsAppSender } from '../../../../shared/adapters/messaging/whatsapp-sender.ts';
import {
  DeliveryThrottledError,
  InvalidRequestError,
  PermanentDeliveryError,
  ProviderUnavailableError,
} from '../../../../shared/domain/errors.ts';
import type { OutboundWhatsApp } from '../../../../shared/ports.ts';

const client = new SocialMessagingClient({
  region: 'us-east-1',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
});
const social = mockClient(client);
afterEach(() => social.reset());

const options = { originationPhoneNumberId: 'phone-number-id-976c72a700aac43eaf573ae050example' };
const base = {
  channel: 'whatsapp' as const,
  to: '+14255550156',
  customerId: 'stripe:cus_TMx8qA3nV5bW2k',
  correlation: { caseId: 'case_4f1d2c3b4a5968778695a4b3', stepId: 'day-5-whatsapp' },
};

function sentMessageObject(): unknown {
  const input = social.commandCalls(SendWhatsAppMessageCommand)[0]?.args[0].input;
  return JSON.parse(new TextDecoder().decode(input?.message));
}

describe('EndUserMessagingWhatsAppSender', () => {
  it('sends free text inside the session window, with the correlation as callback data', async () => {
    // Prepare
    social.on(SendWhatsAppMessageCommand).resolves({ messageId: 'b4f2b9a5-5e0f-4a2b-9c1d-1a2b3c4d5e6f' });
    const sender = new EndUserMessagingWhatsAppSender(client, options);
    const message: OutboundWhatsApp = { ...base, text: 'Thanks Ana, we noted your promise for Friday.' };

    // Act
    const receipt = await sender.send(message);

    // Assess
    expect(receipt).toEqual({ providerMessageId: 'b4f2b9a5-5e0f-4a2b-9c1d-1a2b3c4d5e6f' });
    const input = social.commandCalls(SendWhatsAppMessageCommand)[0]?.args[0].input;
    expect(input?.originationPhoneNumberId).toBe(options.originationPhoneNumberId);
    expect(input?.metaApiVersion).toBe('v20.0');
    expect(sentMessageObject()).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+14255550156',
      biz_opaque_callback_data: '{"caseId":"case_4f1d2c3b4a5968778695a4b3","stepId":"day-5-whatsapp"}',
      type: 'text',
      text: { preview_url: false, body: 'Thanks Ana, we noted your promise for Friday.' },
    });
  });

  it('sends the approved template with its body parameters outside the window', async () => {
    // Prepare
    social.on(SendWhatsAppMessageCommand).resolves({ messageId: 'c5a3' });
    const sender = new EndUserMessagingWhatsAppSender(client, { ...options, metaApiVersion: 'v21.0' });
    const message: OutboundWhatsApp = {
      ...base,
      template: { name: 'payment_failed_v2', languageCode: 'es', bodyParameters: ['Ana', '49,99 €'] },
    };

    // Act
    await sender.send(message);

    // Assess
    expect(social.commandCalls(SendWhatsAppMessageCommand)[0]?.args[0].input.metaApiVersion).toBe('v21.0');
    expect(sentMessageObject()).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+14255550156',
      biz_opaque_callback_data: '{"caseId":"case_4f1d2c3b4a5968778695a4b3","stepId":"day-5-whatsapp"}',
      type: 'template',
      template: {
        name: 'payment_failed_v2',
        language: { policy: 'deterministic', code: 'es' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '49,99 €' },
            ],
          },
        ],
      },
    });
  });

  it('refuses a message with neither text nor template, without calling the provider', async () => {
    // Prepare
    const sender = new EndUserMessagingWhatsAppSender(client, options);

    // Act
    const sending = sender.send({ ...base });

    // Assess
    await expect(sending).rejects.toBeInstanceOf(InvalidRequestError);
    expect(social.commandCalls(SendWhatsAppMessageCommand)).toHaveLength(0);
  });

  it('reports a Meta "re-engagement" refusal as a permanent failure outside the session window', async () => {
    // Prepare
    social.on(SendWhatsAppMessageCommand).rejects(
      new DependencyException({
        message:
          '(#131047) Re-engagement message: more than 24 hours have passed since the recipient last replied',
        $metadata: { httpStatusCode: 502 },
      }),
    );
    const sender = new EndUserMessagingWhatsAppSender(client, options);

    // Act
    const error = await sender.send({ ...base, text: 'hello' }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toBe('outside-session-window');
  });

  it('reports a template Meta has not approved as a permanent failure, without suppressing the number', async () => {
    // Prepare
    social.on(SendWhatsAppMessageCommand).rejects(
      new DependencyException({
        message: '(#132001) Template name does not exist in the translation',
        $metadata: { httpStatusCode: 502 },
      }),
    );
    const sender = new EndUserMessagingWhatsAppSender(client, options);
    const template = {
      name: 'collections_payment_reminder',
      languageCode: 'es',
      bodyParameters: ['€5', 'x'],
    };

    // Act
    const error = await sender.send({ ...base, template }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toBe('template-not-approved');
  });

  it('reports other Meta dependency failures as a server error and throttling as a safe retry', async () => {
    // Prepare
    social
      .on(SendWhatsAppMessageCommand)
      .rejectsOnce(
        new DependencyException({ message: 'Meta is unavailable', $metadata: { httpStatusCode: 502 } }),
      )
      .rejectsOnce(
        new ThrottledRequestException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }),
      );
    const sender = new EndUserMessagingWhatsAppSender(client, options);

    // Act
    const unavailable = await sender.send({ ...base, text: 'hello' }).catch((caught: unknown) => caught);
    const throttled = await sender.send({ ...base, text: 'hello' }).catch((caught: unknown) => caught);

    // Assess
    expect(unavailable).toBeInstanceOf(ProviderUnavailableError);
    expect(throttled).toBeInstanceOf(DeliveryThrottledError);
  });
});
