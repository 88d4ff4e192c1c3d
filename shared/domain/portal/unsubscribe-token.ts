import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type DeliveryChannel, deliveryChannelSchema } from '../delivery-channel.ts';
import { allKeys, derivePortalKey, type PortalSigningKeys } from './portal-link.ts';

/**
 * What an unsubscribe link stands for: stop contacting this customer on this channel. The address
 * is the one the message went to, kept for the consent record's audit trail.
 */
export interface UnsubscribeRequest {
  readonly customerId: string;
  readonly channel: DeliveryChannel;
  readonly address: string;
}

/**
 * Unsubscribe tokens are sealed, not just signed: AES-256-GCM under a key derived from the portal
 * secret for this purpose only. Unlike portal links they never expire and need no table record,
 * because a debtor's "stop" must work whenever it comes (RFC 8058 one-click, Reg F §1006.6(e)),
 * long after the message's portal link has expired or its record is gone. Sealing keeps the
 * customer id and address out of the URL, as the portal keeps every identifier out of its links.
 *
 * Format: `u1.<base64url(iv ‖ ciphertext ‖ tag)>`.
 */
const tokenPrefix = 'u1.';
const ivBytes = 12;
const tagBytes = 16;
/** A customer id and an address fit well within this; anything longer is not ours. */
const maxTokenLength = 600;

export function sealUnsubscribeToken(request: UnsubscribeRequest, keys: PortalSigningKeys): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', derivePortalKey(keys.current, 'unsubscribe'), iv);
  const plain = JSON.stringify([request.customerId, request.channel, request.address]);
  const sealed = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${tokenPrefix}${sealed.toString('base64url')}`;
}

/** The request a token stands for, or undefined when no key of the rotation opens it. */
export function openUnsubscribeToken(token: string, keys: PortalSigningKeys): UnsubscribeRequest | undefined {
  if (!token.startsWith(tokenPrefix) || token.length > maxTokenLength) return undefined;
  const body = token.slice(tokenPrefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const sealed = Buffer.from(body, 'base64url');
  if (sealed.length <= ivBytes + tagBytes) return undefined;
  const iv = sealed.subarray(0, ivBytes);
  const tag = sealed.subarray(sealed.length - tagBytes);
  const ciphertext = sealed.subarray(ivBytes, sealed.length - tagBytes);
  for (const key of allKeys(keys)) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', derivePortalKey(key, 'unsubscribe'), iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      return requestOf(JSON.parse(plain));
    } catch {
      // Not sealed under this key (authentication failed): try the next one of the rotation.
    }
  }
  return undefined;
}

function requestOf(value: unknown): UnsubscribeRequest | undefined {
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [customerId, channel, address] = value as unknown[];
  if (typeof customerId !== 'string' || customerId === '' || typeof address !== 'string') return undefined;
  const parsed = deliveryChannelSchema.safeParse(channel);
  return parsed.success ? { customerId, channel: parsed.data, address } : undefined;
}

/** The page a debtor opens, and where mail clients POST the one-click unsubscribe. */
export function unsubscribeUrl(portalBaseUrl: string, token: string): string {
  return `${portalBaseUrl.replace(/\/+$/, '')}/u/${token}`;
}
