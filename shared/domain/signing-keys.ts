import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 signing shared by every signed link of the product (the debtor portal, the finance
 * report archive). One secret per product area; a separate key per use is derived from it with a
 * label, so a MAC made for one use never verifies another.
 */

/** The keys of one signing secret: the first signs, every one verifies (rotation). */
export interface SigningKeys {
  readonly current: string;
  readonly previous?: readonly string[];
}

/** The key of one use (`collections-portal/link`, `collections-reports/link`, ...) of a secret. */
export function deriveSigningKey(secret: string, label: string): Buffer {
  return createHmac('sha256', secret).update(label).digest();
}

/** The MAC of a message with the key `label` derives from `secret`, base64url. */
export function macOf(secret: string, label: string, message: string): string {
  return createHmac('sha256', deriveSigningKey(secret, label)).update(message).digest('base64url');
}

/** Constant-time comparison of two MACs. */
export function sameMac(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function allSigningKeys(keys: SigningKeys): readonly string[] {
  return [keys.current, ...(keys.previous ?? [])];
}

/** Whether any of the keys (current or previous) made this MAC of the message. */
export function isSignedByAny(keys: SigningKeys, label: string, message: string, signature: string): boolean {
  return allSigningKeys(keys).some((key) => sameMac(macOf(key, label, message), signature));
}

/** A signing secret is random and long: a short one is a configuration mistake, refused. */
export const minimumSigningKeyLength = 32;

/**
 * A signing secret as stored (Secrets Manager on AWS, the environment locally): a plain string,
 * or during a rotation `{"current": "...", "previous": ["..."]}` so what the old key signed keeps
 * verifying. `name` says which secret in the errors (`the portal signing key`).
 */
export function parseSigningKeys(value: string, name: string): SigningKeys {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    const parsed = JSON.parse(trimmed) as { current?: unknown; previous?: unknown };
    const previous = Array.isArray(parsed.previous)
      ? parsed.previous.filter((k): k is string => typeof k === 'string')
      : [];
    if (typeof parsed.current !== 'string' || parsed.current.length < minimumSigningKeyLength) {
      throw new RangeError(
        `${name} must have a "current" key of at least ${minimumSigningKeyLength} characters`,
      );
    }
    return { current: parsed.current, previous };
  }
  if (trimmed.length < minimumSigningKeyLength) {
    throw new RangeError(`${name} must be at least ${minimumSigningKeyLength} characters`);
  }
  return { current: trimmed };
}
