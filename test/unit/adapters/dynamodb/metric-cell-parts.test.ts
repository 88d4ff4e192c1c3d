import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MetricAggregatesTable,
  metricKeys,
} from '../../../../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { computeCurrencyMetrics, dayCellMonthsFor } from '../../../../shared/domain/finance-metrics.ts';
import { CellIndex, cellPartOf } from '../../../../shared/domain/metric-cells.ts';
import type { MetricsSettings } from '../../../../shared/domain/metric-contributions.ts';
import { parsePeriod } from '../../../../shared/domain/metrics-calendar.ts';
import { buildFinanceReport, dayCellRangeFor } from '../../../../shared/use-cases/build-finance-report.ts';
import { embeddedCollectionsTablePerFile } from '../../../support/embedded-collections-table.ts';
import { expectedCells, goldenScenario } from '../../../support/finance-scenarios.ts';

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };

describe('cellPartOf', () => {
  it('puts breakdown copies apart from the core measures, and the first layout’s receivables in the core', () => {
    expect(cellPartOf('failed.amount')).toBe('core');
    expect(cellPartOf('pastDue31.amount')).toBe('core');
    expect(cellPartOf('open@due=2026-03-01')).toBe('core');
    expect(cellPartOf('failed.amount@strategy=gentle-b2c')).toBe('breakdowns');
    expect(cellPartOf('recovered.count@channel=sms')).toBe('breakdowns');
  });
});

describe('MetricAggregatesTable cell parts', () => {
  const embedded = embeddedCollectionsTablePerFile();
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    documents = DynamoDBDocumentClient.from(embedded.db.client);
  });

  const measuresIn = async (pk: string): Promise<string[]> =>
    (
      (
        await documents.send(
          new QueryCommand({
            TableName: embedded.db.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
          }),
        )
      ).Items ?? []
    )
      .flatMap((item) => Object.keys(item))
      .filter((name) => name.startsWith('m:'))
      .sort();

  it('stores core and breakdown measures in their own partitions, and reads breakdowns only where asked', async () => {
    // Prepare
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName);
    const now = new Date('2026-09-01T00:00:00.000Z');
    const values = { 'failed.amount': 500, 'failed.amount@strategy=default': 500 };

    // Act: two settled months and one day, each with a core and a breakdown measure.
    for (const [granularity, period] of [
      ['month', '2026-01'],
      ['month', '2026-02'],
      ['day', '2026-02-14'],
    ] as const) {
      await aggregates.addToCell(
        { currency: 'SEK', granularity, period, values },
        `t-${period}@1788220800`,
        now,
      );
    }

    // Assess
    expect(await measuresIn(metricKeys.monthCells('SEK'))).toEqual(['m:failed.amount', 'm:failed.amount']);
    expect(await measuresIn(metricKeys.monthCells('SEK', 'breakdowns'))).toEqual([
      'm:failed.amount@strategy=default',
      'm:failed.amount@strategy=default',
    ]);
    expect(await aggregates.listMonthCells('SEK')).toEqual([
      { currency: 'SEK', granularity: 'month', period: '2026-01', values },
      { currency: 'SEK', granularity: 'month', period: '2026-02', values },
    ]);
    expect(await aggregates.listMonthCells('SEK', '2026-02', '2026-02')).toEqual([
      { currency: 'SEK', granularity: 'month', period: '2026-01', values: { 'failed.amount': 500 } },
      { currency: 'SEK', granularity: 'month', period: '2026-02', values },
    ]);
    expect(await aggregates.listDayCells('SEK', '2026-02', { breakdownsFrom: false })).toEqual([
      { currency: 'SEK', granularity: 'day', period: '2026-02-14', values: { 'failed.amount': 500 } },
    ]);
    expect(await aggregates.listDayCells('SEK', '2026-02')).toEqual([
      { currency: 'SEK', granularity: 'day', period: '2026-02-14', values },
    ]);
  });

  it('folds hot shards into the base item of their own part, and replaces each part exactly', async () => {
    // Prepare
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName, {
      cellShards: 4,
    });
    const cell = { currency: 'NOK', granularity: 'month' as const, period: '2026-07' };
    const hot = new Date('2026-07-20T10:00:00.000Z');
    for (let token = 0; token < 6; token += 1) {
      await aggregates.addToCell(
        { ...cell, values: { 'billed.count': 1, 'billed.count@segment=smb': 1 } },
        `t${token}@${hot.getTime() / 1000}`,
        hot,
      );
    }

    // Act
    await aggregates.compactCells(new Date('2026-08-20T10:00:00.000Z'));
    const compacted = await aggregates.listMonthCells('NOK');
    await aggregates.replaceCell({ ...cell, values: { 'billed.count': 9 } });

    // Assess
    expect(compacted).toEqual([{ ...cell, values: { 'billed.count': 6, 'billed.count@segment=smb': 6 } }]);
    expect(await measuresIn(metricKeys.monthCells('NOK'))).toEqual(['m:billed.count']);
    expect(await measuresIn(metricKeys.monthCells('NOK', 'breakdowns'))).toEqual([]);
    expect(await aggregates.listMonthCells('NOK')).toEqual([{ ...cell, values: { 'billed.count': 9 } }]);
  });

  it('builds every report as if it had read every breakdown of the history', async () => {
    // Prepare: the golden scenario's cells, stored through the adapter.
    const aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName);
    const cells = expectedCells(goldenScenario, settings);
    for (const cell of cells) await aggregates.replaceCell(cell);
    const everything = (currency: string, period: ReturnType<typeof parsePeriod>) =>
      computeCurrencyMetrics(
        new CellIndex(
          cells.filter((cell) => cell.currency === currency && cell.granularity === 'month'),
          cells.filter((cell) => cell.currency === currency && cell.granularity === 'day'),
          dayCellMonthsFor(period),
        ),
        currency,
        period,
      );

    for (const text of ['2026-03', '2026-04', '2026-W12', '2026-03-15', '2026-03-10..2026-04-20']) {
      // Act
      const period = parsePeriod(text);
      const report = await buildFinanceReport(
        { kind: 'monthly', period, generatedAt: new Date('2026-06-01T00:00:00.000Z') },
        { aggregates, settings },
      );

      // Assess
      expect(report.currencies.length).toBeGreaterThan(0);
      for (const metrics of report.currencies) expect(metrics).toEqual(everything(metrics.currency, period));
    }
  });
});

