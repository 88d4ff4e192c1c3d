import { isDeepStrictEqual } from 'node:util';
import {
  type BillingEvent,
  type ClaimBillingEvent,
  type CustomerBillingEvent,
  isClaimEvent,
  isSubscriptionEvent,
  type SubscriptionBillingEvent,
} from '../domain/billing-event.ts';
import {
  applyBillingEventToClaim,
  type Claim,
  isClaimOpen,
  isKnownOnlyFromPayments,
} from '../domain/claim.ts';
import { type CollectionCase, caseIdFor, closeReasonFor } from '../domain/collection-case.ts';
import { type Customer, type CustomerFacts, gainedContactRoute, mergeCustomer } from '../domain/customer.ts';
import { ConcurrentUpdateError, ConfigurationError, LivemodeMismatchError } from '../domain/errors.ts';
import { chooseStrategy, type ExperimentAssignment } from '../domain/experiments.ts';
import { stampOf } from '../domain/stamp.ts';
import type { Strategy } from '../domain/strategy.ts';
import { applyBillingEventToSubscription, type Subscription } from '../domain/subscription.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  CustomerStore,
  EventLedger,
  JourneyStarter,
  StrategyCatalog,
  SubscriptionStore,
  VersionedClaim,
  VersionedCustomer,
} from '../ports.ts';
import { resumeEndedJourney } from './resume-journey.ts';

export interface IngestDependencies {
  readonly ledger: EventLedger;
  readonly customers: CustomerStore;
  readonly claims: ClaimStore;
  readonly cases: CaseStore;
  readonly subscriptions: SubscriptionStore;
  readonly journeys: JourneyStarter;
  readonly clock: Clock;
  /** The strategy new cases start with when no catalog is given. */
  readonly strategy: Strategy;
  /**
   * Published strategies and their routing: when given, a new case takes the current version of
   * the strategy its routing rule (and experiment arm) chooses, and records the assignment.
   */
  readonly strategies?: StrategyCatalog;
  /**
   * The deployment's billing mode: a live deployment refuses test events and a test deployment
   * refuses live ones, so test data never opens a real case (and the reverse).
   * @default - any mode is accepted
   */
  readonly livemode?: boolean;
  /**
   * Keeps the finance aggregates in line with the claim or subscription the event changed
   * (docs/metrics.md). Idempotent, and called before the event is recorded in the ledger, so a
   * crash is repaired by the provider's redelivery.
   */
  readonly metrics?: {
    refreshClaim(claimId: string): Promise<void>;
    refreshSubscription(subscriptionId: string): Promise<void>;
  };
}

export type IngestOutcome =
  | { readonly status: 'duplicate' }
  | { readonly status: 'recorded'; readonly subscription?: Subscription }
  | {
      readonly status: 'applied';
      readonly claim: Claim;
      readonly caseId?: string;
      readonly caseOpened: boolean;
      readonly caseClosed: boolean;
      /** The other claims of the open case, as this delivery read them (their metrics are refreshed too). */
      readonly caseClaimIds?: readonly string[];
    };

