import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type {
  SendTextMessageCommandInput,
  SendVoiceMessageCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { type SesEmailOptions, sesSendEmailInput } from '../../shared/adapters/email/ses-email-sender.ts';
import { sesReportEmailInput } from '../../shared/adapters/email/ses-report-mailer.ts';
import { type SmsOptions, smsSendTextMessageInput } from '../../shared/adapters/messaging/sms-sender.ts';
import {
  type VoiceOptions,
  voiceSendVoiceMessageInput,
} from '../../shared/adapters/messaging/voice-sender.ts';
import {
  type WhatsAppMessageObject,
  type WhatsAppOptions,
  whatsAppSendMessageInput,
} from '../../shared/adapters/messaging/whatsapp-sender.ts';
import type { DeliveryChannel } from '../../shared/domain/delivery-channel.ts';
import { whatsAppTemplateBody } from '../../shared/domain/whatsapp-message.ts';
import type {
  ChannelReceipt,
  ChannelSenders,
  Clock,
  EmailSender,
  OutboundEmail,
  OutboundSms,
  OutboundVoice,
  OutboundWhatsApp,
  ReportEmail,
  ReportMailer,
} from '../../shared/ports.ts';

/**
 * The SendWhatsAppMessage request, with `message` (bytes on the wire: UTF-8 JSON) shown decoded
 * so that the outbox stays readable JSON.
 */
export interface WhatsAppOutboxRequest {
  readonly originationPhoneNumberId: string;
  readonly metaApiVersion: string;
  readonly message: WhatsAppMessageObject;
}

/** Where the outbox's non-email channels would send from (development values locally). */
export interface OutboxChannelOptions {
  readonly sms: SmsOptions;
  readonly voice: VoiceOptions;
  readonly whatsapp: WhatsAppOptions;
}

/** One message the product would have sent, as `GET /local/outbox` lists it. */
export interface OutboxMessage {
  readonly id: string;
  readonly channel: DeliveryChannel;
  readonly to: string;
  readonly customerId: string;
  /** Absent for an automatic reply to a debtor without an open case. */
  readonly caseId?: string;
  readonly stepId: string;
  readonly variant?: string;
  /** Email template id, or the WhatsApp template name; absent for free text. */
  readonly template?: string;
  /** Email only. */
  readonly subject?: string;
  /** The text: email text part, SMS text, what the call says, WhatsApp free text. */
  readonly body: string;
  /** Email only. */
  readonly html?: string;
  /** Virtual time of the send (ISO). */
  readonly sentAt: string;
  /** Exactly the request the AWS adapter would have made (SES v2, End User Messaging SMS/voice/Social). */
  readonly request:
    | SendEmailCommandInput
    | SendTextMessageCommandInput
    | SendVoiceMessageCommandInput
    | WhatsAppOutboxRequest;
}

/** Development origination identities: documentation-range numbers that reach nobody. */
export const developmentChannelOptions: OutboxChannelOptions = {
  sms: { originationIdentity: '+12065550100', configurationSetName: 'collections-local' },
  voice: { originationIdentity: '+12065550100', configurationSetName: 'collections-local' },
  whatsapp: { originationPhoneNumberId: 'phone-number-id-00000000000000000000000000000000' },
};

/**
 * A finance report the product would have emailed (`kind: 'report'`). It carries every field of a
 * journey email, so readers of `GET /local/outbox` keep working: `to` lists the recipients
 * comma-separated, `stepId` is the report id, `template` is `finance-report`, `customerId` is empty
 * and there is no `caseId`. `request` is the SES v2 SendEmail input with attachment bytes in base64.
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
 * Stands in for SES (and End User Messaging SMS, voice and WhatsApp) locally. Kept in memory, and appended to a JSON-lines file when the
 * runtime has a data folder, so a restart keeps the history.
 */
export class Outbox implements EmailSender, ReportMailer {
  private readonly messages: OutboxEntry[] = [];

  public constructor(
    private readonly clock: Clock,
    private readonly options: SesEmailOptions,
    private readonly file?: string,
    private readonly channelOptions: OutboxChannelOptions = developmentChannelOptions,
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
    this.record(message);
    return { providerMessageId: message.id };
  }

  /** Senders for every channel that record here: what the act step and reply handlers use locally. */
  public channelSenders(): ChannelSenders {
    return {
      email: { send: (message) => this.send(message) },
      sms: { send: (message) => this.sendSms(message) },
      voice: { send: (message) => this.sendVoice(message) },
      whatsapp: { send: (message) => this.sendWhatsApp(message) },
    };
  }

  private async sendSms(message: OutboundSms): Promise<ChannelReceipt> {
    return this.recordPhone(message, undefined, smsSendTextMessageInput(message, this.channelOptions.sms));
  }

  private async sendVoice(message: OutboundVoice): Promise<ChannelReceipt> {
    return this.recordPhone(
      message,
      undefined,
      voiceSendVoiceMessageInput(message, this.channelOptions.voice),
    );
  }

  private async sendWhatsApp(message: OutboundWhatsApp): Promise<ChannelReceipt> {
    const input = whatsAppSendMessageInput(message, this.channelOptions.whatsapp);
    const request: WhatsAppOutboxRequest = {
      originationPhoneNumberId: input.originationPhoneNumberId ?? '',
      metaApiVersion: input.metaApiVersion ?? '',
      message: JSON.parse(new TextDecoder().decode(input.message)) as WhatsAppMessageObject,
    };
    return this.recordPhone(
      message,
      message.text === undefined ? message.template?.name : undefined,
      request,
    );
  }

  private recordPhone(
    message: OutboundSms | OutboundVoice | OutboundWhatsApp,
    template: string | undefined,
    request: OutboxMessage['request'],
  ): ChannelReceipt {
    const { correlation } = message;
    const recorded: OutboxMessage = {
      id: `local-${randomUUID()}`,
      channel: message.channel,
      to: message.to,
      customerId: message.customerId,
      ...(correlation.caseId ? { caseId: correlation.caseId } : {}),
      stepId: correlation.stepId,
      ...(correlation.variant ? { variant: correlation.variant } : {}),
      ...(template ? { template } : {}),
      // A WhatsApp template shows as the debtor reads it: its registered body, parameters in place.
      body:
        message.text ??
        (message.channel === 'whatsapp' && message.template
          ? whatsAppTemplateBody(message.template)
          : undefined) ??
        '',
      sentAt: this.clock.now().toISOString(),
      request,
    };
    this.record(recorded);
    return { providerMessageId: recorded.id };
  }

  private record(message: OutboxEntry): void {
    this.messages.push(message);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(message)}\n`);
  }

  public async sendReport(email: ReportEmail): Promise<{ providerMessageId: string }> {
    const report: OutboxReport = {
      id: `local-${randomUUID()}`,
      kind: 'report',
      channel: 'email',
      to: email.to.join(', '),
      customerId: '',
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
    this.record(report);
    return { providerMessageId: report.id };
  }

  public list(): OutboxEntry[] {
    return [...this.messages];
  }

  /** How many messages the outbox holds. */
  public get size(): number {
    return this.messages.length;
  }

  /** The messages after the first `offset`, oldest first. */
  public after(offset: number): OutboxEntry[] {
    return this.messages.slice(offset);
  }
}
