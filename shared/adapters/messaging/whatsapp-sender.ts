import {
  SendWhatsAppMessageCommand,
  type SendWhatsAppMessageCommandInput,
  type SocialMessagingClient,
} from '@aws-sdk/client-socialmessaging';
import { correlationEntries } from '../../domain/delivery-channel.ts';
import { InvalidRequestError, ProviderResponseError } from '../../domain/errors.ts';
import type { ChannelReceipt, ChannelSender, OutboundWhatsApp } from '../../ports.ts';
import { classifyWhatsAppError } from './delivery-failures.ts';

export interface WhatsAppOptions {
  /** The End User Messaging Social phone number id (`phone-number-id-...`) messages come from. */
  readonly originationPhoneNumberId: string;
  /**
   * Meta Graph API version of the message object.
   * @default 'v20.0'
   */
  readonly metaApiVersion?: string;
}

/** Meta Cloud API message object (the subset we send). */
export type WhatsAppMessageObject = {
  readonly messaging_product: 'whatsapp';
  readonly recipient_type: 'individual';
  readonly to: string;
  /** Returned in every status webhook of the message: our correlation, ids only. */
  readonly biz_opaque_callback_data: string;
} & (
  | { readonly type: 'text'; readonly text: { readonly preview_url: boolean; readonly body: string } }
  | {
      readonly type: 'template';
      readonly template: {
        readonly name: string;
        readonly language: { readonly policy: 'deterministic'; readonly code: string };
        readonly components: readonly {
          readonly type: 'body';
          readonly parameters: readonly { readonly type: 'text'; readonly text: string }[];
        }[];
      };
    }
);

/**
 * The Meta message object: free text when the message has text (the caller checked the 24-hour
 * window), otherwise the approved template.
 */
export function whatsAppMessageObject(message: OutboundWhatsApp): WhatsAppMessageObject {
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to,
    biz_opaque_callback_data: JSON.stringify(correlationEntries(message.correlation)),
  } as const;
  if (message.text !== undefined) {
    return { ...base, type: 'text', text: { preview_url: false, body: message.text } };
  }
  if (message.template === undefined) {
    throw new InvalidRequestError('a WhatsApp message needs text (inside the session window) or a template');
  }
  const { name, languageCode, bodyParameters } = message.template;
  return {
    ...base,
    type: 'template',
    template: {
      name,
      language: { policy: 'deterministic', code: languageCode },
      components:
        bodyParameters.length > 0
          ? [{ type: 'body', parameters: bodyParameters.map((text) => ({ type: 'text', text })) }]
          : [],
    },
  };
}

/** The SendWhatsAppMessage request: shared by the adapter and the local outbox. */
export function whatsAppSendMessageInput(
  message: OutboundWhatsApp,
  options: WhatsAppOptions,
): SendWhatsAppMessageCommandInput {
  return {
    originationPhoneNumberId: options.originationPhoneNumberId,
    metaApiVersion: options.metaApiVersion ?? 'v20.0',
    message: new TextEncoder().encode(JSON.stringify(whatsAppMessageObject(message))),
  };
}

/** WhatsApp through AWS End User Messaging Social (`SendWhatsAppMessage`). */
export class EndUserMessagingWhatsAppSender implements ChannelSender<OutboundWhatsApp> {
  public constructor(
    private readonly client: SocialMessagingClient,
    private readonly options: WhatsAppOptions,
  ) {}

  public async send(message: OutboundWhatsApp): Promise<ChannelReceipt> {
    const input = whatsAppSendMessageInput(message, this.options);
    let messageId: string | undefined;
    try {
      ({ messageId } = await this.client.send(new SendWhatsAppMessageCommand(input)));
    } catch (error) {
      throw classifyWhatsAppError(error);
    }
    if (!messageId) throw new ProviderResponseError('WhatsApp accepted the message without a messageId');
    return { providerMessageId: messageId };
  }
}
