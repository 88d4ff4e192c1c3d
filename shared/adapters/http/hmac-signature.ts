import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureVerificationError } from '../../domain/errors.ts';

/** Signatures older (or further in the future) than this are refused: a captured request cannot be replayed later. */
export const signatureToleranceSeconds = 300;

export interface TimestampedSignatures {
  /** Unix seconds the provider signed at. */
  readonly timestamp: number;
  /** Hex signatures; several while a secret is rotated. */
  readonly signatures: readonly string[];
}

/**
 * Parses `t=<unix>,v1=<hex>,v1=<hex>` (in-house) or `ts=<unix>;h1=<hex>;h1=<hex>` (Paddle):
 * `pairSeparator` between pairs, `timestampKey` and `signatureKey` name the parts.
 */
export function parseSignatureHeader(
  header: string | undefined,
  names: {
    readonly headerName: string;
    readonly pairSeparator: string;
    readonly timestampKey: string;
    readonly signatureKey: string;
  },
): TimestampedSignatures {
  if (!header) throw new SignatureVerificationError(`missing ${names.headerName} header`);
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(names.pairSeparator)) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const key = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (key === names.timestampKey && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === names.signatureKey && /^[0-9a-f]{64}$/i.test(value))
      signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0)
    throw new SignatureVerificationError(`malformed ${names.headerName} header`);
  return { timestamp, signatures };
}

/**
 * Checks that one of `signatures` is HMAC-SHA256(secret, signedPayload) for one of `secrets`, in
 * constant time, and that the timestamp is within the tolerance of `now`.
 */
export function verifyTimestampedHmac(options: {
  readonly headerName: string;
  readonly parsed: TimestampedSignatures;
  readonly signedPayload: string;
  readonly secrets: readonly string[];
  readonly now: Date;
  readonly toleranceSeconds?: number;
}): void {
  const { parsed } = options;
  const expected = options.secrets.map((secret) =>
    createHmac('sha256', secret).update(options.signedPayload, 'utf8').digest(),
  );
  const matches = parsed.signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex');
    return expected.some((one) => one.length === given.length && timingSafeEqual(one, given));
  });
  if (!matches) throw new SignatureVerificationError(`invalid ${options.headerName}`);
  const tolerance = options.toleranceSeconds ?? signatureToleranceSeconds;
  const age = Math.abs(options.now.getTime() / 1000 - parsed.timestamp);
  if (age > tolerance)
    throw new SignatureVerificationError(`stale ${options.headerName} timestamp (older than ${tolerance} s)`);
}

/** Signs like the providers do, for tests, the simulator and in-house senders. */
export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
}
