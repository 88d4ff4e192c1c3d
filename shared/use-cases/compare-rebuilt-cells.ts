import { CellAccumulator, cellId, type MetricCell, sameCellValues } from '../domain/metric-cells.ts';
import {
  type CellMismatch,
  mismatchExamples,
  type RebuildPartial,
  type RebuildResult,
  type UnitMismatch,
} from '../domain/metric-rebuild.ts';
import type { Clock, MetricRebuildStore } from '../ports.ts';

export interface CompareRebuiltCellsDependencies {
  readonly store: MetricRebuildStore;
  /** Dates the compaction of settled cell shards. @default the current time */
  readonly clock?: Clock;
}

function mismatchOf(
  id: string,
  expected: MetricCell | undefined,
  stored: MetricCell | undefined,
): CellMismatch {
  const measures: Record<string, [number, number]> = {};
  const a = expected?.values ?? {};
  const b = stored?.values ?? {};
  for (const measure of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if ((a[measure] ?? 0) !== (b[measure] ?? 0)) measures[measure] = [a[measure] ?? 0, b[measure] ?? 0];
  }
  return { cell: id, measures };
}

/**
 * The last step of the rebuild: sums the partials of every pass and segment into the expected
 * cells (one partial at a time, so memory holds one partial plus the sums), folds the settled
 * shards (sums unchanged), then compares every stored cell with the expected one, measure by
 * measure, and with `repair` replaces the cells that differ. The partials' contribution record
 * findings are added up into the result.
 */
export async function compareRebuiltCells(
  deps: CompareRebuiltCellsDependencies,
  request: {
    readonly partials: AsyncIterable<RebuildPartial> | Iterable<RebuildPartial>;
    readonly repair: boolean;
  },
): Promise<RebuildResult> {
  const { store } = deps;
  const expected = new CellAccumulator();
  let claims = 0;
  let units = 0;
  let unitMismatchCount = 0;
  const unitMismatches: UnitMismatch[] = [];
  for await (const partial of request.partials) {
    for (const cell of partial.cells) expected.addCell(cell);
    claims += partial.claims;
    units += partial.units;
    unitMismatchCount += partial.unitMismatchCount;
    unitMismatches.push(...partial.unitMismatches.slice(0, mismatchExamples - unitMismatches.length));
  }

  const compactedShards = await store.compactCells((deps.clock ?? { now: () => new Date() }).now());
  const stored = new CellAccumulator();
  for await (const page of store.cellPages()) for (const cell of page) stored.addCell(cell);
  const expectedCells = new Map(expected.list().map((cell) => [cellId(cell), cell]));
  const storedCells = new Map(stored.list().map((cell) => [cellId(cell), cell]));
  const mismatches: CellMismatch[] = [];
  let mismatchCount = 0;
  const ids = new Set([...expectedCells.keys(), ...storedCells.keys()]);
  for (const id of ids) {
    const want = expectedCells.get(id);
    const have = storedCells.get(id);
    if (sameCellValues(want?.values ?? {}, have?.values ?? {})) continue;
    mismatchCount += 1;
    if (mismatches.length < mismatchExamples) mismatches.push(mismatchOf(id, want, have));
    if (request.repair) {
      const ref = (want ?? have) as MetricCell;
      await store.replaceCell({
        currency: ref.currency,
        granularity: ref.granularity,
        period: ref.period,
        values: want?.values ?? {},
      });
    }
  }

  return {
    claims,
    units,
    cellsCompared: ids.size,
    equal: mismatchCount === 0 && unitMismatchCount === 0,
    mismatchCount,
    mismatches,
    unitMismatchCount,
    unitMismatches,
    compactedShards,
    repaired: request.repair,
  };
}
