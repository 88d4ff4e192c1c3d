import { gzipSync } from 'node:zlib';
import { startEmbeddedDynamoDb } from '../infra/local/embedded-dynamodb.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import {
  partialChunkBytes,
  RebuildPartialsTable,
} from '../shared/adapters/dynamodb/rebuild-partials-table.ts';
import { CellAccumulator } from '../shared/domain/metric-cells.ts';
import {
  claimContribution,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
} from '../shared/domain/metric-contributions.ts';
import { type RebuildPartial, rebuildPasses, scanSegments } from '../shared/domain/metric-rebuild.ts';
import type { MessageRecord, RebuildPartialRef } from '../shared/ports.ts';
import { rebuildMetricAggregates } from '../shared/use-cases/rebuild-metric-aggregates.ts';
import { rebuildMetricSegment } from '../shared/use-cases/rebuild-metric-segment.ts';
import { claimUnitId, subscriptionUnitId } from '../shared/use-cases/refresh-metric-contributions.ts';
import { finishSegmentedRebuild } from '../shared/use-cases/segmented-metric-rebuild.ts';
import { simulatedClaim } from './simulated-claims.ts';

export interface SegmentedRebuildTiming {
  readonly totalSegments: number;
  /** The slowest segment of each pass, each segment run alone: what bounds one Lambda's 15 minutes. */
  readonly claimsPassMaxSeconds: number;
  readonly recordsPassMaxSeconds: number;
  /** Every segment of both passes run in turn, plus the comparison: the work, whatever the parallelism. */
  readonly inTurnSeconds: number;
  /** Reading and summing the partials, compacting and comparing the cells. */
  readonly compareSeconds: number;
  /** Both passes with all their segments at once (as the Map runs them), then the comparison: on this machine's cores. */
  readonly allAtOnceSeconds: number;
}

export interface RebuildSizeResult {
  readonly claims: number;
  /** Items written to load the history (claims, cases, messages, contribution records, cells). */
  readonly itemsLoaded: number;
  readonly loadSeconds: number;
  /** The whole rebuild in one invocation (`rebuildMetricAggregates`), verify mode. */
  readonly singleRunSeconds: number;
  readonly segmented: readonly SegmentedRebuildTiming[];
  /** The largest partial of a segment: its JSON and gzip sizes, and the table items it takes. */
  readonly largestPartial: {
    readonly jsonKilobytes: number;
    readonly gzipKilobytes: number;
    readonly chunks: number;
  };
}

export interface RebuildBenchmarkResult {
  readonly sizes: readonly RebuildSizeResult[];
  /** From the largest size: seconds per claim of the slowest segment, per pass. */
  readonly secondsPerClaim: { readonly claimsPass: number; readonly recordsPass: number };
  /** Segments a pass needs so that a segment uses at most half of Lambda's 15 minutes, at this machine's rate. */
  readonly segmentsNeeded: readonly { readonly claims: number; readonly segments: number }[];
}

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };
/** Half of a Lambda's 15 minutes: a segment must survive a slow day and retries of its pages. */
const segmentBudgetSeconds = 450;
/** Writes in flight while loading (dynalite runs in this process; more only queues). */
const loadConcurrency = 16;

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

async function inPool<T>(items: Iterable<T>, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: loadConcurrency }, worker));
}

/**
 * Loads `size` simulated claims as the live path leaves them: claims, cases, sent messages, each
 * claim's and subscription's contribution record, and the cells summed from them.
 */
