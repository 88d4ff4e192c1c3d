import { markdownTable } from 'markdown-table';
import { formatMoney } from '../../../shared/domain/money.ts';
import {
  type CohortMetricsRow,
  cohortTalliesFromDeliveries,
  type DeliveryRecord,
  type InvariantInput,
  invariantNames,
  messagesOutsideTrueZone,
  type Violation,
} from './invariants.ts';
import type { Subscriber } from './population.ts';
import type { CaseMessage } from './product-client.ts';
import type { RecoveryPath, SimulatedBilling } from './simulated-billing.ts';

/** How one template's messages moved debtors. */
export interface ResponseTally {
  messages: number;
  pay: number;
  'update-card': number;
  'opt-out': number;
  promise: number;
  plan: number;
  dispute: number;
}

export function emptyResponseTally(): ResponseTally {
  return { messages: 0, pay: 0, 'update-card': 0, 'opt-out': 0, promise: 0, plan: 0, dispute: 0 };
}

/** What debtors did in the portal, and what it answered. */
export interface PortalTally {
  /** Links opened (each visit opens the link of the message the debtor reacts to). */
  visits: number;
  /** Links that no longer opened a session (expired, or the case closed), or a session refused. */
  noSession: number;
  /** Accepted forms by kind (`pay`, `card`, `promise`, `plan`). */
  accepted: Record<string, number>;
  /** Refused forms by kind and HTTP status. */
  refused: Record<string, number>;
}

interface CurrencyRecovery {
  readonly currency: string;
  readonly failedInvoices: number;
  readonly failedAmountMinor: number;
  readonly voidedInvoices: number;
  readonly recoveredInvoices: number;
  readonly recoveredAmountMinor: number;
  readonly writtenOffInvoices: number;
  readonly openAtEnd: number;
  /** Recovered ÷ failed (voided left out), by amount; null when nothing failed. */
  readonly recoveryRateAmount: number | null;
  readonly failedMrrMinor: number;
  readonly recoveredMrrMinor: number;
  readonly mrrAtRiskMinor: number;
  readonly involuntaryChurnMrrMinor: number;
}

export interface SimulationReport {
  readonly run: {
    readonly seed: number;
    readonly customers: number;
    readonly days: number;
    /** The strategies the run's cases follow, as `id@version` (what the product ran, read from its cases). */
    readonly strategies: readonly string[];
    readonly mode: 'in-process' | 'url';
    readonly runTag: string;
    readonly startAt: string;
    readonly endAt: string;
  };
  readonly population: {
    readonly subscribers: number;
    readonly bySegment: Record<string, number>;
    readonly byCurrency: Record<string, { subscribers: number; mrrMinor: number }>;
    readonly annualPlans: number;
    readonly locationData: Record<string, number>;
    readonly withoutEmail: number;
    /** Mobile numbers billing holds, and consent as billing sends it (`metadata`; docs/billing-ingest.md). */
    readonly withPhone: number;
    readonly consent: {
      readonly sms: number;
      readonly smsWithdrawnInBilling: number;
      readonly whatsapp: number;
    };
  };
  readonly billing: {
    readonly renewals: number;
    readonly firstAttemptFailures: number;
    readonly firstAttemptFailureRate: number | null;
    readonly declineCodes: Record<string, number>;
    readonly smartRetries: number;
    readonly smartRetrySuccesses: number;
    readonly voided: number;
    readonly markedUncollectible: number;
    readonly subscriptionsCanceledForNonPayment: number;
    readonly networkCardUpdates: number;
    readonly debtorPayments: number;
    readonly debtorPaymentFailures: number;
    readonly debtorCardUpdates: number;
    readonly debtorActionsOnSettledInvoices: number;
    readonly actionsPendingAtEnd: number;
    /** `customer.subscription.*` events by the status they announce (`deleted`). */
    readonly subscriptionEvents: Record<string, number>;
    readonly disputes: number;
    readonly invoicesSettledByPlans: number;
    /** Customers billing held no email for, whose merchant added one after a failure. */
    readonly emailsAddedLate: number;
  };
  readonly webhooks: {
    readonly deliveries: number;
    readonly redeliveries: number;
    readonly byType: Record<string, number>;
    readonly byOutcome: Record<string, number>;
    /** Deliveries by provider and the provider's own event type. */
    readonly byProvider: Record<string, number>;
    /** Billing changes a provider has no event for, so nothing was sent (by provider and Stripe type). */
    readonly withheldByProvider: Record<string, number>;
  };
  readonly collections: {
    readonly casesOpened: number;
    readonly casesOpenAtEnd: number;
    readonly casesByCloseReason: Record<string, number>;
    readonly messages: number;
    readonly messagesByStep: Record<string, number>;
    readonly messagesByChannel: Record<string, number>;
    readonly responsesByTemplate: Record<string, ResponseTally>;
    readonly portal: PortalTally;
    readonly optOuts: Record<string, number>;
    readonly promises: { readonly made: number; readonly kept: number; readonly broken: number };
    readonly plans: { readonly agreed: number; readonly kept: number; readonly broken: number };
    /** Sent after the debtor had really paid, before the payment's webhook arrived (not a violation). */
    readonly messagesAfterPaymentBeforeItsWebhook: number;
    /** Outside the window in the debtor's real zone: only when the billing data lacked it (not a violation). */
    readonly messagesOutsideWindowInTrueZone: number;
  };
  readonly recovery: {
    readonly byPath: Record<RecoveryPath, number>;
    readonly byCurrency: readonly CurrencyRecovery[];
    readonly timeToRecovery: Record<string, number>;
  };
  /** The failure cohorts of `GET /api/metrics?period=<month>` at the end of the run. */
  readonly metricsApi: readonly CohortMetricsRow[];
  /** Finance reports the product emailed during the run (the monthly close on the 1st). */
  readonly financeReports: readonly {
    readonly reportId: string;
    readonly sentAt: string;
    readonly charts: number;
    readonly csvFiles: readonly string[];
  }[];
  readonly journeys: {
    readonly executions: number;
    /** Executions that resumed an ended journey (a second run or later of a case's journey). */
    readonly resumedRuns: number;
    readonly byStatus: Record<string, number>;
    readonly stateTransitions: {
      readonly min: number;
      readonly median: number;
      readonly p95: number;
      readonly max: number;
      readonly mean: number;
    } | null;
  };
  readonly invariants: {
    readonly checked: readonly string[];
    readonly passed: boolean;
    readonly violationCount: number;
    readonly violations: readonly Violation[];
  };
}

