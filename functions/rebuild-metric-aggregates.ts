import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { z } from 'zod';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadMetricsConfig, loadTableConfig } from '../shared/config.ts';
import { CollectionsError, InvalidRequestError } from '../shared/domain/errors.ts';
import {
  type RebuildMetricAggregatesDependencies,
  type RebuildResult,
  rebuildMetricAggregates,
} from '../shared/use-cases/rebuild-metric-aggregates.ts';

/** The live aggregates differ from a recomputation from the claims; the job fails so the alarm fires. */
export class MetricAggregatesMismatchError extends CollectionsError {}

const rebuildEventSchema = z.object({ repair: z.boolean().default(false) }).loose();

/**
 * Recomputes every finance aggregate from the claims and compares. Scheduled weekly in verify
 * mode (fails on any difference, so its alarm fires); invoke it with `{"repair": true}` after
 * changing the time zone or the attribution window, or to repair a difference.
 */
export function createRebuildMetricAggregatesHandler(deps: RebuildMetricAggregatesDependencies) {
  return middy<unknown, RebuildResult>().handler(async (event) => {
    const parsed = rebuildEventSchema.safeParse(event ?? {});
    if (!parsed.success) throw new InvalidRequestError(`invalid rebuild event: ${parsed.error.message}`);
    const result = await rebuildMetricAggregates(deps, { repair: parsed.data.repair });
    logger.info('metric aggregates rebuilt', {
      claims: result.claims,
      cellsCompared: result.cellsCompared,
      mismatches: result.mismatchCount,
      unitMismatches: result.unitMismatchCount,
      compactedShards: result.compactedShards,
      repaired: result.repaired,
    });
    if (!result.equal && !result.repaired) {
      throw new MetricAggregatesMismatchError(
        `${result.mismatchCount} aggregate cells and ${result.unitMismatchCount} contribution records differ from the claims, e.g. ${JSON.stringify(result.mismatches[0] ?? result.unitMismatches[0])}`,
      );
    }
    return result;
  });
}

export const handler = lazyHandler(() => {
  const metrics = loadMetricsConfig();
  const store = new MetricAggregatesTable(new DynamoDBClient({}), loadTableConfig().TABLE_NAME);
  return createRebuildMetricAggregatesHandler({
    store,
    settings: { timeZone: metrics.METRICS_TIME_ZONE, attributionWindowDays: metrics.ATTRIBUTION_WINDOW_DAYS },
  });
});
