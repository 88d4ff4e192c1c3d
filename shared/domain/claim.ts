import type {
  ClaimBillingEvent,
  ClaimEventKind,
  ClaimSnapshot,
  CreditSnapshot,
  DisputeSnapshot,
  DisputeState,
  PaymentAttempt,
} from './billing-event.ts';
import { definedOnly, isNewer, maxIso, minIso, rankOf, type Stamp, stampOf } from './stamp.ts';

/**
 * A claim is one invoice we may have to collect. Its state is a pure function of the set of
 * billing events seen for it, whatever their order or number of deliveries: every field is a join
 * (min, max, a status of higher rank, or a last-writer-wins register ordered by a stamp), so
 * applying events commutes and a repeated event changes nothing.
 */
export type ClaimStatus =
  /** Known, not failed (finalized, due soon, disputed or refunded before we saw anything else). */
  'pending' | 'failed' | 'written_off' | 'paid' | 'voided';

/** A chargeback as the claim keeps it: its latest state. */
export interface DisputeRecord {
  readonly state: DisputeState;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason?: string;
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly stamp: Stamp;
}

export interface CreditRecord {
  readonly type: CreditSnapshot['type'];
  readonly amountMinor: number;
  readonly voided: boolean;
  readonly stamp: Stamp;
}

/** The latest failed attempt and what its decline means. */
export interface DeclineRecord extends PaymentAttempt {
  readonly declinedAt: string;
  readonly stamp: Stamp;
}

/** Summary of the claim's disputes that contact rules read: `open` pauses all contact on the claim. */
export type ClaimDisputeStatus = 'open' | 'won' | 'lost';

export interface Claim {
  readonly claimId: string;
  readonly invoiceId: string;
  readonly provider: string;
  readonly customerId: string;
  readonly status: ClaimStatus;
  readonly amountMinor: number;
  readonly currency: string;
  /** What is still owed, when the provider says (after partial payments and pre-payment credits). */
  readonly amountRemainingMinor?: number;
  readonly payUrl?: string;
  readonly subscriptionId?: string;
  readonly attemptCount: number;
  readonly nextPaymentAttemptAt?: string;
  readonly dueAt?: string;
  /** The provider's own dunning (Chargebee `dunning_status`): `exhausted` means it stopped retrying. */
  readonly dunningStatus?: ClaimSnapshot['dunningStatus'];
  /** First failed payment attempt (ISO); the claim's failure cohort. Absent when no failure was seen. */
  readonly firstFailedAt?: string;
  readonly lastFailedAt?: string;
  /** The latest decline and its classification (DOMAIN.md §2). */
  readonly lastDecline?: DeclineRecord;
  /** Latest request that the debtor authenticate the payment (3-D Secure). */
  readonly actionRequiredAt?: string;
  readonly paidAt?: string;
  readonly writtenOffAt?: string;
  readonly voidedAt?: string;
  /** Chargebacks by provider-qualified dispute id. */
  readonly disputes?: Readonly<Record<string, DisputeRecord>>;
  /** `open` while any dispute is open: stop contact on this claim and flag it for an agent. */
  readonly disputeStatus?: ClaimDisputeStatus;
  /** Refunds (per payment, cumulative) and post-payment credit notes, by provider-qualified id. */
  readonly credits?: Readonly<Record<string, CreditRecord>>;
  /** Sum of the credits that are not voided: reduces what was recovered. */
  readonly refundedAmountMinor?: number;
  /** `occurredAt` of the event whose snapshot (amounts, next retry) the claim carries. */
  readonly snapshotAt: string;
  /** That event's id: breaks ties between events of the same second, so the order never matters. */
  readonly snapshotEventId: string;
  /** That snapshot's stamp (source rank, time, id). */
  readonly snapshotStamp?: Stamp;
  /** Stamps of the sticky fields (pay link, subscription): the newest event that carried each. */
  readonly fieldStamps?: Readonly<Record<string, Stamp>>;
  /** The case collecting this claim, once one is opened. */
  readonly caseId?: string;
  // Reporting inputs (docs/metrics.md, "What each metric needs"). Optional: the metrics read them
  // when a billing adapter provides them and fall back to documented defaults when absent.
  /** When the invoice was issued (finalized), ISO. Default for the metrics: `dueAt`, else the first failure. */
  readonly issuedAt?: string;
  /** A subscription (recurring) invoice. Default for the metrics: true when `subscriptionId` is set. */
  readonly recurring?: boolean;
  /** Monthly-normalised recurring amount of the claim's subscription, minor units, same currency. The subscription record's `mrrMinor` wins when there is one. */
  readonly subscriptionMrrMinor?: number;
  /** When the latest refund or credit was made, ISO; the whole `refundedAmountMinor` is dated here. Default: the newest credit's stamp time. */
  readonly refundedAt?: string;
  /** When the claim's subscription was cancelled for non-payment (involuntary churn), ISO. The subscription record's involuntary `canceledAt` is read too. */
  readonly subscriptionChurnedAt?: string;
  /** Decline class for the breakdown. Default: `lastDecline.classification.category`. */
  readonly declineClass?: string;
}

