/**
 * Benchmark: finance report time against history size (docs/metrics.md, "Scale").
 *
 *   npm run bench:metrics-report            # 10k, 100k, 1M simulated claims
 *   npx tsx bench/metrics-report.bench.ts 10000 50000
 *
 * For each size it simulates that many claims over 24 months in three currencies (with cases,
 * holdout, variants, segments, decline classes, messages, subscriptions, refunds, write-offs and
 * voids), folds their contributions into the aggregate cells exactly as the live path does, loads
 * the cells into an embedded DynamoDB (dynalite) through the real adapter (one per size, all
 * loaded at once), then times the monthly close, the weekly and the daily report as `GET /api/metrics` and the report job compute them
 * (`buildFinanceReport`), counting the items read. It also times recomputing from the claims
 * (what a report costs without aggregates) and one claim's incremental refresh on dynalite.
 *
 * Then the weekly proof: the rebuild of the aggregates from the claims (`bench/metric-rebuild-cost.ts`)
 * in one invocation and over parallel scan segments, side by side, at `rebuildSizes` claims loaded
 * through the real adapters; and the size of a segment's partial (the expected cells it hands to
 * the comparison) at every report size, against Step Functions' 256 KiB payload limit.
 *
 *   npx tsx bench/metrics-report.bench.ts --rebuild=10000,100000 10000 100000 1000000
 *
 * `runMetricsReportBenchmark` is exported for a general bench runner (`npm run bench`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startEmbeddedDynamoDb } from '../infra/local/embedded-dynamodb.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import type { CollectionCase } from '../shared/domain/collection-case.ts';
import { computeCurrencyMetrics, dayCellMonthsFor } from '../shared/domain/finance-metrics.ts';
import { CellAccumulator, CellIndex, type MetricCell } from '../shared/domain/metric-cells.ts';
import {
  claimContribution,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
} from '../shared/domain/metric-contributions.ts';
import { monthOf, monthPeriod, parsePeriod, type ReportPeriod } from '../shared/domain/metrics-calendar.ts';
import { buildFinanceReport } from '../shared/use-cases/build-finance-report.ts';
import { refreshMetricContributions } from '../shared/use-cases/refresh-metric-contributions.ts';
import {
  measureRebuildCost,
  type RebuildBenchmarkResult,
  renderRebuildMarkdown,
} from './metric-rebuild-cost.ts';
import { simulatedClaim } from './simulated-claims.ts';

export interface MetricsReportBenchmarkOptions {
  /** Numbers of simulated claims. @default [10_000, 100_000, 1_000_000] */
  readonly sizes?: readonly number[];
  /** Timed runs per report; the median is reported. @default 15 */
  readonly runs?: number;
  readonly log?: (line: string) => void;
  /**
   * History sizes the rebuild is timed at. Loading goes through the real adapters at about 500
   * items a second on dynalite, so 1,000,000 claims (3.4 million items) would take two hours:
   * its time is estimated from the per-claim rate of the largest size measured.
   * @default [10_000, 100_000]
   */
  readonly rebuildSizes?: readonly number[];
  /** Segment counts the rebuild is run with, beside the single invocation. @default [4, 16] */
  readonly rebuildSegments?: readonly number[];
}

/** A segment's partial at one history size: the expected cells of the whole calendar, the most a segment can hold. */
export interface PartialSize {
  readonly claims: number;
  readonly cells: number;
  readonly jsonKilobytes: number;
  readonly gzipKilobytes: number;
}

export interface ReportTiming {
  readonly report: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Items the report read from the table (month and day cells, shard items included) */
  readonly itemsRead: number;
  /** Queries and gets it sent. */
  readonly requests: number;
  /** Size of the cell items it read (JSON characters): bounded by the calendar, not the claims. */
  readonly kilobytesRead: number;
  /** Of the median, the time spent computing the metrics from the cells already read (no I/O). */
  readonly computeMedianMs: number;
}

export interface SizeResult {
  readonly claims: number;
  readonly cells: number;
  /** Mean measures per day cell of the reported month: bounded by the breakdown cardinalities, filled up as history grows. */
  readonly measuresPerDayCell: number;
  /** Time to fold every claim's contribution in memory: what a report costs without aggregates. */
  readonly recomputeFromClaimsMs: number;
  readonly loadCellsMs: number;
  readonly reports: readonly ReportTiming[];
}

