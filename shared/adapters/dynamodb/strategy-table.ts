import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { StrategyVersionConflictError } from '../../domain/errors.ts';
import { parseStrategyRouting, type StrategyRouting } from '../../domain/experiments.ts';
import { parseStrategy, type Strategy, strategyKey } from '../../domain/strategy.ts';
import type { StrategyCatalog, StrategyPublisher } from '../../ports.ts';
import { writeIfConditionHolds } from './conditional-write.ts';
import { keys } from './table-schema.ts';

/** Canonical JSON (sorted keys), so the same strategy published twice compares equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

/**
 * Strategies and routings published to the table, one immutable item per version. Items hold
 * the document as JSON text (a strategy is a document, and its shape is validated on the way in
 * and out). Versions never change once written, so reads are cached for the container's life.
 */
export class StrategyTable implements StrategyCatalog, StrategyPublisher {
  private readonly documents: DynamoDBDocumentClient;
  private readonly cache = new Map<string, Strategy>();

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  public async getStrategy(id: string, version: number): Promise<Strategy | undefined> {
    const key = strategyKey(id, version);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keys.strategyVersion(id, version) }),
    );
    if (!result.Item) return undefined;
    const strategy = parseStrategy(JSON.parse(String(result.Item.document)));
    this.cache.set(key, strategy);
    return strategy;
  }

  public async getCurrentStrategy(id: string): Promise<Strategy | undefined> {
    const item = await this.latest(keys.strategyVersion(id, 0).pk);
    return item === undefined ? undefined : parseStrategy(JSON.parse(String(item.document)));
  }

  public async getLatestRouting(): Promise<StrategyRouting | undefined> {
    const item = await this.latest(keys.strategyRoutingVersion(0).pk);
    return item === undefined ? undefined : parseStrategyRouting(JSON.parse(String(item.document)));
  }

  public async getRouting(): Promise<StrategyRouting> {
    const routing = await this.getLatestRouting();
    if (routing === undefined) throw new StrategyVersionConflictError('no strategy routing is published');
    return routing;
  }

  public async publishStrategy(strategy: Strategy, publishedAt: Date): Promise<'published' | 'unchanged'> {
    return this.publish(
      keys.strategyVersion(strategy.id, strategy.version),
      strategy,
      publishedAt,
      `strategy ${strategyKey(strategy.id, strategy.version)}`,
    );
  }

  public async publishRouting(
    routing: StrategyRouting,
    publishedAt: Date,
  ): Promise<'published' | 'unchanged'> {
    return this.publish(
      keys.strategyRoutingVersion(routing.version),
      routing,
      publishedAt,
      `routing version ${routing.version}`,
    );
  }

  private async publish(
    key: { pk: string; sk: string },
    document: object,
    publishedAt: Date,
    label: string,
  ): Promise<'published' | 'unchanged'> {
    const { $schema: _editorHint, ...content } = document as { $schema?: string };
    const text = canonical(content);
    const published = await writeIfConditionHolds(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            entity: 'strategy-document',
            document: text,
            publishedAt: publishedAt.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (published) return 'published';
    const stored = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (stored.Item?.document === text) return 'unchanged';
    throw new StrategyVersionConflictError(
      `${label} is already published with different content: versions are immutable, publish it as a new version`,
    );
  }

  private async latest(pk: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': 'VERSION#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return result.Items?.[0];
  }
}
