import type { Claim } from '../../domain/claim.ts';
import { isClaimOpen } from '../../domain/claim.ts';
import type { CollectionCase } from '../../domain/collection-case.ts';
import { contactableClaims } from '../../domain/commitment-pauses.ts';
import type { Customer } from '../../domain/customer.ts';
import { CollectionsError } from '../../domain/errors.ts';
import { isLinkRevoked, type PortalLink } from '../../domain/portal/portal-link.ts';
import type { CaseStore, ClaimStore, Clock, CustomerStore, PortalStore } from '../../ports.ts';

/** The link is unknown or revoked: the page says so and offers nothing (410 Gone). */
export class PortalLinkRevokedError extends CollectionsError {
  public override readonly statusCode = 410;
}

/** What every portal page shows: the case the link opens and all open claims of the customer. */
export interface PortalContext {
  readonly link: PortalLink;
  readonly collectionCase: CollectionCase;
  readonly customer: Customer | undefined;
  /** Every claim of the case, open first. */
  readonly claims: readonly Claim[];
  readonly openClaims: readonly Claim[];
  /** Open claims the debtor has not flagged: what pay, plan and promise offer. */
  readonly actionableClaims: readonly Claim[];
}

export interface LoadPortalContextDependencies {
  readonly portal: Pick<PortalStore, 'getPortalLink'>;
  readonly cases: Pick<CaseStore, 'getCase'>;
  readonly claims: Pick<ClaimStore, 'getClaims'>;
  readonly customers: Pick<CustomerStore, 'getCustomer'>;
  readonly clock: Clock;
}

/** A case superseded by a newer one hands the debtor to it: that case holds their open claims now. */
const maxSupersededHops = 5;

export async function loadPortalContext(
  linkId: string,
  deps: LoadPortalContextDependencies,
): Promise<PortalContext> {
  const link = await deps.portal.getPortalLink(linkId);
  if (link === undefined) throw new PortalLinkRevokedError('this link is not valid');
  let collectionCase = await deps.cases.getCase(link.caseId);
  if (collectionCase === undefined || isLinkRevoked(link, collectionCase.portalLinksRevokedBefore)) {
    throw new PortalLinkRevokedError('this link was revoked');
  }
  for (let hop = 0; hop < maxSupersededHops && collectionCase.supersededBy !== undefined; hop += 1) {
    const next: CollectionCase | undefined = await deps.cases.getCase(collectionCase.supersededBy);
    if (next === undefined) break;
    collectionCase = next;
  }
  const [customer, claims] = await Promise.all([
    deps.customers.getCustomer(collectionCase.customerId),
    deps.claims.getClaims(collectionCase.claimIds),
  ]);
  const ordered = [...claims].sort(
    (a, b) => Number(isClaimOpen(b)) - Number(isClaimOpen(a)) || a.claimId.localeCompare(b.claimId),
  );
  const openClaims = ordered.filter(isClaimOpen);
  return {
    link,
    collectionCase,
    customer,
    claims: ordered,
    openClaims,
    actionableClaims:
      collectionCase.status === 'open' ? contactableClaims(collectionCase, openClaims, deps.clock.now()) : [],
  };
}
