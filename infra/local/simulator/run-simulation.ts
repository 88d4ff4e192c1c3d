import TinyQueue from 'tinyqueue';
import { defaultContactWindow } from '../../../shared/domain/contact-policy.ts';
import { availableSurfaces, type Channel, respondToMessage } from './debtor-behaviour.ts';
import { billingZonesOf, checkInvariants, type DebtorLocation, type DeliveryRecord } from './invariants.ts';
import { buildPopulation, type Subscriber } from './population.ts';
import { type CaseMessage, isCaseMessage, type ObservedMessage } from './product-client.ts';
import type { ProductTarget } from './product-target.ts';
import { SeededRandom } from './seeded-random.ts';
import {
  type BillingAction,
  type BillingPolicy,
  defaultBillingPolicy,
  type EmittedEvent,
  SimulatedBilling,
} from './simulated-billing.ts';
import { buildReport, type ResponseTally, type SimulationReport } from './simulation-report.ts';
import { eventPayload, signPayload } from './stripe-event-factory.ts';

export interface SimulationOptions {
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  /** Longest stretch of virtual time between two looks at the outbox (debtors react to what they see). */
  readonly maxStepMinutes?: number;
  /** Share of events Stripe delivers a second time (minutes later). */
  readonly duplicateRate?: number;
  /** Share of events delivered late (1-20 minutes), so later events may arrive first. */
  readonly lateRate?: number;
  readonly maxStateTransitions?: number;
  readonly billingPolicy?: BillingPolicy;
  readonly onProgress?: (progress: SimulationProgress) => void;
}

export interface SimulationProgress {
  readonly day: number;
  readonly days: number;
  readonly now: Date;
  readonly deliveries: number;
  readonly messages: number;
  readonly recoveries: number;
}

export interface SimulationTiming {
  readonly wallSeconds: number;
  readonly deliveries: number;
  readonly clockAdvances: number;
  readonly outboxPolls: number;
}

export interface SimulationResult {
  /** Deterministic: the same seed, options and product start time give the same report. */
  readonly report: SimulationReport;
  readonly timing: SimulationTiming;
}

type Work =
  | { readonly kind: 'billing'; readonly action: BillingAction }
  | {
      readonly kind: 'deliver';
      readonly emitted: EmittedEvent;
      readonly payload: string;
      readonly redelivery: boolean;
    }
  | {
      readonly kind: 'debtor';
      readonly response: 'pay' | 'update-card';
      readonly subscriber: number;
      readonly message: ObservedMessage;
    };

interface QueueItem {
  readonly at: number;
  readonly sequence: number;
  readonly work: Work;
}

const minute = 60_000;
const day = 24 * 60 * minute;

/** A short tag making every id of a run unique, so runs can share one store (`npm start`). */
export function runTag(seed: number, startAt: Date): string {
  return `S${seed.toString(36)}T${Math.floor(startAt.getTime() / 1000).toString(36)}`;
}

function unix(at: number): number {
  return Math.floor(at / 1000);
}

/**
 * Runs a population of subscribers through the product for `days` of virtual time, only through
 * its public surfaces: Stripe webhooks signed with the product's secret, the virtual clock, the
 * outbox (debtors react to the messages they get), then the metrics API, the journeys
 * and the cases, and checks the invariants.
 */
