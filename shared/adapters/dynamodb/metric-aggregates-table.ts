import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Claim } from '../../domain/claim.ts';
import type { CollectionCase } from '../../domain/collection-case.ts';
import { ConcurrentUpdateError } from '../../domain/errors.ts';
import type { CellGranularity, CellRef, MetricCell } from '../../domain/metric-cells.ts';
import type { Contribution, SubscriptionClaimSummary } from '../../domain/metric-contributions.ts';
import type { Subscription } from '../../domain/subscription.ts';
import type {
  MessageRecord,
  MetricContributionRecord,
  MetricRebuildStore,
  ReportDeliveryLedger,
  ReportDeliveryRecord,
  VersionedClaim,
} from '../../ports.ts';

type Item = Record<string, unknown>;

/**
 * Keys of the finance metrics in the single table. Cells are partitioned per currency: all month
 * cells of a currency in one partition (a report reads it with one Query), the day cells of one
 * month in another.
 */
export const metricKeys = {
  monthCells: (currency: string) => `MAGG#${currency}#MONTH`,
  dayCells: (currency: string, month: string) => `MAGG#${currency}#DAY#${month}`,
  cell: (ref: CellRef) => ({
    pk:
      ref.granularity === 'month'
        ? metricKeys.monthCells(ref.currency)
        : metricKeys.dayCells(ref.currency, ref.period.slice(0, 7)),
    sk: ref.period,
  }),
  currencies: { pk: 'MAGG#CURRENCIES', sk: 'ALL' },
  contribution: (unitId: string) => ({ pk: `MCONTRIB#${unitId}`, sk: 'CONTRIB' }),
  reportDelivery: (reportId: string) => ({ pk: `REPORT#${reportId}`, sk: 'DELIVERY' }),
} as const;

/** Measure attributes carry a prefix so no measure name can collide with the item's own attributes. */
const measurePrefix = 'm:';

/**
 * How long a cell remembers a token. A writer that read a pending replacement finishes it within
 * its Lambda's lifetime (15 minutes at most), so after that the token can never be presented again.
 */
export const cellTokenLifetimeSeconds = 15 * 60;

/** UpdateExpression is limited to 4 KB: measures are applied in chunks, each with its own token. */
const measuresPerUpdate = 80;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

function tokenTime(token: string): number {
  const at = token.lastIndexOf('@');
  const seconds = Number(token.slice(at + 1).split('/')[0]);
  return Number.isFinite(seconds) ? seconds : 0;
}

function cellOf(item: Item): MetricCell {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(measurePrefix) && typeof value === 'number' && value !== 0) {
      values[name.slice(measurePrefix.length)] = value;
    }
  }
  return {
    currency: String(item.currency),
    granularity: item.granularity as CellGranularity,
    period: String(item.period),
    values,
  };
}

function contributionRecordOf(item: Item): MetricContributionRecord {
  const pending = item.pending as { token: string; target: string; sourceVersion: number } | undefined;
  return {
    unitId: String(item.unitId),
    version: Number(item.version),
    applied: JSON.parse(String(item.applied)) as Contribution,
    sourceVersion: Number(item.sourceVersion ?? 0),
    ...(pending
      ? {
          pending: {
            token: pending.token,
            target: JSON.parse(pending.target) as Contribution,
            sourceVersion: Number(pending.sourceVersion),
          },
        }
      : {}),
    ...(typeof item.summaries === 'string'
      ? { summaries: JSON.parse(item.summaries) as Record<string, SubscriptionClaimSummary> }
      : {}),
    ...(typeof item.subscriptionId === 'string' ? { subscriptionId: item.subscriptionId } : {}),
  };
}

function contributionItem(record: Omit<MetricContributionRecord, 'version'>, version: number): Item {
  return {
    ...metricKeys.contribution(record.unitId),
    entity: 'metric-contribution',
    unitId: record.unitId,
    version,
    applied: JSON.stringify(record.applied),
    sourceVersion: record.sourceVersion,
    ...(record.pending
      ? {
          pending: {
            token: record.pending.token,
            target: JSON.stringify(record.pending.target),
            sourceVersion: record.pending.sourceVersion,
          },
        }
      : {}),
    ...(record.summaries ? { summaries: JSON.stringify(record.summaries) } : {}),
    ...(record.subscriptionId ? { subscriptionId: record.subscriptionId } : {}),
  };
}