/** Optimistic-lock retries on a claim; concurrent deliveries of one invoice's events are rare. */
const maxClaimWriteAttempts = 5;
/** The same for a customer's profile, which every event of the customer may touch. */
const maxCustomerWriteAttempts = 5;

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
  assertModeMatches(event, deps.livemode);
  if (await deps.ledger.hasEvent(event.provider, event.eventId)) return { status: 'duplicate' };

  // The customer and the claim are read side by side: one round trip instead of two.
  const [storedCustomer, storedClaim] = await Promise.all([
    deps.customers.getVersionedCustomer(event.customer.customerId),
    isClaimEvent(event) ? deps.claims.getClaim(event.claim.claimId) : Promise.resolve(undefined),
  ]);
  const customer = await mergeCustomerOf(event, storedCustomer, deps);
  let outcome: IngestOutcome;
  if (isClaimEvent(event)) outcome = await applyClaimEvent(event, { customer, storedClaim }, deps);
  else if (isSubscriptionEvent(event))
    outcome = { status: 'recorded', subscription: await applyToSubscription(event, deps) };
  else {
    outcome = { status: 'recorded' };
    await resumeJourneyOnNewContact(event, storedCustomer?.customer, customer, deps);
  }

  if (deps.metrics && outcome.status === 'applied') {
    // A claim's contribution carries its case's strategy, variant and segment. A superseding case
    // gives its inherited claims new ones, and a crash may have cut that refresh short: every event
    // of a case with several claims refreshes them all (each refresh is idempotent, and cheap when
    // nothing changed). Cases of one claim, nearly all of them, cost nothing more.
    for (const claimId of new Set([outcome.claim.claimId, ...(outcome.caseClaimIds ?? [])])) {
      await deps.metrics.refreshClaim(claimId);
    }
  }
  if (deps.metrics && outcome.status === 'recorded' && outcome.subscription) {
    await deps.metrics.refreshSubscription(outcome.subscription.subscriptionId);
  }
  await deps.ledger.recordEvent(event, deps.clock.now());
  return outcome;
}

/** Refuses an event of the other mode before anything is read or written. */
export function assertModeMatches(
  event: Pick<BillingEvent, 'livemode' | 'provider'>,
  livemode?: boolean,
): void {
  if (livemode === undefined || event.livemode === livemode) return;
  throw new LivemodeMismatchError(
    `${event.livemode ? 'live' : 'test'} ${event.provider} event refused: this deployment is in ${
      livemode ? 'live' : 'test'
    } mode`,
  );
}

function customerFactsOf(event: BillingEvent): CustomerFacts {
  if (event.kind === 'customer.deleted') return { deletedAt: event.occurredAt };
  if (event.kind === 'customer.payment_method_updated') {
    return {
      paymentMethodUpdatedAt: event.occurredAt,
      ...('automatic' in event && event.automatic ? { paymentMethodAutoUpdatedAt: event.occurredAt } : {}),
    };
  }
  return {};
}

/**
 * The customer's profile with the event's snapshot merged in, saved when it changed. The write is
 * conditional on the version read: when another event of the same customer saved the profile in
 * between, the profile is read again and the snapshot merged into that (the merge is a join, so
 * both events' fields survive whichever lands first).
 */
async function mergeCustomerOf(
  event: BillingEvent,
  stored: VersionedCustomer | undefined,
  deps: IngestDependencies,
): Promise<Customer> {
  let current = stored;
  for (let attempt = 1; ; attempt++) {
    const existing = current?.customer;
    const customer = mergeCustomer(
      existing,
      event.customer,
      stampOf(event.occurredAt, event.eventId),
      customerFactsOf(event),
    );
    // Most events of a known customer change nothing in the profile: save the write.
    if (existing !== undefined && isDeepStrictEqual(customer, existing)) return existing;
    try {
      await deps.customers.putCustomer(customer, current?.version ?? 0);
      return customer;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= maxCustomerWriteAttempts) throw error;
      current = await deps.customers.getVersionedCustomer(event.customer.customerId);
    }
  }
}

/**
 * A customer event that gives a debtor nobody could reach a way to be reached (a new email address
 * or phone number, a later consent) resumes the ended journey of their open case
 * (`resumeEndedJourney`). Only customer events do this: claim events of a reachable debtor already
 * supersede an ended case with a new journey (`ensureCaseFor`). A redelivery of the event that
 * resumed it finishes the start, whatever the profile says by then; hence the one extra read, of
 * the open case, on every customer event of a customer that has one.
 */
