import { CaseNotFoundError } from '../domain/errors.ts';
import { type JourneyPlan, planNextAction } from '../domain/plan-next-action.ts';
import type { Strategy } from '../domain/strategy.ts';
import type { CaseStore, ClaimStore, Clock, CustomerStore, MessageStore } from '../ports.ts';

export interface PlanDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  readonly messages: MessageStore;
  readonly clock: Clock;
  readonly strategyFor: (id: string, version: number) => Strategy | undefined;
}

/** Loads everything the planner reads about a case from the stored state, then plans. */
export async function planJourneyStep(caseId: string, deps: PlanDependencies): Promise<JourneyPlan> {
  const collectionCase = await deps.cases.getCase(caseId);
  if (collectionCase === undefined) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  const strategy = deps.strategyFor(collectionCase.strategyId, collectionCase.strategyVersion);
  if (strategy === undefined) {
    throw new CaseNotFoundError(
      `strategy ${collectionCase.strategyId}@${collectionCase.strategyVersion} of case ${caseId} is not published`,
    );
  }
  const [customer, claims, messages] = await Promise.all([
    deps.customers.getCustomer(collectionCase.customerId),
    deps.claims.getClaims(collectionCase.claimIds),
    deps.messages.listMessages(caseId),
  ]);
  const plan = planNextAction(
    {
      collectionCase,
      customer,
      claims,
      completedStepIds: messages.filter((m) => m.status !== 'failed').map((m) => m.stepId),
    },
    strategy,
    deps.clock.now(),
  );
  // The execution ends here while claims are still open: a failed claim that arrives later must
  // start a new journey instead of joining a case nobody contacts any more (see ingest).
  if (plan.action === 'end' && plan.reasons.includes('strategy-complete')) {
    await deps.cases.markJourneyEnded(caseId, deps.clock.now());
  }
  return plan;
}
