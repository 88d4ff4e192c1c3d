import type { BillingEvent } from './domain/billing-event.ts';
import type { Claim } from './domain/claim.ts';
import type { CaseCloseReason, CollectionCase } from './domain/collection-case.ts';
import type { Customer } from './domain/customer.ts';
import type { RecoveryMetricsRow } from './domain/recovery-metrics.ts';
import type { Channel, TemplateId } from './domain/strategy.ts';

/** Time is a port: Lambda reads the system clock, the local runtime a virtual one. */
export interface Clock {
  now(): Date;
}

/** Ledger of billing events already applied (deduplication on the provider's event id). */
export interface EventLedger {
  hasEvent(provider: string, eventId: string): Promise<boolean>;
  /** Records the event once it is fully applied; a second record of the same id is a no-op. */
  recordEvent(event: BillingEvent, appliedAt: Date): Promise<void>;
}

export interface CustomerStore {
  getCustomer(customerId: string): Promise<Customer | undefined>;
  putCustomer(customer: Customer): Promise<void>;
  /**
   * Makes `caseId` the customer's open case unless another case already is; returns the
   * customer's open case id either way (single-item conditional write).
   */
  claimOpenCase(customerId: string, caseId: string): Promise<string>;
  /** Clears the customer's open case pointer if it still points at `caseId`. */
  releaseOpenCase(customerId: string, caseId: string): Promise<void>;
}

/** A stored claim with its optimistic-lock version. */
export interface VersionedClaim {
  readonly claim: Claim;
  readonly version: number;
}

export interface ClaimStore {
  getClaim(claimId: string): Promise<VersionedClaim | undefined>;
  /** Writes the claim if its stored version still equals `expectedVersion` (0: not stored yet). */
  putClaim(claim: Claim, expectedVersion: number): Promise<void>;
  getClaims(claimIds: readonly string[]): Promise<Claim[]>;
  /** Claims whose first failure falls in the month `YYYY-MM` (UTC). */
  listClaimsByFailureMonth(month: string): Promise<Claim[]>;
}

export interface CaseStore {
  getCase(caseId: string): Promise<CollectionCase | undefined>;
  /** Creates the case if it does not exist yet (idempotent on the case id). */
  createCase(collectionCase: CollectionCase): Promise<void>;
  addClaimToCase(caseId: string, claimId: string): Promise<void>;
  /** Closes an open case; closing a closed case changes nothing. */
  closeCase(caseId: string, reason: CaseCloseReason, closedAt: Date): Promise<void>;
  listOpenCaseIds(): Promise<string[]>;
  /** Records that the journey of an open case ran out of steps (first time only). */
  markJourneyEnded(caseId: string, endedAt: Date): Promise<void>;
  /** Closes an open case as `superseded` by another one that took over its open claims. */
  supersedeCase(caseId: string, supersededBy: string, closedAt: Date): Promise<void>;
}

/**
 * `sending` while the provider is called; `sent`; `failed` when the provider refused and a retry
 * may send; `undeliverable` when there was nothing to send or nobody to send to; `uncertain`
 * when an attempt died during the provider call: never resent (at most once beats twice).
 */
export type MessageStatus = 'sending' | 'sent' | 'failed' | 'undeliverable' | 'uncertain';

/** One step's message: the idempotency record and the interaction on the case timeline. */
export interface MessageRecord {
  readonly caseId: string;
  readonly stepId: string;
  readonly channel: Channel;
  readonly template: TemplateId;
  readonly status: MessageStatus;
  /** When the send began (ISO). */
  readonly startedAt: string;
  readonly sentAt?: string;
  readonly to?: string;
  readonly subject?: string;
  readonly providerMessageId?: string;
  readonly reasons: readonly string[];
}

export interface MessageStore {
  listMessages(caseId: string): Promise<MessageRecord[]>;
  /** Creates the record unless one exists for the case and step (a `failed` one may be replaced); false when it exists. */
  beginMessage(record: MessageRecord): Promise<boolean>;
  getMessage(caseId: string, stepId: string): Promise<MessageRecord | undefined>;
  /** Moves a `sending` record to its outcome. */
  completeMessage(record: MessageRecord): Promise<void>;
}

export interface MetricsStore {
  putRecoveryMetrics(rows: readonly RecoveryMetricsRow[]): Promise<void>;
  listRecoveryMetrics(): Promise<RecoveryMetricsRow[]>;
}

/** Starts the case's journey execution; idempotent on the case id. */
export interface JourneyStarter {
  startJourney(caseId: string): Promise<void>;
}

export interface OutboundEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Correlation carried with the message (SES tags). */
  readonly caseId: string;
  readonly customerId: string;
  readonly stepId: string;
  readonly template: TemplateId;
}

export interface EmailSender {
  send(email: OutboundEmail): Promise<{ providerMessageId: string }>;
}