async function loadHistory(
  table: CollectionsTable,
  aggregates: MetricAggregatesTable,
  size: number,
): Promise<number> {
  const cells = new CellAccumulator();
  const subscriptions = new Map<string, Record<string, SubscriptionClaimSummary>>();
  let items = 0;
  const indexes = Array.from({ length: size }, (_, n) => n);
  await inPool(indexes, async (n) => {
    const { claim, collectionCase, touches } = simulatedClaim(n);
    const applied = claimContribution(
      { claim, ...(collectionCase ? { collectionCase } : {}), touches },
      settings,
    );
    cells.add(applied);
    const subscription = subscriptionUnitOf(claim);
    if (subscription) {
      const summaries = subscriptions.get(subscription) ?? {};
      summaries[claim.claimId] = subscriptionClaimSummary(claim, 1);
      subscriptions.set(subscription, summaries);
    }
    await table.putClaim(claim, 0);
    await aggregates.putContributionRecord(
      {
        unitId: claimUnitId(claim.claimId),
        applied,
        sourceVersion: 1,
        ...(subscription ? { subscriptionId: subscription } : {}),
      },
      0,
    );
    items += 2;
    if (collectionCase && claim.caseId) {
      await table.createCase({
        caseId: claim.caseId,
        customerId: claim.customerId,
        status: 'open',
        openedAt: claim.firstFailedAt ?? claim.snapshotAt,
        claimIds: [claim.claimId],
        strategyId: collectionCase.strategyId,
        strategyVersion: 1,
        ...(collectionCase.variant ? { variant: collectionCase.variant } : {}),
        ...(collectionCase.segment ? { segment: collectionCase.segment } : {}),
        ...(collectionCase.holdout ? { holdout: collectionCase.holdout } : {}),
      });
      items += 1;
      for (const touch of touches) {
        await table.beginMessage({
          caseId: claim.caseId,
          stepId: touch.stepId,
          // The simulation's channels are the product's (email, sms).
          channel: touch.channel as NonNullable<MessageRecord['channel']>,
          template: 'payment-failed',
          status: 'sent',
          startedAt: touch.sentAt,
          sentAt: touch.sentAt,
          reasons: [],
        });
        items += 1;
      }
    }
  });
  await inPool(subscriptions, async ([subscription, summaries]) => {
    const applied = subscriptionContribution(Object.values(summaries), settings);
    cells.add(applied);
    await aggregates.putContributionRecord(
      { unitId: subscriptionUnitId(subscription), applied, sourceVersion: 0, summaries },
      0,
    );
    items += 1;
  });
  await inPool(cells.list(), async (cell) => {
    await aggregates.replaceCell(cell);
    items += 1;
  });
  return items;
}

/** The partials kept in memory, as the table would hand them back, to time the comparison alone. */
function partialStoreOf(partials: readonly RebuildPartial[]) {
  const byKey = new Map(partials.map((partial) => [`${partial.pass}:${partial.segment}`, partial]));
  return {
    putPartial: async (): Promise<RebuildPartialRef> => {
      throw new Error('not used');
    },
    getPartial: async (_runId: string, ref: RebuildPartialRef): Promise<RebuildPartial> => {
      const partial = byKey.get(`${ref.pass}:${ref.segment}`);
      if (partial === undefined) throw new Error(`no partial ${ref.pass}:${ref.segment}`);
      return partial;
    },
    deletePartials: async () => 0,
  };
}

/**
 * The rebuild of the aggregates against history size (docs/metrics.md, "The rebuild proves it"):
 * one invocation, then the state machine's steps over `segmentCounts` segments, each segment of a
 * pass timed alone (what one Lambda would take), then all at once. dynalite runs in this process,
 * so segments at once share its cores: the per-segment time is what scales out on AWS.
 */
