import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { z } from 'zod';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { RebuildPartialsTable } from '../shared/adapters/dynamodb/rebuild-partials-table.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadMetricsConfig, loadTableConfig } from '../shared/config.ts';
import { CollectionsError, InvalidRequestError } from '../shared/domain/errors.ts';
import { maxRebuildSegments, type RebuildResult, rebuildSummary } from '../shared/domain/metric-rebuild.ts';
import { rebuildMetricAggregates } from '../shared/use-cases/rebuild-metric-aggregates.ts';
import {
  deleteRebuildPartials,
  finishSegmentedRebuild,
  planMetricRebuild,
  rebuildSegmentIntoStore,
  type SegmentedRebuildDependencies,
} from '../shared/use-cases/segmented-metric-rebuild.ts';

/** The live aggregates differ from a recomputation from the claims; the job fails so the alarm fires. */
export class MetricAggregatesMismatchError extends CollectionsError {}

const segmentCount = z.number().int().min(1).max(maxRebuildSegments);

/** A direct invocation runs the whole rebuild here: `{"repair": true, "segments": 4}`. */
const singleRunSchema = z
  .object({ repair: z.boolean().default(false), segments: segmentCount.default(1) })
  .loose();

/** The execution name keys the run's partials (Step Functions names: 1 to 80 characters). */
const runId = z.string().regex(/^[^\s#]{1,80}$/u, 'an execution name of 1 to 80 characters');
const pass = z.enum(['claims', 'records']);
const partialRef = z.strictObject({
  pass,
  segment: z.number().int().min(0),
  attempt: z.string().min(1).max(64),
  chunks: z.number().int().min(1),
});

/** The steps of the state machine (workflows/rebuild-metric-aggregates.ts). */
const stepSchema = z.discriminatedUnion('step', [
  z.strictObject({
    step: z.literal('plan'),
    runId,
    /** The execution input, as an operator or the schedule gave it. */
    input: z.strictObject({ repair: z.boolean().default(false), segments: segmentCount.optional() }),
    defaultSegments: segmentCount,
  }),
  z.strictObject({
    step: z.literal('segment'),
    runId,
    pass,
    segment: z.number().int().min(0),
    totalSegments: segmentCount,
    repair: z.boolean(),
  }),
  z.strictObject({
    step: z.literal('finish'),
    runId,
    repair: z.boolean(),
    totalSegments: segmentCount,
    claimPartials: z.array(partialRef).max(maxRebuildSegments),
    recordPartials: z.array(partialRef).max(maxRebuildSegments),
  }),
  z.strictObject({ step: z.literal('cleanup'), runId }),
]);

function logged(result: RebuildResult, runId?: string): void {
  logger.info('metric aggregates rebuilt', {
    ...(runId ? { runId } : {}),
    claims: result.claims,
    cellsCompared: result.cellsCompared,
    mismatches: result.mismatchCount,
    unitMismatches: result.unitMismatchCount,
    compactedShards: result.compactedShards,
    repaired: result.repaired,
  });
}

/**
 * Recomputes every finance aggregate from the claims and compares (docs/metrics.md, "The rebuild
 * proves it"). Invoked with a `step`, it is one step of the state machine that runs the rebuild
 * over parallel scan segments, which the weekly proof uses: `plan`, `segment` (one pass over one
 * segment, its partial stored), `finish` (compare and repair the cells; the state machine fails
 * when they differ) and `cleanup`. Invoked without, it runs the whole rebuild in this one
 * invocation, for small histories, and fails on any difference unless it repaired it.
 */
export function createRebuildMetricAggregatesHandler(deps: SegmentedRebuildDependencies) {
  return middy<unknown, unknown>().handler(async (event) => {
    if (typeof event === 'object' && event !== null && 'step' in event) {
      const parsed = stepSchema.safeParse(event);
      if (!parsed.success) throw new InvalidRequestError(`invalid rebuild step: ${parsed.error.message}`);
      const request = parsed.data;
      switch (request.step) {
        case 'plan':
          return planMetricRebuild({
            runId: request.runId,
            repair: request.input.repair,
            segments: request.input.segments ?? request.defaultSegments,
          });
        case 'segment': {
          const ref = await rebuildSegmentIntoStore(deps, request);
          logger.info('rebuild segment done', { runId: request.runId, ...ref });
          return ref;
        }
        case 'finish': {
          const result = await finishSegmentedRebuild(deps, request);
          logged(result, request.runId);
          return { ...result, summary: rebuildSummary(result) };
        }
        case 'cleanup':
          return deleteRebuildPartials(deps, request.runId);
      }
    }
    const parsed = singleRunSchema.safeParse(event ?? {});
    if (!parsed.success) throw new InvalidRequestError(`invalid rebuild event: ${parsed.error.message}`);
    const result = await rebuildMetricAggregates(deps, parsed.data);
    logged(result);
    if (!result.equal && !result.repaired) throw new MetricAggregatesMismatchError(rebuildSummary(result));
    return result;
  });
}

export const handler = lazyHandler(() => {
  const metrics = loadMetricsConfig();
  const client = new DynamoDBClient({});
  const tableName = loadTableConfig().TABLE_NAME;
  return createRebuildMetricAggregatesHandler({
    store: new MetricAggregatesTable(client, tableName),
    partials: new RebuildPartialsTable(client, tableName),
    settings: { timeZone: metrics.METRICS_TIME_ZONE, attributionWindowDays: metrics.ATTRIBUTION_WINDOW_DAYS },
  });
});
