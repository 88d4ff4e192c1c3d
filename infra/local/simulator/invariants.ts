import ct from 'countries-and-timezones';
import { DateTime, IANAZone } from 'luxon';
import type { ContactWindow } from '../../../shared/domain/contact-policy.ts';
import type { RecoveryFigures } from '../../../shared/domain/finance-metrics.ts';
import { contactPolicy } from '../../../workflows/policies.ts';
import type { LocalCaseView } from '../case-snapshot.ts';
import type { LocalExecution } from '../local-journey-engine.ts';
import type { CaseMessage, EmailedReport } from './product-client.ts';
import type { InvoiceStatus } from './stripe-event-factory.ts';

/**
 * The invariants a simulation run must keep, each checked from what the simulator sent and what
 * the product's public surfaces show, independently of the product's own code: the expected
 * states come from the simulated billing's ground truth, not from the product's rules.
 */
export type InvariantName =
  | 'every-event-applied-once'
  | 'no-message-after-settlement'
  | 'contact-within-window'
  | 'no-step-sent-twice'
  | 'case-consistent-with-events'
  | 'journey-within-transition-budget'
  | 'journeys-end-cleanly'
  | 'metrics-match-events'
  | 'no-message-after-opt-out'
  | 'consented-channels-only'
  | 'no-message-after-dispute'
  | 'no-contact-during-promise'
  | 'commitments-consistent'
  | 'monthly-close-delivered';

export const invariantNames: readonly InvariantName[] = [
  'every-event-applied-once',
  'no-message-after-settlement',
  'contact-within-window',
  'no-step-sent-twice',
  'case-consistent-with-events',
  'journey-within-transition-budget',
  'journeys-end-cleanly',
  'metrics-match-events',
  'no-message-after-opt-out',
  'consented-channels-only',
  'no-message-after-dispute',
  'no-contact-during-promise',
  'commitments-consistent',
  'monthly-close-delivered',
];

export interface Violation {
  readonly invariant: InvariantName;
  /** The case concerned, when there is one. */
  readonly caseId?: string;
  /** The event, invoice, message or cohort concerned. */
  readonly subject: string;
  readonly detail: string;
}

/** One delivery of one webhook event, as the simulator made it and as the product answered. */
export interface DeliveryRecord {
  readonly eventId: string;
  /** What the event means, in Stripe's terms (`invoice.paid`...), whichever provider sent it. */
  readonly type: string;
  /** Who sent it, and under which of its own event types (`transaction.completed`...). */
  readonly provider?: string;
  readonly providerType?: string;
  /** The provider's invoice id (as the product's claim has it), for invoice events and disputes. */
  readonly invoiceId?: string;
  /** The product's customer id (`stripe:cus_...`, `paddle:ctm_...`). */
  readonly customerId: string;
  /** The event's `created` (ISO). */
  readonly occurredAt: string;
  /** When it reached the product (virtual time, ISO). */
  readonly deliveredAt: string;
  /** A repeat of an event already delivered (Stripe redelivers). */
  readonly redelivery: boolean;
  readonly status: number;
  /** The product's `status` (`applied`, `duplicate`), `ignored` for types it does not handle, or `error`. */
  readonly outcome: string;
  readonly caseId?: string;
  /** The invoice's Stripe status inside the event. */
  readonly invoiceStatus?: InvoiceStatus;
  /** `status_transitions.paid_at` (ISO), on paid invoices. */
  readonly paidAt?: string;
  readonly amountMinor?: number;
  /** ISO 4217, upper case. */
  readonly currency?: string;
}

/** A debtor opting out of a channel: STOP to a text, or an email marked as spam. */
export interface OptOutRecord {
  /** The product's customer id (as the outbox names it). */
  readonly customerId: string;
  readonly channel: string;
  /** When the reply or complaint reached the product (virtual time, ISO). */
  readonly at: string;
  readonly caseId?: string;
  /** The message the debtor answered. */
  readonly answeredMessage: string;
  /** STOP reply, the email's unsubscribe link, or the spam button. */
  readonly via?: string;
  /** The injection route's HTTP answer. */
  readonly status: number;
}

/** A promise to pay the portal accepted. */
export interface PromiseRecord {
  readonly caseId: string;
  readonly customerId: string;
  /** Virtual time (ISO). */
  readonly madeAt: string;
  /** `YYYY-MM-DD` in the debtor's zone. */
  readonly promisedFor: string;
  /** Whether the debtor will pay on the promised day. */
  readonly keeps: boolean;
}

/** A payment plan the portal accepted. */
export interface PlanRecord {
  readonly caseId: string;
  readonly customerId: string;
  readonly agreedAt: string;
  readonly instalments: number;
  /** Whether every instalment will be paid (when not, the card fails before the second). */
  readonly keeps: boolean;
  /** When the last instalment falls due (ISO). */
  readonly lastDueAt: string;
}

/** Where a debtor is: per the billing data (what the product can know) and in truth. */
export interface DebtorLocation {
  /** Zones the billing data places the debtor in: see `billingZonesOf`. */
  readonly billingZones: readonly string[];
  readonly trueZone: string;
  /**
   * Consent per channel as the simulated billing sent it (metadata). The simulator never sends
   * START, so on channels that need consent it is the only source.
   */
  readonly billingConsent?: Readonly<Record<string, { consentAt: string; optedOutAt?: string }>>;
}

/**
 * One failure cohort (a month) in one currency, as `GET /api/metrics?period=<month>` answers it
 * (`currencies[].cohort` of the finance metrics, docs/metrics.md).
 */
