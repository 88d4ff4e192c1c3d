import { verifyReportToken } from '../domain/report-link.ts';
import type { SigningKeys } from '../domain/signing-keys.ts';
import type { ArchivedReportFile, Clock, ReportArchiveReader } from '../ports.ts';
import { archivePrefixFor } from './deliver-finance-report.ts';

export interface OpenReportLinkDependencies {
  readonly keys: () => Promise<SigningKeys>;
  readonly archive: ReportArchiveReader;
  readonly clock: Clock;
  /**
   * Validity of the archive URLs handed out for charts and CSV files. The browser follows them at
   * once, so minutes are plenty, and they stay within the signing credentials' own lifetime.
   */
  readonly fileLinkTtlSeconds: number;
}

/** What the route answers; it never says which report a refused token named. */
export type ReportLinkAnswer =
  /** The token without a file: on to the page, relative so any stage or domain works. */
  | { readonly kind: 'to-page'; readonly reportId: string; readonly location: string }
  /** The archived page itself, served by the route so its relative chart and CSV links come back here. */
  | { readonly kind: 'page'; readonly reportId: string; readonly file: ArchivedReportFile }
  /** A chart, CSV or JSON file: a fresh, short-lived archive URL. */
  | { readonly kind: 'file'; readonly reportId: string; readonly location: string }
  /** Not a token this product signed (malformed, tampered, other key). */
  | { readonly kind: 'invalid' }
  /** A genuine token past its expiry, or a report no longer archived (retention). */
  | { readonly kind: 'gone' }
  /** A genuine token and a file the report does not have. */
  | { readonly kind: 'no-such-file' };

export const reportPageFile = 'index.html';
/** The files of a report (`deliverFinanceReport`): the page, PNG charts, CSV files, report.json. */
const archivedFilePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.(png|csv|json)$/;

/**
 * `GET /reports/{token}[/{file}]`: checks the token, then serves the archived report. The token
 * is checked before the archive is touched, so a forged link costs one HMAC and reads nothing.
 */
export async function openReportLink(
  request: { readonly token: string; readonly file?: string },
  deps: OpenReportLinkDependencies,
): Promise<ReportLinkAnswer> {
  const check = verifyReportToken(request.token, await deps.keys(), deps.clock.now());
  if (check.status === 'invalid') return { kind: 'invalid' };
  if (check.status === 'expired') return { kind: 'gone' };
  const { reportId } = check;
  const prefix = archivePrefixFor(reportId);
  if (request.file === undefined) {
    if (!(await deps.archive.has(`${prefix}${reportPageFile}`))) return { kind: 'gone' };
    return { kind: 'to-page', reportId, location: `${encodeURIComponent(request.token)}/${reportPageFile}` };
  }
  if (request.file === reportPageFile) {
    const page = await deps.archive.get(`${prefix}${reportPageFile}`);
    return page === undefined ? { kind: 'gone' } : { kind: 'page', reportId, file: page };
  }
  if (!archivedFilePattern.test(request.file)) return { kind: 'no-such-file' };
  const key = `${prefix}${request.file}`;
  if (!(await deps.archive.has(key))) {
    return (await deps.archive.has(`${prefix}${reportPageFile}`))
      ? { kind: 'no-such-file' }
      : { kind: 'gone' };
  }
  return { kind: 'file', reportId, location: await deps.archive.linkTo(key, deps.fileLinkTtlSeconds) };
}
