import { InvalidRequestError } from '../domain/errors.ts';
import {
  type RebuildPartial,
  type RebuildPass,
  type RebuildResult,
  scanSegments,
} from '../domain/metric-rebuild.ts';
import type { RebuildPartialRef, RebuildPartialStore } from '../ports.ts';
import { compareRebuiltCells } from './compare-rebuilt-cells.ts';
import type { RebuildMetricAggregatesDependencies } from './rebuild-metric-aggregates.ts';
import { type RebuildSegmentRequest, rebuildMetricSegment } from './rebuild-metric-segment.ts';

/**
 * The steps of the segmented rebuild, as the state machine runs them
 * (workflows/rebuild-metric-aggregates.ts): plan → claims pass over every segment (Map) → records
 * pass over every segment (Map) → compare → delete the partials. Each segment's partial (its
 * expected cells, about 1 MB compressed for a two-year history: far over Step Functions' 256 KiB
 * payload limit) is written to the table and only its reference travels in the Map's output.
 */
export interface SegmentedRebuildDependencies extends RebuildMetricAggregatesDependencies {
  readonly partials: RebuildPartialStore;
}

/** What the state machine iterates over; `runId` (the execution name) keys the partials. */
export interface RebuildPlan {
  readonly runId: string;
  readonly repair: boolean;
  readonly totalSegments: number;
  /** 0 … totalSegments − 1: the Map's items. */
  readonly segments: readonly number[];
}

export function planMetricRebuild(request: {
  readonly runId: string;
  readonly repair: boolean;
  readonly segments: number;
}): RebuildPlan {
  let segments: number[];
  try {
    segments = scanSegments(request.segments).map(({ segment }) => segment);
  } catch (error) {
    throw new InvalidRequestError((error as Error).message);
  }
  return { runId: request.runId, repair: request.repair, totalSegments: segments.length, segments };
}

/** One pass over one segment; its partial is stored and its reference returned. */
export async function rebuildSegmentIntoStore(
  deps: SegmentedRebuildDependencies,
  request: RebuildSegmentRequest & { readonly runId: string },
): Promise<RebuildPartialRef> {
  if (request.segment < 0 || request.segment >= request.totalSegments) {
    throw new InvalidRequestError(`segment ${request.segment} is not one of ${request.totalSegments}`);
  }
  const partial = await rebuildMetricSegment(deps, request);
  return deps.partials.putPartial(request.runId, partial, (deps.clock ?? { now: () => new Date() }).now());
}

/** Every pass must bring exactly one reference per segment, in segment order, as a Map returns them. */
function checkedRefs(
  pass: RebuildPass,
  refs: readonly RebuildPartialRef[],
  totalSegments: number,
): readonly RebuildPartialRef[] {
  const wrong = refs.findIndex((ref, index) => ref.pass !== pass || ref.segment !== index);
  if (refs.length !== totalSegments || wrong !== -1) {
    throw new InvalidRequestError(
      `the ${pass} pass must bring one partial per segment 0..${totalSegments - 1} in order, got ${refs
        .map((ref) => `${ref.pass}:${ref.segment}`)
        .join(', ')}`,
    );
  }
  return refs;
}

/**
 * Reads the stored partials of both passes one at a time and compares their summed expected cells
 * with the stored cells (repairing them with `repair`). It only reads the partials, so a retry of
 * this step compares again from the same partials.
 */
export async function finishSegmentedRebuild(
  deps: SegmentedRebuildDependencies,
  request: {
    readonly runId: string;
    readonly repair: boolean;
    readonly totalSegments: number;
    readonly claimPartials: readonly RebuildPartialRef[];
    readonly recordPartials: readonly RebuildPartialRef[];
  },
): Promise<RebuildResult> {
  const refs = [
    ...checkedRefs('claims', request.claimPartials, request.totalSegments),
    ...checkedRefs('records', request.recordPartials, request.totalSegments),
  ];
  async function* partials(): AsyncGenerator<RebuildPartial> {
    for (const ref of refs) {
      const partial = await deps.partials.getPartial(request.runId, ref);
      if (
        partial.pass !== ref.pass ||
        partial.segment !== ref.segment ||
        partial.totalSegments !== request.totalSegments
      ) {
        throw new InvalidRequestError(
          `partial ${ref.pass}:${ref.segment} of run ${request.runId} was written for ${partial.pass}:${partial.segment} of ${partial.totalSegments} segments`,
        );
      }
      yield partial;
    }
  }
  return compareRebuiltCells(deps, { partials: partials(), repair: request.repair });
}

/** Deletes the run's partials, whatever attempts wrote them: run once the comparison is done or failed. */
export async function deleteRebuildPartials(
  deps: Pick<SegmentedRebuildDependencies, 'partials'>,
  runId: string,
): Promise<{ readonly deleted: number }> {
  return { deleted: await deps.partials.deletePartials(runId) };
}
