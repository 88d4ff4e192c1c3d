import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { type SesEmailOptions, sesSendEmailInput } from '../../shared/adapters/email/ses-email-sender.ts';
import { sesReportEmailInput } from '../../shared/adapters/email/ses-report-mailer.ts';
import type { Channel } from '../../shared/domain/strategy.ts';
import type { Clock, EmailSender, OutboundEmail, ReportEmail, ReportMailer } from '../../shared/ports.ts';

/** One message the product would have sent, as `GET /local/outbox` lists it. */
export interface OutboxMessage {
  readonly id: string;
  readonly channel: Channel;
  readonly to: string;
  readonly customerId: string;
  readonly caseId: string;
  readonly stepId: string;
  readonly template: string;
  readonly subject: string;
  /** The text part. */
  readonly body: string;
  readonly html: string;
  /** Virtual time of the send (ISO). */
  readonly sentAt: string;
  /** Exactly the SES v2 SendEmail request the AWS adapter would have made. */
  readonly request: SendEmailCommandInput;
}

/**
 * A finance report the product would have emailed (`kind: 'report'`). It carries every field of a
 * journey message, so readers of `GET /local/outbox` keep working: `to` lists the recipients
 * comma-separated, `stepId` is the report id, `template` is `finance-report`, and `customerId` and
 * `caseId` are empty. `request` is the SES v2 SendEmail input with each attachment's bytes as base64.
 */
export interface OutboxReport extends Omit<OutboxMessage, 'request'> {
  readonly kind: 'report';
  readonly reportId: string;
  readonly archiveUrl: string;
  readonly attachments: readonly {
    readonly fileName: string;
    readonly contentType: string;
    readonly contentId?: string;
    readonly bytes: number;
  }[];
  readonly request: Record<string, unknown>;
}

export type OutboxEntry = OutboxMessage | OutboxReport;

/** JSON of an SES request with its binary attachments as base64 strings. */
function serializableRequest(input: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(input, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  ) as Record<string, unknown>;
}

/**
 * Stands in for SES locally. Kept in memory, and appended to a JSON-lines file when the
 * runtime has a data folder, so a restart keeps the history.
 */
export class Outbox implements EmailSender, ReportMailer {
  private readonly messages: OutboxEntry[] = [];

  public constructor(
    private readonly clock: Clock,
    private readonly options: SesEmailOptions,
    private readonly file?: string,
  ) {
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim()) this.messages.push(JSON.parse(line) as OutboxEntry);
      }
    }
  }

  public async send(email: OutboundEmail): Promise<{ providerMessageId: string }> {
    const message: OutboxMessage = {
      id: `local-${randomUUID()}`,
      channel: 'email',
      to: email.to,
      customerId: email.customerId,
      caseId: email.caseId,
      stepId: email.stepId,
      template: email.template,
      subject: email.subject,
      body: email.text,
      html: email.html,
      sentAt: this.clock.now().toISOString(),
      request: sesSendEmailInput(email, this.options),
    };
    this.messages.push(message);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(message)}\n`);
    return { providerMessageId: message.id };
  }

  public async sendReport(email: ReportEmail): Promise<{ providerMessageId: string }> {
    const report: OutboxReport = {
      id: `local-${randomUUID()}`,
      kind: 'report',
      channel: 'email',
      to: email.to.join(', '),
      customerId: '',
      caseId: '',
      stepId: email.reportId,
      template: 'finance-report',
      subject: email.subject,
      body: email.text,
      html: email.html,
      sentAt: this.clock.now().toISOString(),
      reportId: email.reportId,
      archiveUrl: email.archiveUrl,
      attachments: email.attachments.map((attachment) => ({
        fileName: attachment.fileName,
        contentType: attachment.contentType,
        ...(attachment.contentId ? { contentId: attachment.contentId } : {}),
        bytes: attachment.content.byteLength,
      })),
      request: serializableRequest(sesReportEmailInput(email, this.options)),
    };
    this.messages.push(report);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(report)}\n`);
    return { providerMessageId: report.id };
  }

  public list(): OutboxEntry[] {
    return [...this.messages];
  }
}
