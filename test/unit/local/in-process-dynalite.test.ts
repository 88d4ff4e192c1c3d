import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../../infra/local/embedded-dynamodb.ts';

describe('the embedded DynamoDB client (dynalite in this process, no socket)', () => {
  let db: EmbeddedDynamoDb;
  let overHttp: DynamoDBClient;

  beforeAll(async () => {
    db = await startEmbeddedDynamoDb();
    // An ordinary client at the endpoint, signing with SigV4 over the loopback.
    overHttp = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    overHttp.destroy();
    await db.stop();
  });

  const item = (id: string, extra: Record<string, { S: string }> = {}) => ({
    pk: { S: `TEST#${id}` },
    sk: { S: 'ITEM' },
    ...extra,
  });

  it('starts with the table active: the first request finds it', async () => {
    // dynalite makes a new table ACTIVE on a timer; with no socket in between, a request could beat
    // it (2 starts in 20 did before the start waited for it).
    const notFound: string[] = [];
    for (let start = 0; start < 20; start += 1) {
      const fresh = await startEmbeddedDynamoDb();
      try {
        await fresh.client.send(
          new QueryCommand({
            TableName: fresh.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: 'TEST#first' } },
          }),
        );
      } catch (error) {
        notFound.push((error as Error).name);
      } finally {
        await fresh.stop();
      }
    }
    expect(notFound).toEqual([]);
  });

  it('reads and writes the same store as a client over HTTP', async () => {
    // Act
    await db.client.send(
      new PutItemCommand({ TableName: db.tableName, Item: item('a', { note: { S: 'é ✓' } }) }),
    );
    await overHttp.send(
      new PutItemCommand({ TableName: db.tableName, Item: item('b', { note: { S: 'b' } }) }),
    );
    const seenOverHttp = await overHttp.send(new GetItemCommand({ TableName: db.tableName, Key: item('a') }));
    const seenInProcess = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: item('b') }),
    );

    // Assert
    expect(seenOverHttp.Item?.note).toEqual({ S: 'é ✓' });
    expect(seenInProcess.Item?.note).toEqual({ S: 'b' });
  });

  it('carries large items and query answers whole', async () => {
    // Prepare: close to DynamoDB's 400 KB item limit.
    const large = 'x'.repeat(380 * 1024);

    // Act
    await db.client.send(
      new PutItemCommand({ TableName: db.tableName, Item: item('large', { body: { S: large } }) }),
    );
    const answer = await db.client.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'TEST#large' } },
      }),
    );

    // Assert
    expect(answer.Items?.[0]?.body?.S).toHaveLength(large.length);
  });

  it('answers a refused conditional write and a bad request with the errors DynamoDB gives', async () => {
    // Prepare
    await db.client.send(new PutItemCommand({ TableName: db.tableName, Item: item('once') }));

    // Act
    const [refused, invalid] = await Promise.allSettled([
      db.client.send(
        new PutItemCommand({
          TableName: db.tableName,
          Item: item('once'),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
      db.client.send(new GetItemCommand({ TableName: db.tableName, Key: { pk: { S: 'x' } } })),
    ]);

    // Assert
    expect(refused).toMatchObject({ status: 'rejected' });
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(ConditionalCheckFailedException);
    expect(invalid).toMatchObject({
      status: 'rejected',
      reason: { name: 'ValidationException', message: expect.stringContaining('key') },
    });
  });

  it('refuses a request whose caller already gave up', async () => {
    const aborted = db.client.send(new GetItemCommand({ TableName: db.tableName, Key: item('a') }), {
      abortSignal: AbortSignal.abort(),
    });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });
});
