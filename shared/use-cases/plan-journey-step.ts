import { CaseNotFoundError, ConfigurationError } from '../domain/errors.ts';
import { type JourneyPlan, type PlanOptions, planNextAction } from '../domain/plan-next-action.ts';
import type { CaseStore, ClaimStore, Clock, CustomerStore, MessageStore, StrategyCatalog } from '../ports.ts';

export interface PlanDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  readonly messages: MessageStore;
  readonly clock: Clock;
  /** Published strategy versions: a running journey keeps the version its case started with. */
  readonly strategies: Pick<StrategyCatalog, 'getStrategy'>;
  readonly planOptions: PlanOptions;
}

/** Loads everything the planner reads about a case from the stored state, then plans. */
export async function planJourneyStep(caseId: string, deps: PlanDependencies): Promise<JourneyPlan> {
  const collectionCase = await deps.cases.getCase(caseId);
  if (collectionCase === undefined) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  const strategy = await deps.strategies.getStrategy(
    collectionCase.strategyId,
    collectionCase.strategyVersion,
  );
  if (strategy === undefined) {
    throw new ConfigurationError(
      `strategy ${collectionCase.strategyId}@${collectionCase.strategyVersion} of case ${caseId} is not published`,
    );
  }
  const [customer, claims, records] = await Promise.all([
    deps.customers.getCustomer(collectionCase.customerId),
    deps.claims.getClaims(collectionCase.claimIds),
    deps.messages.listMessages(caseId),
  ]);
  return planNextAction(
    { collectionCase, customer, claims, records },
    strategy,
    deps.clock.now(),
    deps.planOptions,
  );
}
