import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { type SesEmailOptions, sesSendEmailInput } from '../../shared/adapters/email/ses-email-sender.ts';
import type { Channel } from '../../shared/domain/strategy.ts';
import type { Clock, EmailSender, OutboundEmail } from '../../shared/ports.ts';

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
 * Stands in for SES locally. Kept in memory, and appended to a JSON-lines file when the
 * runtime has a data folder, so a restart keeps the history.
 */
export class Outbox implements EmailSender {
  private readonly messages: OutboxMessage[] = [];

  public constructor(
    private readonly clock: Clock,
    private readonly options: SesEmailOptions,
    private readonly file?: string,
  ) {
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.trim()) this.messages.push(JSON.parse(line) as OutboxMessage);
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

  public list(): OutboxMessage[] {
    return [...this.messages];
  }
}
