import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { tableSchema } from '../../shared/adapters/dynamodb/table-schema.ts';
import { inProcessDynaliteHandler, unsignedLocalRequests } from './in-process-dynalite.ts';

export interface EmbeddedDynamoDb {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  stop(): Promise<void>;
}

export interface EmbeddedDynamoDbOptions {
  /** LevelDB folder for a persistent store; in memory when absent. */
  readonly path?: string;
  readonly tableName?: string;
}

/** The same key schema and indexes the CDK construct creates (both read `tableSchema`). */
export function collectionsTableDefinition(tableName: string): CreateTableCommandInput {
  const { claimsByFailureMonth, openCases } = tableSchema.indexes;
  const attributes = [
    tableSchema.partitionKey,
    tableSchema.sortKey,
    claimsByFailureMonth.partitionKey,
    claimsByFailureMonth.sortKey,
    openCases.partitionKey,
    openCases.sortKey,
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [claimsByFailureMonth, openCases].map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/**
 * dynalite in this process on a free loopback port (its CLI's `--port 0` silently means 4567,
 * so the server is created programmatically), with the collections table created if missing.
 * The client it returns reaches dynalite without the loopback (`in-process-dynalite.ts`).
 */
export async function startEmbeddedDynamoDb(
  options: EmbeddedDynamoDbOptions = {},
): Promise<EmbeddedDynamoDb> {
  const tableName = options.tableName ?? 'collections';
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
    // The same requests, handed to dynalite in this process: no socket, no signature to compute,
    // no endpoint rules to evaluate. The server still listens at `endpoint` for other clients.
    requestHandler: inProcessDynaliteHandler(server),
    signer: unsignedLocalRequests,
    endpointProvider: () => ({ url: new URL(endpoint) }),
  });
  try {
    await client.send(new CreateTableCommand(collectionsTableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // dynalite makes a new table ACTIVE on a timer: without the socket's latency, the first request
  // could come before it (ResourceNotFoundException).
  await waitUntilTableExists(
    { client, maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.1 },
    { TableName: tableName },
  );
  return {
    endpoint,
    client,
    tableName,
    stop: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) =>
        server.close((error?: Error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
