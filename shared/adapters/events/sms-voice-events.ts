import { z } from 'zod';
import type { DeliveryEvent, InboundReply } from '../../domain/channel-events.ts';
import { readCorrelation, toE164 } from '../../domain/delivery-channel.ts';
import type { InteractionKind } from '../../domain/interaction.ts';

/** An End User Messaging SMS/voice event as its event destination publishes it. */
const smsVoiceEventSchema = z.object({
  eventType: z.string().min(1),
  eventTimestamp: z.number(),
  isFinal: z.boolean().optional(),
  destinationPhoneNumber: z.string().optional(),
  messageId: z.string().min(1),
  messageStatus: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});

/** Final outcomes we put on the timeline; interim ones (queued, pending, ringing) are skipped. */
const kinds: Readonly<Record<string, InteractionKind>> = {
  TEXT_DELIVERED: 'delivered',
  TEXT_SUCCESSFUL: 'delivered',
  TEXT_BLOCKED: 'failed',
  TEXT_TTL_EXPIRED: 'failed',
  TEXT_CARRIER_UNREACHABLE: 'failed',
  TEXT_INVALID: 'failed',
  TEXT_INVALID_MESSAGE: 'failed',
  TEXT_CARRIER_BLOCKED: 'failed',
  TEXT_UNREACHABLE: 'failed',
  TEXT_SPAM: 'failed',
  TEXT_UNKNOWN: 'failed',
  TEXT_PROTECT_BLOCKED: 'failed',
  VOICE_ANSWERED: 'answered',
  VOICE_COMPLETED: 'delivered',
  VOICE_NO_ANSWER: 'no-answer',
  VOICE_BUSY: 'busy',
  VOICE_FAILED: 'failed',
  VOICE_TTL_EXPIRED: 'failed',
};

/**
 * Translates one End User Messaging SMS/voice event; undefined for interim or unknown event types
 * (and for anything that is not such an event, which the caller logs and acknowledges).
 */
export function translateSmsVoiceEvent(message: unknown): DeliveryEvent | undefined {
  const parsed = smsVoiceEventSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  const kind = kinds[event.eventType];
  if (kind === undefined) return undefined;
  const correlation = readCorrelation(event.context);
  const address = toE164(event.destinationPhoneNumber);
  return {
    // One event of each type per message: a redelivery has the same id.
    eventId: `${event.messageId}:${event.eventType}`,
    channel: event.eventType.startsWith('VOICE_') ? 'voice' : 'sms',
    kind,
    occurredAt: new Date(event.eventTimestamp).toISOString(),
    providerMessageId: event.messageId,
    ...(correlation ? { correlation } : {}),
    ...(address ? { address } : {}),
    detail: event.eventType,
    // The carrier says the number does not exist: never text it again.
    ...(event.eventType === 'TEXT_INVALID' ? { suppress: 'invalid-address' as const } : {}),
  };
}

/** A two-way SMS message as End User Messaging publishes it to the inbound SNS topic. */
const inboundSmsSchema = z.object({
  originationNumber: z.string().min(1),
  destinationNumber: z.string().min(1),
  messageKeyword: z.string().optional(),
  messageBody: z.string(),
  inboundMessageId: z.string().min(1),
  previousPublishedMessageId: z.string().optional(),
});

/**
 * Translates an inbound SMS. The payload has no timestamp: the SNS publish time stands in for
 * the moment it was received.
 */
export function translateInboundSms(message: unknown, publishedAt: string): InboundReply | undefined {
  const parsed = inboundSmsSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const from = toE164(parsed.data.originationNumber);
  if (from === undefined) return undefined;
  return {
    channel: 'sms',
    inboundMessageId: parsed.data.inboundMessageId,
    from,
    to: parsed.data.destinationNumber,
    text: parsed.data.messageBody,
    receivedAt: publishedAt,
  };
}
