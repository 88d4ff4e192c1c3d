import { type SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { ProviderResponseError } from '../../domain/errors.ts';
import type {
  ChannelReceipt,
  ChannelSender,
  EmailSender,
  OutboundEmail,
  OutboundEmailMessage,
} from '../../ports.ts';
import { classifySesError } from '../messaging/delivery-failures.ts';

export interface SesEmailOptions {
  readonly from: string;
  readonly configurationSetName?: string;
}

/** SES message tag values may contain only ASCII letters, digits, underscores and dashes. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
}

/**
 * `List-Unsubscribe` (RFC 2369) with the https URL first, and `List-Unsubscribe-Post` (RFC 8058
 * one-click) only when there is an https URL: mailbox providers require both for bulk senders.
 */
function unsubscribeHeaders(email: OutboundEmail): { Name: string; Value: string }[] {
  const { url, mailto } = email.listUnsubscribe ?? {};
  const https = url?.startsWith('https://') ? url : undefined;
  const targets = [https, mailto ? (mailto.startsWith('mailto:') ? mailto : `mailto:${mailto}`) : undefined]
    .filter((target): target is string => target !== undefined)
    .map((target) => `<${target}>`);
  if (targets.length === 0) return [];
  return [
    { Name: 'List-Unsubscribe', Value: targets.join(', ') },
    ...(https ? [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }] : []),
  ];
}

/**
 * The SES v2 request for one message. Shared by the SES adapter and the local outbox, so the
 * outbox records exactly the request that would have been sent.
 */
export function sesSendEmailInput(email: OutboundEmail, options: SesEmailOptions): SendEmailCommandInput {
  const headers = unsubscribeHeaders(email);
  return {
    FromEmailAddress: options.from,
    Destination: { ToAddresses: [email.to] },
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
        ...(headers.length > 0 ? { Headers: headers } : {}),
      },
    },
    ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
    // Tags come back on every SES event (delivery, bounce, open...) to correlate it with the case.
    EmailTags: [
      { Name: 'caseId', Value: tagValue(email.caseId) },
      { Name: 'stepId', Value: tagValue(email.stepId) },
      { Name: 'template', Value: tagValue(email.template) },
      ...(email.variant ? [{ Name: 'variant', Value: tagValue(email.variant) }] : []),
    ],
  };
}

export class SesEmailSender implements EmailSender, ChannelSender<OutboundEmailMessage> {
  public constructor(
    private readonly client: SESv2Client,
    private readonly options: SesEmailOptions,
  ) {}

  public async send(email: OutboundEmail): Promise<ChannelReceipt> {
    let messageId: string | undefined;
    try {
      ({ MessageId: messageId } = await this.client.send(
        new SendEmailCommand(sesSendEmailInput(email, this.options)),
      ));
    } catch (error) {
      throw classifySesError(error);
    }
    if (!messageId) throw new ProviderResponseError('SES accepted the message without a MessageId');
    return { providerMessageId: messageId };
  }
}
