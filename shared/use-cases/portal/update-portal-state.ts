import type { CollectionCase } from '../../domain/collection-case.ts';
import { CaseNotFoundError, ConcurrentUpdateError } from '../../domain/errors.ts';
import type { CasePortalState, CaseStore, PortalStore } from '../../ports.ts';

const maxAttempts = 5;

export function portalStateOf(collectionCase: CollectionCase): CasePortalState {
  const { pausedUntil, pauseReason, promiseToPay, brokenPromises, paymentPlan, claimHolds } = collectionCase;
  return Object.fromEntries(
    Object.entries({
      pausedUntil,
      pauseReason,
      promiseToPay,
      brokenPromises,
      paymentPlan,
      claimHolds,
    }).filter(([, value]) => value !== undefined),
  ) as CasePortalState;
}

/**
 * Read-decide-write on the case's portal fields under their optimistic lock, re-reading on a lost
 * race. `decide` returns the new state, or undefined to write nothing; it may throw to refuse.
 */
export async function updatePortalState<T>(
  caseId: string,
  deps: {
    readonly cases: Pick<CaseStore, 'getCase'>;
    readonly portal: Pick<PortalStore, 'updateCasePortalState'>;
  },
  decide: (
    collectionCase: CollectionCase,
  ) => { readonly state: CasePortalState; readonly result: T } | undefined,
): Promise<{ readonly collectionCase: CollectionCase; readonly result: T | undefined }> {
  for (let attempt = 1; ; attempt += 1) {
    const collectionCase = await deps.cases.getCase(caseId);
    if (collectionCase === undefined) throw new CaseNotFoundError(`case ${caseId} does not exist`);
    const decision = decide(collectionCase);
    if (decision === undefined) return { collectionCase, result: undefined };
    try {
      await deps.portal.updateCasePortalState(caseId, collectionCase.portalVersion ?? 0, decision.state);
      return {
        collectionCase: {
          ...collectionCase,
          ...decision.state,
          portalVersion: (collectionCase.portalVersion ?? 0) + 1,
        },
        result: decision.result,
      };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= maxAttempts) throw error;
    }
  }
}