export interface MetricsReportBenchmarkResult {
  readonly benchmark: 'metrics-report';
  readonly ranAt: string;
  readonly node: string;
  readonly cpus: string;
  readonly sizes: readonly SizeResult[];
  /** One claim's incremental refresh on dynalite (read claim, case, messages; write-ahead; cell updates). */
  readonly refreshPerClaimMedianMs: number;
  /** Largest monthly-close median ÷ smallest: about 1 when report time is flat in history size. */
  readonly monthlyCloseSpread: number;
  readonly rebuild: RebuildBenchmarkResult;
  /** A claims-pass partial over the whole history (one segment): its size, JSON and compressed. */
  readonly partialSizes: readonly PartialSize[];
}

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };
/** Folds the first `size` simulated claims into aggregate cells, as the live path would have. */
function aggregateHistory(size: number): { cells: CellAccumulator; ms: number } {
  const started = performance.now();
  const cells = new CellAccumulator();
  const subscriptions = new Map<string, SubscriptionClaimSummary[]>();
  for (let n = 0; n < size; n += 1) {
    const { claim, collectionCase, touches } = simulatedClaim(n);
    cells.add(claimContribution({ claim, ...(collectionCase ? { collectionCase } : {}), touches }, settings));
    const unit = subscriptionUnitOf(claim);
    if (unit) {
      const list = subscriptions.get(unit);
      const summary = subscriptionClaimSummary(claim, 1);
      if (list) list.push(summary);
      else subscriptions.set(unit, [summary]);
    }
  }
  for (const summaries of subscriptions.values()) cells.add(subscriptionContribution(summaries, settings));
  return { cells, ms: performance.now() - started };
}

