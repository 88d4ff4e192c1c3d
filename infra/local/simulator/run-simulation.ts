import { DateTime } from 'luxon';
import TinyQueue from 'tinyqueue';
import { defaultContactWindow } from '../../../shared/domain/contact-policy.ts';
import { defaultPortalPolicy } from '../../../shared/domain/portal/portal-policy.ts';
import { emailComplaint, inboundStop } from './channel-event-factory.ts';
import {
  availableSurfaces,
  type Channel,
  type DebtorResponse,
  type DebtorStreams,
  respondToMessage,
} from './debtor-behaviour.ts';
import {
  billingZonesOf,
  checkInvariants,
  type DebtorLocation,
  type DeliveryRecord,
  type OptOutRecord,
  type PlanRecord,
  type PromiseRecord,
} from './invariants.ts';
import { buildPopulation, type Subscriber } from './population.ts';
import { type PortalOutcome, PortalVisitor } from './portal-visitor.ts';
import {
  type CaseMessage,
  type EmailedReport,
  isCaseMessage,
  type ObservedMessage,
} from './product-client.ts';
import type { ProductTarget } from './product-target.ts';
import {
  authenticate,
  type ProviderDelivery,
  paddleCustomerCreated,
  productCustomerId,
  providerDelivery,
} from './provider-event-factory.ts';
import { SeededRandom } from './seeded-random.ts';
import {
  type BillingAction,
  type BillingPolicy,
  defaultBillingPolicy,
  type EmittedEvent,
  SimulatedBilling,
} from './simulated-billing.ts';
import {
  buildReport,
  emptyResponseTally,
  type PortalTally,
  type ResponseTally,
  type SimulationReport,
} from './simulation-report.ts';

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
  /**
   * Bill a share of the population through Paddle, Chargebee and the in-house format.
   * @default true
   */
  readonly providers?: boolean;
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
  /** Requests that moved the clock forward (each reads the outbox and may take several steps). */
  readonly clockAdvances: number;
  /** Steps of at most `maxStepMinutes` those requests took, each followed by a look at the outbox. */
  readonly clockSteps: number;
  /** Reads of the outbox on their own (`GET /local/outbox`). */
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
      readonly delivery: ProviderDelivery;
      readonly redelivery: boolean;
    }
  /** Paddle's `customer.created`: its transactions carry no contact details. */
  | { readonly kind: 'introduce'; readonly subscriber: number; readonly delivery: ProviderDelivery }
  | {
      readonly kind: 'debtor';
      readonly response: Exclude<DebtorResponse, { kind: 'ignore' }>;
      readonly subscriber: number;
      readonly message: ObservedMessage;
    }
  /** A debtor keeping a promise: pays on the promised day. */
  | { readonly kind: 'keep-promise'; readonly subscriber: number; readonly message: ObservedMessage }
  /** The last instalment of a kept plan is due: the product settles the invoices out of band. */
  | { readonly kind: 'plan-settles'; readonly subscriber: number; readonly invoiceIds: readonly string[] }
  /** A debtor breaking a plan: the card on file stops working before the next instalment. */
  | { readonly kind: 'plan-card-fails'; readonly customerId: string };

interface QueueItem {
  readonly at: number;
  readonly sequence: number;
  readonly work: Work;
}

const minute = 60_000;
const day = 24 * 60 * minute;
/** Days between instalments: the portal's policy (docs/portal.md). */
const planIntervalDays = defaultPortalPolicy.paymentPlan.intervalDays;

/** A short tag making every id of a run unique, so runs can share one store (`npm start`). */
export function runTag(seed: number, startAt: Date): string {
  return `S${seed.toString(36)}T${Math.floor(startAt.getTime() / 1000).toString(36)}`;
}

function unix(at: number): number {
  return Math.floor(at / 1000);
}

