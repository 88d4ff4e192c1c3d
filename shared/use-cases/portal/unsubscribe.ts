import { createHash } from 'node:crypto';
import type { DeliveryChannel } from '../../domain/delivery-channel.ts';
import type { PortalSigningKeys } from '../../domain/portal/portal-link.ts';
import { openUnsubscribeToken } from '../../domain/portal/unsubscribe-token.ts';
import type { Clock, ConsentStore } from '../../ports.ts';

export interface UnsubscribeDependencies {
  readonly consents: Pick<ConsentStore, 'putConsent'>;
  readonly clock: Clock;
  readonly keys: () => Promise<PortalSigningKeys>;
}

export type UnsubscribeOutcome =
  | { readonly status: 'unsubscribed'; readonly customerId: string; readonly channel: DeliveryChannel }
  | { readonly status: 'invalid' };

/** Which channel a token would stop, without changing anything (the confirmation page of a GET). */
export async function previewUnsubscribe(
  token: string,
  deps: Pick<UnsubscribeDependencies, 'keys'>,
): Promise<UnsubscribeOutcome> {
  const request = openUnsubscribeToken(token, await deps.keys());
  return request === undefined
    ? { status: 'invalid' }
    : { status: 'unsubscribed', customerId: request.customerId, channel: request.channel };
}

/**
 * The debtor asked to stop: the channel is opted out for the customer at once, as a STOP reply
 * does (contact-consent.ts), and the planner falls back to the strategy's other channels. Clicking
 * twice, or a mail client's one-click POST after the page's button, changes nothing more.
 */
export async function unsubscribe(token: string, deps: UnsubscribeDependencies): Promise<UnsubscribeOutcome> {
  const request = openUnsubscribeToken(token, await deps.keys());
  if (request === undefined) return { status: 'invalid' };
  await deps.consents.putConsent({
    customerId: request.customerId,
    channel: request.channel,
    status: 'opted-out',
    address: request.address,
    reason: 'unsubscribe-link',
    decidedAt: deps.clock.now().toISOString(),
    // The same link always names the same source; the token itself is not stored.
    sourceEventId: `unsubscribe-link:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`,
  });
  return { status: 'unsubscribed', customerId: request.customerId, channel: request.channel };
}