async function resumeJourneyOnNewContact(
  event: CustomerBillingEvent,
  before: Customer | undefined,
  after: Customer,
  deps: IngestDependencies,
): Promise<void> {
  if (after.openCaseId === undefined) return;
  const collectionCase = await deps.cases.getCase(after.openCaseId);
  if (collectionCase === undefined) return;
  const resumedBy = `${event.provider}:${event.eventId}`;
  const redelivery = collectionCase.journeyResumedBy === resumedBy;
  // A customer deleted in billing is contacted no more, whatever its last snapshot carried.
  if (!redelivery && (after.deletedAt !== undefined || !gainedContactRoute(before, after))) return;
  await resumeEndedJourney(collectionCase, resumedBy, deps);
}

/** What the event's first reads found, so that no step reads it again. */
interface ReadAhead {
  readonly customer: Customer;
  readonly storedClaim: VersionedClaim | undefined;
}

async function applyClaimEvent(
  event: ClaimBillingEvent,
  readAhead: ReadAhead,
  deps: IngestDependencies,
): Promise<IngestOutcome> {
  const applied = await applyToClaim(event, readAhead.storedClaim, deps);
  let claim = applied.claim;
  let caseOpened = false;
  let caseClosed = false;
  let caseClaimIds: readonly string[] = [];

  if (isClaimOpen(claim) && isKnownOnlyFromPayments(claim)) {
    // Stripe sends payment_intent.payment_failed (or charge.failed) beside invoice.payment_failed,
    // in either order. The payment alone carries neither the invoice's amounts and dates nor the
    // customer's contact details: a journey planned on it would find no channel and end for good.
    // The claim keeps the decline; the invoice's own event, which always follows, opens the case.
  } else if (isClaimOpen(claim)) {
    const joined = await ensureCaseFor(applied, readAhead.customer, deps);
    caseOpened = joined.opened;
    claim = joined.claim;
    caseClaimIds = joined.claimIds;
    await deps.journeys.startJourney(joined.caseId);
  } else if (claim.caseId !== undefined) {
    caseClosed = await closeCaseIfSettled(claim.caseId, deps);
  }
  return {
    status: 'applied',
    claim,
    ...(claim.caseId === undefined ? {} : { caseId: claim.caseId }),
    caseOpened,
    caseClosed,
    ...(caseClaimIds.length > 1 ? { caseClaimIds } : {}),
  };
}

async function applyToSubscription(
  event: SubscriptionBillingEvent,
  deps: IngestDependencies,
): Promise<Subscription> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.subscriptions.getSubscription(event.subscription.subscriptionId);
    const next = applyBillingEventToSubscription(stored?.subscription, event);
    try {
      await deps.subscriptions.putSubscription(next, stored?.version ?? 0);
      return next;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= maxClaimWriteAttempts) throw error;
    }
  }
}

/** Joins the event into the claim (first with the claim read ahead, then re-read after a conflict). */
async function applyToClaim(
  event: ClaimBillingEvent,
  readAhead: VersionedClaim | undefined,
  deps: IngestDependencies,
): Promise<VersionedClaim> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = attempt === 1 ? readAhead : await deps.claims.getClaim(event.claim.claimId);
    const next = applyBillingEventToClaim(stored?.claim, event);
    const version = stored?.version ?? 0;
    try {
      await deps.claims.putClaim(next, version);
      return { claim: next, version: version + 1 };
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= maxClaimWriteAttempts) throw error;
    }
  }
}

/**
 * Attaches an open claim to the customer's open case, opening one when there is none. A case
 * whose journey already ran out of steps is superseded: the new case takes over its open claims
 * and starts a fresh journey listing all of them, so a new failure is never left uncontacted.
 */
