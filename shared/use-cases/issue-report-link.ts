import { signReportToken } from '../domain/report-link.ts';
import type { SigningKeys } from '../domain/signing-keys.ts';
import type { Clock } from '../ports.ts';

export interface ReportLinkIssuerDependencies {
  readonly keys: () => Promise<SigningKeys>;
  readonly clock: Clock;
  /** How long a link stays valid from the moment it is issued. */
  readonly ttlSeconds: number;
  /** The route's base, without a trailing slash: `https://{api}/reports`. A function: locally the port is known late. */
  readonly baseUrl: () => string;
}

/**
 * Issues the link a report email carries: `<base>/<token>`, served by `GET /reports/{token}`
 * (`open-report-link.ts`), valid for `ttlSeconds` from now.
 */
export function reportLinkIssuer(deps: ReportLinkIssuerDependencies): (reportId: string) => Promise<string> {
  return async (reportId) => {
    const expiresAt = new Date(deps.clock.now().getTime() + deps.ttlSeconds * 1000);
    const token = signReportToken(reportId, expiresAt, await deps.keys());
    return `${deps.baseUrl().replace(/\/+$/, '')}/${token}`;
  };
}