export interface CohortMetricsRow extends RecoveryFigures {
  readonly cohortMonth: string;
  readonly currency: string;
}

export interface InvariantInput {
  readonly deliveries: readonly DeliveryRecord[];
  /** Messages sent for this run's cases (automatic replies without a case are not journey contact). */
  readonly messages: readonly CaseMessage[];
  readonly executions: readonly LocalExecution[];
  readonly cases: readonly LocalCaseView[];
  /** By the product's customer id (`stripe:cus_...`). */
  readonly debtors: ReadonlyMap<string, DebtorLocation>;
  /**
   * The failure cohorts of `GET /api/metrics?period=<month>` at the end of the run, and the months asked.
   * `shared` when the store also holds other runs' failed invoices (a long-lived `npm start`):
   * the rows must then cover this run's figures rather than equal them.
   */
  readonly metrics: {
    readonly rows: readonly CohortMetricsRow[];
    readonly recomputedCohorts: readonly string[];
    readonly shared?: boolean;
  };
  readonly contactWindow: ContactWindow;
  readonly maxStateTransitions: number;
  readonly optOuts: readonly OptOutRecord[];
  readonly promises: readonly PromiseRecord[];
  readonly plans: readonly PlanRecord[];
  /** The end of the run (virtual time, ISO): commitments are judged as they stand then. */
  readonly endAt: string;
  /** The finance reports of the run: what the archive lists, and what was emailed, and when. */
  readonly financeReports: {
    /** The start of the run (virtual time, ISO). */
    readonly startAt: string;
    /** Report ids in the archive (`GET /local/reports`) at the end of the run. */
    readonly archived: readonly string[];
    /** Reports that arrived in the outbox during the run. */
    readonly emailed: readonly EmailedReport[];
    /**
     * Whether the monthly close must arrive by email: in process the simulator gives it a
     * recipient; a running product may have none configured, and then only archives it.
     */
    readonly monthlyEmailExpected: boolean;
  };
}

/** The invoice events every claim is built from: the product must apply them. */
const handledTypes = new Set([
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
]);

/**
 * Events that change what the product must do, whoever sends them: subscription changes
 * (involuntary churn), chargebacks (stop contact) and a Paddle customer's contact details. They
 * must be applied or recorded, never ignored.
 */
const stateChangingTypes = new Set([
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'charge.dispute.created',
  'customer.created',
]);

/** Stripe's invoice lifecycle only moves forward: open → uncollectible → paid or void. */
const lifecycleRank: Record<InvoiceStatus, number> = { open: 0, uncollectible: 1, void: 2, paid: 2 };
const productStatusOf: Record<InvoiceStatus, string> = {
  open: 'failed',
  uncollectible: 'written_off',
  void: 'voided',
  paid: 'paid',
};

function accepted(delivery: DeliveryRecord): boolean {
  return delivery.status === 200 && (delivery.outcome === 'applied' || delivery.outcome === 'duplicate');
}

function invoiceDeliveries(input: InvariantInput): Map<string, DeliveryRecord[]> {
  const byInvoice = new Map<string, DeliveryRecord[]>();
  for (const delivery of input.deliveries) {
    if (delivery.invoiceId === undefined || !handledTypes.has(delivery.type) || !accepted(delivery)) continue;
    byInvoice.set(delivery.invoiceId, [...(byInvoice.get(delivery.invoiceId) ?? []), delivery]);
  }
  return byInvoice;
}

/**
 * Each event id applied exactly once: the first delivery of an invoice event is applied, every
 * repeat is a duplicate. Other event types may be applied (or recorded) the same way, or
 * acknowledged and ignored, but consistently for every delivery of the event. No delivery is refused.
 */
export function checkEventsAppliedOnce(input: InvariantInput): Violation[] {
  const violations: Violation[] = [];
  const seen = new Map<string, DeliveryRecord>();
  for (const delivery of input.deliveries) {
    const first = seen.get(delivery.eventId);
    const expected =
      first === undefined
        ? handledTypes.has(delivery.type)
          ? ['applied']
          : stateChangingTypes.has(delivery.type)
            ? ['applied', 'recorded']
            : ['applied', 'recorded', 'ignored']
        : first.outcome === 'ignored'
          ? ['ignored']
          : ['duplicate'];
    if (delivery.status !== 200 || !expected.includes(delivery.outcome)) {
      const caseId = delivery.caseId ?? first?.caseId;
      violations.push({
        invariant: 'every-event-applied-once',
        ...(caseId === undefined ? {} : { caseId }),
        subject: delivery.eventId,
        detail: `${delivery.redelivery ? 'redelivery' : 'delivery'} of ${delivery.type} at ${delivery.deliveredAt} answered ${delivery.status} ${delivery.outcome}, expected 200 ${expected.join(' or ')}`,
      });
    }
    if (first === undefined) seen.set(delivery.eventId, delivery);
  }
  return violations;
}

/**
 * When each case became settled from the product's point of view: every claim of the case had
 * a paying, voiding or writing-off event delivered. Undefined while one is still open.
 */
function settledAtByCase(input: InvariantInput): Map<string, string> {
  const byInvoice = invoiceDeliveries(input);
  const settled = new Map<string, string>();
  for (const collectionCase of input.cases) {
    let latest = '';
    let allSettled = collectionCase.claims.length > 0;
    for (const claim of collectionCase.claims) {
      const settling = (byInvoice.get(claim.invoiceId) ?? [])
        .filter((delivery) => delivery.type !== 'invoice.payment_failed')
        .map((delivery) => delivery.deliveredAt)
        .sort();
      const first = settling[0];
      if (first === undefined) allSettled = false;
      else if (first > latest) latest = first;
    }
    if (allSettled) settled.set(collectionCase.caseId, latest);
  }
  return settled;
}

