import type { MetricCell } from './metric-cells.ts';

/**
 * The rebuild that proves the finance aggregates (docs/metrics.md, "The rebuild proves it"), cut
 * into parts that can run apart: two passes, each over the segments of a DynamoDB parallel scan,
 * then one comparison of the summed expected cells with the stored ones.
 */

/**
 * The claims pass recomputes every claim's contribution and repairs claim records and the
 * subscription summaries; the records pass checks every contribution record and recomputes the
 * subscriptions' contributions from those summaries. So every segment of the claims pass must end
 * before any segment of the records pass starts.
 */
export type RebuildPass = 'claims' | 'records';

export const rebuildPasses: readonly RebuildPass[] = ['claims', 'records'];

/** Segment `segment` (from 0) of a parallel scan in `totalSegments` segments. */
export interface ScanSegment {
  readonly segment: number;
  readonly totalSegments: number;
}

/**
 * The most segments a run may use. The state machine carries one small reference per segment and
 * pass (about 90 bytes), so 1,000 segments stay far below Step Functions' 256 KiB state limit.
 */
export const maxRebuildSegments = 1000;

/** The segments of a scan in `totalSegments` segments, refused outside 1..`maxRebuildSegments`. */
export function scanSegments(totalSegments: number): ScanSegment[] {
  if (!Number.isInteger(totalSegments) || totalSegments < 1 || totalSegments > maxRebuildSegments) {
    throw new RangeError(
      `the rebuild runs in 1 to ${maxRebuildSegments} segments, got ${JSON.stringify(totalSegments)}`,
    );
  }
  return Array.from({ length: totalSegments }, (_, segment) => ({ segment, totalSegments }));
}

/** How many mismatches of each kind a result (and each partial) keeps as examples. */
export const mismatchExamples = 20;

export interface CellMismatch {
  readonly cell: string;
  /** measure → [expected from the claims, stored in the aggregates] */
  readonly measures: Readonly<Record<string, readonly [expected: number, stored: number]>>;
}

export interface UnitMismatch {
  readonly unitId: string;
  readonly reason: string;
}

/**
 * What one pass over one segment found: the expected cells of the units it read (bounded by the
 * calendar: currencies × days × measures, whatever the number of claims) and the contribution
 * records that differ from the recomputation.
 */
export interface RebuildPartial {
  readonly pass: RebuildPass;
  readonly segment: number;
  readonly totalSegments: number;
  /** Claims read (claims pass only). */
  readonly claims: number;
  /** Units recomputed: claims, or subscriptions with at least one claim. */
  readonly units: number;
  readonly unitMismatchCount: number;
  /** The first `mismatchExamples` of them. */
  readonly unitMismatches: readonly UnitMismatch[];
  readonly cells: readonly MetricCell[];
}

export interface RebuildResult {
  readonly claims: number;
  readonly units: number;
  readonly cellsCompared: number;
  /** True when the live aggregates and contribution records equal the recomputation. */
  readonly equal: boolean;
  readonly mismatchCount: number;
  /** The first cell mismatches (at most 20), to investigate. */
  readonly mismatches: readonly CellMismatch[];
  /** Contribution records that differ from the recomputation (wrong, missing or orphaned). */
  readonly unitMismatchCount: number;
  readonly unitMismatches: readonly UnitMismatch[];
  /** Shard items of settled cells folded into their base item before comparing. */
  readonly compactedShards: number;
  /** Whether the differing cells and contribution records were overwritten with the recomputation. */
  readonly repaired: boolean;
}

/** One line for an alarm or a failed execution: how much differs, and the first example. */
export function rebuildSummary(result: RebuildResult): string {
  if (result.equal) {
    return `the aggregates equal a recomputation from ${result.claims} claims (${result.cellsCompared} cells)`;
  }
  const example = result.mismatches[0] ?? result.unitMismatches[0];
  return `${result.mismatchCount} aggregate cells and ${result.unitMismatchCount} contribution records differ from the claims${result.repaired ? ' (repaired)' : ''}, e.g. ${JSON.stringify(example)}`;
}
