import type { ContactConsent } from '../domain/contact-consent.ts';
import { CaseNotFoundError, ConfigurationError } from '../domain/errors.ts';
import { type JourneyPlan, type PlanOptions, planNextAction } from '../domain/plan-next-action.ts';
import type { Channel } from '../domain/strategy.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  ConsentStore,
  CustomerStore,
  MessageStore,
  StrategyCatalog,
} from '../ports.ts';

export interface PlanDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  readonly messages: MessageStore;
  readonly clock: Clock;
  /** Published strategy versions: a running journey keeps the version its case started with. */
  readonly strategies: Pick<StrategyCatalog, 'getStrategy'>;
  readonly planOptions: PlanOptions;
  /** Consent records per channel (docs/channels.md); without it only the profile's preferences count. */
  readonly consents?: Pick<ConsentStore, 'getConsent'>;
}

/** The consent records of the channels this deployment can deliver on. */
async function consentsOf(
  customerId: string,
  deps: PlanDependencies,
): Promise<Partial<Record<Channel, ContactConsent>>> {
  const store = deps.consents;
  if (store === undefined) return {};
  const channels = [...deps.planOptions.deliverableChannels];
  const records = await Promise.all(channels.map((channel) => store.getConsent(customerId, channel)));
  return Object.fromEntries(
    channels.flatMap((channel, index) => (records[index] ? [[channel, records[index]]] : [])),
  );
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
  const [customer, claims, records, consents] = await Promise.all([
    deps.customers.getCustomer(collectionCase.customerId),
    deps.claims.getClaims(collectionCase.claimIds),
    deps.messages.listMessages(caseId),
    consentsOf(collectionCase.customerId, deps),
  ]);
  const plan = planNextAction(
    { collectionCase, customer, claims, records, consents },
    strategy,
    deps.clock.now(),
    deps.planOptions,
  );
  // The execution ends here while claims are still open: a failed claim that arrives later must
  // start a new journey instead of joining a case nobody contacts any more (see ingest).
  if (plan.action === 'end' && plan.reasons.includes('strategy-complete')) {
    await deps.cases.markJourneyEnded(caseId, deps.clock.now());
  }
  return plan;
}
