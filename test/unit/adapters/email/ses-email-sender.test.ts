import {
  BadRequestException,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../../../shared/adapters/email/ses-email-sender.ts';
import {
  DeliveryThrottledError,
  isDefiniteRefusal,
  PermanentDeliveryError,
} from '../../../../shared/domain/errors.ts';
import type { OutboundEmail } from '../../../../shared/ports.ts';

const client = new SESv2Client({
  region: 'eu-west-1',
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
});
const ses = mockClient(client);

afterEach(() => {
  ses.reset();
});

const email: OutboundEmail = {
  to: 'jenny.rosen@example.com',
  subject: 'Your payment of $49.99 did not go through',
  text: 'Hi Jenny Rosen,\n\n- Invoice in_1SQ3hJLkdIwHu7ixQm4nZ8Yc: $49.99\n',
  html: '<p>Hi Jenny Rosen,</p>',
  caseId: 'case_4f1d2c3b4a5968778695a4b3',
  customerId: 'stripe:cus_TMx8qA3nV5bW2k',
  stepId: 'day-0-payment-failed',
  template: 'payment-failed',
};

const messageId = '0102019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a-000000';

describe('SesEmailSender', () => {
  it('sends one SES v2 SendEmail with both parts, the configuration set and the correlation tags', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: messageId });
    const sender = new SesEmailSender(client, {
      from: 'Acme Billing <billing@acme.example>',
      configurationSetName: 'collections-events',
    });

    // Act
    const result = await sender.send(email);

    // Assess
    expect(result).toEqual({ providerMessageId: messageId });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      FromEmailAddress: 'Acme Billing <billing@acme.example>',
      Destination: { ToAddresses: ['jenny.rosen@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Your payment of $49.99 did not go through', Charset: 'UTF-8' },
          Body: {
            Text: { Data: email.text, Charset: 'UTF-8' },
            Html: { Data: email.html, Charset: 'UTF-8' },
          },
        },
      },
      ConfigurationSetName: 'collections-events',
      EmailTags: [
        { Name: 'caseId', Value: 'case_4f1d2c3b4a5968778695a4b3' },
        { Name: 'stepId', Value: 'day-0-payment-failed' },
        { Name: 'template', Value: 'payment-failed' },
      ],
    });
  });

  it('leaves the configuration set out when none is configured', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: messageId });
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    await sender.send(email);

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toBeDefined();
    expect(input).not.toHaveProperty('ConfigurationSetName');
  });

  it('never sends personal data as tags (they are logged with every SES event)', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: messageId });
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    await sender.send(email);

    // Assess
    const tags = JSON.stringify(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.EmailTags);
    expect(tags).not.toContain('jenny');
    expect(tags).not.toContain('cus_TMx8qA3nV5bW2k');
  });

  it('replaces characters SES rejects in tag values (only ASCII letters, digits, _ and - are allowed)', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: messageId });
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    await sender.send({ ...email, caseId: 'case_4f1d.2c3b@eu#1', stepId: 'day 0/payment-failed' });

    // Assess
    const tags = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.EmailTags ?? [];
    expect(tags).toHaveLength(3);
    for (const tag of tags) expect(tag.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
  });

  it('passes a refusal by SES on to the caller', async () => {
    // Prepare
    const refusal = new MessageRejected({ message: 'Email address is not verified.', $metadata: {} });
    ses.on(SendEmailCommand).rejects(refusal);
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    const sending = sender.send(email);

    // Assess
    await expect(sending).rejects.toBe(refusal);
  });

  it('treats an answer without a MessageId as a failure', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({});
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    const sending = sender.send(email);

    // Assess
    await expect(sending).rejects.toThrow('SES accepted the message without a MessageId');
  });
  it('adds List-Unsubscribe (https first, then mailto) and one-click List-Unsubscribe-Post, and tags the variant', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: messageId });
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    await sender.send({
      ...email,
      variant: 'challenger',
      listUnsubscribe: {
        url: 'https://pay.acme.example/unsubscribe/7f3a9c',
        mailto: 'unsubscribe@acme.example?subject=case_4f1d2c3b4a5968778695a4b3',
      },
    });

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Content?.Simple?.Headers).toEqual([
      {
        Name: 'List-Unsubscribe',
        Value:
          '<https://pay.acme.example/unsubscribe/7f3a9c>, <mailto:unsubscribe@acme.example?subject=case_4f1d2c3b4a5968778695a4b3>',
      },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(input?.EmailTags).toContainEqual({ Name: 'variant', Value: 'challenger' });
  });

  it('offers no one-click unsubscribe without an https URL (RFC 8058 requires one)', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: messageId });
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    await sender.send({
      ...email,
      listUnsubscribe: { url: 'http://insecure.example/u', mailto: 'mailto:u@acme.example' },
    });

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Headers).toEqual([
      { Name: 'List-Unsubscribe', Value: '<mailto:u@acme.example>' },
    ]);
  });

  it('reports an address SES cannot use as a permanent failure, and throttling as a safe retry', async () => {
    // Prepare
    ses
      .on(SendEmailCommand)
      .rejectsOnce(
        new BadRequestException({ message: 'Missing final @domain in recipient address', $metadata: {} }),
      )
      .rejectsOnce(
        new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} }),
      );
    const sender = new SesEmailSender(client, { from: 'billing@acme.example' });

    // Act
    const invalid = await sender.send(email).catch((caught: unknown) => caught);
    const throttled = await sender.send(email).catch((caught: unknown) => caught);

    // Assess
    expect(invalid).toBeInstanceOf(PermanentDeliveryError);
    expect((invalid as PermanentDeliveryError).reason).toBe('invalid-address');
    expect(throttled).toBeInstanceOf(DeliveryThrottledError);
    expect(isDefiniteRefusal(throttled)).toBe(true);
  });
});
