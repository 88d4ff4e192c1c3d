import { randomBytes } from 'node:crypto';
import {
  allSigningKeys,
  deriveSigningKey,
  isSignedByAny,
  macOf,
  parseSigningKeys,
  type SigningKeys,
} from '../signing-keys.ts';

/**
 * A signed link to the debtor portal. The URL carries only an opaque token: a random link id
 * (128 bits, not derived from the case, the customer or the claim) and its expiry, MAC'd with
 * HMAC-SHA256. The link record in the table says which case it opens and whether it was revoked,
 * so a link can be revoked without rotating the key, and nothing in the URL identifies anybody.
 */
export interface PortalLink {
  /** Random, base64url (22 characters). */
  readonly linkId: string;
  readonly caseId: string;
  readonly customerId: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  /** Why it was issued: the journey step whose message carries it, or `renewal`. */
  readonly purpose: string;
  readonly revokedAt?: string;
}

/** The keys portal secrets are derived from: the first signs, every one verifies (rotation). */
export type PortalSigningKeys = SigningKeys;

export type PortalTokenCheck =
  | { readonly status: 'valid'; readonly linkId: string; readonly expiresAt: Date }
  /** Genuine (the MAC matches) but past its expiry: the page may offer a fresh link. */
  | { readonly status: 'expired'; readonly linkId: string; readonly expiresAt: Date }
  | { readonly status: 'invalid' };

const tokenVersion = 'v1';
const linkIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** Separate keys per use, derived from one secret, so a MAC made for one purpose never verifies another. */
export type PortalKeyPurpose = 'link' | 'session' | 'csrf' | 'rate-limit-address' | 'unsubscribe';

const keyLabel = (purpose: PortalKeyPurpose): string => `collections-portal/${purpose}`;

export function derivePortalKey(secret: string, purpose: PortalKeyPurpose): Buffer {
  return deriveSigningKey(secret, keyLabel(purpose));
}

function mac(secret: string, purpose: PortalKeyPurpose, message: string): string {
  return macOf(secret, keyLabel(purpose), message);
}

function signedByAny(keys: PortalSigningKeys, purpose: PortalKeyPurpose, message: string, signature: string) {
  return isSignedByAny(keys, keyLabel(purpose), message, signature);
}

/** Every key, current first: the first signs, every one verifies. */
export function allKeys(keys: PortalSigningKeys): readonly string[] {
  return allSigningKeys(keys);
}

/** A new random link id. */
export function newLinkId(): string {
  return randomBytes(16).toString('base64url');
}

/** The token that goes into the URL: `v1.<linkId>.<expiry, unix seconds base 36>.<mac>`. */
export function signPortalToken(linkId: string, expiresAt: Date, keys: PortalSigningKeys): string {
  if (!linkIdPattern.test(linkId)) throw new RangeError('a link id is 22 base64url characters');
  const body = `${tokenVersion}.${linkId}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`;
  return `${body}.${mac(keys.current, 'link', body)}`;
}

/** Verifies the MAC (constant time, every key) before reading anything else of the token. */
export function verifyPortalToken(token: string, keys: PortalSigningKeys, now: Date): PortalTokenCheck {
  if (token.length > 200) return { status: 'invalid' };
  const parts = token.split('.');
  if (parts.length !== 4) return { status: 'invalid' };
  const [version, linkId = '', expiry = '', signature = ''] = parts;
  const body = `${version}.${linkId}.${expiry}`;
  if (!signedByAny(keys, 'link', body, signature)) return { status: 'invalid' };
  if (version !== tokenVersion || !linkIdPattern.test(linkId) || !/^[0-9a-z]{1,10}$/.test(expiry)) {
    return { status: 'invalid' };
  }
  const expiresAt = new Date(Number.parseInt(expiry, 36) * 1000);
  return expiresAt.getTime() <= now.getTime()
    ? { status: 'expired', linkId, expiresAt }
    : { status: 'valid', linkId, expiresAt };
}

/**
 * A portal session: the link id and the session's own expiry, MAC'd. It travels in an HttpOnly
 * cookie once the link was opened, so the token leaves the address bar (and the Referer).
 */
export function signPortalSession(linkId: string, expiresAt: Date, keys: PortalSigningKeys): string {
  const body = `${linkId}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`;
  return `${body}.${mac(keys.current, 'session', body)}`;
}

export function verifyPortalSession(
  value: string,
  keys: PortalSigningKeys,
  now: Date,
): { readonly linkId: string; readonly expiresAt: Date } | undefined {
  const parts = value.split('.');
  if (parts.length !== 3 || value.length > 120) return undefined;
  const [linkId = '', expiry = '', signature = ''] = parts;
  const body = `${linkId}.${expiry}`;
  if (!signedByAny(keys, 'session', body, signature)) return undefined;
  if (!linkIdPattern.test(linkId) || !/^[0-9a-z]{1,10}$/.test(expiry)) return undefined;
  const expiresAt = new Date(Number.parseInt(expiry, 36) * 1000);
  return expiresAt.getTime() > now.getTime() ? { linkId, expiresAt } : undefined;
}

/**
 * The CSRF token of a form: a MAC of what the request is bound to (the session's link id, or the
 * expired token's link id on the renewal page) and the form's name. Another site can neither read
 * it (same-origin policy) nor compute it (no key).
 */
export function csrfTokenFor(binding: string, form: string, keys: PortalSigningKeys): string {
  return mac(keys.current, 'csrf', `${binding}\u0000${form}`);
}

export function isCsrfTokenValid(
  token: string | undefined,
  binding: string,
  form: string,
  keys: PortalSigningKeys,
): boolean {
  if (!token) return false;
  return signedByAny(keys, 'csrf', `${binding}\u0000${form}`, token);
}

/** A one-way pseudonym of a client address for rate-limit counters: the address itself is never stored. */
export function addressPseudonym(address: string, keys: PortalSigningKeys): string {
  return mac(keys.current, 'rate-limit-address', address).slice(0, 22);
}

/** Whether a link may open the portal now: not revoked, not revoked by a case-wide revocation. */
export function isLinkRevoked(link: PortalLink, revokedBefore: string | undefined): boolean {
  if (link.revokedAt !== undefined) return true;
  return revokedBefore !== undefined && link.issuedAt < revokedBefore;
}

/**
 * The signing secret as stored (Secrets Manager on AWS): a plain string, or during a rotation
 * `{"current": "...", "previous": ["..."]}` so links signed with the old key keep working.
 */
export function parsePortalSigningKeys(value: string): PortalSigningKeys {
  return parseSigningKeys(value, 'the portal signing key');
}
