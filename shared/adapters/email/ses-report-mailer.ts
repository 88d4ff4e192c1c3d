import { type SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { ReportEmail, ReportMailer } from '../../ports.ts';
import type { SesEmailOptions } from './ses-email-sender.ts';

/**
 * The SES v2 request for a finance report: a Simple message with attachments (SES builds the MIME
 * message): charts INLINE with a Content-ID the HTML references as `cid:`, CSV files as ordinary
 * attachments. Shared by the SES adapter and the local outbox.
 */
export function sesReportEmailInput(email: ReportEmail, options: SesEmailOptions): SendEmailCommandInput {
  return {
    FromEmailAddress: options.from,
    Destination: { ToAddresses: [...email.to] },
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
        Attachments: email.attachments.map((attachment) => ({
          FileName: attachment.fileName,
          ContentType: attachment.contentType,
          RawContent: attachment.content,
          ContentTransferEncoding: 'BASE64',
          ...(attachment.contentId
            ? { ContentDisposition: 'INLINE' as const, ContentId: attachment.contentId }
            : { ContentDisposition: 'ATTACHMENT' as const }),
        })),
      },
    },
    ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
    EmailTags: [{ Name: 'report', Value: email.reportId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) }],
  };
}

export class SesReportMailer implements ReportMailer {
  public constructor(
    private readonly client: SESv2Client,
    private readonly options: SesEmailOptions,
  ) {}

  public async sendReport(email: ReportEmail): Promise<{ providerMessageId: string }> {
    const result = await this.client.send(new SendEmailCommand(sesReportEmailInput(email, this.options)));
    if (!result.MessageId) throw new Error('SES accepted the report without a MessageId');
    return { providerMessageId: result.MessageId };
  }
}