/**
 * No message for a case after the product was told every claim of it was paid, voided or written
 * off, nor after the case was closed (for instance superseded by a newer case).
 */
export function checkNoMessageAfterSettlement(input: InvariantInput): Violation[] {
  const settledAt = settledAtByCase(input);
  const closedAt = new Map(
    input.cases.flatMap((collectionCase) =>
      collectionCase.closedAt ? [[collectionCase.caseId, collectionCase.closedAt] as const] : [],
    ),
  );
  return input.messages.flatMap((message) => {
    const sentAt = Date.parse(message.sentAt);
    const settled = settledAt.get(message.caseId);
    const closed = closedAt.get(message.caseId);
    const limit =
      settled !== undefined && sentAt > Date.parse(settled)
        ? `the case was settled at ${settled}`
        : closed !== undefined && sentAt > Date.parse(closed)
          ? `the case was closed at ${closed}`
          : undefined;
    if (limit === undefined) return [];
    return [
      {
        invariant: 'no-message-after-settlement' as const,
        caseId: message.caseId,
        subject: `${message.stepId} (${message.id})`,
        detail: `sent at ${message.sentAt}, after ${limit}`,
      },
    ];
  });
}

function isWithin(at: Date, zone: string, window: ContactWindow): boolean {
  const hour = DateTime.fromJSDate(at, { zone }).hour;
  return hour >= window.startHour && hour < window.endHour;
}

/**
 * Every journey message inside the contact window in every zone the billing data places the
 * debtor in. Automatic answers are not held to it: a STOP confirmation or a HELP answer replies at
 * once to a message the debtor just sent (carriers expect the confirmation immediately), so it
 * contacts nobody who did not write first.
 */
export function checkContactWindow(input: InvariantInput): Violation[] {
  return input.messages.flatMap((message) => {
    if (isAutomaticReply(message)) return [];
    const debtor = input.debtors.get(message.customerId);
    if (debtor === undefined) {
      return [
        {
          invariant: 'contact-within-window' as const,
          caseId: message.caseId,
          subject: message.customerId,
          detail: `message ${message.id} went to a customer the simulation does not know`,
        },
      ];
    }
    const at = new Date(message.sentAt);
    const outside = debtor.billingZones.filter((zone) => !isWithin(at, zone, input.contactWindow));
    if (outside.length === 0) return [];
    return [
      {
        invariant: 'contact-within-window' as const,
        caseId: message.caseId,
        subject: `${message.stepId} (${message.id})`,
        detail: `sent at ${message.sentAt}: outside ${input.contactWindow.startHour}:00-${input.contactWindow.endHour}:00 in ${outside
          .map((zone) => `${zone} (${DateTime.fromJSDate(at, { zone }).toFormat('HH:mm')})`)
          .join(', ')}`,
      },
    ];
  });
}

/** Messages outside the window in the debtor's true zone: only possible when the billing data lacks it. */
export function messagesOutsideTrueZone(input: InvariantInput): number {
  return input.messages.filter((message) => {
    const debtor = input.debtors.get(message.customerId);
    return debtor !== undefined && !isWithin(new Date(message.sentAt), debtor.trueZone, input.contactWindow);
  }).length;
}

/** At most one message per case and step. */
export function checkNoStepSentTwice(input: InvariantInput): Violation[] {
  const counts = new Map<string, CaseMessage[]>();
  for (const message of input.messages) {
    const key = `${message.caseId}\u0000${message.stepId}`;
    counts.set(key, [...(counts.get(key) ?? []), message]);
  }
  return [...counts.values()]
    .filter((messages) => messages.length > 1)
    .map((messages) => ({
      invariant: 'no-step-sent-twice' as const,
      caseId: messages[0]?.caseId ?? '',
      subject: messages[0]?.stepId ?? '',
      detail: `sent ${messages.length} times: ${messages.map((message) => message.sentAt).join(', ')}`,
    }));
}

/** The invoice's status after the events delivered: the latest one, Stripe's lifecycle breaking ties. */
function expectedStatus(deliveries: readonly DeliveryRecord[]): InvoiceStatus | undefined {
  let best: DeliveryRecord | undefined;
  for (const delivery of deliveries) {
    if (delivery.invoiceStatus === undefined) continue;
    if (
      best?.invoiceStatus === undefined ||
      delivery.occurredAt > best.occurredAt ||
      (delivery.occurredAt === best.occurredAt &&
        lifecycleRank[delivery.invoiceStatus] > lifecycleRank[best.invoiceStatus])
    ) {
      best = delivery;
    }
  }
  return best?.invoiceStatus;
}

function expectedCloseReason(statuses: readonly string[]): string | undefined {
  if (statuses.length === 0 || statuses.includes('failed')) return undefined;
  const distinct = new Set(statuses);
  return distinct.size > 1 ? 'resolved' : statuses[0];
}

/**
 * Every failed invoice is owned by exactly one case of its customer (a case superseded by a newer
 * one hands its open claims over and no longer owns them); each claim's status is what its
 * delivered events say; a case is open exactly while one of its claims is, and closed for the
 * right reason; a superseded case names a successor that holds its still-open claims.
 */
