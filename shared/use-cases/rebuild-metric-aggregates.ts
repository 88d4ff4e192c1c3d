import type { MetricsSettings } from '../domain/metric-contributions.ts';
import {
  type RebuildPartial,
  type RebuildResult,
  rebuildPasses,
  scanSegments,
} from '../domain/metric-rebuild.ts';
import type { Clock, MetricRebuildStore } from '../ports.ts';
import { compareRebuiltCells } from './compare-rebuilt-cells.ts';
import { rebuildMetricSegment } from './rebuild-metric-segment.ts';

export interface RebuildMetricAggregatesDependencies {
  readonly store: MetricRebuildStore;
  readonly settings: MetricsSettings;
  /** Dates the compaction of settled cell shards. @default the current time */
  readonly clock?: Clock;
}

/**
 * Recomputes every aggregate from the claims (with their cases and messages) and proves the live
 * aggregates and contribution records equal to it; with `repair`, overwrites whatever differs.
 * This is the whole rebuild in one invocation: the claims pass, then the records pass, over each
 * scan segment in turn (`rebuildMetricSegment`), then the comparison of the summed expected cells
 * with the stored ones (`compareRebuiltCells`). The state machine runs the same parts, the
 * segments of a pass in parallel, for histories one Lambda cannot cover in 15 minutes
 * (workflows/rebuild-metric-aggregates.ts). It streams: memory holds one scan page, one partial
 * and the expected cells, which are bounded by the calendar (currencies × days × measures).
 *
 * Run it after changing the time zone or the attribution window, after a bug fix, to migrate
 * cells of an earlier measure scheme, or on a schedule to prove the incremental updates right.
 * Repair while no events are being ingested: an update racing the overwrite would be lost until
 * its claim changes again.
 */
export async function rebuildMetricAggregates(
  deps: RebuildMetricAggregatesDependencies,
  options: {
    readonly repair: boolean;
    /** Scan segments each pass reads one after the other (the same result for any number). @default 1 */
    readonly segments?: number;
  },
): Promise<RebuildResult> {
  const segments = scanSegments(options.segments ?? 1);
  async function* partials(): AsyncGenerator<RebuildPartial> {
    for (const pass of rebuildPasses) {
      for (const segment of segments) {
        yield await rebuildMetricSegment(deps, { pass, ...segment, repair: options.repair });
      }
    }
  }
  return compareRebuiltCells(deps, { partials: partials(), repair: options.repair });
}
