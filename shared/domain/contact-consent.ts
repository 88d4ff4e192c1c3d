import type { DeliveryChannel } from './delivery-channel.ts';

/**
 * Whether a debtor may be contacted on one channel. One record per customer and channel, written
 * by the events that change it (a STOP reply, a hard bounce, a complaint, a "wrong person" reply,
 * a provider saying the number opted out) and read by the planner before choosing a channel.
 *
 * - `opted-in`: the debtor asked to be contacted again (START/UNSTOP); contact is allowed.
 * - `opted-out`: the debtor revoked consent on this channel (STOP and the carrier keywords, an
 *   email complaint, a provider opt-out list): no contact on this channel, whatever the address.
 * - `suppressed`: the address cannot receive (hard bounce, invalid number): no contact at that
 *   address; a different address of the same customer (an updated email) may be tried.
 * - `invalid`: the address belongs to someone else ("wrong person"): never contact that address.
 */
export type ConsentStatus = 'opted-in' | 'opted-out' | 'suppressed' | 'invalid';

export type ConsentReason =
  | 'stop-keyword'
  | 'start-keyword'
  | 'email-complaint'
  | 'hard-bounce'
  | 'invalid-address'
  | 'provider-opted-out'
  | 'wrong-person'
  /** The debtor followed the unsubscribe link of a message (or their mail client's one-click button). */
  | 'unsubscribe-link';

export interface ContactConsent {
  readonly customerId: string;
  readonly channel: DeliveryChannel;
  readonly status: ConsentStatus;
  /** The address the decision is about (E.164 number or lower-case email). */
  readonly address: string;
  readonly reason: ConsentReason;
  /** When the deciding event happened (ISO): a later event wins, an older one never overrides. */
  readonly decidedAt: string;
  /** Provider id of the deciding event (inbound message id, SES feedback id...), for audit. */
  readonly sourceEventId: string;
}

/**
 * Whether a message may go to `address` on the consent's channel. No record means no objection
 * recorded (the planner still applies the channel's own consent rules, e.g. WhatsApp opt-in).
 */
export function consentAllows(consent: ContactConsent | undefined, address: string): boolean {
  if (consent === undefined) return true;
  switch (consent.status) {
    case 'opted-in':
      return true;
    case 'opted-out':
      return false;
    case 'suppressed':
    case 'invalid':
      return consent.address !== address;
  }
}

/**
 * Whether `next` replaces `current`: the later decision wins, so that replies arriving out of
 * order (SMS ordering is not guaranteed) end in the state the debtor chose last. On a tie the
 * stricter status wins: a STOP and a START in the same second leave the channel closed.
 */
export function supersedes(next: ContactConsent, current: ContactConsent | undefined): boolean {
  if (current === undefined) return true;
  if (next.decidedAt !== current.decidedAt) return next.decidedAt > current.decidedAt;
  return strictness[next.status] > strictness[current.status];
}

const strictness: Record<ConsentStatus, number> = {
  'opted-in': 0,
  suppressed: 1,
  invalid: 2,
  'opted-out': 3,
};
