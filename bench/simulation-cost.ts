import { cpus } from 'node:os';
import { startInProcessTarget } from '../infra/local/simulator/product-target.ts';
import { runSimulation } from '../infra/local/simulator/run-simulation.ts';
import { JourneyState } from '../workflows/collection-journey.ts';
import { DynamoDbRequestMeter, type RequestTally } from './dynamodb-request-meter.ts';
import { indexPartitionKeys } from './metered-product.ts';

/** What a whole simulated period made the product do: the counts the cost model multiplies. */
export interface SimulationCounts {
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  readonly wallSeconds: number;
  readonly machine: { readonly cpus: number; readonly model: string; readonly node: string };
  readonly invariantViolations: number;
  /** Customers with at least one failed invoice: the debtors of the period. */
  readonly debtors: number;
  readonly webhookDeliveries: number;
  readonly journeys: number;
  readonly stateTransitions: number;
  readonly maxStateTransitionsPerJourney: number;
  readonly planInvocations: number;
  readonly sendInvocations: number;
  readonly emails: number;
  /** Texts sent (SMS); WhatsApp and voice are not priced yet (none are sent by the shipped strategies' steps today). */
  readonly textMessages: number;
  /** Daily metrics job runs: the daily finance summary, once a virtual day. */
  readonly metricsJobRuns: number;
  readonly dynamoDb: RequestTally;
}

/** Every request but the Scans of `GET /local/cases`: the operator view the simulator reads at the end, not product work. */
function productRequests(meter: DynamoDbRequestMeter): RequestTally {
  const total: RequestTally = {
    requests: 0,
    readUnits: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
    conditionalFailures: 0,
  };
  for (const operations of Object.values(meter.snapshot())) {
    for (const [operation, tally] of Object.entries(operations)) {
      if (operation === 'Scan') continue;
      total.requests += tally.requests;
      total.readUnits += tally.readUnits;
      total.writeUnits += tally.writeUnits;
      total.indexWriteUnits += tally.indexWriteUnits;
      total.conditionalFailures += tally.conditionalFailures;
    }
  }
  return total;
}

/**
 * Runs the simulator in process (the same run as `npm run simulate`) with a request meter on the
 * runtime's DynamoDB client, and reads the counts the product itself reports: journeys and their
 * states (GET /local/executions), messages (the outbox), deliveries.
 */
export async function measureSimulation(
  customers: number,
  days: number,
  seed: number,
): Promise<SimulationCounts> {
  const target = await startInProcessTarget({ clockStart: new Date('2026-03-02T00:00:00Z') });
  const meter = new DynamoDbRequestMeter(indexPartitionKeys());
  if (target.runtime === undefined) throw new Error('the in-process target has a runtime');
  meter.attach(target.runtime.database.client);
  try {
    const { report, timing } = await runSimulation(target, { customers, days, seed });
    const executions = await target.client.executions();
    const cases = await target.client.cases();
    const sum = (state: string) =>
      executions.reduce((total, execution) => total + (execution.statesEntered[state] ?? 0), 0);
    const cpu = cpus();
    return {
      customers,
      days,
      seed,
      wallSeconds: timing.wallSeconds,
      machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version },
      invariantViolations: report.invariants.violationCount,
      debtors: new Set(cases.map((collectionCase) => collectionCase.customerId)).size,
      webhookDeliveries: report.webhooks.deliveries,
      journeys: executions.length,
      stateTransitions: executions.reduce((total, execution) => total + execution.stateTransitions, 0),
      maxStateTransitionsPerJourney: Math.max(
        0,
        ...executions.map((execution) => execution.stateTransitions),
      ),
      planInvocations: sum(JourneyState.plan),
      sendInvocations: sum(JourneyState.send),
      emails: report.collections.messagesByChannel.email ?? 0,
      textMessages: report.collections.messagesByChannel.sms ?? 0,
      metricsJobRuns: days,
      dynamoDb: productRequests(meter),
    };
  } finally {
    await target.stop();
  }
}