/** Terminal states close the claim; a stale failure can never reopen them. */
const statusRank: Record<ClaimStatus, number> = {
  pending: 0,
  failed: 1,
  written_off: 2,
  voided: 3,
  paid: 4,
};

const statusOf: Record<ClaimEventKind, ClaimStatus> = {
  'claim.updated': 'pending',
  'claim.payment_failed': 'failed',
  'claim.action_required': 'failed',
  'claim.written_off': 'written_off',
  'claim.voided': 'voided',
  'claim.paid': 'paid',
  'claim.disputed': 'pending',
  'claim.refunded': 'pending',
};

/** A dispute only moves forward: every closed state outranks every open one. */
const disputeStateRank: Record<DisputeState, number> = {
  warning_needs_response: 0,
  needs_response: 0,
  warning_under_review: 1,
  under_review: 1,
  warning_closed: 2,
  prevented: 2,
  won: 2,
  lost: 2,
};

const closedDisputeStates: ReadonlySet<DisputeState> = new Set([
  'warning_closed',
  'prevented',
  'won',
  'lost',
]);

export function isClaimOpen(claim: Pick<Claim, 'status'>): boolean {
  return claim.status === 'failed';
}

export function isDisputeOpen(state: DisputeState): boolean {
  return !closedDisputeStates.has(state);
}

/** A snapshot from the invoice's own events outranks one from its payments' events. */
const paymentRank = 0;
const invoiceRank = 1;

function snapshotStampOf(event: ClaimBillingEvent): Stamp {
  return stampOf(
    event.occurredAt,
    event.eventId,
    event.claim.source === 'payment' ? paymentRank : invoiceRank,
  );
}

/**
 * Whether everything the claim knows came from payment events (a failed payment intent or
 * charge), and no event of the invoice itself has arrived yet: the invoice's snapshot always
 * outranks a payment's.
 */
export function isKnownOnlyFromPayments(claim: Claim): boolean {
  return rankOf(storedSnapshotStamp(claim)) < invoiceRank;
}

/** The stamp a claim stored before stamps existed carried implicitly. */
function storedSnapshotStamp(claim: Claim): Stamp {
  return claim.snapshotStamp ?? stampOf(claim.snapshotAt, claim.snapshotEventId, invoiceRank);
}

function mergeDispute(
  existing: DisputeRecord | undefined,
  dispute: DisputeSnapshot,
  stamp: Stamp,
  at: string,
) {
  const incoming: DisputeRecord = definedOnly<DisputeRecord>({
    state: dispute.state,
    amountMinor: dispute.amountMinor,
    currency: dispute.currency,
    reason: dispute.reason,
    openedAt: at,
    closedAt: isDisputeOpen(dispute.state) ? undefined : at,
    stamp,
  });
  if (existing === undefined) return incoming;
  const incomingWins =
    disputeStateRank[incoming.state] > disputeStateRank[existing.state] ||
    (disputeStateRank[incoming.state] === disputeStateRank[existing.state] && isNewer(stamp, existing.stamp));
  const winner = incomingWins ? incoming : existing;
  return definedOnly<DisputeRecord>({
    ...winner,
    openedAt: minIso(existing.openedAt, incoming.openedAt) ?? at,
    closedAt: minIso(existing.closedAt, incoming.closedAt),
  });
}

function disputeStatusOf(disputes: Readonly<Record<string, DisputeRecord>> | undefined) {
  const states = Object.values(disputes ?? {}).map((dispute) => dispute.state);
  if (states.length === 0) return undefined;
  if (states.some(isDisputeOpen)) return 'open';
  return states.includes('lost') ? 'lost' : 'won';
}

function mergeCredit(existing: CreditRecord | undefined, credit: CreditSnapshot, stamp: Stamp): CreditRecord {
  const incoming: CreditRecord = {
    type: credit.type,
    amountMinor: credit.amountMinor,
    voided: credit.voided ?? false,
    stamp,
  };
  if (existing === undefined) return incoming;
  // A void is final; otherwise the largest cumulative amount is the latest (refunds only add up).
  if (existing.voided !== incoming.voided) return existing.voided ? existing : incoming;
  if (existing.amountMinor !== incoming.amountMinor)
    return existing.amountMinor > incoming.amountMinor ? existing : incoming;
  return isNewer(stamp, existing.stamp) ? incoming : existing;
}

function refundedAmountOf(credits: Readonly<Record<string, CreditRecord>> | undefined): number | undefined {
  if (credits === undefined) return undefined;
  return Object.values(credits).reduce((sum, credit) => sum + (credit.voided ? 0 : credit.amountMinor), 0);
}

/** Keeps the newest defined value of a sticky field (one a later event may simply not carry). */
function sticky<T>(
  name: string,
  current: T | undefined,
  incoming: T | undefined,
  stamp: Stamp,
  stamps: Record<string, Stamp>,
): T | undefined {
  if (incoming === undefined) return current;
  if (current === undefined || isNewer(stamp, stamps[name])) {
    stamps[name] = stamp;
    return incoming;
  }
  return current;
}

/**
 * Folds one billing event into a claim. Commutative, associative and idempotent, so the final
 * claim depends only on the set of events.
 */
