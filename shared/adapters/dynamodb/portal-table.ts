import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError } from '../../domain/errors.ts';
import type { PortalLink } from '../../domain/portal/portal-link.ts';
import type { CaseInteraction, CasePortalState, PortalStore, RateLimiter } from '../../ports.ts';
import { writeIfConditionHolds } from './conditional-write.ts';
import { queryAll, singleTableDocumentClient, sortKeyPrefixQuery } from './document-client.ts';
import { keys, tableSchema } from './table-schema.ts';

type Item = Record<string, unknown>;

const keyAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'ttl']);

function stripKeys<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !keyAttributes.has(name))) as T;
}

/** The portal-owned attributes of the case item, in the order they are written. */
const portalStateFields: readonly (keyof CasePortalState)[] = [
  'pausedUntil',
  'pauseReason',
  'promiseToPay',
  'brokenPromises',
  'paymentPlan',
  'claimHolds',
];

/** Epoch seconds for DynamoDB TTL (the table's `ttl` attribute); dynalite ignores it, which is harmless here. */
function ttlAfter(at: Date, seconds: number): number {
  return Math.floor(at.getTime() / 1000) + seconds;
}

/**
 * The debtor portal's items in the single table: links, interactions, agent tasks, commitment
 * checks and rate-limit counters. Single-item conditional writes only, like `CollectionsTable`.
 */
export class PortalTable implements PortalStore, RateLimiter {
  private readonly documents: DynamoDBDocumentClient;

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = singleTableDocumentClient(client);
  }

  public async putPortalLink(link: PortalLink): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.portalLink(link.linkId),
          entity: 'portal-link',
          ...link,
          // Kept a month past expiry, for the renewal page, then DynamoDB may delete it.
          ttl: ttlAfter(new Date(link.expiresAt), 31 * 86_400),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  public async getPortalLink(linkId: string): Promise<PortalLink | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.portalLink(linkId), ConsistentRead: true }),
    );
    return result.Item ? stripKeys<PortalLink>(result.Item) : undefined;
  }

  public async revokePortalLink(linkId: string, at: Date): Promise<void> {
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.portalLink(linkId),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      ),
    );
  }

  public async revokeCasePortalLinks(caseId: string, at: Date): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.collectionCase(caseId),
        UpdateExpression: 'SET portalLinksRevokedBefore = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  public async updateCasePortalState(
    caseId: string,
    expectedVersion: number,
    state: CasePortalState,
  ): Promise<void> {
    const names: Record<string, string> = { '#version': 'portalVersion' };
    const values: Record<string, unknown> = { ':next': expectedVersion + 1 };
    const sets = ['#version = :next'];
    const removes: string[] = [];
    portalStateFields.forEach((field, index) => {
      names[`#f${index}`] = field;
      const value = state[field];
      if (value === undefined) removes.push(`#f${index}`);
      else {
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      }
    });
    const condition =
      expectedVersion === 0
        ? 'attribute_exists(pk) AND attribute_not_exists(#version)'
        : 'attribute_exists(pk) AND #version = :expected';
    if (expectedVersion !== 0) values[':expected'] = expectedVersion;
    const written = await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.collectionCase(caseId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    if (!written) throw new ConcurrentUpdateError(`case ${caseId} changed concurrently`);
  }

  public async recordInteraction(interaction: CaseInteraction): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.portalInteraction(interaction.caseId, interaction.at, randomUUID()),
          entity: 'interaction',
          ...interaction,
        },
      }),
    );
  }

  public async listInteractions(caseId: string): Promise<CaseInteraction[]> {
    const items = await this.queryAll(
      sortKeyPrefixQuery(this.tableName, keys.collectionCase(caseId).pk, 'PORTAL_INTERACTION#'),
    );
    return items.map((item) => stripKeys<CaseInteraction>(item));
  }

  public async scheduleCommitmentCheck(caseId: string, at: string | undefined): Promise<void> {
    const index = tableSchema.indexes.openCases;
    const key = keys.commitmentCheck(caseId);
    if (at === undefined) {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'REMOVE #gpk, #gsk, dueAt',
          ExpressionAttributeNames: { '#gpk': index.partitionKey, '#gsk': index.sortKey },
        }),
      );
      return;
    }
    const dueAt = new Date(at).toISOString();
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          entity: 'commitment-check',
          caseId,
          dueAt,
          [index.partitionKey]: keys.dueCommitmentsPartition,
          [index.sortKey]: `${dueAt}#${caseId}`,
        },
      }),
    );
  }

  public async listDueCommitmentChecks(now: Date): Promise<string[]> {
    const index = tableSchema.indexes.openCases;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: index.indexName,
      KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
      ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
      // Sort keys are `<ISO due>#<case id>`: everything due at or before now sorts below `<now>#~`.
      ExpressionAttributeValues: { ':pk': keys.dueCommitmentsPartition, ':upTo': `${now.toISOString()}#~` },
    });
    return items.map((item) => String(item.caseId));
  }

  public async consume(key: string, limit: number, windowSeconds: number, now: Date): Promise<boolean> {
    const windowStart = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
    return writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.rateLimit(key, windowStart),
          UpdateExpression: 'ADD hits :one SET entity = :entity, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':entity': 'rate-limit',
            ':ttl': windowStart + 2 * windowSeconds,
          },
        }),
      ),
    );
  }

  private queryAll(input: QueryCommandInput): Promise<Item[]> {
    return queryAll(this.documents, input);
  }
}
