import { consentAllows } from '../domain/contact-consent.ts';
import { isWhatsAppSessionOpen, normalizeAddress } from '../domain/delivery-channel.ts';
import { PermanentDeliveryError } from '../domain/errors.ts';
import type {
  ChannelReceipt,
  ChannelSenders,
  Clock,
  ConsentStore,
  ContactDirectory,
  OutboundChannelMessage,
} from '../ports.ts';

export interface DeliverDependencies {
  readonly senders: ChannelSenders;
  readonly consents: ConsentStore;
  readonly directory: ContactDirectory;
  readonly clock: Clock;
}

/**
 * Sends one message on its channel: the act step's single entry point to the channel adapters.
 * Refuses (with `PermanentDeliveryError`, so the caller falls back to the next channel) an
 * address that is not valid, a channel the debtor opted out of, a suppressed or invalidated
 * address, and free text on WhatsApp outside the 24-hour window when there is no approved
 * template. Records the address as the customer's before sending, so replies and receipts find
 * the case. Provider errors pass through, classified (see `ChannelSender`).
 *
 * It does not deduplicate: the caller holds the step's idempotency record (send-journey-message).
 */
export async function deliverChannelMessage(
  message: OutboundChannelMessage,
  deps: DeliverDependencies,
): Promise<ChannelReceipt> {
  const address = normalizeAddress(message.channel, message.to);
  if (address === undefined)
    throw new PermanentDeliveryError('invalid-address', `not a valid ${message.channel} address`);
  const consent = await deps.consents.getConsent(message.customerId, message.channel);
  if (!consentAllows(consent, address)) {
    const reason = consent?.status === 'opted-out' ? 'opted-out' : 'suppressed';
    throw new PermanentDeliveryError(reason, `${message.channel} to this address is ${consent?.status}`);
  }
  const now = deps.clock.now();
  let outbound: OutboundChannelMessage = { ...message, to: address };
  if (outbound.channel === 'whatsapp') {
    const link = await deps.directory.findAddress('whatsapp', address);
    const sessionOpen = isWhatsAppSessionOpen(link?.lastInboundAt, now);
    if (!sessionOpen || outbound.text === undefined) {
      if (outbound.template === undefined)
        throw new PermanentDeliveryError(
          'outside-session-window',
          'WhatsApp free text is allowed only within 24 hours of the debtor’s last message, and no template was given',
        );
      const { text: _freeText, ...templateOnly } = outbound;
      outbound = templateOnly;
    }
  }
  const caseId = outbound.channel === 'email' ? outbound.caseId : outbound.correlation.caseId;
  await deps.directory.linkOutbound({
    channel: outbound.channel,
    address,
    customerId: outbound.customerId,
    ...(caseId ? { caseId } : {}),
    at: now.toISOString(),
  });
  return sendOn(outbound, deps.senders);
}

/** Dispatches to the channel's sender, keeping the message type tied to the channel. */
function sendOn(message: OutboundChannelMessage, senders: ChannelSenders): Promise<ChannelReceipt> {
  switch (message.channel) {
    case 'sms':
      return senders.sms.send(message);
    case 'voice':
      return senders.voice.send(message);
    case 'whatsapp':
      return senders.whatsapp.send(message);
    case 'email':
      return senders.email.send(message);
  }
}
