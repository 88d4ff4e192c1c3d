import type { ConsentReason } from './contact-consent.ts';
import type { DeliveryChannel, MessageCorrelation } from './delivery-channel.ts';
import type { InteractionKind } from './interaction.ts';

/**
 * A provider's delivery or engagement event, translated from its own shape (End User Messaging
 * SMS/voice, SES, WhatsApp statuses) into the one the core reads.
 */
export interface DeliveryEvent {
  /** Unique per provider event and stable across redeliveries. */
  readonly eventId: string;
  readonly channel: DeliveryChannel;
  readonly kind: InteractionKind;
  readonly occurredAt: string;
  readonly providerMessageId?: string;
  /** The ids we sent with the message, when the event carries them back. */
  readonly correlation?: MessageCorrelation;
  /** The recipient's normalized address, when the event names it. */
  readonly address?: string;
  /** Provider status or reason code, no personal data. */
  readonly detail?: string;
  /** Set when the event proves the address must not be used again. */
  readonly suppress?: Extract<
    ConsentReason,
    'hard-bounce' | 'email-complaint' | 'invalid-address' | 'provider-opted-out'
  >;
}

/** A message a debtor sent us (two-way SMS, WhatsApp). */
export interface InboundReply {
  readonly channel: 'sms' | 'whatsapp';
  /** The provider's id of the inbound message: the unit of idempotency. */
  readonly inboundMessageId: string;
  /** The debtor's number, E.164. */
  readonly from: string;
  /** Our number (or WhatsApp phone number id) it was sent to. */
  readonly to: string;
  readonly text: string;
  readonly receivedAt: string;
}