async function ensureCaseFor(
  versioned: VersionedClaim,
  customer: Customer,
  deps: IngestDependencies,
): Promise<{ caseId: string; opened: boolean; claim: Claim; claimIds: readonly string[] }> {
  const { claim } = versioned;
  if (claim.caseId !== undefined) {
    const existing = await deps.cases.getCase(claim.caseId);
    if (existing?.status === 'open') {
      return { caseId: existing.caseId, opened: false, claim, claimIds: existing.claimIds };
    }
  }
  const proposedId = caseIdFor(claim.customerId, claim.claimId);
  let openCaseId = await deps.customers.claimOpenCase(claim.customerId, proposedId);
  let inherited: string[] = [];
  let current: CollectionCase | undefined;
  if (openCaseId !== proposedId) {
    current = await deps.cases.getCase(openCaseId);
    if (current?.status === 'open' && current.journeyEndedAt !== undefined) {
      inherited = (await deps.claims.getClaims(current.claimIds))
        .filter((held) => isClaimOpen(held) && held.claimId !== claim.claimId)
        .map((held) => held.claimId);
    }
    if (current?.status !== 'open' || current.journeyEndedAt !== undefined) {
      // A superseded case, or a pointer left behind by a crash between closing a case and releasing it.
      await deps.customers.releaseOpenCase(claim.customerId, openCaseId);
      const previousCaseId = openCaseId;
      openCaseId = await deps.customers.claimOpenCase(claim.customerId, proposedId);
      if (current?.status === 'open' && openCaseId === proposedId) {
        await createCase(proposedId, claim, customer, inherited, deps);
        for (const claimId of inherited) await linkClaimToCase(claimId, proposedId, deps);
        await deps.cases.supersedeCase(previousCaseId, proposedId, deps.clock.now());
        const linked = await linkClaimToCase(claim.claimId, proposedId, deps, versioned);
        return { caseId: proposedId, opened: true, claim: linked, claimIds: [...inherited, claim.claimId] };
      }
    }
  }
  let opened = false;
  let claimIds: readonly string[] = [claim.claimId];
  if (openCaseId === proposedId) {
    // The case this claim opens lists it from the start: no second write to add it.
    await createCase(proposedId, claim, customer, [], deps);
    opened = true;
  } else {
    await deps.cases.addClaimToCase(openCaseId, claim.claimId);
    if (current !== undefined) claimIds = [...current.claimIds, claim.claimId];
  }
  const linked = await linkClaimToCase(claim.claimId, openCaseId, deps, versioned);
  return { caseId: openCaseId, opened, claim: linked, claimIds };
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

async function createCase(
  caseId: string,
  claim: Claim,
  customer: Customer,
  inheritedClaimIds: readonly string[],
  deps: IngestDependencies,
): Promise<void> {
  const { strategy, assignment } = await strategyForNewCase(claim, customer, deps);
  const collectionCase: CollectionCase = {
    caseId,
    customerId: claim.customerId,
    status: 'open',
    openedAt: claim.firstFailedAt ?? deps.clock.now().toISOString(),
    claimIds: [...inheritedClaimIds, claim.claimId],
    strategyId: strategy.id,
    strategyVersion: strategy.version,
    ...(assignment === undefined ? {} : { assignment }),
  };
  await deps.cases.createCase(collectionCase);
}

/** Sets the claim's case, first on the version this delivery wrote (when given), re-reading after a conflict. */
async function linkClaimToCase(
  claimId: string,
  caseId: string,
  deps: IngestDependencies,
  known?: VersionedClaim,
): Promise<Claim> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = attempt === 1 && known !== undefined ? known : await deps.claims.getClaim(claimId);
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

/**
 * Closes the case once none of its claims is open, and frees the customer for a new case. A case
 * already closed takes the reason its claims say now: a claim settles again after the close when
 * a written-off invoice is paid after all.
 */
async function closeCaseIfSettled(caseId: string, deps: IngestDependencies): Promise<boolean> {
  const collectionCase = await deps.cases.getCase(caseId);
  if (collectionCase === undefined || collectionCase.closeReason === 'superseded') return false;
  const reason = closeReasonFor(await deps.claims.getClaims(collectionCase.claimIds));
  if (reason === undefined) return false;
  if (collectionCase.status === 'closed') {
    if (collectionCase.closeReason !== reason) await deps.cases.amendCloseReason(caseId, reason);
    return false;
  }
  await deps.cases.closeCase(caseId, reason, deps.clock.now());
  await deps.customers.releaseOpenCase(collectionCase.customerId, caseId);
  return true;
}