export function checkCasesConsistentWithEvents(input: InvariantInput): Violation[] {
  const violations: Violation[] = [];
  const byInvoice = invoiceDeliveries(input);
  const caseOfClaim = new Map<string, string[]>();
  const byId = new Map(input.cases.map((collectionCase) => [collectionCase.caseId, collectionCase]));
  for (const collectionCase of input.cases) {
    if (collectionCase.closeReason === 'superseded') continue;
    for (const claim of collectionCase.claims) {
      caseOfClaim.set(claim.claimId, [...(caseOfClaim.get(claim.claimId) ?? []), collectionCase.caseId]);
    }
  }
  for (const [invoiceId, deliveries] of byInvoice) {
    const failed = deliveries.some((delivery) => delivery.type === 'invoice.payment_failed');
    const provider = deliveries[0]?.provider ?? 'stripe';
    const cases = caseOfClaim.get(`${provider}:${invoiceId}`) ?? [];
    if (failed && cases.length !== 1) {
      violations.push({
        invariant: 'case-consistent-with-events',
        ...(cases[0] ? { caseId: cases[0] } : {}),
        subject: invoiceId,
        detail: `a failed invoice is owned by ${cases.length} cases (${cases.join(', ') || 'none'}), expected 1`,
      });
    }
  }
  for (const collectionCase of input.cases) {
    const statuses: string[] = [];
    for (const claim of collectionCase.claims) {
      const deliveries = byInvoice.get(claim.invoiceId) ?? [];
      const expected = expectedStatus(deliveries);
      const expectedProductStatus = expected === undefined ? undefined : productStatusOf[expected];
      statuses.push(claim.status);
      if (expectedProductStatus !== claim.status) {
        violations.push({
          invariant: 'case-consistent-with-events',
          caseId: collectionCase.caseId,
          subject: claim.invoiceId,
          detail: `claim is ${claim.status}, its delivered events say ${expectedProductStatus ?? 'nothing'}`,
        });
      }
      const customer = deliveries[0]?.customerId;
      if (customer !== undefined && collectionCase.customerId !== customer) {
        violations.push({
          invariant: 'case-consistent-with-events',
          caseId: collectionCase.caseId,
          subject: claim.invoiceId,
          detail: `invoice of ${customer} is in a case of ${collectionCase.customerId}`,
        });
      }
    }
    if (collectionCase.closeReason === 'superseded') {
      const successor = collectionCase.supersededBy ? byId.get(collectionCase.supersededBy) : undefined;
      const handedOver = new Set(successor?.claims.map((claim) => claim.claimId) ?? []);
      const stranded = collectionCase.claims.filter(
        (claim) => claim.status === 'failed' && !handedOver.has(claim.claimId),
      );
      if (collectionCase.status !== 'closed' || successor === undefined || stranded.length > 0) {
        violations.push({
          invariant: 'case-consistent-with-events',
          caseId: collectionCase.caseId,
          subject: collectionCase.caseId,
          detail:
            successor === undefined
              ? `superseded by ${collectionCase.supersededBy ?? 'nothing'}, which is not a case`
              : `superseded by ${successor.caseId}, which does not hold its open claims ${stranded.map((claim) => claim.invoiceId).join(', ')}`,
        });
      }
      continue;
    }
    const reason = expectedCloseReason(statuses);
    const expectedCaseStatus = reason === undefined ? 'open' : 'closed';
    if (
      collectionCase.status !== expectedCaseStatus ||
      (reason !== undefined && collectionCase.closeReason !== reason)
    ) {
      violations.push({
        invariant: 'case-consistent-with-events',
        caseId: collectionCase.caseId,
        subject: collectionCase.caseId,
        detail: `case is ${collectionCase.status}${collectionCase.closeReason ? ` (${collectionCase.closeReason})` : ''}, its claims (${statuses.join(', ')}) say ${expectedCaseStatus}${reason ? ` (${reason})` : ''}`,
      });
    }
  }
  return violations;
}

/** Each journey within its budget of state transitions (Step Functions bills each one). */
export function checkJourneyTransitions(input: InvariantInput): Violation[] {
  return input.executions
    .filter((execution) => execution.stateTransitions > input.maxStateTransitions)
    .map((execution) => ({
      invariant: 'journey-within-transition-budget' as const,
      caseId: execution.caseId,
      subject: execution.name,
      detail: `${execution.stateTransitions} state transitions, budget ${input.maxStateTransitions}`,
    }));
}

/** No journey execution failed. */
export function checkJourneysEndCleanly(input: InvariantInput): Violation[] {
  return input.executions
    .filter((execution) => execution.status === 'FAILED')
    .map((execution) => ({
      invariant: 'journeys-end-cleanly' as const,
      caseId: execution.caseId,
      subject: execution.name,
      detail: `journey failed: ${execution.error ?? 'no error recorded'}`,
    }));
}

export interface CohortTally {
  readonly cohortMonth: string;
  readonly currency: string;
  failedAmountMinor: number;
  failedCount: number;
  recoveredAmountMinor: number;
  recoveredCount: number;
}

/**
 * The recovery cohorts (DOMAIN.md §6) recomputed from the delivered events alone: cohort = UTC
 * month of the first failure; voided invoices left out; recovered = paid no later than written off.
 */
