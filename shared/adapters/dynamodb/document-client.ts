import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * The document client the single-table adapters write records through: optional fields left
 * undefined are dropped, and a class instance is refused rather than silently stored as a map.
 */
export function singleTableDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Every item a Query matches, following its pages. */
export async function queryAll(documents: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const result = await documents.send(
      new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The strongly consistent Query of the items of partition `pk` whose sort key starts with `prefix`. */
export function sortKeyPrefixQuery(tableName: string, pk: string, prefix: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ConsistentRead: true,
  };
}

/** The Query of every item of one partition of a global secondary index (eventually consistent, as such reads are). */
export function indexPartitionQuery(
  tableName: string,
  index: { readonly indexName: string; readonly partitionKey: string },
  partition: string,
): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: index.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': index.partitionKey },
    ExpressionAttributeValues: { ':pk': partition },
  };
}

/** BatchGetItem reads at most 100 keys per request. */
const batchGetLimit = 100;

/**
 * The items stored under `itemKeys` (each key once; missing ones are left out, in no set order),
 * read strongly consistent by 100 keys, retrying the keys DynamoDB left unprocessed with backoff.
 */
export async function batchGetAll(
  documents: DynamoDBDocumentClient,
  tableName: string,
  itemKeys: readonly { pk: string; sk: string }[],
): Promise<Item[]> {
  const unique = [...new Map(itemKeys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()];
  const items: Item[] = [];
  for (let start = 0; start < unique.length; start += batchGetLimit) {
    let pending: Item[] | undefined = unique.slice(start, start + batchGetLimit);
    for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const result = await documents.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
    }
  }
  return items;
}
