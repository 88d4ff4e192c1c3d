import { resolveTimeZones } from '../../domain/contact-policy.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { makePromiseToPay, type PromiseToPay } from '../../domain/portal/commitments.ts';
import type { PortalContext } from './load-portal-context.ts';
import type { PortalDependencies } from './portal-dependencies.ts';
import { portalStateOf, updatePortalState } from './update-portal-state.ts';

/**
 * A promise to pay the actionable claims by a date in the allowed window: contact pauses until
 * the end of that day plus the grace period. The commitments job checks it then: paid → kept
 * (the case closed on the webhook), unpaid → broken, remembered, and the journey resumes.
 */
export async function makePromise(
  context: PortalContext,
  promisedFor: string,
  deps: PortalDependencies,
): Promise<PromiseToPay> {
  const now = deps.clock.now();
  const zone = resolveTimeZones(context.customer ?? {}).zones[0] ?? 'UTC';
  const claimIds = context.actionableClaims.map((claim) => claim.claimId);
  const { result } = await updatePortalState(context.collectionCase.caseId, deps, (collectionCase) => {
    if (collectionCase.status !== 'open') throw new InvalidRequestError('nothing is open on this account');
    if (collectionCase.paymentPlan?.status === 'active') {
      throw new InvalidRequestError('a payment plan is active');
    }
    const promise = makePromiseToPay(promisedFor, claimIds, now, zone, deps.policy);
    return {
      state: {
        ...portalStateOf(collectionCase),
        promiseToPay: promise,
        pausedUntil: promise.graceUntil,
        pauseReason: 'promise-to-pay',
      },
      result: promise,
    };
  });
  if (result === undefined) throw new InvalidRequestError('the promise could not be recorded');
  await deps.portal.scheduleCommitmentCheck(context.collectionCase.caseId, result.graceUntil);
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: now.toISOString(),
    kind: 'promise-made',
    detail: { linkId: context.link.linkId, promisedFor },
  });
  return result;
}