export function cohortTalliesFromDeliveries(deliveries: readonly DeliveryRecord[]): CohortTally[] {
  const byInvoice = new Map<string, DeliveryRecord[]>();
  for (const delivery of deliveries) {
    if (delivery.invoiceId === undefined || !handledTypes.has(delivery.type) || !accepted(delivery)) continue;
    byInvoice.set(delivery.invoiceId, [...(byInvoice.get(delivery.invoiceId) ?? []), delivery]);
  }
  const tallies = new Map<string, CohortTally>();
  for (const invoiceDeliveryList of byInvoice.values()) {
    const failures = invoiceDeliveryList.filter((delivery) => delivery.type === 'invoice.payment_failed');
    const firstFailure = failures.map((delivery) => delivery.occurredAt).sort()[0];
    if (firstFailure === undefined) continue;
    const sample = invoiceDeliveryList[0];
    if (sample?.currency === undefined || sample.amountMinor === undefined) continue;
    const cohortMonth = firstFailure.slice(0, 7);
    const key = `${cohortMonth} ${sample.currency}`;
    let tally = tallies.get(key);
    if (tally === undefined) {
      tally = {
        cohortMonth,
        currency: sample.currency,
        failedAmountMinor: 0,
        failedCount: 0,
        recoveredAmountMinor: 0,
        recoveredCount: 0,
      };
      tallies.set(key, tally);
    }
    if (invoiceDeliveryList.some((delivery) => delivery.type === 'invoice.voided')) continue;
    tally.failedAmountMinor += sample.amountMinor;
    tally.failedCount += 1;
    const paidAt = invoiceDeliveryList
      .flatMap((delivery) => (delivery.paidAt ? [delivery.paidAt] : []))
      .sort()[0];
    const writtenOffAt = invoiceDeliveryList
      .filter((delivery) => delivery.type === 'invoice.marked_uncollectible')
      .map((delivery) => delivery.occurredAt)
      .sort()[0];
    if (
      paidAt !== undefined &&
      (writtenOffAt === undefined || Date.parse(paidAt) <= Date.parse(writtenOffAt))
    ) {
      tally.recoveredAmountMinor += sample.amountMinor;
      tally.recoveredCount += 1;
    }
  }
  return [...tallies.values()].sort(
    (a, b) => a.cohortMonth.localeCompare(b.cohortMonth) || a.currency.localeCompare(b.currency),
  );
}

/** The cohorts `GET /api/metrics` answers at the end of the run match the delivered events exactly. */
export function checkMetricsMatchEvents(input: InvariantInput): Violation[] {
  const violations: Violation[] = [];
  const expected = cohortTalliesFromDeliveries(input.deliveries).filter((tally) =>
    input.metrics.recomputedCohorts.includes(tally.cohortMonth),
  );
  const rows = input.metrics.rows.filter((row) => input.metrics.recomputedCohorts.includes(row.cohortMonth));
  const fields = ['failedAmountMinor', 'failedCount', 'recoveredAmountMinor', 'recoveredCount'] as const;
  for (const tally of expected) {
    const row = rows.find(
      (candidate) => candidate.cohortMonth === tally.cohortMonth && candidate.currency === tally.currency,
    );
    const subject = `${tally.cohortMonth} ${tally.currency}`;
    if (row === undefined) {
      violations.push({
        invariant: 'metrics-match-events',
        subject,
        detail: 'no metrics row for this cohort',
      });
      continue;
    }
    const wrong = fields.filter((field) =>
      input.metrics.shared ? row[field] < tally[field] : row[field] !== tally[field],
    );
    if (wrong.length > 0) {
      violations.push({
        invariant: 'metrics-match-events',
        subject,
        detail: wrong
          .map(
            (field) =>
              `${field} ${row[field]}, events say ${input.metrics.shared ? 'at least ' : ''}${tally[field]}`,
          )
          .join('; '),
      });
    }
  }
  for (const row of rows) {
    const known = expected.some(
      (tally) => tally.cohortMonth === row.cohortMonth && tally.currency === row.currency,
    );
    if (!known && row.failedCount > 0 && !input.metrics.shared) {
      violations.push({
        invariant: 'metrics-match-events',
        subject: `${row.cohortMonth} ${row.currency}`,
        detail: `metrics report ${row.failedCount} failed invoices the delivered events do not explain`,
      });
    }
  }
  return violations;
}

/** Automatic answers (a STOP confirmation, a HELP answer): the product owes them, they are no journey contact. */
function isAutomaticReply(message: CaseMessage): boolean {
  return message.stepId.startsWith('reply-');
}

/**
 * No journey message on a channel to a customer after the customer opted out of it (STOP, or an
 * email marked as spam). The confirmation of a STOP is owed and is not journey contact.
 */
export function checkNoMessageAfterOptOut(input: InvariantInput): Violation[] {
  const optedOutAt = new Map<string, OptOutRecord>();
  for (const optOut of input.optOuts) {
    if (optOut.status !== 200) continue;
    const key = `${optOut.customerId}\u0000${optOut.channel}`;
    const earlier = optedOutAt.get(key);
    if (earlier === undefined || optOut.at < earlier.at) optedOutAt.set(key, optOut);
  }
  const violations: Violation[] = input.optOuts
    .filter((optOut) => optOut.status !== 200)
    .map((optOut) => ({
      invariant: 'no-message-after-opt-out' as const,
      ...(optOut.caseId ? { caseId: optOut.caseId } : {}),
      subject: `${optOut.channel} opt-out of ${optOut.customerId}`,
      detail: `the product answered the opt-out at ${optOut.at} with ${optOut.status}`,
    }));
  for (const message of input.messages) {
    if (isAutomaticReply(message)) continue;
    const optOut = optedOutAt.get(`${message.customerId}\u0000${message.channel}`);
    if (optOut === undefined || Date.parse(message.sentAt) <= Date.parse(optOut.at)) continue;
    violations.push({
      invariant: 'no-message-after-opt-out',
      caseId: message.caseId,
      subject: `${message.stepId} (${message.id})`,
      detail: `${message.channel} sent at ${message.sentAt}, after the debtor opted out of ${message.channel} at ${optOut.at}`,
    });
  }
  return violations;
}