/** The product's answer to a webhook: `applied`, `duplicate`, `recorded`, `ignored`, or `error`. */
function outcomeOf(answer: { status: number; body: Record<string, unknown> }): string {
  if (answer.status !== 200) return 'error';
  if (typeof answer.body.ignored === 'string') return 'ignored';
  return typeof answer.body.status === 'string' ? answer.body.status : 'unknown';
}

/**
 * The zones a subscriber's billing data places them in, as each provider carries location:
 * Stripe and the in-house format the time zone and the country, Chargebee the billing country,
 * Paddle's transactions and customers neither.
 */
function billingZonesOfSubscriber(subscriber: Subscriber): string[] {
  const country = subscriber.locationData === 'none' ? undefined : subscriber.market.country;
  const zone = subscriber.locationData === 'time-zone' ? subscriber.timeZone : undefined;
  // The mobile number's country (its calling code) locates the debtor too (Paddle holds none).
  const phoneCountry = subscriber.phone === undefined ? undefined : subscriber.market.country;
  switch (subscriber.provider) {
    case 'stripe':
    case 'inhouse':
      return billingZonesOf(zone, country, undefined, phoneCountry);
    case 'chargebee':
      return billingZonesOf(undefined, country, undefined, phoneCountry);
    case 'paddle':
      return billingZonesOf(undefined, undefined);
  }
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
  const population = buildPopulation(random.fork('population'), {
    customers: options.customers,
    idTag,
    providers: options.providers ?? true,
    startAt,
  });
  const subscriberByCustomer = new Map<string, Subscriber>(
    population.map((subscriber) => [productCustomerId(subscriber), subscriber]),
  );
  const withheldByProvider: Record<string, number> = {};

  const queue = new TinyQueue<QueueItem>([], (a, b) => a.at - b.at || a.sequence - b.sequence);
  let sequence = 0;
  let now = startAt.getTime();
  const enqueue = (at: number, work: Work): void => {
    queue.push({ at: Math.max(at, now), sequence: sequence++, work });
  };

  const deliveries: DeliveryRecord[] = [];
  const messages: CaseMessage[] = [];
  /** Finance reports the product emailed during the run (the monthly close, and any other). */
  const emailedReports: EmailedReport[] = [];
  const messagesPerCase = new Map<string, number>();
  const responses = new Map<string, ResponseTally>();
  const debtorStreams = new Map<number, DebtorStreams>();
  const optOuts: OptOutRecord[] = [];
  const promises: PromiseRecord[] = [];
  const plans: PlanRecord[] = [];
  /** Debtors whose bank disputed a charge: they no longer answer messages. */
  const disputing = new Set<number>();
  const portal: PortalTally = { visits: 0, noSession: 0, accepted: {}, refused: {} };
  let clockAdvances = 0;
  let clockSteps = 0;
  let outboxPolls = 0;

  const billing = new SimulatedBilling(
    population,
    random.fork('billing'),
    options.billingPolicy ?? defaultBillingPolicy,
    idTag,
    (at, action) => enqueue(at.getTime(), { kind: 'billing', action }),
    (emitted) => {
      // As billing holds the subscriber at the event: an email the merchant added late included.
      const subscriber = emitted.billedAs;
      const delivery = providerDelivery(emitted.event, subscriber, emitted.invoiceId);
      if (delivery === undefined) {
        // The provider has no such event (e.g. Chargebee has no past-due subscription status).
        const key = `${subscriber.provider} ${emitted.event.type}`;
        withheldByProvider[key] = (withheldByProvider[key] ?? 0) + 1;
        return;
      }
      // Providers deliver within seconds; a few deliveries are late, a few are repeated.
      const late = networkRandom.chance(lateRate);
      const latency = late ? networkRandom.int(60, 20 * 60) * 1000 : networkRandom.int(1, 3) * 1000;
      const deliverAt = emitted.at.getTime() + latency;
      enqueue(deliverAt, { kind: 'deliver', emitted, delivery, redelivery: false });
      if (networkRandom.chance(duplicateRate)) {
        enqueue(deliverAt + networkRandom.int(5, 90) * minute, {
          kind: 'deliver',
          emitted,
          delivery,
          redelivery: true,
        });
      }
    },
  );
  billing.start(startAt);
  // Paddle customers exist before their first transaction: the product learns their contact then.
  for (const subscriber of population) {
    if (subscriber.provider !== 'paddle') continue;
    const at = new Date(startAt.getTime() + 1000 + (subscriber.index % 600) * 1000);
    const eventId = `evt_${idTag}ctm${subscriber.index.toString(36)}`;
    enqueue(at.getTime(), {
      kind: 'introduce',
      subscriber: subscriber.index,
      delivery: paddleCustomerCreated(subscriber, eventId, at),
    });
  }

  const introduce = async (work: Extract<Work, { kind: 'introduce' }>): Promise<void> => {
    const answer = await client.postWebhook(
      work.delivery.path,
      work.delivery.payload,
      authenticate(work.delivery, target.credentials, unix(now)),
    );
    client.settleBeforeNextRequest();
    const subscriber = population[work.subscriber];
    const eventId = (JSON.parse(work.delivery.payload) as { event_id: string }).event_id;
    deliveries.push({
      eventId,
      type: 'customer.created',
      provider: 'paddle',
      providerType: 'customer.created',
      customerId: subscriber ? productCustomerId(subscriber) : '',
      occurredAt: new Date(now).toISOString(),
      deliveredAt: new Date(now).toISOString(),
      redelivery: false,
      status: answer.status,
      outcome: outcomeOf(answer),
    });
  };

  const deliver = async (work: Extract<Work, { kind: 'deliver' }>): Promise<void> => {
    const { event } = work.emitted;
    const { delivery } = work;
    // The same bytes on a redelivery, freshly authenticated: exactly what providers do.
    const answer = await client.postWebhook(
      delivery.path,
      delivery.payload,
      authenticate(delivery, target.credentials, unix(now)),
    );
    // Let the journeys this delivery started reach their first Wait before anything else happens
    // at this instant, so interleavings (and so the run) do not depend on the machine's speed.
    client.settleBeforeNextRequest();
    const invoice = event.data.object.object === 'invoice' ? event.data.object : undefined;
    const invoiceId = delivery.invoiceId;
    const invoiceStatus = invoice?.status as DeliveryRecord['invoiceStatus'] | null | undefined;
    const subscriber = population[work.emitted.subscriber];
    deliveries.push({
      eventId: event.id,
      type: event.type,
      provider: delivery.provider,
      providerType: delivery.providerType,
      ...(invoiceId ? { invoiceId } : {}),
      customerId: subscriber ? productCustomerId(subscriber) : '',
      occurredAt: new Date(event.created * 1000).toISOString(),
      deliveredAt: new Date(now).toISOString(),
      redelivery: work.redelivery,
      status: answer.status,
      outcome: outcomeOf(answer),
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
  const observe = (fresh: readonly ObservedMessage[]): void => {
    outboxOffset += fresh.length;
    for (const message of fresh) {
      if (message.report) emailedReports.push(message.report);
      if (!subscriberByCustomer.has(message.customerId) || !isCaseMessage(message)) continue;
      messages.push(message);
      // An automatic answer (the confirmation of a STOP, a HELP answer) asks for nothing: the
      // debtor does not react to it, and it is no step of the journey.
      if (message.stepId.startsWith('reply-')) continue;
      const ordinal = (messagesPerCase.get(message.caseId) ?? 0) + 1;
      messagesPerCase.set(message.caseId, ordinal);
      const subscriber = subscriberByCustomer.get(message.customerId);
      const templateKey = message.template ?? message.stepId;
      const tally = responses.get(templateKey) ?? emptyResponseTally();
      tally.messages += 1;
      responses.set(templateKey, tally);
      if (subscriber === undefined || disputing.has(subscriber.index)) continue;
      let streams = debtorStreams.get(subscriber.index);
      if (streams === undefined) {
        // The reaction stream keeps the label it always had: the same seed draws what it drew before.
        streams = {
          reaction: random.fork(`debtor-${subscriber.index}`),
          choices: random.fork(`debtor-${subscriber.index}/choices`),
        };
        debtorStreams.set(subscriber.index, streams);
      }
      const response = respondToMessage(
        {
          caseId: message.caseId,
          stepId: message.stepId,
          template: templateKey,
          channel: message.channel as Channel,
          sentAt: new Date(message.sentAt),
          ordinal,
          ...(message.portalLink ? { portalLink: message.portalLink } : {}),
          ...(message.unsubscribeLink ? { unsubscribeLink: true } : {}),
        },
        {
          subscriber,
          ...billing.situationOf(subscriber.index),
          // Only Stripe and the in-house format report chargebacks to the product.
          canDispute: subscriber.provider === 'stripe' || subscriber.provider === 'inhouse',
        },
        streams,
        availableSurfaces,
      );
      if (response.kind === 'ignore') continue;
      tally[response.kind] += 1;
      enqueue(response.at.getTime(), { kind: 'debtor', response, subscriber: subscriber.index, message });
    }
  };

  const observeOutbox = async (): Promise<void> => {
    observe(await client.outbox(outboxOffset));
    outboxPolls += 1;
  };

  /**
   * Moves the clock to `stepTo` and looks at the outbox. Up to `until` nothing of the simulator's
   * falls due, so a step that sent nothing would change nothing here: the product takes the
   * following steps of `maxStepMs` itself until one sends something, in the same request.
   */
  const advanceTo = async (stepTo: number, until: number): Promise<void> => {
    const answer = await client.advanceAndRead({
      seconds: (stepTo - now) / 1000,
      outboxFrom: outboxOffset,
      ...(until > stepTo ? { repeatUntil: new Date(until) } : {}),
    });
    now = answer.now.getTime();
    clockAdvances += 1;
    clockSteps += answer.steps;
    observe(answer.messages);
  };

  const countPortal = (what: string, outcome: PortalOutcome): void => {
    if (outcome.status === 'accepted') portal.accepted[what] = (portal.accepted[what] ?? 0) + 1;
    else if (outcome.status === 'no-session') portal.noSession += 1;
    else {
      // Keyed by the portal's own words (or why the form was not there), not a bare status code.
      const key = `${what}: ${outcome.reason}`;
      portal.refused[key] = (portal.refused[key] ?? 0) + 1;
    }
  };

  /** Opens the message's portal link in a fresh session; undefined when it no longer opens. */
  const openPortal = async (message: ObservedMessage): Promise<PortalVisitor | undefined> => {
    if (message.portalLink === undefined) return undefined;
    const visitor = new PortalVisitor(client.baseUrl, () => client.settle());
    portal.visits += 1;
    const opened = await visitor.open(message.portalLink);
    client.settleBeforeNextRequest();
    if (!opened) portal.noSession += 1;
    return opened ? visitor : undefined;
  };

  /**
   * Pays (or replaces the card) through the portal when the message carries a link that still
   * opens: the portal sends the debtor to the provider's page, where the simulated Stripe takes
   * the payment. Without a usable link the debtor pays from the provider's own email.
   */
  const payOrUpdateCard = async (
    subscriberIndex: number,
    message: ObservedMessage,
    kind: 'pay' | 'update-card',
    via: 'portal' | 'hosted-page',
    path?: 'debtor-kept-promise',
  ): Promise<void> => {
    const visitor = via === 'portal' ? await openPortal(message) : undefined;
    if (visitor !== undefined) {
      if (kind === 'pay') {
        const [claimId] = await visitor.payableClaims();
        if (claimId !== undefined) countPortal('pay', await visitor.pay(claimId));
      } else {
        countPortal('card', await visitor.updateCard());
      }
      client.settleBeforeNextRequest();
    }
    if (kind === 'pay') billing.debtorPays(subscriberIndex, new Date(now), path);
    else billing.debtorUpdatesCard(subscriberIndex, new Date(now));
  };

  const optOut = async (
    message: ObservedMessage,
    response: Extract<DebtorResponse, { kind: 'opt-out' }>,
  ): Promise<void> => {
    const { channel } = response;
    // The mail provider's one-click POST (RFC 8058): no cookie, no session, the link alone.
    const answer =
      response.via === 'unsubscribe-link' && message.unsubscribeLink !== undefined
        ? await client.unsubscribe(message.unsubscribeLink)
        : channel === 'email'
          ? await client.inject('/local/events/ses', emailComplaint(message, new Date(now)))
          : await client.inject(
              '/local/inbound/sms',
              inboundStop(message, message.originationIdentity ?? ''),
            );
    client.settleBeforeNextRequest();
    optOuts.push({
      customerId: message.customerId,
      channel,
      at: new Date(now).toISOString(),
      ...(message.caseId ? { caseId: message.caseId } : {}),
      answeredMessage: message.id,
      via: response.via,
      status: answer.status,
    });
  };

  const promise = async (
    subscriberIndex: number,
    message: ObservedMessage,
    response: Extract<DebtorResponse, { kind: 'promise' }>,
  ): Promise<void> => {
    const subscriber = population[subscriberIndex];
    const visitor = await openPortal(message);
    if (visitor === undefined || subscriber === undefined || message.caseId === undefined) return;
    const window = await visitor.promiseWindow();
    if (window === undefined) {
      countPortal('promise', { status: 'refused', httpStatus: 0, reason: 'no promise window' });
      return;
    }
    const wanted =
      DateTime.fromISO(window.min)
        .plus({ days: response.inDays - 1 })
        .toISODate() ?? window.min;
    // ISO dates compare as strings; never past the last date the portal offers.
    const promisedFor = wanted.localeCompare(window.max) > 0 ? window.max : wanted;
    const outcome = await visitor.promise(promisedFor);
    client.settleBeforeNextRequest();
    countPortal('promise', outcome);
    if (outcome.status !== 'accepted') return;
    promises.push({
      caseId: message.caseId,
      customerId: message.customerId,
      madeAt: new Date(now).toISOString(),
      promisedFor,
      keeps: response.keeps,
    });
    if (!response.keeps) return;
    // Kept: paid on the promised day, at the debtor's own hour.
    const payAt = DateTime.fromISO(promisedFor, { zone: subscriber.timeZone })
      .set({ hour: response.payHour })
      .toMillis();
    enqueue(Math.max(payAt, now + minute), { kind: 'keep-promise', subscriber: subscriberIndex, message });
  };

  const plan = async (
    subscriberIndex: number,
    message: ObservedMessage,
    response: Extract<DebtorResponse, { kind: 'plan' }>,
  ): Promise<void> => {
    const visitor = await openPortal(message);
    if (visitor === undefined || message.caseId === undefined) return;
    const choices = await visitor.planChoices();
    const instalments = [...choices].reverse().find((count) => count <= response.instalments) ?? choices[0];
    if (instalments === undefined) {
      countPortal('plan', { status: 'refused', httpStatus: 0, reason: 'no plan offered' });
      return;
    }
    // The card the debtor pays the instalments with: one that works when the plan is kept.
    if (response.keeps) await client.setCard(message.customerId, 'approve');
    const outcome = await visitor.plan(instalments);
    client.settleBeforeNextRequest();
    countPortal('plan', outcome);
    if (outcome.status !== 'accepted') return;
    const invoiceIds = billing.unpaidInvoices(subscriberIndex).map((record) => record.state.invoiceId);
    const lastDueAt = now + (instalments - 1) * planIntervalDays * day;
    plans.push({
      caseId: message.caseId,
      customerId: message.customerId,
      agreedAt: new Date(now).toISOString(),
      instalments,
      keeps: response.keeps,
      lastDueAt: new Date(lastDueAt).toISOString(),
    });
    if (response.keeps) {
      enqueue(lastDueAt, { kind: 'plan-settles', subscriber: subscriberIndex, invoiceIds });
    } else {
      // The second instalment is charged 14 days in: the card fails before it.
      enqueue(now + day, { kind: 'plan-card-fails', customerId: message.customerId });
    }
  };

  const act = async (work: Extract<Work, { kind: 'debtor' }>): Promise<void> => {
    const { response, message, subscriber } = work;
    switch (response.kind) {
      case 'pay':
      case 'update-card':
        return payOrUpdateCard(subscriber, message, response.kind, response.via);
      case 'opt-out':
        return optOut(message, response);
      case 'promise':
        return promise(subscriber, message, response);
      case 'plan':
        return plan(subscriber, message, response);
      case 'dispute':
        disputing.add(subscriber);
        billing.debtorDisputes(subscriber, new Date(now));
        return;
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
    const until = Math.min(queue.peek()?.at ?? Number.POSITIVE_INFINITY, endAt);
    const stepTo = Math.min(until, now + maxStepMs);
    if (stepTo > now) await advanceTo(stepTo, until);
    else await observeOutbox();
    for (let due = queue.peek(); due !== undefined && due.at <= now; due = queue.peek()) {
      queue.pop();
      const { work } = due;
      if (work.kind === 'billing') billing.handle(work.action, new Date(now));
      else if (work.kind === 'deliver') await deliver(work);
      else if (work.kind === 'introduce') await introduce(work);
      else if (work.kind === 'debtor') await act(work);
      else if (work.kind === 'keep-promise')
        await payOrUpdateCard(work.subscriber, work.message, 'pay', 'portal', 'debtor-kept-promise');
      else if (work.kind === 'plan-settles') billing.settleByPlan(work.invoiceIds, new Date(now));
      else {
        await client.setCard(work.customerId, 'decline');
      }
    }
    report();
    if (now >= endAt) break;
  }
  observe((await client.advanceAndRead({ seconds: 0, outboxFrom: outboxOffset })).messages);

  // The end-of-run view, through the same surfaces an operator uses.
  // The previous and the current month (UTC, the local runtime's default finance time zone).
  const end = new Date(now);
  const cohortMonths = [
    new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1)).toISOString().slice(0, 7),
    end.toISOString().slice(0, 7),
  ];
  const [metricsRows, executions, cases, archivedReports] = await Promise.all([
    client.cohortMetrics(cohortMonths),
    client.executions(),
    client.cases(),
    client.archivedReports(),
  ]);
  const runCases = cases.filter((collectionCase) => subscriberByCustomer.has(collectionCase.customerId));
  const runExecutions = executions.filter((execution) =>
    runCases.some((collectionCase) => collectionCase.caseId === execution.caseId),
  );
  const debtors = new Map<string, DebtorLocation>(
    population.map((subscriber) => [
      productCustomerId(subscriber),
      {
        billingZones: billingZonesOfSubscriber(subscriber),
        trueZone: subscriber.timeZone,
        billingConsent: subscriber.billingConsent,
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
    optOuts,
    promises,
    plans,
    endAt: new Date(now).toISOString(),
    financeReports: {
      startAt: startAt.toISOString(),
      archived: archivedReports,
      emailed: emailedReports,
      // In process the simulator names a recipient; a running product may archive the close only.
      monthlyEmailExpected:
        target.mode === 'in-process' ||
        emailedReports.some((report) => report.reportId.startsWith('monthly-')),
    },
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
    portal,
    invariantInput,
    violations,
    pendingAtEnd: queue.length,
    withheldByProvider,
  });
  return {
    report: simulationReport,
    timing: {
      wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
      deliveries: deliveries.length,
      clockAdvances,
      clockSteps,
      outboxPolls,
    },
  };
}