export async function runSimulation(
  target: ProductTarget,
  options: SimulationOptions,
): Promise<SimulationResult> {
  const wallStart = performance.now();
  const { client } = target;
  const random = new SeededRandom(options.seed);
  const networkRandom = random.fork('network');
  const maxStepMs = (options.maxStepMinutes ?? 15) * minute;
  const duplicateRate = options.duplicateRate ?? 0.015;
  const lateRate = options.lateRate ?? 0.02;

  const startAt = await client.now();
  const endAt = startAt.getTime() + options.days * day;
  const idTag = runTag(options.seed, startAt);
  const population = buildPopulation(random.fork('population'), { customers: options.customers, idTag });
  const subscriberByCustomer = new Map<string, Subscriber>(
    population.map((subscriber) => [`stripe:${subscriber.customerId}`, subscriber]),
  );

  const queue = new TinyQueue<QueueItem>([], (a, b) => a.at - b.at || a.sequence - b.sequence);
  let sequence = 0;
  let now = startAt.getTime();
  const enqueue = (at: number, work: Work): void => {
    queue.push({ at: Math.max(at, now), sequence: sequence++, work });
  };

  const deliveries: DeliveryRecord[] = [];
  const messages: CaseMessage[] = [];
  const messagesPerCase = new Map<string, number>();
  const responses = new Map<string, ResponseTally>();
  const debtorStreams = new Map<number, SeededRandom>();
  let clockAdvances = 0;
  let outboxPolls = 0;

  const billing = new SimulatedBilling(
    population,
    random.fork('billing'),
    options.billingPolicy ?? defaultBillingPolicy,
    idTag,
    (at, action) => enqueue(at.getTime(), { kind: 'billing', action }),
    (emitted) => {
      // Stripe delivers within seconds; a few deliveries are late, a few are repeated.
      const payload = eventPayload(emitted.event);
      const late = networkRandom.chance(lateRate);
      const latency = late ? networkRandom.int(60, 20 * 60) * 1000 : networkRandom.int(1, 3) * 1000;
      const deliverAt = emitted.at.getTime() + latency;
      enqueue(deliverAt, { kind: 'deliver', emitted, payload, redelivery: false });
      if (networkRandom.chance(duplicateRate)) {
        enqueue(deliverAt + networkRandom.int(5, 90) * minute, {
          kind: 'deliver',
          emitted,
          payload,
          redelivery: true,
        });
      }
    },
  );
  billing.start(startAt);

  const advanceTo = async (at: number): Promise<void> => {
    if (at > now) {
      now = (await client.advance((at - now) / 1000)).getTime();
      clockAdvances += 1;
    }
  };

  const deliver = async (work: Extract<Work, { kind: 'deliver' }>): Promise<void> => {
    const { event } = work.emitted;
    // The same bytes on a redelivery, freshly signed: exactly what Stripe does.
    const answer = await client.postStripe(
      work.payload,
      signPayload(work.payload, target.webhookSecret, unix(now)),
    );
    // Let the journeys this delivery started reach their first Wait before anything else happens
    // at this instant, so interleavings (and so the run) do not depend on the machine's speed.
    await client.advance(0);
    const invoice = event.data.object.object === 'invoice' ? event.data.object : undefined;
    const invoiceStatus = invoice?.status as DeliveryRecord['invoiceStatus'] | null | undefined;
    const productStatus = typeof answer.body.status === 'string' ? answer.body.status : undefined;
    const ignored = typeof answer.body.ignored === 'string';
    deliveries.push({
      eventId: event.id,
      type: event.type,
      ...(invoice?.id ? { invoiceId: invoice.id } : {}),
      customerId: population[work.emitted.subscriber]?.customerId ?? '',
      occurredAt: new Date(event.created * 1000).toISOString(),
      deliveredAt: new Date(now).toISOString(),
      redelivery: work.redelivery,
      status: answer.status,
      outcome: answer.status !== 200 ? 'error' : ignored ? 'ignored' : (productStatus ?? 'unknown'),
      ...(typeof answer.body.caseId === 'string' ? { caseId: answer.body.caseId } : {}),
      ...(invoiceStatus ? { invoiceStatus } : {}),
      ...(invoice?.status_transitions.paid_at
        ? { paidAt: new Date(invoice.status_transitions.paid_at * 1000).toISOString() }
        : {}),
      ...(invoice ? { amountMinor: invoice.amount_due, currency: invoice.currency.toUpperCase() } : {}),
    });
  };

  // A running product may hold earlier runs' messages, and their journeys keep sending as the
  // clock moves: read only what is new, and keep only this run's customers.
  let outboxOffset = (await client.outbox(0)).length;
  const observeOutbox = async (): Promise<void> => {
    const fresh = await client.outbox(outboxOffset);
    outboxOffset += fresh.length;
    outboxPolls += 1;
    for (const message of fresh) {
      if (!subscriberByCustomer.has(message.customerId) || !isCaseMessage(message)) continue;
      messages.push(message);
      const ordinal = (messagesPerCase.get(message.caseId) ?? 0) + 1;
      messagesPerCase.set(message.caseId, ordinal);
      const subscriber = subscriberByCustomer.get(message.customerId);
      const templateKey = message.template ?? message.stepId;
      const tally = responses.get(templateKey) ?? { messages: 0, pay: 0, updateCard: 0 };
      tally.messages += 1;
      responses.set(templateKey, tally);
      if (subscriber === undefined) continue;
      let stream = debtorStreams.get(subscriber.index);
      if (stream === undefined) {
        stream = random.fork(`debtor-${subscriber.index}`);
        debtorStreams.set(subscriber.index, stream);
      }
      const response = respondToMessage(
        {
          caseId: message.caseId,
          stepId: message.stepId,
          template: templateKey,
          channel: message.channel as Channel,
          sentAt: new Date(message.sentAt),
          ordinal,
        },
        { subscriber, ...billing.situationOf(subscriber.index) },
        stream,
        availableSurfaces,
      );
      if (response.kind === 'ignore') continue;
      if (response.kind === 'pay') tally.pay += 1;
      else tally.updateCard += 1;
      enqueue(response.at.getTime(), {
        kind: 'debtor',
        response: response.kind,
        subscriber: subscriber.index,
        message,
      });
    }
  };

  let lastReportedDay = -1;
  const report = (): void => {
    const dayIndex = Math.min(options.days, Math.floor((now - startAt.getTime()) / day));
    if (dayIndex === lastReportedDay || options.onProgress === undefined) return;
    lastReportedDay = dayIndex;
    const tallies = billing.tallies.recoveredBy;
    options.onProgress({
      day: dayIndex,
      days: options.days,
      now: new Date(now),
      deliveries: deliveries.length,
      messages: messages.length,
      recoveries: Object.values(tallies).reduce((sum, count) => sum + count, 0),
    });
  };

  for (;;) {
    const next = queue.peek();
    const stepTo = Math.min(next?.at ?? Number.POSITIVE_INFINITY, now + maxStepMs, endAt);
    await advanceTo(stepTo);
    await observeOutbox();
    for (let due = queue.peek(); due !== undefined && due.at <= now; due = queue.peek()) {
      queue.pop();
      const { work } = due;
      if (work.kind === 'billing') billing.handle(work.action, new Date(now));
      else if (work.kind === 'deliver') await deliver(work);
      else if (work.response === 'pay') billing.debtorPays(work.subscriber, new Date(now));
      else billing.debtorUpdatesCard(work.subscriber, new Date(now));
    }
    report();
    if (now >= endAt) break;
  }
  await client.advance(0);
  await observeOutbox();

  // The end-of-run view, through the same surfaces an operator uses.
  // The previous and the current month (UTC, the local runtime's default finance time zone).
  const end = new Date(now);
  const cohortMonths = [
    new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1)).toISOString().slice(0, 7),
    end.toISOString().slice(0, 7),
  ];
  const [metricsRows, executions, cases] = await Promise.all([
    client.cohortMetrics(cohortMonths),
    client.executions(),
    client.cases(),
  ]);
  const runCases = cases.filter((collectionCase) => subscriberByCustomer.has(collectionCase.customerId));
  const runExecutions = executions.filter((execution) =>
    runCases.some((collectionCase) => collectionCase.caseId === execution.name),
  );
  const debtors = new Map<string, DebtorLocation>(
    population.map((subscriber) => [
      `stripe:${subscriber.customerId}`,
      {
        billingZones: billingZonesOf(
          subscriber.locationData === 'time-zone' ? subscriber.timeZone : undefined,
          subscriber.locationData === 'none' ? undefined : subscriber.market.country,
        ),
        trueZone: subscriber.timeZone,
      },
    ]),
  );
  const invariantInput = {
    deliveries,
    messages,
    executions: runExecutions,
    cases: runCases,
    debtors,
    metrics: {
      rows: metricsRows,
      recomputedCohorts: cohortMonths,
      // Other runs' failed invoices in the same store (every failed invoice has a case).
      shared: cases.length > runCases.length,
    },
    contactWindow: defaultContactWindow,
    maxStateTransitions: options.maxStateTransitions ?? 30,
  };
  const violations = checkInvariants(invariantInput);
  for (const error of target.runtimeErrors) {
    violations.push({ invariant: 'journeys-end-cleanly', subject: 'runtime', detail: error });
  }

  const simulationReport = buildReport({
    options,
    mode: target.mode,
    idTag,
    startAt,
    endAt: new Date(now),
    population,
    billing,
    deliveries,
    messages,
    responses,
    invariantInput,
    violations,
    pendingAtEnd: queue.length,
  });
  return {
    report: simulationReport,
    timing: {
      wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
      deliveries: deliveries.length,
      clockAdvances,
      outboxPolls,
    },
  };
}
