import type { BillingEvent, BillingEventKind } from './billing-event.ts';
import type { DeclineClass } from './decline-class.ts';

/**
 * A claim is one unpaid invoice we try to collect. Its state is a pure function of the set
 * of billing events seen for it, whatever their order or number of deliveries: every field
 * is a join (min, max, or a status of higher rank), so applying events commutes.
 */
export type ClaimStatus = 'failed' | 'written_off' | 'paid' | 'voided';

export interface Claim {
  readonly claimId: string;
  readonly invoiceId: string;
  readonly provider: string;
  readonly customerId: string;
  readonly status: ClaimStatus;
  readonly amountMinor: number;
  readonly currency: string;
  readonly payUrl?: string;
  readonly subscriptionId?: string;
  readonly attemptCount: number;
  readonly nextPaymentAttemptAt?: string;
  /** First failed payment attempt (ISO); the claim's failure cohort. Absent when no failure was seen. */
  readonly firstFailedAt?: string;
  readonly lastFailedAt?: string;
  readonly paidAt?: string;
  readonly writtenOffAt?: string;
  readonly voidedAt?: string;
  /** `occurredAt` of the event whose snapshot (amount, link) the claim carries: the newest one. */
  readonly snapshotAt: string;
  /** That event's id: breaks ties between events of the same second, so the order never matters. */
  readonly snapshotEventId: string;
  /** The case collecting this claim, once one is opened. */
  readonly caseId?: string;
  /** Class of the latest decline (decline-class.ts): strategies branch on it, hard declines are never retried. */
  readonly declineClass?: DeclineClass;
  /** A chargeback on this claim: while `open`, the claim is left alone (no message lists it, no retry). */
  readonly disputeStatus?: 'open' | 'won' | 'lost';
  /** When the invoice was due (ISO); strategy timings may count from it. */
  readonly dueAt?: string;
}

/** Terminal states close the claim; a stale failure can never reopen them. */
const statusRank: Record<ClaimStatus, number> = { failed: 0, written_off: 1, voided: 2, paid: 3 };

const statusOf: Record<BillingEventKind, ClaimStatus> = {
  'claim.payment_failed': 'failed',
  'claim.written_off': 'written_off',
  'claim.voided': 'voided',
  'claim.paid': 'paid',
};

export function isClaimOpen(claim: Pick<Claim, 'status'>): boolean {
  return claim.status === 'failed';
}

function minIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a <= b ? a : b;
}

function maxIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

/** Copies only defined values, so optional fields stay absent (exactOptionalPropertyTypes). */
function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Folds one billing event into a claim. Commutative, associative and idempotent, so the
 * final claim depends only on the set of events.
 */
export function applyBillingEventToClaim(claim: Claim | undefined, event: BillingEvent): Claim {
  const eventStatus = statusOf[event.kind];
  const at = event.occurredAt;
  const snapshotIsNewer =
    claim === undefined ||
    at > claim.snapshotAt ||
    (at === claim.snapshotAt && event.eventId > claim.snapshotEventId);
  const snapshot = event.claim;
  const base = snapshotIsNewer
    ? {
        amountMinor: snapshot.amountMinor,
        currency: snapshot.currency,
        payUrl: snapshot.payUrl ?? claim?.payUrl,
        subscriptionId: snapshot.subscriptionId ?? claim?.subscriptionId,
        nextPaymentAttemptAt: snapshot.nextPaymentAttemptAt,
        snapshotAt: at,
        snapshotEventId: event.eventId,
      }
    : {
        amountMinor: claim.amountMinor,
        currency: claim.currency,
        payUrl: claim.payUrl ?? snapshot.payUrl,
        subscriptionId: claim.subscriptionId ?? snapshot.subscriptionId,
        nextPaymentAttemptAt: claim.nextPaymentAttemptAt,
        snapshotAt: claim.snapshotAt,
        snapshotEventId: claim.snapshotEventId,
      };
  const status =
    claim === undefined || statusRank[eventStatus] > statusRank[claim.status] ? eventStatus : claim.status;
  const isFailure = event.kind === 'claim.payment_failed';
  return defined<Claim>({
    claimId: snapshot.claimId,
    invoiceId: snapshot.invoiceId,
    provider: event.provider,
    customerId: event.customer.customerId,
    status,
    ...base,
    attemptCount: Math.max(claim?.attemptCount ?? 0, snapshot.attemptCount),
    firstFailedAt: isFailure ? minIso(claim?.firstFailedAt, at) : claim?.firstFailedAt,
    lastFailedAt: isFailure ? maxIso(claim?.lastFailedAt, at) : claim?.lastFailedAt,
    paidAt: event.kind === 'claim.paid' ? minIso(claim?.paidAt, snapshot.paidAt ?? at) : claim?.paidAt,
    writtenOffAt: event.kind === 'claim.written_off' ? minIso(claim?.writtenOffAt, at) : claim?.writtenOffAt,
    voidedAt: event.kind === 'claim.voided' ? minIso(claim?.voidedAt, at) : claim?.voidedAt,
    caseId: claim?.caseId,
  });
}
