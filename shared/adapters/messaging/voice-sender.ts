import {
  type PinpointSMSVoiceV2Client,
  SendVoiceMessageCommand,
  type SendVoiceMessageCommandInput,
  type VoiceId,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { correlationEntries } from '../../domain/delivery-channel.ts';
import { ProviderResponseError } from '../../domain/errors.ts';
import type { ChannelReceipt, ChannelSender, OutboundVoice } from '../../ports.ts';
import { classifySmsVoiceError } from './delivery-failures.ts';

export interface VoiceOptions {
  /** A voice-capable phone number or pool (or its ARN). */
  readonly originationIdentity: string;
  readonly configurationSetName?: string;
  /** @default 3600 */
  readonly timeToLiveSeconds?: number;
}

/** Amazon Polly voices End User Messaging offers, by locale, then by language. */
const voicesByLocale: Readonly<Record<string, VoiceId>> = {
  'en-us': 'JOANNA',
  'en-gb': 'AMY',
  'en-au': 'NICOLE',
  'en-in': 'RAVEENA',
  'es-es': 'LUCIA',
  'es-mx': 'MIA',
  'es-us': 'LUPE',
  'de-de': 'VICKI',
  'de-at': 'VICKI',
  'de-ch': 'VICKI',
  'fr-fr': 'LEA',
  'fr-ca': 'CHANTAL',
  'fr-be': 'LEA',
  'fr-ch': 'LEA',
  'pt-br': 'CAMILA',
  'pt-pt': 'INES',
  'it-it': 'BIANCA',
  'nl-nl': 'LOTTE',
};
const voicesByLanguage: Readonly<Record<string, VoiceId>> = {
  en: 'JOANNA',
  es: 'LUCIA',
  de: 'VICKI',
  fr: 'LEA',
  pt: 'CAMILA',
  it: 'BIANCA',
  nl: 'LOTTE',
};

/** The voice that speaks the debtor's locale (English when the language has none). */
export function voiceForLocale(locale: string): VoiceId {
  const normalized = locale.replace('_', '-').toLowerCase();
  return voicesByLocale[normalized] ?? voicesByLanguage[normalized.slice(0, 2)] ?? 'JOANNA';
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * SSML for a message: each paragraph its own `<p>` (a natural pause), spoken slightly slower than
 * default, and said twice with a pause between, since a call cannot be re-read.
 */
export function voiceSsml(text: string): string {
  const paragraphs = text
    .split(/\n\s*\n|\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => `<p>${escapeXml(paragraph)}</p>`)
    .join('');
  return `<speak><prosody rate="95%">${paragraphs}<break time="1s"/>${paragraphs}</prosody></speak>`;
}

/** The SendVoiceMessage request for one message: shared by the adapter and the local outbox. */
export function voiceSendVoiceMessageInput(
  message: OutboundVoice,
  options: VoiceOptions,
): SendVoiceMessageCommandInput {
  return {
    DestinationPhoneNumber: message.to,
    OriginationIdentity: options.originationIdentity,
    MessageBody: voiceSsml(message.text),
    MessageBodyTextType: 'SSML',
    VoiceId: voiceForLocale(message.locale),
    ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
    TimeToLive: options.timeToLiveSeconds ?? 3600,
    Context: correlationEntries(message.correlation),
  };
}

/** Text-to-speech calls through AWS End User Messaging (`SendVoiceMessage`). */
export class EndUserMessagingVoiceSender implements ChannelSender<OutboundVoice> {
  public constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly options: VoiceOptions,
  ) {}

  public async send(message: OutboundVoice): Promise<ChannelReceipt> {
    let messageId: string | undefined;
    try {
      ({ MessageId: messageId } = await this.client.send(
        new SendVoiceMessageCommand(voiceSendVoiceMessageInput(message, this.options)),
      ));
    } catch (error) {
      throw classifySmsVoiceError(error);
    }
    if (!messageId)
      throw new ProviderResponseError('End User Messaging accepted the call without a MessageId');
    return { providerMessageId: messageId };
  }
}
