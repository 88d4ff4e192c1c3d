import type { Claim } from '../../domain/claim.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { PayableClaim } from '../../ports.ts';
import type { PortalContext } from './load-portal-context.ts';
import { PortalRateLimitedError } from './open-portal-link.ts';
import type { PortalDependencies } from './portal-dependencies.ts';

export function payableClaim(claim: Claim): PayableClaim {
  return {
    claimId: claim.claimId,
    invoiceId: claim.invoiceId,
    customerId: claim.customerId,
    amountMinor: claim.amountMinor,
    currency: claim.currency,
    ...(claim.payUrl === undefined ? {} : { payUrl: claim.payUrl }),
  };
}

/**
 * "Pay now" on one claim: the provider's payment page for it. Nothing is recorded as paid here:
 * the provider's `invoice.paid` webhook closes the claim, whatever the redirect says.
 */
export async function startPayment(
  context: PortalContext,
  claimId: string,
  locale: string,
  deps: PortalDependencies,
): Promise<string> {
  const claim = context.actionableClaims.find((candidate) => candidate.claimId === claimId);
  if (claim === undefined) throw new InvalidRequestError('this invoice is not open for payment');
  const { url } = await deps.payments.createPaymentPage(payableClaim(claim), {
    returnUrl: `${deps.portalBaseUrl}/payment/return`,
    locale,
  });
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: deps.clock.now().toISOString(),
    kind: 'payment-started',
    detail: { linkId: context.link.linkId, claimId },
  });
  return url;
}

/** "Update my card": the provider's card-update page, which returns to the portal. */
export async function startCardUpdate(
  context: PortalContext,
  locale: string,
  deps: PortalDependencies,
): Promise<string> {
  if (context.actionableClaims.length === 0) throw new InvalidRequestError('nothing is open on this account');
  const { url } = await deps.payments.createCardUpdatePage(context.collectionCase.customerId, {
    returnUrl: `${deps.portalBaseUrl}/card/return`,
    locale,
  });
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: deps.clock.now().toISOString(),
    kind: 'card-update-started',
    detail: { linkId: context.link.linkId },
  });
  return url;
}

/**
 * Back from the card update: attempt the failed claims again at once (the debtor is waiting for
 * it), a few times a day per case at most, since every attempt counts toward the card networks'
 * reattempt limits. The outcome arrives as webhooks.
 */
export async function retryAfterCardUpdate(context: PortalContext, deps: PortalDependencies): Promise<void> {
  const claims = context.actionableClaims;
  if (claims.length === 0 || context.collectionCase.paymentPlan?.status === 'active') return;
  const allowed = await deps.rateLimiter.consume(
    `card-retry#${context.collectionCase.caseId}`,
    deps.policy.rateLimits.cardRetriesPerCasePerDay,
    86_400,
    deps.clock.now(),
  );
  if (!allowed) throw new PortalRateLimitedError('the payment was retried a short while ago');
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: deps.clock.now().toISOString(),
    kind: 'payment-retry-requested',
    detail: { linkId: context.link.linkId, claims: claims.length },
  });
  await deps.payments.retryClaims(claims.map(payableClaim));
}
