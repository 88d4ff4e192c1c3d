import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../infra/local/embedded-dynamodb.ts';
import { CollectionsTable } from '../../shared/adapters/dynamodb/collections-table.ts';

export interface EmbeddedCollectionsTable {
  readonly db: EmbeddedDynamoDb;
  readonly table: CollectionsTable;
  /** Every item in the table, raw (keys included), to assert what was or was not written. */
  scanItems(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * The real adapter on in-process dynalite, started now: for a table of its own within one test (stop
 * it in `finally`). A test file's shared table is `embeddedCollectionsTablePerFile()`.
 */
export async function startEmbeddedCollectionsTable(): Promise<EmbeddedCollectionsTable> {
  const db = await startEmbeddedDynamoDb();
  const documents = DynamoDBDocumentClient.from(db.client);
  return {
    db,
    table: new CollectionsTable(db.client, db.tableName),
    scanItems: async () => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({ TableName: db.tableName, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    stop: () => db.stop(),
  };
}

/**
 * The embedded table of the tests of the enclosing file (or `describe`): started in `beforeAll`,
 * stopped in `afterAll`. Read it only inside hooks and tests. The tests share it, so each uses its
 * own customer and invoice ids (`uniqueSuffix`).
 */
export function embeddedCollectionsTablePerFile(): Omit<EmbeddedCollectionsTable, 'stop'> {
  let embedded: EmbeddedCollectionsTable | undefined;
  const started = () => {
    if (embedded === undefined) throw new Error('the embedded table runs only inside hooks and tests');
    return embedded;
  };
  beforeAll(async () => {
    embedded = await startEmbeddedCollectionsTable();
  });
  afterAll(async () => {
    await embedded?.stop();
    embedded = undefined;
  });
  return {
    get db() {
      return started().db;
    },
    get table() {
      return started().table;
    },
    scanItems: () => started().scanItems(),
  };
}

let sequence = 0;

/** A short id unique within the test run, for keeping tests that share a table apart. */
export function uniqueSuffix(): string {
  sequence += 1;
  return `${Date.now().toString(36)}${sequence.toString(36)}`;
}