export interface ReportInput {
  readonly options: {
    readonly customers: number;
    readonly days: number;
    readonly seed: number;
  };
  readonly mode: 'in-process' | 'url';
  readonly idTag: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly population: readonly Subscriber[];
  readonly billing: SimulatedBilling;
  readonly deliveries: readonly DeliveryRecord[];
  readonly messages: readonly CaseMessage[];
  readonly responses: ReadonlyMap<string, ResponseTally>;
  readonly portal: PortalTally;
  readonly invariantInput: InvariantInput;
  readonly violations: readonly Violation[];
  readonly pendingAtEnd: number;
  readonly withheldByProvider: Record<string, number>;
}

/**
 * The step a message counts under in the report. Steps named after a record carry the product's
 * random ids (a payment plan's reminders, `plan_<uuid>-reminder-2`; the answer to one inbound
 * message, `reply-<its id>`): they are counted by kind, so the same seed gives the same report.
 */
export function reportedStep(stepId: string): string {
  if (stepId.startsWith('reply-')) return 'reply';
  return stepId.replace(/^plan_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/, 'plan-');
}

function countBy<T>(values: readonly T[], key: (value: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
  return sortedRecord(counts);
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0;
}

function recoveryBucket(days: number): string {
  if (days < 1) return 'same day';
  if (days <= 7) return '1-7 days';
  if (days <= 30) return '8-30 days';
  if (days <= 60) return '31-60 days';
  return 'over 60 days';
}

function recoveryByCurrency(input: ReportInput): CurrencyRecovery[] {
  const invoices = input.billing.allInvoices().filter((record) => record.firstFailedAt !== undefined);
  const currencies = [...new Set(input.population.map((subscriber) => subscriber.market.currency))].sort();
  return currencies.flatMap((currency) => {
    const mine = invoices.filter((record) => record.subscriber.market.currency === currency);
    if (mine.length === 0) return [];
    const counted = mine.filter((record) => record.state.status !== 'void');
    const recovered = counted.filter((record) => record.state.status === 'paid');
    const sum = (records: typeof mine): number =>
      records.reduce((total, record) => total + record.state.amountMinor, 0);
    const failedAmountMinor = sum(counted);
    const recoveredAmountMinor = sum(recovered);
    const failedSubscribers = new Map<number, Subscriber>(
      mine.map((record) => [record.subscriber.index, record.subscriber]),
    );
    let recoveredMrrMinor = 0;
    let mrrAtRiskMinor = 0;
    let involuntaryChurnMrrMinor = 0;
    for (const subscriber of failedSubscribers.values()) {
      const account = input.billing.subscriberAccount(subscriber.index);
      const failedOfSubscriber = mine.filter((record) => record.subscriber.index === subscriber.index);
      if (account.canceledForNonPayment) involuntaryChurnMrrMinor += subscriber.mrrMinor;
      else if (failedOfSubscriber.some((record) => record.state.status === 'open'))
        mrrAtRiskMinor += subscriber.mrrMinor;
      if (failedOfSubscriber.every((record) => record.state.status === 'paid'))
        recoveredMrrMinor += subscriber.mrrMinor;
    }
    return [
      {
        currency,
        failedInvoices: counted.length,
        failedAmountMinor,
        voidedInvoices: mine.length - counted.length,
        recoveredInvoices: recovered.length,
        recoveredAmountMinor,
        writtenOffInvoices: counted.filter((record) => record.state.status === 'uncollectible').length,
        openAtEnd: counted.filter((record) => record.state.status === 'open').length,
        recoveryRateAmount:
          failedAmountMinor === 0
            ? null
            : Math.round((recoveredAmountMinor / failedAmountMinor) * 10_000) / 10_000,
        failedMrrMinor: [...failedSubscribers.values()].reduce(
          (total, subscriber) => total + subscriber.mrrMinor,
          0,
        ),
        recoveredMrrMinor,
        mrrAtRiskMinor,
        involuntaryChurnMrrMinor,
      },
    ];
  });
}

/** Messages sent after every claim of their case was really paid, but before the product heard of it. */
function messagesAfterPaymentBeforeWebhook(input: ReportInput): number {
  const claimsByCase = new Map(
    input.invariantInput.cases.map((collectionCase) => [collectionCase.caseId, collectionCase.claims]),
  );
  return input.messages.filter((message) => {
    const claims = claimsByCase.get(message.caseId) ?? [];
    if (claims.length === 0) return false;
    const sentAt = Date.parse(message.sentAt) / 1000;
    return claims.every((claim) => {
      const paidAt = input.billing.invoice(claim.invoiceId)?.state.paidAt;
      return paidAt !== null && paidAt !== undefined && paidAt < sentAt;
    });
  }).length;
}

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '-' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}

