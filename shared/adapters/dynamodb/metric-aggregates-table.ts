import { createHash, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Claim } from '../../domain/claim.ts';
import type { CollectionCase } from '../../domain/collection-case.ts';
import {
  CellAccumulator,
  type CellGranularity,
  type CellPart,
  type CellRef,
  type MetricCell,
  partOfValues,
} from '../../domain/metric-cells.ts';
import type { Contribution, SubscriptionClaimSummary } from '../../domain/metric-contributions.ts';
import type { ScanSegment } from '../../domain/metric-rebuild.ts';
import { addDays, lastDayOfMonth } from '../../domain/metrics-calendar.ts';
import type { Subscription } from '../../domain/subscription.ts';
import type {
  DayCellRange,
  MessageRecord,
  MetricContributionRecord,
  MetricRebuildStore,
  ReportDeliveryLedger,
  ReportDeliveryRecord,
  VersionedClaim,
} from '../../ports.ts';
import { putVersioned, writeIfConditionHolds } from './conditional-write.ts';
import { batchGetAll, queryAll, singleTableDocumentClient, sortKeyPrefixQuery } from './document-client.ts';
import { keys } from './table-schema.ts';

type Item = Record<string, unknown>;

/**
 * Keys of the finance metrics in the single table. Cells are partitioned per currency: all month
 * cells of a currency in one partition (a report reads it with one Query), the day cells of one
 * month in another. Each holds a cell's core part; the breakdown part lives in a partition of its
 * own beside it (`...#BD`), so reading the core of the whole history never reads breakdowns
 * (metric-cells.ts, `CellPart`). A cell part is one base item (sort key = its period) plus, while
 * its period is hot, up to `cellShards` shard items (`<period>~<shard>`) that writers spread over;
 * readers sum them.
 */
export const metricKeys = {
  monthCells: (currency: string, part: CellPart = 'core') =>
    `MAGG#${currency}#MONTH${part === 'breakdowns' ? breakdownSuffix : ''}`,
  dayCells: (currency: string, month: string, part: CellPart = 'core') =>
    `MAGG#${currency}#DAY#${month}${part === 'breakdowns' ? breakdownSuffix : ''}`,
  cell: (ref: CellRef, shard?: number, part: CellPart = 'core') => ({
    pk:
      ref.granularity === 'month'
        ? metricKeys.monthCells(ref.currency, part)
        : metricKeys.dayCells(ref.currency, ref.period.slice(0, 7), part),
    sk: shard === undefined ? ref.period : `${ref.period}${shardSeparator}${shard}`,
  }),
  currencies: { pk: 'MAGG#CURRENCIES', sk: 'ALL' },
  contribution: (unitId: string) => ({ pk: `MCONTRIB#${unitId}`, sk: 'CONTRIB' }),
  reportDelivery: (reportId: string) => ({ pk: `REPORT#${reportId}`, sk: 'DELIVERY' }),
} as const;

/** `~` sorts after every period character, so a period's shards follow its base item. */
const shardSeparator = '~';

/** The partition of a cell's breakdown part: the core partition's key with this suffix. */
const breakdownSuffix = '#BD';

const cellParts: readonly CellPart[] = ['core', 'breakdowns'];

/** Shard items per hot cell (docs/metrics.md, "Hot cells"). */
export const defaultCellShards = 8;

/**
 * A cell is hot, and written to a shard, while its period ends on or after the writer's UTC day
 * minus this many days (local days differ from UTC by at most 14 hours). Writes to older periods
 * (late events) go to the base item.
 */
const hotDays = 2;

/** Shards of periods that ended more than this many days ago are folded into their base item. */
export const settledAfterDays = 4;

/** Tokens are kept in one string set per 5-minute bucket of their time, removed as a whole. */
const tokenBucketSeconds = 300;
/** Each update also removes the buckets that expired in the last two hours (older ones: at compaction). */
const expiredBucketsPerUpdate = 24;

/** Measure attributes carry a prefix so no measure name can collide with the item's own attributes. */
const measurePrefix = 'm:';

/**
 * How long a cell remembers a token. A writer that read a pending replacement finishes it within
 * its Lambda's lifetime (15 minutes at most), so after that the token can never be presented again.
 */
export const cellTokenLifetimeSeconds = 15 * 60;

/** UpdateExpression is limited to 4 KB: measures are applied in chunks, each with its own token. */
const measuresPerUpdate = 80;