/** Channels that need the debtor's consent (TCPA, Meta): the shipped contact policy's `consentRequired`. */
const consentChannels: ReadonlySet<string> = new Set(
  Object.entries(contactPolicy.consentRequired)
    .filter(([, required]) => required)
    .map(([channel]) => channel),
);

/**
 * No journey message on a channel that needs consent (SMS, voice, WhatsApp) to a debtor whose
 * billing data gave none, or withdrew it (an opt-out no earlier than the consent).
 */
export function checkConsentedChannelsOnly(input: InvariantInput): Violation[] {
  return input.messages.flatMap((message) => {
    if (isAutomaticReply(message) || !consentChannels.has(message.channel)) return [];
    const consent = input.debtors.get(message.customerId)?.billingConsent?.[message.channel];
    const consented =
      consent !== undefined && (consent.optedOutAt === undefined || consent.optedOutAt < consent.consentAt);
    if (consented) return [];
    return [
      {
        invariant: 'consented-channels-only' as const,
        caseId: message.caseId,
        subject: `${message.stepId} (${message.id})`,
        detail:
          consent === undefined
            ? `${message.channel} sent at ${message.sentAt} without the debtor's consent`
            : `${message.channel} sent at ${message.sentAt}, after the debtor withdrew consent in billing at ${consent.optedOutAt}`,
      },
    ];
  });
}

/** When each invoice's first dispute and first settling event reached the product. */
function invoiceMoments(
  input: InvariantInput,
): Map<string, { failed?: string; disputed?: string; settled?: string }> {
  const moments = new Map<string, { failed?: string; disputed?: string; settled?: string }>();
  for (const delivery of input.deliveries) {
    if (delivery.invoiceId === undefined || !accepted(delivery)) continue;
    const entry = moments.get(delivery.invoiceId) ?? {};
    const field =
      delivery.type === 'charge.dispute.created'
        ? 'disputed'
        : delivery.type === 'invoice.payment_failed'
          ? 'failed'
          : handledTypes.has(delivery.type)
            ? 'settled'
            : undefined;
    if (field !== undefined) {
      const current = entry[field];
      if (current === undefined || delivery.deliveredAt < current) entry[field] = delivery.deliveredAt;
    }
    moments.set(delivery.invoiceId, entry);
  }
  return moments;
}

/**
 * No journey message for a case once every claim it held was disputed or settled, at least one
 * disputed: a chargeback stops contact on its claim (DOMAIN.md §1, §3), and there is nothing left
 * to ask for.
 */
export function checkNoMessageAfterDispute(input: InvariantInput): Violation[] {
  const moments = invoiceMoments(input);
  const claimsByCase = new Map(
    input.cases.map((collectionCase) => [collectionCase.caseId, collectionCase.claims]),
  );
  const violations: Violation[] = [];
  for (const message of input.messages) {
    if (isAutomaticReply(message)) continue;
    const sentAt = message.sentAt;
    const held = (claimsByCase.get(message.caseId) ?? []).filter((claim) => {
      const failed = moments.get(claim.invoiceId)?.failed;
      return failed !== undefined && failed <= sentAt;
    });
    const disputed = held.filter((claim) => {
      const at = moments.get(claim.invoiceId)?.disputed;
      return at !== undefined && at < sentAt;
    });
    if (disputed.length === 0) continue;
    const contactable = held.filter((claim) => {
      const entry = moments.get(claim.invoiceId);
      const settledBefore = entry?.settled !== undefined && entry.settled < sentAt;
      const disputedBefore = entry?.disputed !== undefined && entry.disputed < sentAt;
      return !settledBefore && !disputedBefore;
    });
    if (contactable.length > 0) continue;
    violations.push({
      invariant: 'no-message-after-dispute',
      caseId: message.caseId,
      subject: `${message.stepId} (${message.id})`,
      detail: `sent at ${sentAt}, after the dispute of ${disputed
        .map((claim) => `${claim.invoiceId} (${moments.get(claim.invoiceId)?.disputed})`)
        .join(', ')}; nothing else was left to collect`,
    });
  }
  return violations;
}

/**
 * The first instant a promised day is over for the debtor, in whichever zone the billing data
 * may place them (the earliest of them: the invariant holds whatever zone the product chose).
 */
function endOfPromisedDay(promisedFor: string, zones: readonly string[]): number {
  const ends = (zones.length > 0 ? zones : ['UTC']).map((zone) =>
    DateTime.fromISO(promisedFor, { zone }).endOf('day').toMillis(),
  );
  return Math.min(...ends);
}

/** No journey message for a case between a promise to pay and the end of the promised day. */
export function checkNoContactDuringPromise(input: InvariantInput): Violation[] {
  const violations: Violation[] = [];
  for (const made of input.promises) {
    const zones = input.debtors.get(made.customerId)?.billingZones ?? [];
    const until = endOfPromisedDay(made.promisedFor, zones);
    for (const message of input.messages) {
      if (message.caseId !== made.caseId || isAutomaticReply(message)) continue;
      const sentAt = Date.parse(message.sentAt);
      if (sentAt <= Date.parse(made.madeAt) || sentAt > until) continue;
      violations.push({
        invariant: 'no-contact-during-promise',
        caseId: made.caseId,
        subject: `${message.stepId} (${message.id})`,
        detail: `sent at ${message.sentAt}, while the promise made at ${made.madeAt} to pay on ${made.promisedFor} stood`,
      });
    }
  }
  return violations;
}

