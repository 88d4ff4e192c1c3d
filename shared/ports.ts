import type { BillingEvent } from './domain/billing-event.ts';
import type { Claim } from './domain/claim.ts';
import type { CaseCloseReason, CollectionCase } from './domain/collection-case.ts';
import type { ContactConsent } from './domain/contact-consent.ts';
import type { ContactPause } from './domain/contact-pauses.ts';
import type { Customer } from './domain/customer.ts';
import type { DeliveryChannel, MessageCorrelation } from './domain/delivery-channel.ts';
import type { StrategyRouting } from './domain/experiments.ts';
import type { Interaction } from './domain/interaction.ts';
import type { StepRecord, StepStatus } from './domain/journey-record.ts';
import type { MetricCell } from './domain/metric-cells.ts';
import type { Contribution, SubscriptionClaimSummary } from './domain/metric-contributions.ts';
import type { RebuildPartial, RebuildPass, ScanSegment } from './domain/metric-rebuild.ts';
import type { PortalLink } from './domain/portal/portal-link.ts';
import type { Strategy, TemplateId } from './domain/strategy.ts';
import type { Subscription } from './domain/subscription.ts';

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
  /** The customer with the version of its profile, for a read-merge-write (see `putCustomer`). */
  getVersionedCustomer(customerId: string): Promise<VersionedCustomer | undefined>;
  /**
   * Writes the profile (never the open-case pointer) and bumps its version. With
   * `expectedVersion` (0: no profile stored yet) the write happens only if the stored version
   * still equals it, else `ConcurrentUpdateError`: two events of one customer applied at once
   * must not lose each other's fields.
   */
  putCustomer(customer: Customer, expectedVersion?: number): Promise<void>;
  /**
   * Makes `caseId` the customer's open case unless another case already is; returns the
   * customer's open case id either way (single-item conditional write).
   */
  claimOpenCase(customerId: string, caseId: string): Promise<string>;
  /** Clears the customer's open case pointer if it still points at `caseId`. */
  releaseOpenCase(customerId: string, caseId: string): Promise<void>;
}

