import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Request units of one phase (ingest, journey, metrics...), by operation. */
export interface RequestTally {
  requests: number;
  /** Read request units (on-demand RRU): 1 per 4 KB strongly consistent, half that eventually consistent. */
  readUnits: number;
  /** Write request units (on-demand WRU) on the table: 1 per KB written. */
  writeUnits: number;
  /** Write units the global secondary indexes add (estimated, see `indexWriteUnits`). */
  indexWriteUnits: number;
  /** Conditional writes refused; DynamoDB still bills them. */
  conditionalFailures: number;
}

const readOperations = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const writeOperations = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

interface ConsumedCapacity {
  readonly CapacityUnits?: number;
}

function capacityOf(output: unknown): number {
  const consumed = (output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  return list.reduce((total, entry) => total + (entry.CapacityUnits ?? 0), 0);
}

function emptyTally(): RequestTally {
  return { requests: 0, readUnits: 0, writeUnits: 0, indexWriteUnits: 0, conditionalFailures: 0 };
}

/**
 * Counts DynamoDB requests and request units per phase, by wrapping a client with a middleware
 * (so the product's code runs unchanged). The table's units come from the engine itself
 * (`ReturnConsumedCapacity`); dynalite does not count index writes, so they are estimated from
 * the item before and after each write (`ReturnValues` is asked for and then removed from the
 * answer): an item entering, staying in or leaving an index costs its size once, moving inside
 * it twice, as DynamoDB bills global secondary index writes.
 */
export class DynamoDbRequestMeter {
  private readonly phase = new AsyncLocalStorage<string>();
  private readonly tallies = new Map<string, Map<string, RequestTally>>();

  /** @param indexPartitionKeys the partition key attribute of each global secondary index */
  public constructor(private readonly indexPartitionKeys: readonly string[]) {}

  public attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'TOTAL';
        const askedForValues = input.ReturnValues !== undefined;
        if (!askedForValues && operation === 'PutItem') input.ReturnValues = 'ALL_OLD';
        if (!askedForValues && operation === 'UpdateItem') input.ReturnValues = 'ALL_NEW';
        const tally = this.tallyFor(operation);
        tally.requests += 1;
        try {
          const result = await next(args);
          const output = result.output as unknown as Record<string, unknown>;
          const units = capacityOf(output);
          if (readOperations.has(operation)) tally.readUnits += units;
          if (writeOperations.has(operation)) {
            tally.writeUnits += units;
            tally.indexWriteUnits += this.indexWrites(operation, input, output, units);
          }
          if (!askedForValues) delete output.Attributes;
          return result;
        } catch (error) {
          if ((error as Error).name === 'ConditionalCheckFailedException') {
            tally.conditionalFailures += 1;
            tally.writeUnits += 1;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchDynamoDbRequestMeter', override: true },
    );
  }

  /** Runs `work` with its DynamoDB requests counted under `phase` (async work included). */
  public run<T>(phase: string, work: () => T): T {
    return this.phase.run(phase, work);
  }

  /** Tallies by phase, each by operation. */
  public snapshot(): Record<string, Record<string, RequestTally>> {
    return Object.fromEntries(
      [...this.tallies].map(([phase, operations]) => [
        phase,
        Object.fromEntries([...operations].map(([operation, tally]) => [operation, { ...tally }])),
      ]),
    );
  }

  /** The sum over operations of one phase (or of every phase). */
  public total(phase?: string): RequestTally {
    const sum = emptyTally();
    for (const [name, operations] of this.tallies) {
      if (phase !== undefined && name !== phase) continue;
      for (const tally of operations.values()) {
        sum.requests += tally.requests;
        sum.readUnits += tally.readUnits;
        sum.writeUnits += tally.writeUnits;
        sum.indexWriteUnits += tally.indexWriteUnits;
        sum.conditionalFailures += tally.conditionalFailures;
      }
    }
    return sum;
  }

  public reset(): void {
    this.tallies.clear();
  }

  private tallyFor(operation: string): RequestTally {
    const phase = this.phase.getStore() ?? 'unattributed';
    let operations = this.tallies.get(phase);
    if (operations === undefined) {
      operations = new Map();
      this.tallies.set(phase, operations);
    }
    let tally = operations.get(operation);
    if (tally === undefined) {
      tally = emptyTally();
      operations.set(operation, tally);
    }
    return tally;
  }

  private indexWrites(
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
    units: number,
  ): number {
    const size = Math.max(1, units);
    let total = 0;
    for (const key of this.indexPartitionKeys) {
      if (operation === 'PutItem') {
        const after = (input.Item as Record<string, unknown> | undefined)?.[key];
        const before = (output.Attributes as Record<string, unknown> | undefined)?.[key];
        if (after !== undefined && before !== undefined) {
          total += JSON.stringify(after) === JSON.stringify(before) ? size : 2 * size;
        } else if (after !== undefined || before !== undefined) total += size;
      } else if (operation === 'UpdateItem') {
        const after = (output.Attributes as Record<string, unknown> | undefined)?.[key];
        const expression = String(input.UpdateExpression ?? '');
        const names = Object.entries(
          (input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {},
        )
          .filter(([, name]) => name === key)
          .map(([placeholder]) => placeholder);
        const removesKey =
          /REMOVE/.test(expression) && [key, ...names].some((name) => expression.includes(name));
        if (after !== undefined || removesKey) total += size;
      }
    }
    return total;
  }
}