export function applyBillingEventToClaim(claim: Claim | undefined, event: ClaimBillingEvent): Claim {
  const at = event.occurredAt;
  const snapshot = event.claim;
  const stamp = snapshotStampOf(event);
  const snapshotIsNewer = claim === undefined || isNewer(stamp, storedSnapshotStamp(claim));
  const base = snapshotIsNewer
    ? {
        amountMinor: snapshot.amountMinor,
        currency: snapshot.currency,
        amountRemainingMinor: snapshot.amountRemainingMinor,
        nextPaymentAttemptAt: snapshot.nextPaymentAttemptAt,
        dueAt: snapshot.dueAt,
        dunningStatus: snapshot.dunningStatus,
        snapshotAt: at,
        snapshotEventId: event.eventId,
        snapshotStamp: stamp,
      }
    : {
        amountMinor: claim.amountMinor,
        currency: claim.currency,
        amountRemainingMinor: claim.amountRemainingMinor,
        nextPaymentAttemptAt: claim.nextPaymentAttemptAt,
        dueAt: claim.dueAt,
        dunningStatus: claim.dunningStatus,
        snapshotAt: claim.snapshotAt,
        snapshotEventId: claim.snapshotEventId,
        snapshotStamp: storedSnapshotStamp(claim),
      };

  const eventStamp = stampOf(at, event.eventId);
  const fieldStamps: Record<string, Stamp> = { ...claim?.fieldStamps };
  const payUrl = sticky('payUrl', claim?.payUrl, snapshot.payUrl, eventStamp, fieldStamps);
  const subscriptionId = sticky(
    'subscriptionId',
    claim?.subscriptionId,
    snapshot.subscriptionId,
    eventStamp,
    fieldStamps,
  );
  // What the provider says the invoice is, from whichever event said it last: a payment or a
  // dispute event does not know it and leaves it as it was.
  const recurring = sticky('recurring', claim?.recurring, snapshot.recurring, eventStamp, fieldStamps);
  const customerId = sticky(
    'customerId',
    claim?.customerId,
    event.customer.customerId,
    eventStamp,
    fieldStamps,
  );

  const eventStatus = statusOf[event.kind];
  const status =
    claim === undefined || statusRank[eventStatus] > statusRank[claim.status] ? eventStatus : claim.status;
  const isFailure = event.kind === 'claim.payment_failed' || event.kind === 'claim.action_required';

  let lastDecline = claim?.lastDecline;
  if (event.paymentAttempt && (lastDecline === undefined || isNewer(eventStamp, lastDecline.stamp))) {
    lastDecline = { ...event.paymentAttempt, declinedAt: at, stamp: eventStamp };
  }

  let disputes = claim?.disputes;
  if (event.dispute) {
    const id = event.dispute.disputeId;
    disputes = { ...disputes, [id]: mergeDispute(disputes?.[id], event.dispute, eventStamp, at) };
  }
  let credits = claim?.credits;
  if (event.credit) {
    const id = event.credit.creditId;
    credits = { ...credits, [id]: mergeCredit(credits?.[id], event.credit, eventStamp) };
  }

  return definedOnly<Claim>({
    claimId: snapshot.claimId,
    invoiceId: snapshot.invoiceId,
    provider: event.provider,
    customerId: customerId ?? event.customer.customerId,
    status,
    ...base,
    payUrl,
    subscriptionId,
    attemptCount: Math.max(claim?.attemptCount ?? 0, snapshot.attemptCount ?? 0),
    firstFailedAt: isFailure ? minIso(claim?.firstFailedAt, at) : claim?.firstFailedAt,
    lastFailedAt: isFailure ? maxIso(claim?.lastFailedAt, at) : claim?.lastFailedAt,
    lastDecline,
    actionRequiredAt:
      event.kind === 'claim.action_required' ? maxIso(claim?.actionRequiredAt, at) : claim?.actionRequiredAt,
    paidAt: event.kind === 'claim.paid' ? minIso(claim?.paidAt, snapshot.paidAt ?? at) : claim?.paidAt,
    writtenOffAt: event.kind === 'claim.written_off' ? minIso(claim?.writtenOffAt, at) : claim?.writtenOffAt,
    voidedAt: event.kind === 'claim.voided' ? minIso(claim?.voidedAt, at) : claim?.voidedAt,
    disputes,
    disputeStatus: disputeStatusOf(disputes),
    credits,
    refundedAmountMinor: refundedAmountOf(credits),
    fieldStamps: Object.keys(fieldStamps).length > 0 ? fieldStamps : undefined,
    caseId: claim?.caseId,
    // Reporting inputs (docs/metrics.md). An invoice is issued once: the earliest time any event
    // gave is kept, so the order the events arrive in does not matter.
    issuedAt: minIso(claim?.issuedAt, snapshot.issuedAt),
    recurring,
    subscriptionMrrMinor: claim?.subscriptionMrrMinor,
    refundedAt: claim?.refundedAt,
    subscriptionChurnedAt: claim?.subscriptionChurnedAt,
    declineClass: claim?.declineClass,
  });
}