/** The run's report. Contains nothing that depends on the wall clock, so a seed reproduces it exactly. */
export function buildReport(input: ReportInput): SimulationReport {
  const { population, billing, deliveries, messages, invariantInput } = input;
  const tallies = billing.tallies;
  const byCurrency: Record<string, { subscribers: number; mrrMinor: number }> = {};
  for (const subscriber of population) {
    const entry = byCurrency[subscriber.market.currency] ?? { subscribers: 0, mrrMinor: 0 };
    entry.subscribers += 1;
    entry.mrrMinor += subscriber.mrrMinor;
    byCurrency[subscriber.market.currency] = entry;
  }
  const recoveredInvoices = billing
    .allInvoices()
    .filter((record) => record.firstFailedAt !== undefined && record.state.paidAt !== null);
  const transitions = invariantInput.executions
    .map((execution) => execution.stateTransitions)
    .sort((a, b) => a - b);
  const cases = invariantInput.cases;
  return {
    run: {
      seed: input.options.seed,
      customers: input.options.customers,
      days: input.options.days,
      strategies: [
        ...new Set(
          cases.map((collectionCase) => `${collectionCase.strategyId}@${collectionCase.strategyVersion}`),
        ),
      ].sort(),
      mode: input.mode,
      runTag: input.idTag,
      startAt: input.startAt.toISOString(),
      endAt: input.endAt.toISOString(),
    },
    population: {
      subscribers: population.length,
      bySegment: countBy(population, (subscriber) => subscriber.segment),
      byCurrency: sortedRecord(byCurrency),
      annualPlans: population.filter((subscriber) => subscriber.interval === 'year').length,
      locationData: countBy(population, (subscriber) => subscriber.locationData),
      withoutEmail: population.filter((subscriber) => subscriber.email === undefined).length,
      withPhone: population.filter((subscriber) => subscriber.phone !== undefined).length,
      consent: {
        sms: population.filter((subscriber) => subscriber.billingConsent.sms !== undefined).length,
        smsWithdrawnInBilling: population.filter(
          (subscriber) => subscriber.billingConsent.sms?.optedOutAt !== undefined,
        ).length,
        whatsapp: population.filter((subscriber) => subscriber.billingConsent.whatsapp !== undefined).length,
      },
    },
    billing: {
      renewals: tallies.renewals,
      firstAttemptFailures: tallies.firstAttemptFailures,
      firstAttemptFailureRate:
        tallies.renewals === 0
          ? null
          : Math.round((tallies.firstAttemptFailures / tallies.renewals) * 10_000) / 10_000,
      declineCodes: sortedRecord(tallies.declineCodes),
      smartRetries: tallies.smartRetries,
      smartRetrySuccesses: tallies.smartRetrySuccesses,
      voided: tallies.voided,
      markedUncollectible: tallies.markedUncollectible,
      subscriptionsCanceledForNonPayment: tallies.subscriptionsCanceled,
      networkCardUpdates: tallies.networkCardUpdates,
      debtorPayments: tallies.debtorPayments,
      debtorPaymentFailures: tallies.debtorPaymentFailures,
      debtorCardUpdates: tallies.cardUpdates,
      debtorActionsOnSettledInvoices: tallies.actionsOnSettledInvoices,
      subscriptionEvents: sortedRecord(tallies.subscriptionEvents),
      disputes: tallies.disputes,
      invoicesSettledByPlans: tallies.paidByPlan,
      emailsAddedLate: tallies.emailsAddedLate,
      actionsPendingAtEnd: input.pendingAtEnd,
    },
    webhooks: {
      deliveries: deliveries.length,
      redeliveries: deliveries.filter((delivery) => delivery.redelivery).length,
      byType: countBy(deliveries, (delivery) => delivery.type),
      byOutcome: countBy(deliveries, (delivery) => `${delivery.status} ${delivery.outcome}`),
      byProvider: countBy(
        deliveries,
        (delivery) => `${delivery.provider ?? 'stripe'} ${delivery.providerType ?? delivery.type}`,
      ),
      withheldByProvider: sortedRecord(input.withheldByProvider),
    },
    collections: {
      casesOpened: cases.length,
      casesOpenAtEnd: cases.filter((collectionCase) => collectionCase.status === 'open').length,
      casesByCloseReason: countBy(
        cases.filter((collectionCase) => collectionCase.status === 'closed'),
        (collectionCase) => collectionCase.closeReason ?? 'unknown',
      ),
      messages: messages.length,
      messagesByStep: countBy(messages, (message) => reportedStep(message.stepId)),
      messagesByChannel: countBy(messages, (message) => message.channel),
      responsesByTemplate: sortedRecord(Object.fromEntries(input.responses)),
      portal: {
        visits: input.portal.visits,
        noSession: input.portal.noSession,
        accepted: sortedRecord(input.portal.accepted),
        refused: sortedRecord(input.portal.refused),
      },
      optOuts: countBy(invariantInput.optOuts, (optOut) => `${optOut.channel} (${optOut.via ?? 'reply'})`),
      promises: {
        made: invariantInput.promises.length,
        kept: invariantInput.promises.filter((made) => made.keeps).length,
        broken: invariantInput.promises.filter((made) => !made.keeps).length,
      },
      plans: {
        agreed: invariantInput.plans.length,
        kept: invariantInput.plans.filter((agreed) => agreed.keeps).length,
        broken: invariantInput.plans.filter((agreed) => !agreed.keeps).length,
      },
      messagesAfterPaymentBeforeItsWebhook: messagesAfterPaymentBeforeWebhook(input),
      messagesOutsideWindowInTrueZone: messagesOutsideTrueZone(invariantInput),
    },
    recovery: {
      byPath: { ...tallies.recoveredBy },
      byCurrency: recoveryByCurrency(input),
      timeToRecovery: countBy(recoveredInvoices, (record) =>
        recoveryBucket(
          ((record.state.paidAt ?? 0) * 1000 - (record.firstFailedAt?.getTime() ?? 0)) / 86_400_000,
        ),
      ),
    },
    financeReports: invariantInput.financeReports.emailed.map((report) => ({
      reportId: report.reportId,
      sentAt: report.sentAt,
      charts: report.files.filter((file) => file.endsWith('.png')).length,
      csvFiles: report.files.filter((file) => file.endsWith('.csv')),
    })),
    metricsApi: invariantInput.metrics.rows.filter((row) =>
      cohortTalliesFromDeliveries(deliveries).some((tally) => tally.cohortMonth === row.cohortMonth),
    ),
    journeys: {
      executions: invariantInput.executions.length,
      resumedRuns: invariantInput.executions.filter((execution) => execution.name !== execution.caseId)
        .length,
      byStatus: countBy(invariantInput.executions, (execution) => execution.status),
      stateTransitions:
        transitions.length === 0
          ? null
          : {
              min: transitions[0] ?? 0,
              median: percentile(transitions, 0.5),
              p95: percentile(transitions, 0.95),
              max: transitions[transitions.length - 1] ?? 0,
              mean:
                Math.round((transitions.reduce((sum, value) => sum + value, 0) / transitions.length) * 100) /
                100,
            },
    },
    invariants: {
      checked: [...invariantNames],
      passed: input.violations.length === 0,
      violationCount: input.violations.length,
      violations: input.violations,
    },
  };
}

