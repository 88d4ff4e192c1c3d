import ct from 'countries-and-timezones';
import { DateTime, IANAZone } from 'luxon';
import type { ContactWindow } from '../../../shared/domain/contact-policy.ts';
import { contactPolicy } from '../../../workflows/policies.ts';
import type { LocalCaseView } from '../case-snapshot.ts';
import type { LocalExecution } from '../local-journey-engine.ts';
import type { CaseMessage } from './product-client.ts';
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
  | 'metrics-match-events';

export const invariantNames: readonly InvariantName[] = [
  'every-event-applied-once',
  'no-message-after-settlement',
  'contact-within-window',
  'no-step-sent-twice',
  'case-consistent-with-events',
  'journey-within-transition-budget',
  'journeys-end-cleanly',
  'metrics-match-events',
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
  readonly type: string;
  /** Stripe's invoice id, for invoice events. */
  readonly invoiceId?: string;
  /** Stripe's customer id (`cus_...`). */
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

/** Where a debtor is: per the billing data (what the product can know) and in truth. */
export interface DebtorLocation {
  /** Zones the billing data places the debtor in: see `billingZonesOf`. */
  readonly billingZones: readonly string[];
  readonly trueZone: string;
}

/**
 * One failure cohort (a month) in one currency, as `GET /api/metrics?period=<month>` answers it
 * (`currencies[].cohort` of the finance metrics, docs/metrics.md).
 */
export interface CohortMetricsRow {
  readonly cohortMonth: string;
  readonly currency: string;
  readonly failedAmountMinor: number;
  readonly failedCount: number;
  readonly recoveredAmountMinor: number;
  readonly recoveredCount: number;
  readonly recoveryRateAmount: number | null;
  readonly recoveryRateCount: number | null;
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
}

/** The invoice events every claim is built from: the product must apply them. */
const handledTypes = new Set([
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
]);

const claimIdOf = (invoiceId: string): string => `stripe:${invoiceId}`;

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

/** Every message inside the contact window in every zone the billing data places the debtor in. */
export function checkContactWindow(input: InvariantInput): Violation[] {
  return input.messages.flatMap((message) => {
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
    const cases = caseOfClaim.get(claimIdOf(invoiceId)) ?? [];
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
      if (customer !== undefined && collectionCase.customerId !== `stripe:${customer}`) {
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
      caseId: execution.name,
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
      caseId: execution.name,
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

export const invariantCheckers: Record<InvariantName, (input: InvariantInput) => Violation[]> = {
  'every-event-applied-once': checkEventsAppliedOnce,
  'no-message-after-settlement': checkNoMessageAfterSettlement,
  'contact-within-window': checkContactWindow,
  'no-step-sent-twice': checkNoStepSentTwice,
  'case-consistent-with-events': checkCasesConsistentWithEvents,
  'journey-within-transition-budget': checkJourneyTransitions,
  'journeys-end-cleanly': checkJourneysEndCleanly,
  'metrics-match-events': checkMetricsMatchEvents,
};

export function checkInvariants(input: InvariantInput): Violation[] {
  return invariantNames.flatMap((name) => invariantCheckers[name](input));
}

function zonesOfCountry(country: string): string[] {
  return (ct.getCountry(country.toUpperCase())?.timezones ?? []).filter((zone) => IANAZone.isValidZone(zone));
}

/**
 * The zones the billing data places a debtor in (what the contact policy can go by): its
 * `time_zone`, else every zone of its country, else every zone of the countries the configured
 * contact policy assumes for an unknown location (`unknownLocationCountries`), else UTC.
 */
export function billingZonesOf(
  timeZone: string | undefined,
  country: string | undefined,
  unknownLocationCountries: readonly string[] = contactPolicy.unknownLocationCountries,
): string[] {
  if (timeZone) return [timeZone];
  const zones = country ? zonesOfCountry(country) : [];
  if (zones.length > 0) return [...zones];
  const fallback = unknownLocationCountries.flatMap(zonesOfCountry);
  return fallback.length > 0 ? [...new Set(fallback)] : ['UTC'];
}
