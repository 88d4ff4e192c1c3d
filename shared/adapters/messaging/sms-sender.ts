import {
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  type SendTextMessageCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { correlationEntries } from '../../domain/delivery-channel.ts';
import { ProviderResponseError } from '../../domain/errors.ts';
import type { ChannelReceipt, ChannelSender, OutboundSms } from '../../ports.ts';
import { classifySmsVoiceError } from './delivery-failures.ts';

export interface SmsOptions {
  /** Phone number, pool, sender id (or their ARNs) the texts come from. */
  readonly originationIdentity: string;
  /** End User Messaging configuration set whose event destination publishes the delivery events. */
  readonly configurationSetName?: string;
  /**
   * Seconds the carrier may keep trying. Short by default: a text delivered hours late can land
   * outside the contact window the planner chose.
   * @default 3600
   */
  readonly timeToLiveSeconds?: number;
}

/** The SendTextMessage request for one message: shared by the adapter and the local outbox. */
export function smsSendTextMessageInput(
  message: OutboundSms,
  options: SmsOptions,
): SendTextMessageCommandInput {
  return {
    DestinationPhoneNumber: message.to,
    OriginationIdentity: options.originationIdentity,
    MessageBody: message.text,
    // Collections messages are transactional (an existing business relationship), never marketing.
    MessageType: 'TRANSACTIONAL',
    ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
    TimeToLive: options.timeToLiveSeconds ?? 3600,
    // Context comes back on every delivery event of this message: ids only, no personal data.
    Context: correlationEntries(message.correlation),
  };
}

/** SMS through AWS End User Messaging SMS (`SendTextMessage`). */
export class EndUserMessagingSmsSender implements ChannelSender<OutboundSms> {
  public constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly options: SmsOptions,
  ) {}

  public async send(message: OutboundSms): Promise<ChannelReceipt> {
    let messageId: string | undefined;
    try {
      ({ MessageId: messageId } = await this.client.send(
        new SendTextMessageCommand(smsSendTextMessageInput(message, this.options)),
      ));
    } catch (error) {
      throw classifySmsVoiceError(error);
    }
    if (!messageId)
      throw new ProviderResponseError('End User Messaging accepted the text without a MessageId');
    return { providerMessageId: messageId };
  }
}
