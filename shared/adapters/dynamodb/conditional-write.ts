import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../../domain/errors.ts';

/**
 * DynamoDB's answer to a write whose condition did not hold. Matched by name as well as by class:
 * a second copy of the SDK in a bundle throws its own class.
 */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/**
 * Awaits a conditional write: true when it was written, false when its condition did not hold.
 * Only a failed condition is an answer; every other error (throttling, validation, network) is rethrown.
 */
export async function writeIfConditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Optimistic locking for items rewritten whole: puts `item` as version `expectedVersion + 1` only if
 * the stored `version` still equals `expectedVersion` (0: not stored yet); otherwise a
 * `ConcurrentUpdateError` saying that `what` changed concurrently.
 */
export async function putVersioned(
  documents: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number,
  what: string,
): Promise<void> {
  const written = await writeIfConditionHolds(
    documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...item, version: expectedVersion + 1 },
        ConditionExpression:
          expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'attribute_exists(pk) AND version = :expected',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    ),
  );
  if (!written) throw new ConcurrentUpdateError(`${what} changed concurrently`);
}