const hourMs = 3_600_000;

/** The first moment an invoice event (paid, voided, written off) reached the product, per claim. */
function firstSettlement(input: InvariantInput): Map<string, { at: string; type: string }> {
  const first = new Map<string, { at: string; type: string }>();
  for (const delivery of input.deliveries) {
    if (delivery.invoiceId === undefined || !accepted(delivery) || !handledTypes.has(delivery.type)) continue;
    if (delivery.type === 'invoice.payment_failed') continue;
    const earlier = first.get(delivery.invoiceId);
    if (earlier === undefined || delivery.deliveredAt < earlier.at)
      first.set(delivery.invoiceId, { at: delivery.deliveredAt, type: delivery.type });
  }
  return first;
}

/**
 * Promises and plans the portal accepted stand on their case as made, and end as their events
 * say: once the hourly commitments job had its chance after the grace, a promise is kept when its
 * invoices were paid by the end of its grace and broken when not; before, it is not broken; a kept plan is
 * completed once its last instalment fell due, a plan whose card failed is broken once the
 * second instalment's two attempts were refused. Commitments whose invoices ended otherwise
 * (written off, voided, paid by a retry before the plan ended) are only checked for existence.
 */
export function checkCommitmentsConsistent(input: InvariantInput): Violation[] {
  const violations: Violation[] = [];
  const byCase = new Map(input.cases.map((collectionCase) => [collectionCase.caseId, collectionCase]));
  const settlement = firstSettlement(input);
  const end = Date.parse(input.endAt);
  const latestPromise = new Map<string, PromiseRecord>();
  for (const made of input.promises) latestPromise.set(made.caseId, made);
  for (const made of latestPromise.values()) {
    const view = byCase.get(made.caseId);
    const promise = view?.promiseToPay;
    const fail = (detail: string) =>
      violations.push({
        invariant: 'commitments-consistent',
        caseId: made.caseId,
        subject: `promise for ${made.promisedFor}`,
        detail,
      });
    if (view === undefined || promise === undefined || promise.promisedFor !== made.promisedFor) {
      fail(`the case shows ${promise ? `a promise for ${promise.promisedFor}` : 'no promise'}`);
      continue;
    }
    const graceUntil = Date.parse(promise.graceUntil);
    const ends = view.claims.map((claim) => settlement.get(claim.invoiceId));
    if (ends.some((entry) => entry !== undefined && entry.type !== 'invoice.paid')) continue;
    const paidBy = ends.every((entry) => entry !== undefined)
      ? Math.max(...ends.map((entry) => Date.parse(entry?.at ?? '')))
      : undefined;
    // The hourly commitments job settles a promise at the end of its grace (or once the case
    // closed): before then it may still be active; after, kept when its invoices were paid in time.
    const settledByJob = end > graceUntil + hourMs;
    if (!settledByJob) {
      if (promise.status === 'broken')
        fail(`promise is broken before its grace ended (${promise.graceUntil})`);
      continue;
    }
    const expected =
      paidBy !== undefined && paidBy <= graceUntil
        ? 'kept'
        : paidBy !== undefined && paidBy <= graceUntil + hourMs
          ? undefined
          : 'broken';
    if (expected !== undefined && promise.status !== expected) {
      fail(
        `promise is ${promise.status}, its invoices were ${paidBy === undefined ? 'not paid' : `paid at ${new Date(paidBy).toISOString()}`} (grace until ${promise.graceUntil}): expected ${expected}`,
      );
    }
  }
  const latestPlan = new Map<string, PlanRecord>();
  for (const agreed of input.plans) latestPlan.set(agreed.caseId, agreed);
  for (const agreed of latestPlan.values()) {
    const view = byCase.get(agreed.caseId);
    const plan = view?.paymentPlan;
    const fail = (detail: string) =>
      violations.push({
        invariant: 'commitments-consistent',
        caseId: agreed.caseId,
        subject: `plan of ${agreed.instalments} instalments agreed at ${agreed.agreedAt}`,
        detail,
      });
    if (view === undefined || plan === undefined || plan.instalments.length !== agreed.instalments) {
      fail(`the case shows ${plan ? `a plan of ${plan.instalments.length} instalments` : 'no plan'}`);
      continue;
    }
    const lastDue = Date.parse(agreed.lastDueAt);
    // The second instalment falls due 14 days in; two attempts 24 h apart, then the hourly job.
    const secondMissedBy = Date.parse(agreed.agreedAt) + (14 * 24 + 2 * 24 + 2) * hourMs;
    const endedOtherwise = view.claims.some((claim) => {
      const entry = settlement.get(claim.invoiceId);
      return (
        entry !== undefined && (entry.type !== 'invoice.paid' || Date.parse(entry.at) < lastDue - hourMs)
      );
    });
    if (endedOtherwise) continue;
    const expected = agreed.keeps
      ? end > lastDue + 2 * hourMs
        ? 'completed'
        : 'active'
      : end > secondMissedBy
        ? 'broken'
        : end < Date.parse(agreed.agreedAt) + 13 * 24 * hourMs
          ? 'active'
          : undefined;
    if (expected !== undefined && plan.status !== expected) {
      fail(
        `plan is ${plan.status} (${plan.instalments.map((one) => one.status).join(', ')}): expected ${expected}`,
      );
    }
    if (plan.status === 'completed') {
      const unpaid = view.claims.filter((claim) => claim.status !== 'paid');
      if (unpaid.length > 0)
        fail(
          `plan completed, but ${unpaid.map((claim) => `${claim.invoiceId} is ${claim.status}`).join(', ')}`,
        );
    }
  }
  return violations;
}