function tokenTime(token: string): number {
  const at = token.lastIndexOf('@');
  const seconds = Number(token.slice(at + 1).split('/')[0]);
  return Number.isFinite(seconds) ? seconds : 0;
}

/** 96 bits of the token: a cell stores 16 characters per applied token instead of the whole token. */
function compactToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}

function tokenBucketOf(seconds: number): number {
  return Math.floor(seconds / tokenBucketSeconds);
}

const tokenBucketPrefix = 'tk:';

function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function lastDayOfPeriod(ref: CellRef): string {
  return ref.granularity === 'month' ? lastDayOfMonth(ref.period) : ref.period;
}

function shardOf(token: string, shards: number): number {
  return createHash('sha256').update(token).digest().readUInt32BE(0) % shards;
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

/** One cell per period: the base item and its shard items summed. */
function summedCells(items: readonly Item[]): MetricCell[] {
  const cells = new CellAccumulator();
  for (const item of items) cells.addCell(cellOf(item));
  return cells.list();
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

  private readonly shards: number;
  private readonly scanPageSize: number | undefined;
  /** Called with the items and bytes of every cell read (benchmarks count what a report reads). */
  private readonly onCellsRead: ((items: number, bytes: number) => void) | undefined;

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    options: {
      readonly cellShards?: number;
      readonly onCellsRead?: (items: number, bytes: number) => void;
      /** Items per scan page of the rebuild (tests use small pages). @default DynamoDB's 1 MB pages */
      readonly scanPageSize?: number;
    } = {},
  ) {
    this.shards = options.cellShards ?? defaultCellShards;
    if (!Number.isInteger(this.shards) || this.shards < 1) throw new RangeError('cellShards must be ≥ 1');
    this.onCellsRead = options.onCellsRead;
    this.scanPageSize = options.scanPageSize;
    this.documents = singleTableDocumentClient(client);
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
    await putVersioned(
      this.documents,
      this.tableName,
      contributionItem(record, expectedVersion + 1),
      expectedVersion,
      `metrics of ${record.unitId}`,
    );
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
    let appliedAny = false;
    for (const part of cellParts) {
      // Each part is its own item: a token is remembered per item, so both parts may use it.
      const measures = Object.entries(partOfValues(cell.values, part));
      const chunks: [string, number][][] = [];
      for (let start = 0; start < measures.length; start += measuresPerUpdate) {
        chunks.push(measures.slice(start, start + measuresPerUpdate));
      }
      for (const [index, chunk] of chunks.entries()) {
        const chunkToken = chunks.length > 1 ? `${token}/${index}` : token;
        if (await this.addChunk(cell, part, chunk, chunkToken, now)) appliedAny = true;
      }
    }
    if (cell.granularity === 'month') await this.registerCurrency(cell.currency);
    return appliedAny;
  }

  /**
   * Adds one chunk of measures under one token. A hot cell's chunk goes to the shard its token
   * hashes to (a retry of the same token reaches the same shard). The token is checked and stored
   * in the set of its 5-minute bucket, and the same update removes the buckets that expired, so
   * a cell holds only the tokens of the last `cellTokenLifetimeSeconds` and one write suffices.
   */
  private async addChunk(
    cell: MetricCell,
    part: CellPart,
    measures: readonly [string, number][],
    token: string,
    now: Date,
  ): Promise<boolean> {
    const hot = lastDayOfPeriod(cell) >= addDays(utcDay(now), -hotDays);
    const key = metricKeys.cell(cell, hot ? shardOf(token, this.shards) : undefined, part);
    const bucket = tokenBucketOf(tokenTime(token));
    const horizon = tokenBucketOf(now.getTime() / 1000 - cellTokenLifetimeSeconds);
    const names: Record<string, string> = { '#period': 'period', '#bucket': `${tokenBucketPrefix}${bucket}` };
    const values: Record<string, unknown> = {
      ':entity': 'metric-cell',
      ':currency': cell.currency,
      ':granularity': cell.granularity,
      ':period': cell.period,
      ':token': compactToken(token),
      ':tokenSet': new Set([compactToken(token)]),
      ':incarnation': randomUUID(),
    };
    const adds = ['#bucket :tokenSet'];
    measures.forEach(([measure, value], index) => {
      names[`#m${index}`] = `${measurePrefix}${measure}`;
      values[`:v${index}`] = value;
      adds.push(`#m${index} :v${index}`);
    });
    const removals: string[] = [];
    for (let expired = horizon - 1; expired >= horizon - expiredBucketsPerUpdate; expired -= 1) {
      if (expired === bucket) continue;
      names[`#x${removals.length}`] = `${tokenBucketPrefix}${expired}`;
      removals.push(`#x${removals.length}`);
    }
    return writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          // A shard item is born with a fresh incarnation, so a shard recreated after its fold is
          // folded again (the base item records folds by shard and incarnation).
          UpdateExpression: `SET entity = :entity, currency = :currency, granularity = :granularity, #period = :period, incarnation = if_not_exists(incarnation, :incarnation) ADD ${adds.join(', ')} REMOVE ${removals.join(', ')}`,
          ConditionExpression: 'NOT contains(#bucket, :token)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  public async listCurrencies(): Promise<string[]> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: metricKeys.currencies, ConsistentRead: true }),
    );
    return [...((result.Item?.currencies as Set<string> | undefined) ?? [])].sort();
  }

  public async listMonthCells(
    currency: string,
    upToMonth?: string,
    breakdownsFrom?: string,
  ): Promise<MetricCell[]> {
    const [core, breakdowns] = await Promise.all([
      this.cellItemsOf(metricKeys.monthCells(currency, 'core'), undefined, upToMonth),
      this.cellItemsOf(metricKeys.monthCells(currency, 'breakdowns'), breakdownsFrom, upToMonth),
    ]);
    const items = [...core, ...breakdowns];
    this.countRead(items);
    return summedCells(items);
  }

  public async listDayCells(
    currency: string,
    month: string,
    range: DayCellRange = {},
  ): Promise<MetricCell[]> {
    const { breakdownsFrom, upTo } = range;
    const parts = await Promise.all([
      this.cellItemsOf(metricKeys.dayCells(currency, month, 'core'), undefined, upTo),
      ...(breakdownsFrom === false
        ? []
        : [this.cellItemsOf(metricKeys.dayCells(currency, month, 'breakdowns'), breakdownsFrom, upTo)]),
    ]);
    const items = parts.flat();
    this.countRead(items);
    return summedCells(items);
  }

  /** The items of one cell partition whose period is in `from`..`upTo` (inclusive, shards included). */
  private cellItemsOf(pk: string, from?: string, upTo?: string): Promise<Item[]> {
    // A period's shards sort right after it (`2026-03~5` < `2026-03~~`).
    const after = upTo === undefined ? undefined : `${upTo}${shardSeparator}${shardSeparator}`;
    return this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression:
        from !== undefined && after !== undefined
          ? 'pk = :pk AND sk BETWEEN :from AND :after'
          : from !== undefined
            ? 'pk = :pk AND sk >= :from'
            : after !== undefined
              ? 'pk = :pk AND sk < :after'
              : 'pk = :pk',
      ExpressionAttributeValues: {
        ':pk': pk,
        ...(from === undefined ? {} : { ':from': from }),
        ...(after === undefined ? {} : { ':after': after }),
      },
      ConsistentRead: true,
    });
  }

  private countRead(items: readonly Item[]): void {
    if (this.onCellsRead === undefined) return;
    let bytes = 0;
    for (const item of items)
      bytes += JSON.stringify(item, (_key, value) => (value instanceof Set ? [...value] : value)).length;
    this.onCellsRead(items.length, bytes);
  }

  public async listAllCells(): Promise<MetricCell[]> {
    const cells: MetricCell[] = [];
    for await (const page of this.cellPages()) cells.push(...page);
    return summedCells(cells.map((cell) => cellItem(cell))).filter(
      (cell) => Object.keys(cell.values).length > 0,
    );
  }

  /** Every stored cell, a page of items at a time (shards not yet summed: the caller sums by period). */
  public async *cellPages(): AsyncGenerator<MetricCell[]> {
    for await (const items of this.scanPages({
      TableName: this.tableName,
      FilterExpression: 'entity = :entity',
      ExpressionAttributeValues: { ':entity': 'metric-cell' },
      ConsistentRead: true,
    })) {
      yield items.map(cellOf);
    }
  }

  /**
   * Folds the shard items of settled cells (periods that ended more than `settledAfterDays` ago,
   * which no writer shards any more) into their base item, and drops token buckets that expired,
   * so old periods cost one item to read. Each fold is recorded in the base item (`folded`), so a
   * crash between the fold and the shard's deletion never folds it twice. Returns the shards folded.
   */
  public async compactCells(now: Date): Promise<number> {
    const settledBefore = addDays(utcDay(now), -settledAfterDays);
    const horizon = tokenBucketOf(now.getTime() / 1000 - cellTokenLifetimeSeconds);
    let folded = 0;
    for await (const items of this.scanPages({
      TableName: this.tableName,
      FilterExpression: 'entity = :entity',
      ExpressionAttributeValues: { ':entity': 'metric-cell' },
      ConsistentRead: true,
    })) {
      for (const item of items) {
        const cell = cellOf(item);
        const sk = String(item.sk);
        const expiredBuckets = Object.keys(item).filter(
          (name) =>
            name.startsWith(tokenBucketPrefix) && Number(name.slice(tokenBucketPrefix.length)) < horizon,
        );
        if (sk.includes(shardSeparator) && lastDayOfPeriod(cell) < settledBefore) {
          await this.foldShard(cell, String(item.pk), sk, String(item.incarnation ?? ''));
          folded += 1;
        } else if (expiredBuckets.length > 0) {
          await writeIfConditionHolds(
            this.documents.send(
              new UpdateCommand({
                TableName: this.tableName,
                Key: { pk: item.pk, sk },
                UpdateExpression: `REMOVE ${expiredBuckets.map((_, index) => `#x${index}`).join(', ')}`,
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeNames: Object.fromEntries(
                  expiredBuckets.map((name, index) => [`#x${index}`, name]),
                ),
              }),
            ),
          );
        }
      }
    }
    return folded;
  }

  /** Folds a shard into the base item of its own partition (the cell's core or breakdown part). */
  private async foldShard(cell: MetricCell, pk: string, shardSk: string, incarnation: string): Promise<void> {
    const foldKey = `${shardSk}#${incarnation}`;
    const measures = Object.entries(cell.values);
    const names: Record<string, string> = { '#period': 'period', '#folded': 'folded' };
    const values: Record<string, unknown> = {
      ':entity': 'metric-cell',
      ':currency': cell.currency,
      ':granularity': cell.granularity,
      ':period': cell.period,
      ':shard': foldKey,
      ':shardSet': new Set([foldKey]),
    };
    const adds = ['#folded :shardSet'];
    measures.forEach(([measure, value], index) => {
      names[`#m${index}`] = `${measurePrefix}${measure}`;
      values[`:v${index}`] = value;
      adds.push(`#m${index} :v${index}`);
    });
    // A failed condition: folded already by an earlier run that died before deleting the shard.
    await writeIfConditionHolds(
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: cell.period },
          UpdateExpression: `SET entity = :entity, currency = :currency, granularity = :granularity, #period = :period ADD ${adds.join(', ')}`,
          ConditionExpression: 'NOT contains(#folded, :shard)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
    // A failed condition: deleted already (a rerun after a crash), or recreated since (it folds next time).
    await writeIfConditionHolds(
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk, sk: shardSk },
          ConditionExpression: 'incarnation = :incarnation',
          ExpressionAttributeValues: { ':incarnation': incarnation },
        }),
      ),
    );
  }

  /** Adds the currency to the list reports read (a set: adding it again changes nothing). */
  private async registerCurrency(currency: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: metricKeys.currencies,
        UpdateExpression: 'SET entity = :entity ADD currencies :currency',
        ExpressionAttributeValues: { ':entity': 'metric-currencies', ':currency': new Set([currency]) },
      }),
    );
  }

  public async replaceCell(cell: MetricCell): Promise<void> {
    for (const part of cellParts) await this.replaceCellPart(cell, part);
    if (cell.granularity === 'month') await this.registerCurrency(cell.currency);
  }

  /**
   * One part takes exactly its measures of the cell: its shards go first (a crash leaves the old
   * sum or less, which the next proof reports), then its base item is written, or deleted when empty.
   */
  private async replaceCellPart(cell: MetricCell, part: CellPart): Promise<void> {
    const key = metricKeys.cell(cell, undefined, part);
    const shards = await this.queryAll({
      ...sortKeyPrefixQuery(this.tableName, key.pk, `${cell.period}${shardSeparator}`),
      ProjectionExpression: 'pk, sk',
    });
    for (const shard of shards) {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: shard.pk, sk: shard.sk } }),
      );
    }
    const measures = Object.entries(partOfValues(cell.values, part)).filter(([, value]) => value !== 0);
    if (measures.length === 0) {
      await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
      return;
    }
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          entity: 'metric-cell',
          currency: cell.currency,
          granularity: cell.granularity,
          period: cell.period,
          ...Object.fromEntries(measures.map(([measure, value]) => [`${measurePrefix}${measure}`, value])),
        },
      }),
    );
  }

  // Sources ----------------------------------------------------------------------------------

  /** Every claim of the table (of one parallel scan segment when given) with its version, a scan page at a time. */
  public async *claimPages(segment?: ScanSegment): AsyncGenerator<VersionedClaim[]> {
    for await (const items of this.scanPages({
      TableName: this.tableName,
      FilterExpression: 'entity = :entity',
      ExpressionAttributeValues: { ':entity': 'claim' },
      ConsistentRead: true,
      ...scanSegmentInput(segment),
    })) {
      yield items.map((item) => ({ claim: strip<Claim>(item), version: Number(item.version ?? 0) }));
    }
  }

  /** Every contribution record (of one parallel scan segment when given), a scan page at a time. */
  public async *contributionRecordPages(segment?: ScanSegment): AsyncGenerator<MetricContributionRecord[]> {
    for await (const items of this.scanPages({
      TableName: this.tableName,
      FilterExpression: 'entity = :entity',
      ExpressionAttributeValues: { ':entity': 'metric-contribution' },
      ConsistentRead: true,
      ...scanSegmentInput(segment),
    })) {
      yield items.map(contributionRecordOf);
    }
  }

  public async getClaimsById(claimIds: readonly string[]): Promise<VersionedClaim[]> {
    const items = await this.batchGet(claimIds.map((id) => keys.claim(id)));
    return items.map((item) => ({ claim: strip<Claim>(item), version: Number(item.version ?? 0) }));
  }

  public async getCasesById(caseIds: readonly string[]): Promise<CollectionCase[]> {
    return (await this.batchGet(caseIds.map((id) => keys.collectionCase(id)))).map((item) =>
      strip<CollectionCase>(item),
    );
  }

  public async getSubscriptionsById(subscriptionIds: readonly string[]): Promise<Subscription[]> {
    return (await this.batchGet(subscriptionIds.map((id) => keys.subscription(id)))).map((item) =>
      strip<Subscription>(item),
    );
  }

  public async getContributionRecords(unitIds: readonly string[]): Promise<MetricContributionRecord[]> {
    return (await this.batchGet(unitIds.map((id) => metricKeys.contribution(id)))).map(contributionRecordOf);
  }

  public async listMessagesOfCases(caseIds: readonly string[]): Promise<MessageRecord[]> {
    const lists = await Promise.all(
      caseIds.map((caseId) =>
        this.queryAll(sortKeyPrefixQuery(this.tableName, keys.collectionCase(caseId).pk, 'MESSAGE#')),
      ),
    );
    return lists.flat().map((item) => strip<MessageRecord>(item));
  }

  private batchGet(itemKeys: readonly { pk: string; sk: string }[]): Promise<Item[]> {
    return batchGetAll(this.documents, this.tableName, itemKeys);
  }

  // Report deliveries ------------------------------------------------------------------------

  public async beginReportDelivery(record: ReportDeliveryRecord): Promise<boolean> {
    return writeIfConditionHolds(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...metricKeys.reportDelivery(record.reportId), entity: 'report-delivery', ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' },
        }),
      ),
    );
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

  private queryAll(input: QueryCommandInput): Promise<Item[]> {
    return queryAll(this.documents, input);
  }

  private async scanAll(input: ScanCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.scanPages(input)) items.push(...page);
    return items;
  }

  private async *scanPages(input: ScanCommandInput): AsyncGenerator<Item[]> {
    let startKey: Item | undefined;
    do {
      const result = await this.documents.send(
        new ScanCommand({
          ...input,
          ...(this.scanPageSize ? { Limit: this.scanPageSize } : {}),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      yield result.Items ?? [];
      startKey = result.LastEvaluatedKey;
    } while (startKey);
  }
}

/** `Segment`/`TotalSegments` of a DynamoDB parallel scan; nothing for a whole-table scan. */
function scanSegmentInput(
  segment: ScanSegment | undefined,
): Pick<ScanCommandInput, 'Segment' | 'TotalSegments'> {
  return segment === undefined ? {} : { Segment: segment.segment, TotalSegments: segment.totalSegments };
}

function cellItem(cell: MetricCell): Item {
  return {
    entity: 'metric-cell',
    currency: cell.currency,
    granularity: cell.granularity,
    period: cell.period,
    ...Object.fromEntries(
      Object.entries(cell.values).map(([measure, value]) => [`${measurePrefix}${measure}`, value]),
    ),
  };
}