/** A stored customer with its profile's optimistic-lock version (0: no profile written yet). */
export interface VersionedCustomer {
  readonly customer: Customer;
  readonly version: number;
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
  /**
   * Gives a closed case the reason its claims say now (a written-off invoice paid later makes it
   * `paid`); an open or superseded case, or one with that reason already, is left as it is.
   */
  amendCloseReason(caseId: string, reason: CaseCloseReason): Promise<void>;
  listOpenCaseIds(): Promise<string[]>;
  /** Adds a pause to an open case; a pause of the same step already there changes nothing. */
  addCasePause(caseId: string, pause: ContactPause): Promise<void>;
  /** Records that the journey of an open case ran out of steps (first time only). */
  markJourneyEnded(caseId: string, endedAt: Date): Promise<void>;
  /**
   * Moves an open case whose journey ended to run `run` (the run after its current one), naming
   * the event that resumed it and when, and clears `journeyEndedAt`. True when this call did it
   * or an earlier call with the same `resumedBy` did (a redelivery); false when the case is
   * closed, its journey has not ended, or another event resumed it first.
   */
  resumeJourney(caseId: string, run: number, resumedBy: string, resumedAt: Date): Promise<boolean>;
  /** Closes an open case as `superseded` by another one that took over its open claims. */
  supersedeCase(caseId: string, supersededBy: string, closedAt: Date): Promise<void>;
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

/**
 * Starts run `run` (default the first) of the case's journey, an execution named
 * `journeyExecutionName(caseId, run)`; idempotent on that name.
 */
export interface JourneyStarter {
  startJourney(caseId: string, run?: number): Promise<void>;
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
  readonly template: TemplateId | PortalTemplateId;
  /** Experiment variant of the step (SES tag), when one was assigned. */
  readonly variant?: string;
  /**
   * Where the debtor unsubscribes: an `https:` URL (one-click, RFC 8058) and/or a `mailto:` address.
   * Sent as `List-Unsubscribe` (and `List-Unsubscribe-Post` when there is an https URL).
   */
  readonly listUnsubscribe?: { readonly url?: string; readonly mailto?: string };
}

export interface EmailSender {
  send(email: OutboundEmail): Promise<{ providerMessageId: string }>;
}

// Finance metrics (docs/metrics.md) --------------------------------------------------------

/**
 * A unit's contribution as the aggregates hold it (a claim, or a subscription for the MRR
 * metrics). `pending` is the write-ahead of a replacement in progress: whoever reads it finishes
 * it (applying to a cell is idempotent per token), so a crash mid-way is repaired by the next refresh.
 */
export interface MetricContributionRecord {
  readonly unitId: string;
  /** Optimistic-lock version of the record (0: not stored yet). */
  readonly version: number;
  /** What the aggregates currently contain for this unit. */
  readonly applied: Contribution;
  /** Stored version of the source (the claim) `applied` was computed from; an older source is never applied. */
  readonly sourceVersion: number;
  readonly pending?: {
    readonly token: string;
    readonly target: Contribution;
    readonly sourceVersion: number;
  };
  /** Subscription units: what each of its claims says, keyed by claim id. */
  readonly summaries?: Readonly<Record<string, SubscriptionClaimSummary>>;
  /** Claim units: the subscription the claim's summary was given to (removed there if the claim moves). */
  readonly subscriptionId?: string;
}

export interface MetricAggregateStore {
  getContributionRecord(unitId: string): Promise<MetricContributionRecord | undefined>;
  /** Writes the record if its stored version still equals `expectedVersion`; else ConcurrentUpdateError. */
  putContributionRecord(
    record: Omit<MetricContributionRecord, 'version'>,
    expectedVersion: number,
  ): Promise<void>;
  /**
   * Adds `cell.values` to the stored cell once per token: false when the token was already applied.
   * Tokens older than the longest a writer can live are forgotten (`now` dates them).
   */
  addToCell(cell: MetricCell, token: string, now: Date): Promise<boolean>;
  listCurrencies(): Promise<string[]>;
  /**
   * Every month cell of a currency (shards summed), up to `upToMonth` inclusive when given, with
   * its breakdown measures only from `breakdownsFrom` on when given (metric-cells.ts, `CellPart`).
   */
  listMonthCells(currency: string, upToMonth?: string, breakdownsFrom?: string): Promise<MetricCell[]>;
  /** The day cells of one month of a currency: every day and every measure unless `range` narrows it. */
  listDayCells(currency: string, month: string, range?: DayCellRange): Promise<MetricCell[]>;
}

/** Which day cells of a month a report reads (metric-cells.ts, `CellPart`). */
export interface DayCellRange {
  /** The last day read, inclusive: a report never sums past its period's end. @default the month's end */
  readonly upTo?: string;
  /** Breakdown measures only from this day on (to `upTo`), or none at all. @default every day */
  readonly breakdownsFrom?: string | false;
}

/**
 * What the rebuild job needs beyond the live store: the sources and the cells a page at a time
 * (memory bounded by a page, not by the history), point reads by id, and raw access to the cells.
 */
export interface MetricRebuildStore extends MetricAggregateStore {
  /** Every claim (with its stored version), a page at a time; only those of one scan segment when given. */
  claimPages(segment?: ScanSegment): AsyncIterable<VersionedClaim[]>;
  /** Every contribution record, a page at a time; only those of one scan segment when given. */
  contributionRecordPages(segment?: ScanSegment): AsyncIterable<MetricContributionRecord[]>;
  /** Every stored cell item, a page at a time; a hot cell's shards come as several cells of one period. */
  cellPages(): AsyncIterable<MetricCell[]>;
  getClaimsById(claimIds: readonly string[]): Promise<VersionedClaim[]>;
  getCasesById(caseIds: readonly string[]): Promise<CollectionCase[]>;
  getSubscriptionsById(subscriptionIds: readonly string[]): Promise<Subscription[]>;
  getContributionRecords(unitIds: readonly string[]): Promise<MetricContributionRecord[]>;
  listMessagesOfCases(caseIds: readonly string[]): Promise<MessageRecord[]>;
  /** Folds the shards of settled cells into one item and drops expired tokens; sums are unchanged. */
  compactCells(now: Date): Promise<number>;
  /** Overwrites a cell with exactly these values (no tokens, no shards); an empty `values` deletes it. */
  replaceCell(cell: MetricCell): Promise<void>;
  /** Overwrites a contribution record, whatever its version. */
  replaceContributionRecord(record: Omit<MetricContributionRecord, 'version'>): Promise<void>;
  deleteContributionRecord(unitId: string): Promise<void>;
}

/** Where a stored rebuild partial is: what the state machine passes from a segment to the comparison. */
export interface RebuildPartialRef {
  readonly pass: RebuildPass;
  readonly segment: number;
  /** Each attempt of a segment writes apart, so a retried segment never mixes with its failed attempt. */
  readonly attempt: string;
  readonly chunks: number;
}

/**
 * The partial results of a segmented rebuild, kept between the Map's segments and the comparison
 * step (too large for a Step Functions payload: docs/metrics.md, "The rebuild proves it").
 */
export interface RebuildPartialStore {
  putPartial(runId: string, partial: RebuildPartial, now: Date): Promise<RebuildPartialRef>;
  /** The partial a ref names; throws when it is missing or incomplete. */
  getPartial(runId: string, ref: RebuildPartialRef): Promise<RebuildPartial>;
  /** Deletes every partial of the run, whatever attempt wrote it; returns the items deleted. */
  deletePartials(runId: string): Promise<number>;
}

/** The finance report's files, kept for later (S3 on AWS, a folder locally). */
export interface ReportArchive {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** A link that opens the archived file without credentials, valid for `expiresInSeconds`. */
  linkTo(key: string, expiresInSeconds: number): Promise<string>;
}

/** An archived file as read back: its bytes and the content type it is served with. */
export interface ArchivedReportFile {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** The archive as the report link route reads it (docs/metrics.md, "Archive links"). */
export interface ReportArchiveReader extends Pick<ReportArchive, 'linkTo'> {
  /** The file, or undefined when the archive has no such key (never written, or expired). */
  get(key: string): Promise<ArchivedReportFile | undefined>;
  has(key: string): Promise<boolean>;
}

export interface ReportAttachment {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Uint8Array;
  /** Set for images shown in the HTML body (`<img src="cid:...">`). */
  readonly contentId?: string;
}

export interface ReportEmail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly ReportAttachment[];
  readonly reportId: string;
  readonly archiveUrl: string;
}

export interface ReportMailer {
  sendReport(email: ReportEmail): Promise<{ providerMessageId: string }>;
}

/** `sending` while the mailer is called; `uncertain` when an attempt died during it: never resent. */
export type ReportDeliveryStatus = 'sending' | 'sent' | 'failed' | 'uncertain' | 'archived';

export interface ReportDeliveryRecord {
  readonly reportId: string;
  readonly status: ReportDeliveryStatus;
  readonly startedAt: string;
  readonly sentAt?: string;
  readonly recipients: readonly string[];
  readonly archiveKey: string;
  readonly providerMessageId?: string;
}

/** At most one email per report id, even when the scheduler retries the job. */
export interface ReportDeliveryLedger {
  /** Creates the record unless one exists (a `failed` one may be replaced); false when it exists. */
  beginReportDelivery(record: ReportDeliveryRecord): Promise<boolean>;
  getReportDelivery(reportId: string): Promise<ReportDeliveryRecord | undefined>;
  completeReportDelivery(record: ReportDeliveryRecord): Promise<void>;
}

/** A stored subscription with its optimistic-lock version. */
export interface VersionedSubscription {
  readonly subscription: Subscription;
  readonly version: number;
}

export interface SubscriptionStore {
  getSubscription(subscriptionId: string): Promise<VersionedSubscription | undefined>;
  /** Writes the subscription if its stored version still equals `expectedVersion` (0: not stored yet). */
  putSubscription(subscription: Subscription, expectedVersion: number): Promise<void>;
}

/** Counts verified events of types the product does not handle (acknowledged, never applied). */
export interface IgnoredEventCounter {
  countIgnoredEvent(provider: string, sourceType: string): Promise<void>;
  listIgnoredEventCounts(): Promise<{ provider: string; sourceType: string; count: number }[]>;
}

/** Named positions of background readers (reconciliation: the newest provider event seen). */
export interface CursorStore {
  getCursor(name: string): Promise<string | undefined>;
  putCursor(name: string, value: string): Promise<void>;
}

// Debtor portal (docs/portal.md) ----------------------------------------------------------------

/** Messages the portal sends itself (not journey steps). */
export type PortalTemplateId = 'portal-fresh-link' | 'instalment-reminder';

/** The portal-owned fields of a case (`CollectionCase`), written together under `portalVersion`. */
export type CasePortalState = Pick<
  CollectionCase,
  'pausedUntil' | 'pauseReason' | 'promiseToPay' | 'brokenPromises' | 'paymentPlan' | 'claimHolds'
>;

/** Something the debtor did or that happened on their case, for the timeline and attribution. */
export interface CaseInteraction {
  readonly caseId: string;
  readonly at: string;
  readonly kind:
    | 'portal-opened'
    | 'portal-link-renewed'
    | 'payment-started'
    | 'card-update-started'
    | 'payment-retry-requested'
    | 'promise-made'
    | 'promise-broken'
    | 'promise-kept'
    | 'plan-created'
    | 'instalment-reminded'
    | 'instalment-paid'
    | 'instalment-failed'
    | 'plan-broken'
    | 'plan-completed'
    | 'claims-flagged';
  /** Ids only: the link, the journey step, the plan instalment, the flag. Never personal data. */
  readonly detail?: Readonly<Record<string, string | number>>;
}

export interface PortalStore {
  putPortalLink(link: PortalLink): Promise<void>;
  getPortalLink(linkId: string): Promise<PortalLink | undefined>;
  revokePortalLink(linkId: string, at: Date): Promise<void>;
  /** Revokes every link of the case issued before `at`. */
  revokeCasePortalLinks(caseId: string, at: Date): Promise<void>;
  /**
   * Replaces the portal fields of the case if its `portalVersion` still equals `expectedVersion`
   * (absent fields are removed); throws ConcurrentUpdateError otherwise.
   */
  updateCasePortalState(caseId: string, expectedVersion: number, state: CasePortalState): Promise<void>;
  recordInteraction(interaction: CaseInteraction): Promise<void>;
  listInteractions(caseId: string): Promise<CaseInteraction[]>;
  /** When the commitments job must look at the case next (undefined: never). */
  scheduleCommitmentCheck(caseId: string, at: string | undefined): Promise<void>;
  /** Cases whose commitment check is due at `now`. */
  listDueCommitmentChecks(now: Date): Promise<string[]>;
}

/** Fixed-window counters with conditional updates: false once `limit` is reached in the window. */
export interface RateLimiter {
  consume(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean>;
}

/** A claim as the payment provider knows it. */
export interface PayableClaim {
  readonly claimId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly payUrl?: string;
}

export type InstalmentChargeResult =
  | { readonly status: 'succeeded'; readonly paymentRef: string }
  | { readonly status: 'failed'; readonly reason: string };

/**
 * The payment provider as the portal uses it. Outcomes of debtor payments never come from here
 * or from a redirect: they arrive as the provider's webhooks (`invoice.paid`).
 */
export interface PaymentGateway {
  /** A page where the debtor pays one claim (Stripe: the invoice's hosted page). */
  createPaymentPage(
    claim: PayableClaim,
    options: { readonly returnUrl: string; readonly locale: string },
  ): Promise<{ readonly url: string }>;
  /** A page where the debtor replaces their card (Stripe: a Billing portal session). */
  createCardUpdatePage(
    customerId: string,
    options: { readonly returnUrl: string; readonly locale: string },
  ): Promise<{ readonly url: string }>;
  /** Attempts the failed claims again now (after a card update); outcomes arrive as webhooks. */
  retryClaims(claims: readonly PayableClaim[]): Promise<void>;
  /** Charges one plan instalment off-session on the customer's saved payment method. */
  chargeInstalment(request: {
    readonly customerId: string;
    readonly amountMinor: number;
    readonly currency: string;
    /** The same key for every attempt of one charge: the provider never charges it twice. */
    readonly idempotencyKey: string;
    readonly description: string;
  }): Promise<InstalmentChargeResult>;
  /** Marks claims paid out of band once a plan collected their total; the provider then sends `invoice.paid`. */
  settleClaimsOutOfBand(claims: readonly PayableClaim[], reference: string): Promise<void>;
}

// Channels (omnichannel delivery, docs/channels.md) --------------------------------------------

export interface OutboundChannelMessageBase {
  /** E.164 number for sms/voice/whatsapp. */
  readonly to: string;
  readonly customerId: string;
  readonly correlation: MessageCorrelation;
}

export interface OutboundSms extends OutboundChannelMessageBase {
  readonly channel: 'sms';
  readonly text: string;
}

export interface OutboundVoice extends OutboundChannelMessageBase {
  readonly channel: 'voice';
  /** Plain text; the adapter speaks it as SSML in the locale's voice. */
  readonly text: string;
  /** BCP 47 locale of the debtor: picks the voice and the language. */
  readonly locale: string;
}

/** A WhatsApp template approved by Meta, for messages outside the 24-hour session window. */
export interface WhatsAppTemplate {
  readonly name: string;
  /** Meta language code of the approved translation, e.g. `en_US`, `es`, `de`, `fr`. */
  readonly languageCode: string;
  /** Values of the body's `{{1}}`, `{{2}}`... placeholders, in order. */
  readonly bodyParameters: readonly string[];
}

export interface OutboundWhatsApp extends OutboundChannelMessageBase {
  readonly channel: 'whatsapp';
  /** Free text, allowed only inside the 24-hour session window. */
  readonly text?: string;
  /** The approved template used outside the window (and inside it when there is no text). */
  readonly template?: WhatsAppTemplate;
}

export interface OutboundEmailMessage extends OutboundEmail {
  readonly channel: 'email';
}

export type OutboundChannelMessage = OutboundSms | OutboundVoice | OutboundWhatsApp | OutboundEmailMessage;

export interface ChannelReceipt {
  /** The provider's message id; its delivery events carry it. */
  readonly providerMessageId: string;
}

/**
 * Sends one message on one channel. Throws `PermanentDeliveryError` when the provider will never
 * deliver it (fall back to the next channel), `DeliveryThrottledError` when a retry is safe,
 * `ProviderUnavailableError` (5xx) or any other error when the outcome is unknown (never resend).
 */
export interface ChannelSender<M extends OutboundChannelMessage = OutboundChannelMessage> {
  send(message: M): Promise<ChannelReceipt>;
}

/** One sender per channel: the AWS adapters in Lambda, the outbox locally. */
export type ChannelSenders = {
  readonly [C in DeliveryChannel]: ChannelSender<Extract<OutboundChannelMessage, { channel: C }>>;
};

/** The case timeline's interactions (delivery events and replies). */
export interface InteractionStore {
  /** Records the interaction once; false when one with the same id was already recorded. */
  recordInteraction(interaction: Interaction): Promise<boolean>;
  /** Interactions of a case, oldest first. */
  listInteractions(caseId: string): Promise<Interaction[]>;
}

/** Per-customer, per-channel consent and suppression (read by the planner before choosing a channel). */
export interface ConsentStore {
  getConsent(customerId: string, channel: DeliveryChannel): Promise<ContactConsent | undefined>;
  /** Writes the decision unless a later one is stored (`supersedes`); true when it was written. */
  putConsent(consent: ContactConsent): Promise<boolean>;
}

/** Who an address belongs to, so that replies and address-level events find the customer. */
export interface AddressLink {
  readonly channel: DeliveryChannel;
  readonly address: string;
  readonly customerId: string;
  /** The case the last message to this address belonged to. */
  readonly caseId?: string;
  readonly lastOutboundAt?: string;
  /** The debtor's last message from this address (ISO): opens WhatsApp's 24-hour window. */
  readonly lastInboundAt?: string;
}

export interface ContactDirectory {
  findAddress(channel: DeliveryChannel, address: string): Promise<AddressLink | undefined>;
  /** Records that we are about to message this address for this customer (and case). */
  linkOutbound(link: {
    channel: DeliveryChannel;
    address: string;
    customerId: string;
    caseId?: string;
    at: string;
  }): Promise<void>;
  /** Records an inbound message from the customer's address (keeps the latest time; opens WhatsApp's window). */
  linkInbound(link: {
    channel: DeliveryChannel;
    address: string;
    customerId: string;
    at: string;
  }): Promise<void>;
}

/** A debtor's promise to pay by a date: the case pauses until the day after. */
export interface PaymentPromise {
  readonly caseId: string;
  /** The promised calendar day in the debtor's zone (`yyyy-MM-dd`). */
  readonly promisedDate: string;
  /** When the pause ends (ISO instant): the start of the day after the promised day, in the debtor's zone. */
  readonly promisedUntil: string;
  readonly madeAt: string;
  readonly channel: DeliveryChannel;
  /** The inbound message that carried the promise. */
  readonly sourceEventId: string;
}

export type AgentTaskKind =
  | 'already-paid'
  | 'dispute'
  | 'call-me'
  | 'hardship'
  | 'promise-without-date'
  | 'unclear-reply'
  /** A strategy step handed the case to an agent (`hand-to-agent`). */
  | 'strategy-hand-over'
  /** The debtor asked to be contacted, from the portal. */
  | 'contact-me';

/** Where a task came from: a debtor's reply, a strategy step, or a debtor's flag in the portal. */
export type AgentTaskSource = 'reply' | 'strategy' | 'portal';

/**
 * Work for a collections agent. One model and one queue, whatever created the task: a reply
 * ("I already paid"), a strategy's hand-over, or a flag in the portal (dispute, hardship...).
 */
export interface AgentTask {
  /** Deterministic where the source allows it: a redelivered reply or a retried step creates no second task. */
  readonly taskId: string;
  readonly kind: AgentTaskKind;
  readonly source: AgentTaskSource;
  readonly caseId?: string;
  readonly customerId: string;
  /** The channel the debtor used, or the one the agent should use (absent for the portal). */
  readonly channel?: DeliveryChannel;
  readonly createdAt: string;
  readonly status: 'open';
  /** The inbound message, the journey step, or the portal link that created the task. */
  readonly sourceEventId: string;
  /** What the debtor wrote in the portal (personal data: stored, never logged). */
  readonly note?: string;
  // Set by a strategy's hand-to-agent step (issue 4):
  /** The journey step that created the task. */
  readonly stepId?: string;
  /** The agents' queue the strategy names (e.g. `high-value`). */
  readonly queue?: string;
  readonly priority?: 'low' | 'normal' | 'high';
  /** Why the strategy hands the case over, in the strategy author's words. */
  readonly reason?: string;
  /** The claims to work: open and not disputed or on hold when the task was created. */
  readonly claimIds?: readonly string[];
}

export interface ReplyActionStore {
  /** Stores the promise and sets `promisedUntil` on the case (a later promise replaces an earlier one). */
  recordPromise(promise: PaymentPromise): Promise<void>;
  /** Creates the task once; false when it exists. */
  createAgentTask(task: AgentTask): Promise<boolean>;
  listAgentTasks(customerId: string): Promise<AgentTask[]>;
  /** Every open task, most urgent first (agent-queue.ts). */
  listOpenAgentTasks(): Promise<AgentTask[]>;
}

/**
 * At most once per inbound message for automatic replies: `claimAutoReply` succeeds for the
 * first attempt only, so a redelivered STOP never sends a second confirmation.
 */
export interface AutoReplyLedger {
  claimAutoReply(channel: DeliveryChannel, inboundMessageId: string, at: string): Promise<boolean>;
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
