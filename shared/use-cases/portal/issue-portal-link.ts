import {
  newLinkId,
  type PortalLink,
  type PortalSigningKeys,
  signPortalToken,
} from '../../domain/portal/portal-link.ts';
import type { Clock, PortalStore } from '../../ports.ts';

export interface IssuePortalLinkDependencies {
  readonly portal: Pick<PortalStore, 'putPortalLink'>;
  readonly clock: Clock;
  readonly keys: () => Promise<PortalSigningKeys>;
  readonly linkTtlDays: number;
  /** e.g. `https://pay.example.com/portal` */
  readonly portalBaseUrl: string;
}

/** The URL a debtor opens: `<portal>/l/<token>`; the token names only a random link id. */
export function portalLinkUrl(portalBaseUrl: string, token: string): string {
  return `${portalBaseUrl.replace(/\/+$/, '')}/l/${token}`;
}

/**
 * Issues a new signed link to a case's portal: records the link (so it can be revoked and its
 * opening attributed to the message that carried it), then signs its token.
 */
export async function issuePortalLink(
  request: { readonly caseId: string; readonly customerId: string; readonly purpose: string },
  deps: IssuePortalLinkDependencies,
): Promise<{ readonly url: string; readonly link: PortalLink }> {
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.linkTtlDays * 86_400_000);
  const link: PortalLink = {
    linkId: newLinkId(),
    caseId: request.caseId,
    customerId: request.customerId,
    issuedAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    purpose: request.purpose,
  };
  await deps.portal.putPortalLink(link);
  const token = signPortalToken(link.linkId, expiresAt, await deps.keys());
  return { url: portalLinkUrl(deps.portalBaseUrl, token), link };
}
