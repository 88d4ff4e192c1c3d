import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MetricAggregatesTable,
  metricKeys,
} from '../../../../shared/adapters/dynamodb/metric-aggregates-table.ts';
import type { MetricsSettings } from '../../../../shared/domain/metric-contributions.ts';
import { monthPeriod } from '../../../../shared/domain/metrics-calendar.ts';
import { buildFinanceReport } from '../../../../shared/use-cases/build-finance-report.ts';
import { rebuildMetricAggregates } from '../../../../shared/use-cases/rebuild-metric-aggregates.ts';
import { refreshMetricContributions } from '../../../../shared/use-cases/refresh-metric-contributions.ts';
import { embeddedCollectionsTablePerFile } from '../../../support/embedded-collections-table.ts';
import { goldenScenario, scenarioCases } from '../../../support/finance-scenarios.ts';

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };

describe('MetricAggregatesTable at scale: shards, tokens, compaction, paged rebuild, migration', () => {
  const embedded = embeddedCollectionsTablePerFile();
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    documents = DynamoDBDocumentClient.from(embedded.db.client);
    for (const { claim } of goldenScenario) await embedded.table.putClaim(claim, 0);
    for (const collectionCase of scenarioCases(goldenScenario))
      await embedded.table.createCase(collectionCase);
  });

  const itemsOf = async (pk: string) =>
    (
      await documents.send(
        new QueryCommand({
          TableName: embedded.db.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      )
    ).Items ?? [];

  it('spreads a hot cell over shard items, applies each token once, and reads the shards summed', async () => {
    // Prepare
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName, {
      cellShards: 4,
    });
    const now = new Date('2026-07-10T10:00:00.000Z');
    const cell = {
      currency: 'CHF',
      granularity: 'month' as const,
      period: '2026-07',
      values: { 'billed.count': 1 },
    };

    // Act
    const applied: boolean[] = [];
    for (let n = 0; n < 40; n += 1)
      applied.push(await aggregates.addToCell(cell, `claim:c${n}#1@${now.getTime() / 1000}`, now));
    const again = await aggregates.addToCell(cell, `claim:c7#1@${now.getTime() / 1000}`, now);

    // Assess
    expect(applied.every(Boolean)).toBe(true);
    expect(again).toBe(false);
    const items = await itemsOf(metricKeys.monthCells('CHF'));
    expect(items.length).toBeGreaterThan(1);
    expect(items.length).toBeLessThanOrEqual(4);
    expect(items.every((item) => String(item.sk).startsWith('2026-07~'))).toBe(true);
    expect(await aggregates.listMonthCells('CHF')).toEqual([{ ...cell, values: { 'billed.count': 40 } }]);
  });

  it('folds the shards of settled cells into one item, keeping the sums, and only once', async () => {
    // Prepare
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName, {
      cellShards: 4,
    });
    const later = new Date('2026-08-20T00:00:00.000Z');

    // Act
    const folded = await aggregates.compactCells(later);
    const again = await aggregates.compactCells(later);
    const stale = await aggregates.addToCell(
      { currency: 'CHF', granularity: 'month', period: '2026-07', values: { 'billed.count': 2 } },
      `claim:late#1@${later.getTime() / 1000}`,
      later,
    );

    // Assess: a late write to a settled period goes to the base item.
    expect(folded).toBeGreaterThan(1);
    expect(again).toBe(0);
    expect(stale).toBe(true);
    const items = await itemsOf(metricKeys.monthCells('CHF'));
    expect(items.map((item) => item.sk)).toEqual(['2026-07']);
    expect(await aggregates.listMonthCells('CHF')).toEqual([
      { currency: 'CHF', granularity: 'month', period: '2026-07', values: { 'billed.count': 42 } },
    ]);
  });

  it('migrates cells and records of the first version (open@due measures, one token set) with a paged repair', async () => {
    // Prepare: refresh every claim, then rewrite the cells and records as the first version kept them.
    const clock = { now: () => new Date('2026-05-01T06:00:00.000Z') };
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName, {
      scanPageSize: 7,
    });
    const deps = {
      claims: embedded.table,
      cases: embedded.table,
      messages: embedded.table,
      aggregates,
      clock,
      settings,
    };
    for (const { claim } of goldenScenario) await refreshMetricContributions(claim.claimId, deps);
    const before = await buildFinanceReport(
      { kind: 'monthly', period: monthPeriod('2026-03'), generatedAt: clock.now() },
      { aggregates, settings },
    );
    await aggregates.compactCells(new Date('2026-12-01T00:00:00.000Z'));
    const legacy = (values: Readonly<Record<string, number>>, day: string, month: string) => {
      const next: Record<string, number> = {};
      for (const [measure, value] of Object.entries(values)) {
        if (measure.startsWith('pastDue')) continue;
        if (measure === 'open.amount') next[`open@due=${day}`] = value;
        else next[measure] = value;
      }
      return { next, month };
    };
    const stored = [] as {
      pk: string;
      sk: string;
      cell: Awaited<ReturnType<typeof aggregates.listDayCells>>[number];
    }[];
    for (const currency of await aggregates.listCurrencies()) {
      for (const cell of await aggregates.listMonthCells(currency))
        stored.push({ ...metricKeys.cell(cell), cell });
    }
    // Every open receivable of the scenario: due on its issue day (the cells' own day) is enough
    // to exercise the migration, whatever the first version would have aged.
    for (const { pk, sk, cell } of stored) {
      const { next } = legacy(cell.values, `${cell.period}-01`, cell.period);
      await documents.send(
        new PutCommand({
          TableName: embedded.db.tableName,
          Item: {
            pk,
            sk,
            entity: 'metric-cell',
            currency: cell.currency,
            granularity: cell.granularity,
            period: cell.period,
            tokens: new Set(['claim:stripe:in_U1#1@1700000000']),
            ...Object.fromEntries(Object.entries(next).map(([measure, value]) => [`m:${measure}`, value])),
          },
        }),
      );
    }

    // Act
    const found = await rebuildMetricAggregates({ store: aggregates, settings, clock }, { repair: false });
    const repaired = await rebuildMetricAggregates({ store: aggregates, settings, clock }, { repair: true });
    const proof = await rebuildMetricAggregates({ store: aggregates, settings, clock }, { repair: false });
    const after = await buildFinanceReport(
      { kind: 'monthly', period: monthPeriod('2026-03'), generatedAt: clock.now() },
      { aggregates, settings },
    );

    // Assess
    expect(found.equal).toBe(false);
    expect(
      found.mismatches.some((mismatch) =>
        Object.keys(mismatch.measures).some((m) => m.startsWith('open@due=')),
      ),
    ).toBe(true);
    expect(repaired.claims).toBe(goldenScenario.length);
    expect(proof).toMatchObject({ equal: true, mismatchCount: 0, unitMismatchCount: 0 });
    const measures = new Set<string>();
    for (const currency of await aggregates.listCurrencies()) {
      for (const cell of await aggregates.listMonthCells(currency))
        for (const m of Object.keys(cell.values)) measures.add(m);
    }
    expect([...measures].filter((m) => m.startsWith('open@'))).toEqual([]);
    expect(after.currencies).toEqual(before.currencies);
  });

  it('proves a paged rebuild equal, and finds and repairs a missing contribution record', async () => {
    // Prepare
    const clock = { now: () => new Date('2026-05-01T06:00:00.000Z') };
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName, {
      scanPageSize: 3,
    });
    await aggregates.deleteContributionRecord('claim:stripe:in_U1');

    // Act
    const found = await rebuildMetricAggregates({ store: aggregates, settings, clock }, { repair: false });
    await rebuildMetricAggregates({ store: aggregates, settings, clock }, { repair: true });
    const proof = await rebuildMetricAggregates({ store: aggregates, settings, clock }, { repair: false });

    // Assess
    expect(found).toMatchObject({ equal: false, mismatchCount: 0, unitMismatchCount: 1 });
    expect(found.unitMismatches).toEqual([{ unitId: 'claim:stripe:in_U1', reason: 'missing' }]);
    expect(proof.equal).toBe(true);
  });
});
