import { isSignedByAny, macOf, type SigningKeys } from './signing-keys.ts';

/**
 * A durable link to an archived finance report. The URL carries a token that names the report
 * and its expiry, MAC'd with HMAC-SHA256 under a key derived from the report link secret
 * (`signing-keys.ts`, as the portal's links). The product's `GET /reports/{token}` route checks
 * it and only then fetches the archive, so the link lives as long as the token says, unlike a
 * presigned S3 URL signed with a Lambda role's short-lived credentials.
 *
 * Unlike a portal link, the token needs no table record: a report is not personal data of a
 * debtor, it is sent to a fixed list of finance recipients, and it cannot be revoked one by one
 * (rotate the secret to revoke every link).
 */
export type ReportTokenCheck =
  | { readonly status: 'valid'; readonly reportId: string; readonly expiresAt: Date }
  /** Genuine (the MAC matches) but past its expiry. */
  | { readonly status: 'expired'; readonly reportId: string; readonly expiresAt: Date }
  | { readonly status: 'invalid' };

const tokenVersion = 'r1';
const keyLabel = 'collections-reports/link';
/** What `reportIdFor` makes: `monthly-2026-03`, `weekly-2026-W13`, `adhoc-2026-03-01_2026-03-10`. */
export const reportIdPattern = /^[a-z]+-[A-Za-z0-9_-]{1,60}$/;
const expiryPattern = /^[0-9a-z]{1,10}$/;
/** Longer tokens are refused before any MAC is computed. */
const maximumTokenLength = 200;

/** The token that goes into the URL: `r1.<report id>.<expiry, unix seconds base 36>.<mac>`. */
export function signReportToken(reportId: string, expiresAt: Date, keys: SigningKeys): string {
  if (!reportIdPattern.test(reportId)) throw new RangeError(`"${reportId}" is not a report id`);
  const body = `${tokenVersion}.${reportId}.${Math.floor(expiresAt.getTime() / 1000).toString(36)}`;
  return `${body}.${macOf(keys.current, keyLabel, body)}`;
}

/** Verifies the MAC (constant time, every key) before reading anything else of the token. */
export function verifyReportToken(token: string, keys: SigningKeys, now: Date): ReportTokenCheck {
  if (token.length > maximumTokenLength) return { status: 'invalid' };
  const parts = token.split('.');
  if (parts.length !== 4) return { status: 'invalid' };
  const [version, reportId = '', expiry = '', signature = ''] = parts;
  const body = `${version}.${reportId}.${expiry}`;
  if (!isSignedByAny(keys, keyLabel, body, signature)) return { status: 'invalid' };
  if (version !== tokenVersion || !reportIdPattern.test(reportId) || !expiryPattern.test(expiry)) {
    return { status: 'invalid' };
  }
  const expiresAt = new Date(Number.parseInt(expiry, 36) * 1000);
  return expiresAt.getTime() <= now.getTime()
    ? { status: 'expired', reportId, expiresAt }
    : { status: 'valid', reportId, expiresAt };
}