export async function measureRebuildCost(options: {
  readonly sizes: readonly number[];
  readonly segmentCounts: readonly number[];
  readonly log?: (line: string) => void;
}): Promise<RebuildBenchmarkResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const results: RebuildSizeResult[] = [];
  for (const size of options.sizes) {
    const db = await startEmbeddedDynamoDb();
    try {
      const table = new CollectionsTable(db.client, db.tableName);
      const store = new MetricAggregatesTable(db.client, db.tableName);
      const partials = new RebuildPartialsTable(db.client, db.tableName);
      const clock = { now: () => new Date('2026-04-15T06:00:00.000Z') };
      const deps = { store, settings, clock, partials };
      let started = performance.now();
      const itemsLoaded = await loadHistory(table, store, size);
      const loadSeconds = seconds(performance.now() - started);
      log(
        `rebuild ${size.toLocaleString('en')} claims: ${itemsLoaded.toLocaleString('en')} items loaded in ${loadSeconds} s`,
      );

      started = performance.now();
      const single = await rebuildMetricAggregates(deps, { repair: false });
      const singleRunSeconds = seconds(performance.now() - started);
      if (!single.equal || single.claims !== size) {
        throw new Error(`the loaded history does not prove equal: ${JSON.stringify(single).slice(0, 400)}`);
      }
      log(`rebuild ${size.toLocaleString('en')} claims: one invocation ${singleRunSeconds} s`);

      const segmented: SegmentedRebuildTiming[] = [];
      let largestPartial = { jsonKilobytes: 0, gzipKilobytes: 0, chunks: 0 };
      for (const totalSegments of options.segmentCounts) {
        const maxSeconds = { claims: 0, records: 0 };
        const found: RebuildPartial[] = [];
        started = performance.now();
        for (const pass of rebuildPasses) {
          for (const { segment } of scanSegments(totalSegments)) {
            const segmentStarted = performance.now();
            const partial = await rebuildMetricSegment(deps, { pass, segment, totalSegments, repair: false });
            maxSeconds[pass] = Math.max(maxSeconds[pass], (performance.now() - segmentStarted) / 1000);
            found.push(partial);
            const json = JSON.stringify(partial);
            const gzip = gzipSync(json).length;
            if (json.length / 1024 > largestPartial.jsonKilobytes) {
              largestPartial = {
                jsonKilobytes: Math.round(json.length / 1024),
                gzipKilobytes: Math.round(gzip / 1024),
                chunks: Math.ceil(gzip / partialChunkBytes),
              };
            }
          }
        }
        const compareStarted = performance.now();
        const refs = (pass: 'claims' | 'records') =>
          scanSegments(totalSegments).map(({ segment }) => ({ pass, segment, attempt: 'bench', chunks: 1 }));
        const compared = await finishSegmentedRebuild(
          { ...deps, partials: partialStoreOf(found) },
          {
            runId: 'bench',
            repair: false,
            totalSegments,
            claimPartials: refs('claims'),
            recordPartials: refs('records'),
          },
        );
        const compareSeconds = seconds(performance.now() - compareStarted);
        const inTurnSeconds = seconds(performance.now() - started);
        if (!compared.equal || compared.claims !== size) throw new Error('the segmented rebuild differs');

        // As the state machine runs it: every segment of a pass at once, partials through the table.
        started = performance.now();
        const runId = `bench-${totalSegments}`;
        const stored: Record<string, RebuildPartialRef[]> = {};
        for (const pass of rebuildPasses) {
          stored[pass] = await Promise.all(
            scanSegments(totalSegments).map(async ({ segment }) =>
              partials.putPartial(
                runId,
                await rebuildMetricSegment(deps, { pass, segment, totalSegments, repair: false }),
                clock.now(),
              ),
            ),
          );
        }
        const atOnce = await finishSegmentedRebuild(deps, {
          runId,
          repair: false,
          totalSegments,
          claimPartials: stored.claims ?? [],
          recordPartials: stored.records ?? [],
        });
        await partials.deletePartials(runId);
        const allAtOnceSeconds = seconds(performance.now() - started);
        if (!atOnce.equal) throw new Error('the segmented rebuild run at once differs');

        segmented.push({
          totalSegments,
          claimsPassMaxSeconds: Math.round(maxSeconds.claims * 10) / 10,
          recordsPassMaxSeconds: Math.round(maxSeconds.records * 10) / 10,
          inTurnSeconds,
          compareSeconds,
          allAtOnceSeconds,
        });
        log(
          `rebuild ${size.toLocaleString('en')} claims, ${totalSegments} segments: slowest claims segment ${maxSeconds.claims.toFixed(1)} s, records ${maxSeconds.records.toFixed(1)} s, compare ${compareSeconds} s; all at once ${allAtOnceSeconds} s`,
        );
      }
      results.push({ claims: size, itemsLoaded, loadSeconds, singleRunSeconds, segmented, largestPartial });
    } finally {
      await db.stop();
    }
  }

  const largest = results.at(-1);
  const widest = largest?.segmented.at(-1);
  const perSegmentClaims = largest && widest ? largest.claims / widest.totalSegments : 1;
  const secondsPerClaim = {
    claimsPass: (widest?.claimsPassMaxSeconds ?? 0) / perSegmentClaims,
    recordsPass: (widest?.recordsPassMaxSeconds ?? 0) / perSegmentClaims,
  };
  const slowest = Math.max(secondsPerClaim.claimsPass, secondsPerClaim.recordsPass);
  return {
    sizes: results,
    secondsPerClaim: {
      claimsPass: Math.round(secondsPerClaim.claimsPass * 1e6) / 1e6,
      recordsPass: Math.round(secondsPerClaim.recordsPass * 1e6) / 1e6,
    },
    segmentsNeeded: [1_000_000, 10_000_000].map((claims) => ({
      claims,
      segments: Math.max(1, Math.ceil((claims * slowest) / segmentBudgetSeconds)),
    })),
  };
}

