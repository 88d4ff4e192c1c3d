import { forgetDrawnCharts } from '../shared/adapters/reports/chart-renderer.ts';
import { CellAccumulator } from '../shared/domain/metric-cells.ts';
import {
  claimContribution,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
} from '../shared/domain/metric-contributions.ts';
import { startMeteredProduct } from './metered-product.ts';
import { simulatedClaim } from './simulated-claims.ts';

export interface MetricsJobRun {
  /** Simulated claims folded into the aggregates: 24 months of history in three currencies. */
  readonly historyClaims: number;
  /** Aggregate cells in the table (day and month cells per currency): bounded by the calendar. */
  readonly cellsStored: number;
  readonly wallMs: number;
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Reports emailed by the run (1: the daily summary). */
  readonly emailsSent: number;
}

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };

/** The cells the live path would hold after `size` claims, as the report benchmark folds them. */
function aggregatedHistory(size: number): CellAccumulator {
  const cells = new CellAccumulator();
  const subscriptions = new Map<string, SubscriptionClaimSummary[]>();
  for (let n = 0; n < size; n += 1) {
    const { claim, collectionCase, touches } = simulatedClaim(n);
    cells.add(claimContribution({ claim, ...(collectionCase ? { collectionCase } : {}), touches }, settings));
    const unit = subscriptionUnitOf(claim);
    if (unit)
      subscriptions.set(unit, [...(subscriptions.get(unit) ?? []), subscriptionClaimSummary(claim, 1)]);
  }
  for (const summaries of subscriptions.values()) cells.add(subscriptionContribution(summaries, settings));
  return cells;
}

/**
 * The daily metrics job (the daily finance summary: metrics from the aggregates, three charts per
 * currency, CSV files, archive, one email) against histories of each size. It reads month cells
 * and the day cells of one month per currency, so its cost follows the calendar, not the claims.
 */
export async function measureMetricsJobCost(historySizes: readonly number[]): Promise<MetricsJobRun[]> {
  // The history ends on 1 April 2026: the summary of 30 March, sent at 07:00 on the 31st.
  const now = new Date('2026-03-31T07:00:00Z');
  const runs: MetricsJobRun[] = [];
  for (const historyClaims of historySizes) {
    const product = await startMeteredProduct({ clockStart: now });
    try {
      const cells = aggregatedHistory(historyClaims).list();
      await product.dynamo.run('seed', async () => {
        for (const cell of cells) await product.aggregates.replaceCell(cell);
      });
      product.dynamo.reset();
      const emailsBefore = product.outbox.list().length;
      // Every chart drawn, none from an earlier size's run: once a day, the function starts cold.
      forgetDrawnCharts();
      const started = performance.now();
      await product.runMetricsJob();
      const wallMs = performance.now() - started;
      const tally = product.dynamo.total('metrics');
      runs.push({
        historyClaims,
        cellsStored: cells.length,
        wallMs: Math.round(wallMs),
        requests: tally.requests,
        readUnits: tally.readUnits,
        writeUnits: tally.writeUnits + tally.indexWriteUnits,
        emailsSent: product.outbox.list().length - emailsBefore,
      });
    } finally {
      await product.stop();
    }
  }
  return runs;
}