const sourceAttributes = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'version']);

function strip<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !sourceAttributes.has(name))) as T;
}

/**
 * The finance metrics' aggregates, contribution records and report deliveries, in the product's
 * single table, with single-item conditional writes only (no transactions: DESIGN.md decision 2).
 */
export class MetricAggregatesTable implements MetricRebuildStore, ReportDeliveryLedger {
  private readonly documents: DynamoDBDocumentClient;

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }

  // Contribution records ---------------------------------------------------------------------

  public async getContributionRecord(unitId: string): Promise<MetricContributionRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: metricKeys.contribution(unitId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? contributionRecordOf(result.Item) : undefined;
  }

  public async putContributionRecord(
    record: Omit<MetricContributionRecord, 'version'>,
    expectedVersion: number,
  ): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: contributionItem(record, expectedVersion + 1),
          ConditionExpression:
            expectedVersion === 0
              ? 'attribute_not_exists(pk)'
              : 'attribute_exists(pk) AND version = :expected',
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new ConcurrentUpdateError(`metrics of ${record.unitId} changed concurrently`);
      throw error;
    }
  }

  public async replaceContributionRecord(record: Omit<MetricContributionRecord, 'version'>): Promise<void> {
    const stored = await this.getContributionRecord(record.unitId);
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: contributionItem(record, (stored?.version ?? 0) + 1),
      }),
    );
  }

  public async deleteContributionRecord(unitId: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: metricKeys.contribution(unitId) }),
    );
  }

  public async listContributionUnitIds(): Promise<string[]> {
    const items = await this.scanAll({
      TableName: this.tableName,
      FilterExpression: 'entity = :entity',
      ExpressionAttributeValues: { ':entity': 'metric-contribution' },
      ProjectionExpression: 'unitId',
    });
    return items.map((item) => String(item.unitId)).sort();
  }

  // Cells ------------------------------------------------------------------------------------

  public async addToCell(cell: MetricCell, token: string, now: Date): Promise<boolean> {
    const measures = Object.entries(cell.values);
    const chunks: [string, number][][] = [];
    for (let start = 0; start < measures.length; start += measuresPerUpdate) {
      chunks.push(measures.slice(start, start + measuresPerUpdate));
    }
    let appliedAny = false;
    for (const [index, chunk] of chunks.entries()) {
      const chunkToken = chunks.length > 1 ? `${token}/${index}` : token;
      if (await this.addChunk(cell, chunk, chunkToken, now)) appliedAny = true;
    }
    if (cell.granularity === 'month') {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: metricKeys.currencies,
          UpdateExpression: 'SET entity = :entity ADD currencies :currency',
          ExpressionAttributeValues: {
            ':entity': 'metric-currencies',
            ':currency': new Set([cell.currency]),
          },
        }),
      );
    }
    return appliedAny;
  }

  private async addChunk(
    cell: MetricCell,
    measures: readonly [string, number][],
    token: string,
    now: Date,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#period': 'period', '#tokens': 'tokens' };
    const values: Record<string, unknown> = {
      ':entity': 'metric-cell',
      ':currency': cell.currency,
      ':granularity': cell.granularity,
      ':period': cell.period,
      ':token': token,
      ':tokenSet': new Set([token]),
    };
    const adds = ['#tokens :tokenSet'];
    measures.forEach(([measure, value], index) => {
      names[`#m${index}`] = `${measurePrefix}${measure}`;
      values[`:v${index}`] = value;
      adds.push(`#m${index} :v${index}`);
    });
    let tokens: Set<string> | undefined;
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: metricKeys.cell(cell),
          UpdateExpression: `SET entity = :entity, currency = :currency, granularity = :granularity, #period = :period ADD ${adds.join(', ')}`,
          ConditionExpression: 'NOT contains(#tokens, :token)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      tokens = result.Attributes?.tokens as Set<string> | undefined;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    const expired = [...(tokens ?? [])].filter(
      (held) => tokenTime(held) < now.getTime() / 1000 - cellTokenLifetimeSeconds,
    );
    if (expired.length > 0) {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: metricKeys.cell(cell),
          UpdateExpression: 'DELETE #tokens :expired',
          ExpressionAttributeNames: { '#tokens': 'tokens' },
          ExpressionAttributeValues: { ':expired': new Set(expired) },
        }),
      );
    }
    return true;
  }

  public async listCurrencies(): Promise<string[]> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: metricKeys.currencies, ConsistentRead: true }),
    );
    return [...((result.Item?.currencies as Set<string> | undefined) ?? [])].sort();
  }

  public async listMonthCells(currency: string): Promise<MetricCell[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': metricKeys.monthCells(currency) },
      ConsistentRead: true,
    });
    return items.map(cellOf);
  }

  public async listDayCells(currency: string, month: string): Promise<MetricCell[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': metricKeys.dayCells(currency, month) },
      ConsistentRead: true,
    });
    return items.map(cellOf);
  }

  public async listAllCells(): Promise<MetricCell[]> {
    const items = await this.scanAll({
      TableName: this.tableName,
      FilterExpression: 'entity = :entity',
      ExpressionAttributeValues: { ':entity': 'metric-cell' },
      ConsistentRead: true,
    });
    return items.map(cellOf).filter((cell) => Object.keys(cell.values).length > 0);
  }

  public async replaceCell(cell: MetricCell): Promise<void> {
    const measures = Object.entries(cell.values).filter(([, value]) => value !== 0);
    if (measures.length === 0) {
      await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: metricKeys.cell(cell) }));
      return;
    }
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...metricKeys.cell(cell),
          entity: 'metric-cell',
          currency: cell.currency,
          granularity: cell.granularity,
          period: cell.period,
          ...Object.fromEntries(measures.map(([measure, value]) => [`${measurePrefix}${measure}`, value])),
        },
      }),
    );
    if (cell.granularity === 'month') {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: metricKeys.currencies,
          UpdateExpression: 'SET entity = :entity ADD currencies :currency',
          ExpressionAttributeValues: {
            ':entity': 'metric-currencies',
            ':currency': new Set([cell.currency]),
          },
        }),
      );
    }
  }

  // Sources ----------------------------------------------------------------------------------

  public async scanMetricSources(): Promise<{
    claims: VersionedClaim[];
    cases: CollectionCase[];
    messages: MessageRecord[];
    subscriptions: Subscription[];
  }> {
    const items = await this.scanAll({
      TableName: this.tableName,
      FilterExpression: 'entity IN (:claim, :case, :message, :subscription)',
      ExpressionAttributeValues: {
        ':claim': 'claim',
        ':case': 'case',
        ':message': 'message',
        ':subscription': 'subscription',
      },
      ConsistentRead: true,
    });
    const claims: VersionedClaim[] = [];
    const cases: CollectionCase[] = [];
    const messages: MessageRecord[] = [];
    const subscriptions: Subscription[] = [];
    for (const item of items) {
      if (item.entity === 'claim')
        claims.push({ claim: strip<Claim>(item), version: Number(item.version ?? 0) });
      else if (item.entity === 'case') cases.push(strip<CollectionCase>(item));
      else if (item.entity === 'subscription') subscriptions.push(strip<Subscription>(item));
      else messages.push(strip<MessageRecord>(item));
    }
    return { claims, cases, messages, subscriptions };
  }

  // Report deliveries ------------------------------------------------------------------------

  public async beginReportDelivery(record: ReportDeliveryRecord): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...metricKeys.reportDelivery(record.reportId), entity: 'report-delivery', ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  public async getReportDelivery(reportId: string): Promise<ReportDeliveryRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: metricKeys.reportDelivery(reportId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? strip<ReportDeliveryRecord>(result.Item) : undefined;
  }

  public async completeReportDelivery(record: ReportDeliveryRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...metricKeys.reportDelivery(record.reportId), entity: 'report-delivery', ...record },
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      }),
    );
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const result = await this.documents.send(
        new QueryCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async scanAll(input: ScanCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const result = await this.documents.send(
        new ScanCommand({ ...input, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