/** The rebuild's timings as markdown: measured sizes side by side, then what they imply at scale. */
export function renderRebuildMarkdown(result: RebuildBenchmarkResult, heading: string): string {
  const lines = [
    `${heading} Rebuild of the aggregates (the weekly proof): one invocation against scan segments`,
    '',
    'Verify mode, on dynalite in this process, history loaded through the real adapters. A segment of a pass is timed alone (what one Lambda takes, the bound that matters); "all at once" runs every segment of a pass together, as the Map does, with partials written to and read from the table, on this machine\'s cores.',
    '',
    '| claims | items in the table | one invocation s | segments | slowest claims segment s | slowest records segment s | comparison s | all segments in turn s | all at once s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const size of result.sizes) {
    for (const run of size.segmented) {
      lines.push(
        `| ${size.claims.toLocaleString('en')} | ${size.itemsLoaded.toLocaleString('en')} | ${size.singleRunSeconds} | ${run.totalSegments} | ${run.claimsPassMaxSeconds} | ${run.recordsPassMaxSeconds} | ${run.compareSeconds} | ${run.inTurnSeconds} | ${run.allAtOnceSeconds} |`,
      );
    }
  }
  const largest = result.sizes.at(-1);
  const perClaim = largest ? largest.singleRunSeconds / largest.claims : 0;
  lines.push(
    '',
    `Largest partial of a segment: ${result.sizes.map((size) => `${size.largestPartial.jsonKilobytes} KB of JSON, ${size.largestPartial.gzipKilobytes} KB compressed at ${size.claims.toLocaleString('en')} claims`).join('; ')}.`,
    '',
    `Estimated, not measured (loading a million claims through the adapters would take two hours here): one invocation at 1,000,000 claims ≈ ${Math.round(perClaim * 1_000_000)} s at the largest size's rate (${Math.round(1 / Math.max(perClaim, 1e-9))} claims/s), far past Lambda's 900 s. The slowest segment takes ${result.secondsPerClaim.claimsPass * 1000} ms per claim of its share in the claims pass and ${result.secondsPerClaim.recordsPass * 1000} ms in the records pass; for a segment to stay within half of the 15 minutes at this rate, a pass needs ${result.segmentsNeeded.map((need) => `${need.segments} segments at ${need.claims.toLocaleString('en')} claims`).join(' and ')}.`,
    '',
  );
  return lines.join('\n');
}
