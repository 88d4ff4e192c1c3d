import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
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
 * The real adapter on in-process dynalite: start one per test file (`beforeAll`) and stop it in
 * `afterAll`. Tests in a file share the table, so each test uses its own customer and invoice ids.
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

let sequence = 0;

/** A short id unique within the test run, for keeping tests that share a table apart. */
export function uniqueSuffix(): string {
  sequence += 1;
  return `${Date.now().toString(36)}${sequence.toString(36)}`;
}
