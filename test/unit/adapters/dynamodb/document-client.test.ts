import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../../../infra/local/embedded-dynamodb.ts';
import {
  batchGetAll,
  indexPartitionQuery,
  queryAll,
  singleTableDocumentClient,
  sortKeyPrefixQuery,
} from '../../../../shared/adapters/dynamodb/document-client.ts';
import { tableSchema } from '../../../../shared/adapters/dynamodb/table-schema.ts';

describe('the single-table document client and its paged reads', () => {
  let db: EmbeddedDynamoDb;
  let documents: DynamoDBDocumentClient;

  const put = (item: Record<string, unknown>) =>
    documents.send(new PutCommand({ TableName: db.tableName, Item: item }));

  beforeAll(async () => {
    db = await startEmbeddedDynamoDb();
    documents = singleTableDocumentClient(db.client);
  });
  afterAll(() => db.stop());

  it('drops fields left undefined and refuses a class instance instead of storing it as a map', async () => {
    await put({ pk: 'MARSHALL#1', sk: 'ITEM', kept: 'yes', optional: undefined });
    const stored = await documents.send(
      new GetCommand({
        TableName: db.tableName,
        Key: { pk: 'MARSHALL#1', sk: 'ITEM' },
        ConsistentRead: true,
      }),
    );
    expect(stored.Item).toEqual({ pk: 'MARSHALL#1', sk: 'ITEM', kept: 'yes' });
    await expect(put({ pk: 'MARSHALL#2', sk: 'ITEM', at: new Date('2026-03-02T09:00:00Z') })).rejects.toThrow(
      /convertClassInstanceToMap/,
    );
  });

  it('queries every page, and a prefix query reads only the items under its prefix', async () => {
    // Prepare: seven messages and two interactions in one partition.
    const pk = 'CASE#paged';
    await Promise.all([
      ...Array.from({ length: 7 }, (_, index) => put({ pk, sk: `MESSAGE#${index}`, index })),
      put({ pk, sk: 'INTERACTION#1' }),
      put({ pk, sk: 'INTERACTION#2' }),
    ]);

    // Act: two items a page, so the messages take four pages.
    const messages = await queryAll(documents, {
      ...sortKeyPrefixQuery(db.tableName, pk, 'MESSAGE#'),
      Limit: 2,
    });
    const everything = await queryAll(documents, {
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: 3,
    });

    // Assess
    expect(messages.map((item) => item.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(everything).toHaveLength(9);
  });

  it('reads one partition of a secondary index, every page of it', async () => {
    const index = tableSchema.indexes.openCases;
    await Promise.all([
      ...Array.from({ length: 5 }, (_, n) =>
        put({ pk: `INDEXED#${n}`, sk: 'ITEM', [index.partitionKey]: 'OPEN_TEST', [index.sortKey]: `${n}` }),
      ),
      put({ pk: 'INDEXED#other', sk: 'ITEM', [index.partitionKey]: 'OTHER_TEST', [index.sortKey]: '0' }),
    ]);

    const items = await queryAll(documents, {
      ...indexPartitionQuery(db.tableName, index, 'OPEN_TEST'),
      Limit: 2,
    });

    expect(items.map((item) => item.pk)).toEqual([0, 1, 2, 3, 4].map((n) => `INDEXED#${n}`));
  });

  it('batch-gets past 100 keys, each stored item once, leaving out keys that hold nothing', async () => {
    const stored = Array.from({ length: 230 }, (_, index) => ({ pk: `BATCH#${index}`, sk: 'ITEM' }));
    await Promise.all(stored.map((key, index) => put({ ...key, index })));
    const asked = [...stored, ...stored.slice(0, 40), { pk: 'BATCH#missing', sk: 'ITEM' }];

    const items = await batchGetAll(documents, db.tableName, asked);

    expect(items).toHaveLength(230);
    expect(new Set(items.map((item) => item.index)).size).toBe(230);
  });

  it('asks again for the keys DynamoDB left unprocessed until none is left', async () => {
    // Prepare: the first answer leaves one of two keys unprocessed.
    const client = DynamoDBDocumentClient.from(db.client);
    const mocked = mockClient(client);
    const first = { pk: 'A', sk: 'ITEM' };
    const second = { pk: 'B', sk: 'ITEM' };
    mocked
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { table: [first] }, UnprocessedKeys: { table: { Keys: [second] } } })
      .resolvesOnce({ Responses: { table: [second] } });

    // Act
    const items = await batchGetAll(client, 'table', [first, second]);

    // Assess
    expect(items).toEqual([first, second]);
    const requests = mocked.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems);
    expect(requests).toEqual([
      { table: { Keys: [first, second], ConsistentRead: true } },
      { table: { Keys: [second], ConsistentRead: true } },
    ]);
    mocked.restore();
  });
});
