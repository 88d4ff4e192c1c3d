import { resolveTimeZones } from '../../domain/contact-policy.ts';
import { CollectionsError } from '../../domain/errors.ts';
import { renderPortalEmail } from '../../domain/portal/portal-email.ts';
import { addressPseudonym, signPortalSession, verifyPortalToken } from '../../domain/portal/portal-link.ts';
import { issuePortalLink } from './issue-portal-link.ts';
import { loadPortalContext, PortalLinkRevokedError } from './load-portal-context.ts';
import type { PortalDependencies } from './portal-dependencies.ts';

/** Too many requests for one link or one address in the window (429). */
export class PortalRateLimitedError extends CollectionsError {
  public override readonly statusCode = 429;
}

export type OpenLinkOutcome =
  | {
      readonly status: 'opened';
      readonly session: string;
      readonly sessionExpiresAt: Date;
      readonly linkId: string;
    }
  | { readonly status: 'expired'; readonly linkId: string }
  | { readonly status: 'invalid' };

/** Counts one portal request against the per-address budget (the address is pseudonymised). */
export async function limitAddress(address: string, deps: PortalDependencies): Promise<void> {
  const pseudonym = addressPseudonym(address, await deps.keys());
  const allowed = await deps.rateLimiter.consume(
    `address#${pseudonym}`,
    deps.policy.rateLimits.requestsPerAddressPerHour,
    3600,
    deps.clock.now(),
  );
  if (!allowed) throw new PortalRateLimitedError('too many requests from this address');
}

/** Counts one portal request against the link's budget. */
export async function limitLink(linkId: string, deps: PortalDependencies): Promise<void> {
  const allowed = await deps.rateLimiter.consume(
    `link#${linkId}`,
    deps.policy.rateLimits.requestsPerLinkPerHour,
    3600,
    deps.clock.now(),
  );
  if (!allowed) throw new PortalRateLimitedError('too many requests for this link');
}

/**
 * A debtor opens a link: check the token, the link record and its case, record the interaction,
 * and start a session. A genuine but expired token lets the page offer a fresh link.
 */
export async function openPortalLink(token: string, deps: PortalDependencies): Promise<OpenLinkOutcome> {
  const now = deps.clock.now();
  const keys = await deps.keys();
  const check = verifyPortalToken(token, keys, now);
  if (check.status === 'invalid') return { status: 'invalid' };
  await limitLink(check.linkId, deps);
  if (check.status === 'expired') return { status: 'expired', linkId: check.linkId };
  const context = await loadPortalContext(check.linkId, deps);
  await deps.portal.recordInteraction({
    caseId: context.link.caseId,
    at: now.toISOString(),
    kind: 'portal-opened',
    detail: { linkId: context.link.linkId, purpose: context.link.purpose },
  });
  const sessionEnd = Math.min(check.expiresAt.getTime(), now.getTime() + deps.policy.sessionMinutes * 60_000);
  const sessionExpiresAt = new Date(sessionEnd);
  return {
    status: 'opened',
    session: signPortalSession(check.linkId, sessionExpiresAt, keys),
    sessionExpiresAt,
    linkId: check.linkId,
  };
}

/**
 * The expired-link page's button: mails a fresh link to the address on file (never to one the
 * visitor types), a few times a day per case at most. Answers whether a message went out; the
 * page says the same thing either way, so it reveals nothing about the case.
 */
export async function renewPortalLink(
  expiredLinkId: string,
  deps: PortalDependencies,
  chosenLanguage?: string,
): Promise<boolean> {
  const link = await deps.portal.getPortalLink(expiredLinkId);
  if (link === undefined) throw new PortalLinkRevokedError('this link is not valid');
  const context = await loadPortalContext(expiredLinkId, deps).catch((error: unknown) => {
    if (error instanceof PortalLinkRevokedError) return undefined;
    throw error;
  });
  if (context === undefined || context.collectionCase.status !== 'open' || !context.customer?.email)
    return false;
  const allowed = await deps.rateLimiter.consume(
    `renew#${context.collectionCase.caseId}`,
    deps.policy.rateLimits.freshLinksPerCasePerDay,
    86_400,
    deps.clock.now(),
  );
  if (!allowed) throw new PortalRateLimitedError('a fresh link was sent a short while ago');
  const { url, link: fresh } = await issuePortalLink(
    {
      caseId: context.collectionCase.caseId,
      customerId: context.collectionCase.customerId,
      purpose: 'renewal',
    },
    { ...deps, linkTtlDays: deps.policy.linkTtlDays },
  );
  const content = renderPortalEmail('portal-fresh-link', context.customer, {
    portalUrl: url,
    expiresAt: fresh.expiresAt,
    timeZone: resolveTimeZones(context.customer).zones[0] ?? 'UTC',
    ...(chosenLanguage ? { chosenLanguage } : {}),
  });
  await deps.email.send({
    to: context.customer.email,
    ...content,
    caseId: context.collectionCase.caseId,
    customerId: context.collectionCase.customerId,
    stepId: `portal-link-${fresh.linkId.slice(0, 8)}`,
    template: 'portal-fresh-link',
  });
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: deps.clock.now().toISOString(),
    kind: 'portal-link-renewed',
    detail: { expiredLinkId, linkId: fresh.linkId },
  });
  return true;
}
