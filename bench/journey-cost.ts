import { signPayload } from '../infra/local/simulator/stripe-event-factory.ts';
import { invoiceEventSet } from './benchmark-events.ts';
import type { RequestTally } from './dynamodb-request-meter.ts';
import { benchWebhookSecret, startMeteredProduct } from './metered-product.ts';

export interface PerJourney {
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
}

export interface JourneyCostResult {
  readonly journeys: number;
  readonly scenario: string;
  readonly stateTransitions: { readonly mean: number; readonly median: number; readonly max: number };
  /** Lambda invocations per journey, by function (ingest counted per webhook event). */
  readonly lambdaInvocationsPerJourney: Record<string, number>;
  /** Mean duration of each function here (dynalite on loopback: a proxy for Lambda's billed duration). */
  readonly meanDurationMs: Record<string, number>;
  /** DynamoDB per journey: its own execution (plan, read case, send), then the ingest of its two events. */
  readonly dynamoDbPerJourney: {
    readonly journey: PerJourney;
    readonly ingest: PerJourney;
    readonly total: PerJourney;
  };
  readonly messagesPerJourney: number;
}

const day = 86_400;
const round = (value: number) => Math.round(value * 100) / 100;

function per(tally: RequestTally, count: number): PerJourney {
  return {
    requests: round(tally.requests / count),
    readUnits: round(tally.readUnits / count),
    writeUnits: round(tally.writeUnits / count),
    indexWriteUnits: round(tally.indexWriteUnits / count),
  };
}

function sum(a: PerJourney, b: PerJourney): PerJourney {
  return {
    requests: round(a.requests + b.requests),
    readUnits: round(a.readUnits + b.readUnits),
    writeUnits: round(a.writeUnits + b.writeUnits),
    indexWriteUnits: round(a.indexWriteUnits + b.indexWriteUnits),
  };
}

/**
 * State transitions, Lambda invocations and DynamoDB request units per journey, measured on the
 * synthesized state machine with the default strategy: `journeys` debtors fail on day 0; a third
 * pay on day 1 (after the first email), a third on day 5 (after the reminder), a third never
 * (the whole journey runs); each journey's DynamoDB requests are told apart from the ingest's.
 */
export async function measureJourneyCost(journeys = 300): Promise<JourneyCostResult> {
  const start = new Date('2026-03-02T13:00:00Z');
  const product = await startMeteredProduct({ clockStart: start });
  try {
    const set = invoiceEventSet(3, journeys, start, benchWebhookSecret, 'J');
    for (const event of set.failed) await product.deliver(event.payload, event.signature);
    await product.clock.advance(0);
    const payOn = async (fromIndex: number) => {
      for (let index = fromIndex; index < journeys; index += 3) {
        const event = set.paid[index];
        if (event === undefined) continue;
        // Re-signed at the virtual now: the paid event is delivered days after it was built.
        const signature = signPayload(
          event.payload,
          benchWebhookSecret,
          Math.floor(product.clock.now().getTime() / 1000),
        );
        await product.deliver(event.payload, signature);
      }
      await product.clock.advance(0);
    };
    await product.clock.advance(1 * day);
    await payOn(0);
    await product.clock.advance(4 * day);
    await payOn(1);
    await product.clock.advance(20 * day);

    const executions = product.journeys.list();
    const transitions = executions.map((execution) => execution.stateTransitions).sort((a, b) => a - b);
    const lambdas = product.lambdas.snapshot();
    const invocations: Record<string, number> = {};
    const durations: Record<string, number> = {};
    for (const [name, entry] of Object.entries(lambdas)) {
      invocations[name] = round(entry.invocations / executions.length);
      durations[name] = round(entry.meanMs);
    }
    const journeyUnits = per(product.dynamo.total('journey'), executions.length);
    const ingestUnits = per(product.dynamo.total('ingest'), executions.length);
    return {
      journeys: executions.length,
      scenario: `${journeys} debtors fail on day 0; a third pay on day 1, a third on day 5, a third never (default strategy: emails on days 0, 3, 7)`,
      stateTransitions: {
        mean: round(transitions.reduce((total, value) => total + value, 0) / transitions.length),
        median: transitions[Math.floor(transitions.length / 2)] ?? 0,
        max: transitions[transitions.length - 1] ?? 0,
      },
      lambdaInvocationsPerJourney: invocations,
      meanDurationMs: durations,
      dynamoDbPerJourney: {
        journey: journeyUnits,
        ingest: ingestUnits,
        total: sum(journeyUnits, ingestUnits),
      },
      messagesPerJourney: round(product.outbox.list().length / executions.length),
    };
  } finally {
    await product.stop();
  }
}