/** Counts what a report reads: the raw items (base and shard items) and their size, from the adapter. */
function counting(): {
  onCellsRead: (items: number, bytes: number) => void;
  reset(): { items: number; requests: number; bytes: number };
} {
  let items = 0;
  let requests = 0;
  let bytes = 0;
  return {
    onCellsRead: (read, size) => {
      requests += 1;
      items += read;
      bytes += size;
    },
    reset: () => {
      const counts = { items, requests, bytes };
      items = 0;
      requests = 0;
      bytes = 0;
      return counts;
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const reportsTimed: readonly { name: string; kind: 'monthly' | 'weekly' | 'daily'; period: ReportPeriod }[] =
  [
    { name: 'monthly close 2026-03', kind: 'monthly', period: monthPeriod('2026-03') },
    { name: 'weekly 2026-W12', kind: 'weekly', period: parsePeriod('2026-W12') },
    { name: 'daily 2026-03-31', kind: 'daily', period: parsePeriod('2026-03-31') },
  ];

export async function runMetricsReportBenchmark(
  options: MetricsReportBenchmarkOptions = {},
): Promise<MetricsReportBenchmarkResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const sizes = options.sizes ?? [10_000, 100_000, 1_000_000];
  const runs = options.runs ?? 15;
  // Every size is loaded first, each in its own embedded table; then each report is timed
  // round-robin over the sizes (run 1 of every size, run 2 of every size, ...), so load on a
  // shared machine falls on every size alike and the ratios compare like with like.
  const loaded: {
    size: number;
    list: MetricCell[];
    recomputeMs: number;
    loadMs: number;
    db: Awaited<ReturnType<typeof startEmbeddedDynamoDb>>;
    aggregates: MetricAggregatesTable;
    counter: ReturnType<typeof counting>;
  }[] = [];
  const results: SizeResult[] = [];
  const partialSizes: PartialSize[] = [];
  try {
    for (const size of sizes) {
      const { cells, ms: recomputeMs } = aggregateHistory(size);
      const list = cells.list();
      const db = await startEmbeddedDynamoDb();
      const counter = counting();
      const aggregates = new MetricAggregatesTable(db.client, db.tableName, {
        onCellsRead: counter.onCellsRead,
      });
      const loadStarted = performance.now();
      for (const cell of list) await aggregates.replaceCell(cell);
      loaded.push({
        size,
        list,
        recomputeMs,
        loadMs: performance.now() - loadStarted,
        db,
        aggregates,
        counter,
      });
      log(
        `${size.toLocaleString('en')} claims: ${list.length} cells; recompute from claims ${Math.round(recomputeMs)} ms`,
      );
    }
    // The simulation's garbage must not be collected during the timed reports (run with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const timings = new Map<number, ReportTiming[]>(loaded.map(({ size }) => [size, []]));
    for (const { name, kind, period } of reportsTimed) {
      const times = new Map<number, number[]>(loaded.map(({ size }) => [size, []]));
      const reads = new Map<number, { items: number; requests: number; bytes: number }>();
      for (const { aggregates, counter } of loaded) {
        // One untimed run warms the JIT and the store.
        await buildFinanceReport({ kind, period, generatedAt: new Date() }, { aggregates, settings });
        counter.reset();
      }
      for (let run = 0; run < runs; run += 1) {
        for (const { size, aggregates, counter } of loaded) {
          const started = performance.now();
          await buildFinanceReport({ kind, period, generatedAt: new Date() }, { aggregates, settings });
          times.get(size)?.push(performance.now() - started);
          reads.set(size, counter.reset());
        }
      }
      for (const { size, aggregates } of loaded) {
        // The same report without I/O: cells read once, metrics computed from them.
        const dayMonths = dayCellMonthsFor(period);
        const currencies = await aggregates.listCurrencies();
        const indexes = await Promise.all(
          currencies.map(async (currency) => ({
            currency,
            index: new CellIndex(
              await aggregates.listMonthCells(currency, monthOf(period.end)),
              (await Promise.all(dayMonths.map((month) => aggregates.listDayCells(currency, month)))).flat(),
              dayMonths,
            ),
          })),
        );
        const computeTimes: number[] = [];
        for (let run = 0; run < runs; run += 1) {
          const started = performance.now();
          for (const { currency, index } of indexes) computeCurrencyMetrics(index, currency, period);
          computeTimes.push(performance.now() - started);
        }
        const sizeTimes = times.get(size) ?? [];
        const sizeReads = reads.get(size) ?? { items: 0, requests: 0, bytes: 0 };
        timings.get(size)?.push({
          report: name,
          medianMs: Math.round(median(sizeTimes) * 10) / 10,
          minMs: Math.round(Math.min(...sizeTimes) * 10) / 10,
          maxMs: Math.round(Math.max(...sizeTimes) * 10) / 10,
          itemsRead: sizeReads.items,
          requests: sizeReads.requests,
          kilobytesRead: Math.round(sizeReads.bytes / 1024),
          computeMedianMs: Math.round(median(computeTimes) * 10) / 10,
        });
      }
    }
    for (const { size, list, recomputeMs, loadMs } of loaded) {
      // What a segment hands to the comparison is at most every expected cell of the history.
      const json = JSON.stringify(list);
      partialSizes.push({
        claims: size,
        cells: list.length,
        jsonKilobytes: Math.round(json.length / 1024),
        gzipKilobytes: Math.round(gzipSync(json).length / 1024),
      });
      const reports = timings.get(size) ?? [];
      const days = list.filter((cell) => cell.granularity === 'day' && cell.period.startsWith('2026-03'));
      results.push({
        claims: size,
        cells: list.length,
        measuresPerDayCell: Math.round(
          days.reduce((sum, cell) => sum + Object.keys(cell.values).length, 0) / Math.max(days.length, 1),
        ),
        recomputeFromClaimsMs: Math.round(recomputeMs),
        loadCellsMs: Math.round(loadMs),
        reports,
      });
      log(
        `${size.toLocaleString('en')} claims: ` +
          reports.map((t) => `${t.report} ${t.medianMs} ms (${t.itemsRead} items)`).join('; '),
      );
    }
  } finally {
    for (const { db } of loaded) await db.stop();
  }

  // Incremental maintenance: one claim's refresh against the real adapter on dynalite.
  const db = await startEmbeddedDynamoDb();
  const refreshTimes: number[] = [];
  try {
    const table = new CollectionsTable(db.client, db.tableName);
    const aggregates = new MetricAggregatesTable(db.client, db.tableName);
    const deps = {
      claims: table,
      cases: table,
      messages: table,
      aggregates,
      clock: { now: () => new Date() },
      settings,
    };
    for (let n = 0; n < 200; n += 1) {
      const { claim, collectionCase } = simulatedClaim(n);
      await table.putClaim(claim, 0);
      if (collectionCase && claim.caseId) {
        const stored: CollectionCase = {
          caseId: claim.caseId,
          customerId: claim.customerId,
          status: 'open',
          openedAt: claim.firstFailedAt ?? claim.snapshotAt,
          claimIds: [claim.claimId],
          strategyId: collectionCase.strategyId,
          strategyVersion: 1,
        };
        await table.createCase(stored);
      }
      const started = performance.now();
      await refreshMetricContributions(claim.claimId, deps);
      refreshTimes.push(performance.now() - started);
    }
  } finally {
    await db.stop();
  }

  log('rebuild of the aggregates: one invocation and scan segments, side by side');
  const rebuild = await measureRebuildCost({
    sizes: options.rebuildSizes ?? [10_000, 100_000],
    segmentCounts: options.rebuildSegments ?? [4, 16],
    log,
  });

  const monthly = results.map((result) => result.reports[0]?.medianMs ?? 0);
  return {
    benchmark: 'metrics-report',
    ranAt: new Date().toISOString(),
    node: process.version,
    cpus: `${(await import('node:os')).cpus().length} × ${(await import('node:os')).cpus()[0]?.model ?? 'unknown'}`,
    sizes: results,
    refreshPerClaimMedianMs: Math.round(median(refreshTimes) * 10) / 10,
    monthlyCloseSpread:
      Math.round((Math.max(...monthly) / Math.max(Math.min(...monthly), 0.001)) * 100) / 100,
    rebuild,
    partialSizes,
  };
}

/** The results as markdown; `heading` is the title's level (`#` alone, `##` inside `bench.md`). */
export function renderMetricsReportMarkdown(result: MetricsReportBenchmarkResult, heading = '#'): string {
  const lines = [
    `${heading} Finance report time against history size`,
    '',
    `Run ${result.ranAt} on Node ${result.node}, ${result.cpus}. Embedded DynamoDB (dynalite, in memory), real adapter.`,
    '',
    'Ratios are against the smallest size of the same run (1.00 = the same cost).',
    '',
    '| claims | aggregate cells | measures per day cell | report | median ms | ÷ smallest | min–max ms | of which compute ms | items read | KB read | requests | recompute from claims (ms) |',
    '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const smallest = result.sizes[0];
  for (const size of result.sizes) {
    for (const [index, report] of size.reports.entries()) {
      const base = smallest?.reports[index]?.medianMs ?? report.medianMs;
      const ratio = (report.medianMs / Math.max(base, 0.001)).toFixed(2);
      lines.push(
        `| ${size.claims.toLocaleString('en')} | ${size.cells} | ${size.measuresPerDayCell} | ${report.report} | ${report.medianMs} | ${ratio} | ${report.minMs}–${report.maxMs} | ${report.computeMedianMs} | ${report.itemsRead} | ${report.kilobytesRead} | ${report.requests} | ${size.recomputeFromClaimsMs} |`,
      );
    }
  }
  lines.push(
    '',
    `Monthly close, largest ÷ smallest median: ${result.monthlyCloseSpread}. One claim's incremental refresh: ${result.refreshPerClaimMedianMs} ms (median of 200).`,
    '',
    renderRebuildMarkdown(result.rebuild, `${heading}#`),
    `${heading}# A segment's partial against the Step Functions payload limit`,
    '',
    "A segment's expected cells cover the whole calendar (every claim's facts are spread over it), so its partial is at most the size of every cell of the history. As JSON, what a Step Functions payload would carry, that is over 256 KiB from 10,000 claims on. The partials are stored in the table, compressed, and the Map carries only a reference to each (about 90 bytes).",
    '',
    '| claims | cells | partial JSON KB | compressed KB |',
    '| ---: | ---: | ---: | ---: |',
    ...result.partialSizes.map(
      (size) =>
        `| ${size.claims.toLocaleString('en')} | ${size.cells} | ${size.jsonKilobytes} | ${size.gzipKilobytes} |`,
    ),
    '',
  );
  return lines.join('\n');
}

/** Writes `metrics-report.json` and `metrics-report.md` into `folder`. */
export function writeMetricsReportResults(result: MetricsReportBenchmarkResult, folder: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'metrics-report.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(folder, 'metrics-report.md'), renderMetricsReportMarkdown(result));
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const counts = (values: readonly string[]) =>
    values.map(Number).filter((value) => Number.isInteger(value) && value > 0);
  const args = process.argv.slice(2);
  const rebuildArg = args.find((arg) => arg.startsWith('--rebuild='));
  const sizes = counts(args.filter((arg) => !arg.startsWith('--')));
  const rebuildSizes = rebuildArg ? counts(rebuildArg.slice('--rebuild='.length).split(',')) : undefined;
  const result = await runMetricsReportBenchmark({
    ...(sizes.length > 0 ? { sizes } : {}),
    ...(rebuildSizes ? { rebuildSizes } : {}),
  });
  writeMetricsReportResults(result, join(dirname(fileURLToPath(import.meta.url)), 'results'));
  console.log(renderMetricsReportMarkdown(result));
}
