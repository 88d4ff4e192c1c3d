import type { BillingEvent } from '../domain/billing-event.ts';
import { applyBillingEventToClaim, type Claim, isClaimOpen } from '../domain/claim.ts';
import { type CollectionCase, caseIdFor, closeReasonFor } from '../domain/collection-case.ts';
import type { Customer } from '../domain/customer.ts';
import { mergeCustomer } from '../domain/customer.ts';
import { ConcurrentUpdateError, ConfigurationError } from '../domain/errors.ts';
import { chooseStrategy, type ExperimentAssignment } from '../domain/experiments.ts';
import type { Strategy } from '../domain/strategy.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  CustomerStore,
  EventLedger,
  JourneyStarter,
  StrategyCatalog,
} from '../ports.ts';

export interface IngestDependencies {
  readonly ledger: EventLedger;
  readonly customers: CustomerStore;
  readonly claims: ClaimStore;
  readonly cases: CaseStore;
  readonly journeys: JourneyStarter;
  readonly clock: Clock;
  /** The strategy new cases start with when no catalog is given. */
  readonly strategy: Strategy;
  /**
   * Published strategies and their routing: when given, a new case takes the current version of
   * the strategy its routing rule (and experiment arm) chooses, and records the assignment.
   */
  readonly strategies?: StrategyCatalog;
}

export type IngestOutcome =
  | { readonly status: 'duplicate' }
  | {
      readonly status: 'applied';
      readonly claim: Claim;
      readonly caseId?: string;
      readonly caseOpened: boolean;
      readonly caseClosed: boolean;
    };

/** Optimistic-lock retries on a claim; concurrent deliveries of one invoice's events are rare. */
const maxClaimWriteAttempts = 5;

/**
 * Applies one verified billing event, exactly once in effect: every step is idempotent (the
 * claim is a join of its events, cases and journeys are keyed deterministically), and the event
 * is recorded in the ledger only after it is fully applied, so a crash mid-way is repaired by
 * the provider's redelivery instead of losing the event.
 */
export async function ingestBillingEvent(
  event: BillingEvent,
  deps: IngestDependencies,
): Promise<IngestOutcome> {
  if (await deps.ledger.hasEvent(event.provider, event.eventId)) return { status: 'duplicate' };

  const customer = mergeCustomer(
    await deps.customers.getCustomer(event.customer.customerId),
    event.customer,
    event.occurredAt,
  );
  await deps.customers.putCustomer(customer);

  let claim = await applyToClaim(event, deps);
  let caseOpened = false;
  let caseClosed = false;

  if (isClaimOpen(claim)) {
    const joined = await ensureCaseFor(claim, customer, deps);
    caseOpened = joined.opened;
    claim = joined.claim;
    await deps.journeys.startJourney(joined.caseId);
  } else if (claim.caseId !== undefined) {
    caseClosed = await closeCaseIfSettled(claim.caseId, deps);
  }

  await deps.ledger.recordEvent(event, deps.clock.now());
  return {
    status: 'applied',
    claim,
    ...(claim.caseId === undefined ? {} : { caseId: claim.caseId }),
    caseOpened,
    caseClosed,
  };
}

async function applyToClaim(event: BillingEvent, deps: IngestDependencies): Promise<Claim> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.claims.getClaim(event.claim.claimId);
    const next = applyBillingEventToClaim(stored?.claim, event);
    try {
      await deps.claims.putClaim(next, stored?.version ?? 0);
      return next;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= maxClaimWriteAttempts) throw error;
    }
  }
}

/** Attaches an open claim to the customer's open case, opening one when there is none. */
async function ensureCaseFor(
  claim: Claim,
  customer: Customer,
  deps: IngestDependencies,
): Promise<{ caseId: string; opened: boolean; claim: Claim }> {
  if (claim.caseId !== undefined) {
    const existing = await deps.cases.getCase(claim.caseId);
    if (existing?.status === 'open') return { caseId: existing.caseId, opened: false, claim };
  }
  const proposedId = caseIdFor(claim.customerId, claim.claimId);
  let openCaseId = await deps.customers.claimOpenCase(claim.customerId, proposedId);
  if (openCaseId !== proposedId && (await deps.cases.getCase(openCaseId))?.status !== 'open') {
    // A pointer left behind by a crash between closing a case and releasing it.
    await deps.customers.releaseOpenCase(claim.customerId, openCaseId);
    openCaseId = await deps.customers.claimOpenCase(claim.customerId, proposedId);
  }
  let opened = false;
  if (openCaseId === proposedId) {
    const { strategy, assignment } = await strategyForNewCase(claim, customer, deps);
    const collectionCase: CollectionCase = {
      caseId: proposedId,
      customerId: claim.customerId,
      status: 'open',
      openedAt: claim.firstFailedAt ?? deps.clock.now().toISOString(),
      claimIds: [claim.claimId],
      strategyId: strategy.id,
      strategyVersion: strategy.version,
      ...(assignment === undefined ? {} : { assignment }),
    };
    await deps.cases.createCase(collectionCase);
    opened = true;
  }
  await deps.cases.addClaimToCase(openCaseId, claim.claimId);
  const linked = await linkClaimToCase(claim.claimId, openCaseId, deps);
  return { caseId: openCaseId, opened, claim: linked };
}

/**
 * The strategy (current version) and experiment arm of a new case. Deterministic for a customer
 * and claim, so a retried delivery creates the same case.
 */
async function strategyForNewCase(
  claim: Claim,
  customer: Customer,
  deps: IngestDependencies,
): Promise<{ strategy: Strategy; assignment?: ExperimentAssignment }> {
  if (deps.strategies === undefined) return { strategy: deps.strategy };
  const routing = await deps.strategies.getRouting();
  const choice = chooseStrategy(routing, customer, claim, deps.clock.now());
  const strategy = await deps.strategies.getCurrentStrategy(choice.strategyId);
  if (strategy === undefined) {
    throw new ConfigurationError(
      `routing rule ${choice.assignment.ruleId} names unpublished strategy ${choice.strategyId}`,
    );
  }
  return { strategy, assignment: choice.assignment };
}

async function linkClaimToCase(claimId: string, caseId: string, deps: IngestDependencies): Promise<Claim> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.claims.getClaim(claimId);
    if (stored === undefined) throw new ConcurrentUpdateError(`claim ${claimId} vanished`);
    if (stored.claim.caseId === caseId) return stored.claim;
    const linked: Claim = { ...stored.claim, caseId };
    try {
      await deps.claims.putClaim(linked, stored.version);
      return linked;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= maxClaimWriteAttempts) throw error;
    }
  }
}

/** Closes the case once none of its claims is open, and frees the customer for a new case. */
async function closeCaseIfSettled(caseId: string, deps: IngestDependencies): Promise<boolean> {
  const collectionCase = await deps.cases.getCase(caseId);
  if (collectionCase === undefined || collectionCase.status === 'closed') return false;
  const reason = closeReasonFor(await deps.claims.getClaims(collectionCase.claimIds));
  if (reason === undefined) return false;
  await deps.cases.closeCase(caseId, reason, deps.clock.now());
  await deps.customers.releaseOpenCase(collectionCase.customerId, caseId);
  return true;
}
