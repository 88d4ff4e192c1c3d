import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadTableConfig } from '../shared/config.ts';
import type { RecoveryMetricsRow } from '../shared/domain/recovery-metrics.ts';
import {
  type ComputeRecoveryMetricsDependencies,
  computeRecoveryMetrics,
} from '../shared/use-cases/compute-recovery-metrics.ts';

export interface ComputeRecoveryMetricsResult {
  readonly metrics: RecoveryMetricsRow[];
}

/**
 * Scheduled job (EventBridge Scheduler, daily): recomputes the recovery metrics of the previous
 * and current failure cohorts. The event carries nothing it needs: the moment comes from the
 * clock, so the local runtime's virtual clock drives it the same way. Errors propagate, so the
 * invocation fails and the scheduler's retry policy runs it again (a rerun replaces the rows).
 */
export function createComputeRecoveryMetricsHandler(deps: ComputeRecoveryMetricsDependencies) {
  return middy<unknown, ComputeRecoveryMetricsResult>().handler(async () => {
    const metrics = await computeRecoveryMetrics(deps);
    logger.info('recovery metrics computed', {
      cohortMonths: [...new Set(metrics.map((row) => row.cohortMonth))],
      rows: metrics.length,
    });
    return { metrics };
  });
}

export const handler = lazyHandler(() => {
  const table = new CollectionsTable(new DynamoDBClient({}), loadTableConfig().TABLE_NAME);
  return createComputeRecoveryMetricsHandler({ claims: table, metrics: table, clock: systemClock });
});