describe('dayCellRangeFor', () => {
  it('reads no day after the period, and breakdowns only for the period’s days', () => {
    const week = parsePeriod('2026-03-16..2026-03-22');
    expect(dayCellRangeFor(week, '2026-03')).toEqual({ upTo: '2026-03-22', breakdownsFrom: '2026-03-16' });
    const span = parsePeriod('2026-03-10..2026-04-20');
    expect(dayCellRangeFor(span, '2026-03')).toEqual({ breakdownsFrom: '2026-03-10' });
    expect(dayCellRangeFor(span, '2026-04')).toEqual({ upTo: '2026-04-20', breakdownsFrom: '2026-04-01' });
    // The month of the day before the period: its core only (beginning receivables).
    expect(dayCellRangeFor(parsePeriod('2026-04-05'), '2026-04')).toEqual({
      upTo: '2026-04-05',
      breakdownsFrom: '2026-04-05',
    });
    expect(dayCellRangeFor(parsePeriod('2026-04-01..2026-04-07'), '2026-03')).toEqual({
      breakdownsFrom: false,
    });
  });

  it('makes the cell index refuse a sum past the days it loaded, rather than read zeros', () => {
    const index = new CellIndex([], [], ['2026-03'], '2026-03-22');
    expect(index.sumRange('2026-03-01', '2026-03-22', () => true)).toEqual(new Map());
    expect(() => index.sumRange('2026-03-01', '2026-03-23', () => true)).toThrow(
      'day cells after 2026-03-22 were not loaded',
    );
  });
});
