import type { SimulationCounts } from './simulation-cost.ts';

/**
 * AWS prices of DOMAIN.md §5 (us-east-1, late 2026; confirm before quoting), plus SES, which §5
 * does not list: its public list price is used and flagged as such.
 */
export const awsPrices = {
  stepFunctionsPerStateTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaPerGbSecondArm64: 0.000_013_333_4,
  dynamoDbPerWriteRequestUnit: 0.625 / 1_000_000,
  dynamoDbPerReadRequestUnit: 0.125 / 1_000_000,
  httpApiPerRequest: 1 / 1_000_000,
  /** EventBridge Scheduler: 14 million invocations a month free, then $1.00 per million. */
  schedulerPerInvocationBeyondFreeTier: 1 / 1_000_000,
  /** Not in DOMAIN.md §5: SES outbound list price ($0.10 per 1,000 emails). */
  sesPerEmail: 0.1 / 1000,
  /**
   * Not in DOMAIN.md §5, and an assumption to confirm before quoting: one US SMS segment over
   * 10DLC on End User Messaging, about $0.00581 from AWS plus about $0.003 of carrier fee. Prices
   * differ per destination country; the US price is applied to every text.
   */
  smsPerMessage: 0.00581 + 0.003,
} as const;

/** `ProjectFunction`'s default memory (512 MiB). */
export const lambdaMemoryGb = 0.5;
/** The report function's memory (`FinanceReports`: chart rendering is CPU-bound), which runs the daily metrics job. */
export const metricsJobMemoryGb = 1.5;

export interface LambdaDurations {
  readonly ingestMs: number;
  readonly planMs: number;
  readonly sendMs: number;
  readonly metricsJobMs: number;
}

export interface CostLine {
  readonly service: string;
  readonly driver: string;
  /** Measured count over the simulated period. */
  readonly quantity: number;
  readonly unitPriceUsd: number;
  readonly periodUsd: number;
  readonly per10kDebtorsPerMonthUsd: number;
  /** True for the one price that is not in DOMAIN.md §5. */
  readonly priceOutsideDomainSheet?: boolean;
}

export interface CostModel {
  readonly basis: string;
  readonly debtors: number;
  readonly lines: readonly CostLine[];
  readonly per10kDebtorsPerMonthUsd: number;
  /** Without the per-message fees of SES and End User Messaging (the product's own infrastructure). */
  readonly per10kDebtorsPerMonthWithoutMessagingUsd: number;
  readonly per10kSubscribersPerMonthUsd: number;
  readonly durations: LambdaDurations;
}

/**
 * The AWS bill of the simulated period, from its measured counts × the prices above, scaled to
 * 10,000 debtors a month. A debtor is a customer with a failed invoice in the period; everything
 * the product did in the period (the healthy subscribers' paid-invoice webhooks and the daily
 * metrics job included) is charged to them, so cost per debtor = period cost ÷ debtors, and a
 * month with 10,000 debtors costs 10,000 times that. Lambda time uses the durations measured
 * here against dynalite on loopback (a stand-in for DynamoDB's single-digit-ms latency).
 */
export function costModel(counts: SimulationCounts, durations: LambdaDurations): CostModel {
  const perDebtorMonth = counts.debtors === 0 ? 0 : 10_000 / counts.debtors;
  const lambdaInvocations =
    counts.webhookDeliveries + counts.planInvocations + counts.sendInvocations + counts.metricsJobRuns;
  const gbSeconds =
    (lambdaMemoryGb *
      (counts.webhookDeliveries * durations.ingestMs +
        counts.planInvocations * durations.planMs +
        counts.sendInvocations * durations.sendMs) +
      metricsJobMemoryGb * counts.metricsJobRuns * durations.metricsJobMs) /
    1000;
  const line = (
    service: string,
    driver: string,
    quantity: number,
    unitPriceUsd: number,
    outside = false,
  ): CostLine => {
    const periodUsd = quantity * unitPriceUsd;
    return {
      service,
      driver,
      quantity: Math.round(quantity * 100) / 100,
      unitPriceUsd,
      periodUsd,
      per10kDebtorsPerMonthUsd: periodUsd * perDebtorMonth,
      ...(outside ? { priceOutsideDomainSheet: true } : {}),
    };
  };
  const lines = [
    line(
      'Step Functions',
      'state transitions',
      counts.stateTransitions,
      awsPrices.stepFunctionsPerStateTransition,
    ),
    line(
      'Lambda',
      'requests (ingest, plan, send, metrics job)',
      lambdaInvocations,
      awsPrices.lambdaPerRequest,
    ),
    line(
      'Lambda',
      `GB-seconds (measured duration × ${lambdaMemoryGb * 1024} MB; the daily report ${metricsJobMemoryGb * 1024} MB)`,
      gbSeconds,
      awsPrices.lambdaPerGbSecondArm64,
    ),
    line(
      'DynamoDB',
      'write request units (table + index writes)',
      counts.dynamoDb.writeUnits + counts.dynamoDb.indexWriteUnits,
      awsPrices.dynamoDbPerWriteRequestUnit,
    ),
    line('DynamoDB', 'read request units', counts.dynamoDb.readUnits, awsPrices.dynamoDbPerReadRequestUnit),
    line('API Gateway HTTP API', 'webhook requests', counts.webhookDeliveries, awsPrices.httpApiPerRequest),
    line('EventBridge Scheduler', 'metrics job invocations (inside the free 14 M)', counts.metricsJobRuns, 0),
    line('SES', 'emails sent', counts.emails, awsPrices.sesPerEmail, true),
    line(
      'End User Messaging',
      'text messages sent (US 10DLC price)',
      counts.textMessages,
      awsPrices.smsPerMessage,
      true,
    ),
  ];
  const total = lines.reduce((sum, entry) => sum + entry.per10kDebtorsPerMonthUsd, 0);
  const messaging = lines
    .filter((entry) => entry.service === 'SES' || entry.service === 'End User Messaging')
    .reduce((sum, entry) => sum + entry.per10kDebtorsPerMonthUsd, 0);
  const periodTotal = lines.reduce((sum, entry) => sum + entry.periodUsd, 0);
  return {
    basis: `${counts.customers} subscribers × ${counts.days} days (seed ${counts.seed}): ${counts.debtors} debtors`,
    debtors: counts.debtors,
    lines,
    per10kDebtorsPerMonthUsd: total,
    per10kDebtorsPerMonthWithoutMessagingUsd: total - messaging,
    per10kSubscribersPerMonthUsd: ((periodTotal * 30) / counts.days) * (10_000 / counts.customers),
    durations,
  };
}