function money(amountMinor: number, currency: string): string {
  return formatMoney({ amountMinor, currency });
}

function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

function keyValues(record: Record<string, number>): string[][] {
  return Object.entries(record).map(([key, value]) => [key, String(value)]);
}

/** The report for people: the MRR recovery report, then how the run went, then the invariants. */
export function renderReportMarkdown(report: SimulationReport): string {
  const { run, billing, collections, recovery, journeys, invariants } = report;
  const lines: string[] = [];
  lines.push(
    `# Simulation: ${run.customers} customers × ${run.days} days (seed ${run.seed})`,
    '',
    `Strategy ${run.strategies.map((strategy) => `\`${strategy}\``).join(', ') || '-'}, ${run.mode}, virtual time ${run.startAt} → ${run.endAt}, run tag \`${run.runTag}\`.`,
    '',
    '## MRR recovery',
    '',
    markdownTable([
      [
        'currency',
        'failed invoices',
        'failed amount',
        'recovered',
        'recovered amount',
        'rate (amount)',
        'written off',
        'open at end',
        'voided',
        'failed MRR',
        'recovered MRR',
        'MRR at risk',
        'involuntary churn MRR',
      ],
      ...recovery.byCurrency.map((row) => [
        row.currency,
        String(row.failedInvoices),
        money(row.failedAmountMinor, row.currency),
        String(row.recoveredInvoices),
        money(row.recoveredAmountMinor, row.currency),
        percent(row.recoveryRateAmount),
        String(row.writtenOffInvoices),
        String(row.openAtEnd),
        String(row.voidedInvoices),
        money(row.failedMrrMinor, row.currency),
        money(row.recoveredMrrMinor, row.currency),
        money(row.mrrAtRiskMinor, row.currency),
        money(row.involuntaryChurnMrrMinor, row.currency),
      ]),
    ]),
    '',
    'How failed invoices were recovered:',
    '',
    markdownTable([['path', 'invoices'], ...keyValues(recovery.byPath)]),
    '',
    markdownTable([['time to recovery', 'invoices'], ...keyValues(recovery.timeToRecovery)]),
    '',
    '### `GET /api/metrics?period=<month>` at the end of the run',
    '',
    markdownTable([
      [
        'cohort',
        'currency',
        'failed',
        'failed amount',
        'recovered',
        'recovered amount',
        'rate (amount)',
        'rate (count)',
      ],
      ...report.metricsApi.map((row) => [
        row.cohortMonth,
        row.currency,
        String(row.failedCount),
        money(row.failedAmountMinor, row.currency),
        String(row.recoveredCount),
        money(row.recoveredAmountMinor, row.currency),
        percent(row.recoveryRateAmount),
        percent(row.recoveryRateCount),
      ]),
    ]),
    '',
    '### Finance reports emailed during the run',
    '',
    report.financeReports.length === 0
      ? 'None: no month closed during the run, or the product has no report recipients (it still archives them: `GET /local/reports`).'
      : markdownTable([
          ['report', 'sent at', 'charts', 'CSV files'],
          ...report.financeReports.map((entry) => [
            entry.reportId,
            entry.sentAt,
            String(entry.charts),
            entry.csvFiles.join(', '),
          ]),
        ]),
    '',
    '## Billing',
    '',
    markdownTable([
      ['figure', 'value'],
      ['renewals', String(billing.renewals)],
      [
        'first attempts failed',
        `${billing.firstAttemptFailures} (${percent(billing.firstAttemptFailureRate)})`,
      ],
      ['Smart Retries (succeeded)', `${billing.smartRetries} (${billing.smartRetrySuccesses})`],
      ['network card updates', String(billing.networkCardUpdates)],
      ['debtor payments (failed)', `${billing.debtorPayments} (${billing.debtorPaymentFailures})`],
      ['debtor card updates', String(billing.debtorCardUpdates)],
      ['voided', String(billing.voided)],
      ['marked uncollectible', String(billing.markedUncollectible)],
      ['subscriptions cancelled for non-payment', String(billing.subscriptionsCanceledForNonPayment)],
    ]),
    '',
    markdownTable([['decline code', 'first failures'], ...keyValues(billing.declineCodes)]),
    '',
    markdownTable([
      ['webhook (provider and its event type)', 'deliveries'],
      ...keyValues(report.webhooks.byProvider),
    ]),
    '',
    '## Collections',
    '',
    markdownTable([
      ['figure', 'value'],
      [
        'webhook deliveries (redeliveries)',
        `${report.webhooks.deliveries} (${report.webhooks.redeliveries})`,
      ],
      ['cases opened (open at end)', `${collections.casesOpened} (${collections.casesOpenAtEnd})`],
      ['messages', String(collections.messages)],
      ['messages by channel', formatCounts(collections.messagesByChannel)],
      [
        'subscribers with a mobile number / SMS consent in billing (withdrawn) / WhatsApp consent',
        `${report.population.withPhone} / ${report.population.consent.sms} (${report.population.consent.smsWithdrawnInBilling}) / ${report.population.consent.whatsapp}`,
      ],
      [
        'messages after a payment whose webhook was still on its way',
        String(collections.messagesAfterPaymentBeforeItsWebhook),
      ],
      [
        'messages outside 08:00-21:00 in the true zone (billing data had no zone)',
        String(collections.messagesOutsideWindowInTrueZone),
      ],
      ['journeys', String(journeys.executions)],
      [
        'emails added in billing after a failure / journeys resumed by new contact details',
        `${report.billing.emailsAddedLate} / ${journeys.resumedRuns}`,
      ],
      [
        'state transitions per journey (median / p95 / max)',
        journeys.stateTransitions
          ? `${journeys.stateTransitions.median} / ${journeys.stateTransitions.p95} / ${journeys.stateTransitions.max}`
          : '-',
      ],
    ]),
    '',
    markdownTable([
      [
        'template',
        'messages',
        'paid',
        'updated card',
        'opted out',
        'promised',
        'asked for a plan',
        'disputed',
      ],
      ...Object.entries(collections.responsesByTemplate).map(([template, tally]) => [
        template,
        String(tally.messages),
        String(tally.pay),
        String(tally['update-card']),
        String(tally['opt-out']),
        String(tally.promise),
        String(tally.plan),
        String(tally.dispute),
      ]),
    ]),
    '',
    markdownTable([
      ['debtor commitments and opt-outs', 'count'],
      [
        'portal visits (links opened / no longer opening)',
        `${collections.portal.visits} / ${collections.portal.noSession}`,
      ],
      ['portal forms accepted', formatCounts(collections.portal.accepted)],
      ['portal forms refused', formatCounts(collections.portal.refused)],
      [
        'promises made (to keep / to break)',
        `${collections.promises.made} (${collections.promises.kept} / ${collections.promises.broken})`,
      ],
      [
        'payment plans agreed (to keep / to break)',
        `${collections.plans.agreed} (${collections.plans.kept} / ${collections.plans.broken})`,
      ],
      ['opt-outs by channel', formatCounts(collections.optOuts)],
      ['disputes (charge.dispute.created)', String(billing.disputes)],
      ['subscription events', formatCounts(billing.subscriptionEvents)],
    ]),
    '',
    '## Invariants',
    '',
    invariants.passed
      ? `All ${invariants.checked.length} invariants hold: ${invariants.checked.join(', ')}.`
      : `**${invariants.violationCount} violation(s).**`,
  );
  if (!invariants.passed) {
    lines.push(
      '',
      markdownTable([
        ['invariant', 'case', 'subject', 'detail'],
        ...invariants.violations
          .slice(0, 200)
          .map((violation) => [
            violation.invariant,
            violation.caseId ?? '-',
            violation.subject,
            violation.detail,
          ]),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
