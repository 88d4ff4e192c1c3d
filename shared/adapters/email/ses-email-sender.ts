import { type SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { EmailSender, OutboundEmail } from '../../ports.ts';

export interface SesEmailOptions {
  readonly from: string;
  readonly configurationSetName?: string;
}

/** SES message tag values may contain only ASCII letters, digits, underscores and dashes. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
}

/**
 * The SES v2 request for one message. Shared by the SES adapter and the local outbox, so the
 * outbox records exactly the request that would have been sent.
 */
export function sesSendEmailInput(email: OutboundEmail, options: SesEmailOptions): SendEmailCommandInput {
  return {
    FromEmailAddress: options.from,
    Destination: { ToAddresses: [email.to] },
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
      },
    },
    ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
    // Tags come back on every SES event (delivery, bounce, open...) to correlate it with the case.
    EmailTags: [
      { Name: 'caseId', Value: tagValue(email.caseId) },
      { Name: 'stepId', Value: tagValue(email.stepId) },
      { Name: 'template', Value: tagValue(email.template) },
    ],
  };
}

export class SesEmailSender implements EmailSender {
  public constructor(
    private readonly client: SESv2Client,
    private readonly options: SesEmailOptions,
  ) {}

  public async send(email: OutboundEmail): Promise<{ providerMessageId: string }> {
    const result = await this.client.send(new SendEmailCommand(sesSendEmailInput(email, this.options)));
    if (!result.MessageId) throw new Error('SES accepted the message without a MessageId');
    return { providerMessageId: result.MessageId };
  }
}
