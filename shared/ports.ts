import type { AgentTask } from './domain/agent-task.ts';
import type { BillingEvent } from './domain/billing-event.ts';
import type { Claim } from './domain/claim.ts';
import type { CaseCloseReason, CollectionCase } from './domain/collection-case.ts';
import type { ContactPause } from './domain/contact-pauses.ts';
import type { Customer } from './domain/customer.ts';
import type { StrategyRouting } from './domain/experiments.ts';
import type { StepRecord, StepStatus } from './domain/journey-record.ts';
import type { RecoveryMetricsRow } from './domain/recovery-metrics.ts';
import type { Channel, Strategy, TemplateId } from './domain/strategy.ts';

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
  /** Adds a pause to an open case; a pause of the same step already there changes nothing. */
  addCasePause(caseId: string, pause: ContactPause): Promise<void>;
}

/** A step's status (journey-record.ts): `sending`, `sent`, `failed`, `undeliverable`, `uncertain`, `done`, `skipped`. */
export type MessageStatus = StepStatus;

/** One step's record: the idempotency record and the interaction on the case timeline (journey-record.ts). */
export type MessageRecord = StepRecord;

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

/** Agent tasks: a case handed to a person (strategy step `hand-to-agent`). */
export interface AgentTaskStore {
  /** Creates the task unless it exists (idempotent on its id); returns the stored task. */
  createAgentTask(task: AgentTask): Promise<AgentTask>;
  listOpenAgentTasks(queue: string): Promise<AgentTask[]>;
}

export interface BillingClaimRef {
  readonly claimId: string;
  readonly invoiceId: string;
  readonly provider: string;
}

export type PaymentRetryOutcome =
  | { readonly outcome: 'paid' }
  | { readonly outcome: 'declined'; readonly declineCode?: string }
  | { readonly outcome: 'requires-action' }
  | { readonly outcome: 'already-settled' };

/**
 * Actions on the billing provider (Stripe: invoices.pay, invoices.markUncollectible,
 * subscriptions.cancel/update). Every call carries an idempotency key derived from case, step
 * and claim, so a retried task never charges or cancels twice.
 */
export interface BillingActions {
  retryPayment(claim: BillingClaimRef, idempotencyKey: string): Promise<PaymentRetryOutcome>;
  markUncollectible(claim: BillingClaimRef, idempotencyKey: string): Promise<void>;
  cancelSubscription(
    subscription: { readonly provider: string; readonly subscriptionId: string },
    when: 'immediately' | 'at-period-end',
    idempotencyKey: string,
  ): Promise<void>;
}

/** Published strategies (immutable versions) and the routing new cases follow. */
export interface StrategyCatalog {
  /** One version; a running journey keeps the version its case started with. */
  getStrategy(id: string, version: number): Promise<Strategy | undefined>;
  /** The current (latest published) version of a strategy. */
  getCurrentStrategy(id: string): Promise<Strategy | undefined>;
  getRouting(): Promise<StrategyRouting>;
}

/** Where strategies are published (the table on AWS); versions are immutable once written. */
export interface StrategyPublisher {
  publishStrategy(strategy: Strategy, publishedAt: Date): Promise<'published' | 'unchanged'>;
  publishRouting(routing: StrategyRouting, publishedAt: Date): Promise<'published' | 'unchanged'>;
}

/** A text message on a channel other than email (SMS, WhatsApp, a voice call read aloud). */
export interface OutboundText {
  readonly channel: Exclude<Channel, 'email'>;
  /** E.164 phone number. */
  readonly to: string;
  readonly text: string;
  readonly caseId: string;
  readonly customerId: string;
  readonly stepId: string;
  readonly template: TemplateId;
}

/** A channel adapter for SMS, voice or WhatsApp; wiring one makes the channel deliverable. */
export interface ChannelMessageSender {
  send(message: OutboundText): Promise<{ providerMessageId: string }>;
}