const hour = 3_600_000;

/**
 * The months whose close fell inside the run. The close runs on the 1st at 08:00 in the company's
 * time zone, which the simulator does not know: between 18:00 UTC the day before (UTC+14) and
 * 20:00 UTC on the 1st (UTC-12). A month counts only when that whole span lies inside the run.
 */
export function monthsClosedDuring(startAt: string, endAt: string): string[] {
  const start = Date.parse(startAt);
  const end = Date.parse(endAt);
  const months: string[] = [];
  const first = new Date(start);
  for (let year = first.getUTCFullYear(), month = first.getUTCMonth(); ; month += 1) {
    const closeDay = Date.UTC(year, month + 1, 1);
    if (closeDay + 20 * hour > end) break;
    if (closeDay - 6 * hour >= start)
      months.push(new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 7));
  }
  return months;
}

/** The files a monthly close carries: the four CSV files and every kind of chart. */
const monthlyCloseCsvFiles = ['summary.csv', 'breakdowns.csv', 'buckets.csv', 'lift.csv'];
const monthlyCloseCharts = ['cohorts-', 'aging-', 'attribution-'];

/**
 * Every month that closed during the run has its monthly close archived, and emailed exactly once
 * with its charts (PNG) and CSV files; no report is ever emailed twice.
 */
export function checkMonthlyCloseDelivered(input: InvariantInput): Violation[] {
  const { financeReports } = input;
  const violations: Violation[] = [];
  const add = (subject: string, detail: string): void => {
    violations.push({ invariant: 'monthly-close-delivered', subject, detail });
  };
  const emailedById = new Map<string, EmailedReport[]>();
  for (const report of financeReports.emailed)
    emailedById.set(report.reportId, [...(emailedById.get(report.reportId) ?? []), report]);
  for (const [reportId, emails] of emailedById) {
    if (emails.length > 1)
      add(reportId, `emailed ${emails.length} times (${emails.map((email) => email.sentAt).join(', ')})`);
  }
  for (const month of monthsClosedDuring(financeReports.startAt, input.endAt)) {
    const reportId = `monthly-${month}`;
    if (!financeReports.archived.includes(reportId))
      add(reportId, `the monthly close of ${month} is not in the archive`);
    if (!financeReports.monthlyEmailExpected) continue;
    const email = emailedById.get(reportId)?.[0];
    if (email === undefined) {
      add(reportId, `the monthly close of ${month} never arrived by email`);
      continue;
    }
    const missing = [
      ...monthlyCloseCsvFiles.filter((file) => !email.files.includes(file)),
      ...monthlyCloseCharts
        .filter((chart) => !email.files.some((file) => file.startsWith(chart) && file.endsWith('.png')))
        .map((chart) => `${chart}*.png`),
    ];
    if (missing.length > 0) add(reportId, `the email lacks ${missing.join(', ')}`);
  }
  return violations;
}

export const invariantCheckers: Record<InvariantName, (input: InvariantInput) => Violation[]> = {
  'every-event-applied-once': checkEventsAppliedOnce,
  'no-message-after-settlement': checkNoMessageAfterSettlement,
  'contact-within-window': checkContactWindow,
  'no-step-sent-twice': checkNoStepSentTwice,
  'case-consistent-with-events': checkCasesConsistentWithEvents,
  'journey-within-transition-budget': checkJourneyTransitions,
  'journeys-end-cleanly': checkJourneysEndCleanly,
  'metrics-match-events': checkMetricsMatchEvents,
  'no-message-after-opt-out': checkNoMessageAfterOptOut,
  'consented-channels-only': checkConsentedChannelsOnly,
  'no-message-after-dispute': checkNoMessageAfterDispute,
  'no-contact-during-promise': checkNoContactDuringPromise,
  'commitments-consistent': checkCommitmentsConsistent,
  'monthly-close-delivered': checkMonthlyCloseDelivered,
};

export function checkInvariants(input: InvariantInput): Violation[] {
  return invariantNames.flatMap((name) => invariantCheckers[name](input));
}

function zonesOfCountry(country: string): string[] {
  return (ct.getCountry(country.toUpperCase())?.timezones ?? []).filter((zone) => IANAZone.isValidZone(zone));
}

/**
 * The zones the billing data places a debtor in (what the contact policy can go by): its
 * `time_zone`; else every zone of its country and of its phone number's country (both when they
 * differ); else every zone of the countries the configured contact policy assumes for an unknown
 * location (`unknownLocationCountries`), else UTC.
 */
export function billingZonesOf(
  timeZone: string | undefined,
  country: string | undefined,
  unknownLocationCountries: readonly string[] = contactPolicy.unknownLocationCountries,
  phoneCountry?: string,
): string[] {
  if (timeZone) return [timeZone];
  const fromCountry = country ? zonesOfCountry(country) : [];
  const fromPhone = phoneCountry ? zonesOfCountry(phoneCountry) : [];
  const zones = [
    ...fromCountry,
    ...(phoneCountry?.toUpperCase() !== country?.toUpperCase() ? fromPhone : []),
  ];
  if (zones.length > 0) return [...new Set(zones)];
  const fallback = unknownLocationCountries.flatMap(zonesOfCountry);
  return fallback.length > 0 ? [...new Set(fallback)] : ['UTC'];
}
