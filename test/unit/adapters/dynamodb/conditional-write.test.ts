import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../../../infra/local/embedded-dynamodb.ts';
import {
  isConditionFailure,
  putVersioned,
  writeIfConditionHolds,
} from '../../../../shared/adapters/dynamodb/conditional-write.ts';
import { ConcurrentUpdateError } from '../../../../shared/domain/errors.ts';

const conditionFailure = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('isConditionFailure', () => {
  it('recognises the SDK class, and the same name thrown by another copy of the SDK', () => {
    const foreignCopy = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });
    expect(isConditionFailure(conditionFailure())).toBe(true);
    expect(isConditionFailure(foreignCopy)).toBe(true);
  });

  it('is false for every other error and for things that are not errors', () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    expect(isConditionFailure(throttled)).toBe(false);
    expect(isConditionFailure(new Error('socket hang up'))).toBe(false);
    expect(isConditionFailure(undefined)).toBe(false);
    expect(isConditionFailure(null)).toBe(false);
    expect(isConditionFailure('ConditionalCheckFailedException')).toBe(false);
  });
});

describe('writeIfConditionHolds', () => {
  it('answers true when the write went through', async () => {
    expect(await writeIfConditionHolds(Promise.resolve({}))).toBe(true);
  });

  it('answers false when the condition did not hold', async () => {
    expect(await writeIfConditionHolds(Promise.reject(conditionFailure()))).toBe(false);
  });

  it('rethrows every other error unchanged', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    const missingTable = new ResourceNotFoundException({ message: 'no such table', $metadata: {} });
    const network = new Error('socket hang up');
    await expect(writeIfConditionHolds(Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(writeIfConditionHolds(Promise.reject(missingTable))).rejects.toBe(missingTable);
    await expect(writeIfConditionHolds(Promise.reject(network))).rejects.toBe(network);
  });
});

describe('putVersioned', () => {
  let db: EmbeddedDynamoDb;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    db = await startEmbeddedDynamoDb();
    documents = DynamoDBDocumentClient.from(db.client);
  });
  afterAll(() => db.stop());

  const key = { pk: 'VERSIONED#1', sk: 'ITEM' };
  const stored = async () =>
    (await documents.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }))).Item;

  it('creates at version 1, then writes only over the version it was given', async () => {
    // Prepare & Act
    await putVersioned(documents, db.tableName, { ...key, label: 'first' }, 0, 'item 1');
    await putVersioned(documents, db.tableName, { ...key, label: 'second' }, 1, 'item 1');

    // Assess
    expect(await stored()).toEqual({ ...key, label: 'second', version: 2 });
  });

  it('refuses a stale version or a second create with ConcurrentUpdateError, and leaves the item as it was', async () => {
    const stale = putVersioned(documents, db.tableName, { ...key, label: 'stale' }, 1, 'item 1');
    await expect(stale).rejects.toThrow(ConcurrentUpdateError);
    await expect(stale).rejects.toThrow('item 1 changed concurrently');
    await expect(
      putVersioned(documents, db.tableName, { ...key, label: 'again' }, 0, 'item 1'),
    ).rejects.toThrow(ConcurrentUpdateError);
    expect(await stored()).toEqual({ ...key, label: 'second', version: 2 });
  });

  it('rethrows an error that is not a failed condition', async () => {
    const write = putVersioned(documents, 'no-such-table', { ...key, label: 'lost' }, 0, 'item 1');
    await expect(write).rejects.toThrow(ResourceNotFoundException);
  });
});
