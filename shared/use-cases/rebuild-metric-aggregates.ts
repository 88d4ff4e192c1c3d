import type { CollectionCase } from '../domain/collection-case.ts';
import { CellAccumulator, cellId, type MetricCell, sameCellValues } from '../domain/metric-cells.ts';
import {
  type Contribution,
  claimContribution,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
} from '../domain/metric-contributions.ts';
import type { MessageRecord, MetricRebuildStore } from '../ports.ts';
import {
  claimUnitId,
  subscriptionFactsOf,
  subscriptionUnitId,
  touchesOf,
} from './refresh-metric-contributions.ts';

export interface RebuildMetricAggregatesDependencies {
  readonly store: MetricRebuildStore;
  readonly settings: MetricsSettings;
}

export interface CellMismatch {
  readonly cell: string;
  /** measure → [expected from the claims, stored in the aggregates] */
  readonly measures: Readonly<Record<string, readonly [expected: number, stored: number]>>;
}

export interface RebuildResult {
  readonly claims: number;
  readonly units: number;
  readonly cellsCompared: number;
  /** True when the live aggregates equal the recomputation, cell by cell and measure by measure. */
  readonly equal: boolean;
  readonly mismatchCount: number;
  /** The first mismatches (at most 20), to investigate. */
  readonly mismatches: readonly CellMismatch[];
  /** Whether the aggregates and contribution records were overwritten with the recomputation. */
  readonly repaired: boolean;
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
 * Recomputes every aggregate from the claims (with their cases and messages), compares it with the
 * live aggregates cell by cell, and with `repair` overwrites them and every unit's contribution
 * record. Run it after changing the time zone or the attribution window, after a bug fix, or on a
 * schedule to prove the incremental updates right. Repair while no events are being ingested:
 * an update racing the overwrite would be lost until its claim changes again.
 */
export async function rebuildMetricAggregates(
  deps: RebuildMetricAggregatesDependencies,
  options: { readonly repair: boolean },
): Promise<RebuildResult> {
  const { claims, cases, messages, subscriptions: records } = await deps.store.scanMetricSources();
  const subscriptionRecords = new Map(records.map((record) => [record.subscriptionId, record]));
  const casesById = new Map<string, CollectionCase>(
    cases.map((collectionCase) => [collectionCase.caseId, collectionCase]),
  );
  const messagesByCase = new Map<string, MessageRecord[]>();
  for (const message of messages) {
    messagesByCase.set(message.caseId, [...(messagesByCase.get(message.caseId) ?? []), message]);
  }

  const targets = new Map<
    string,
    {
      target: Contribution;
      sourceVersion: number;
      summaries?: Record<string, SubscriptionClaimSummary>;
      subscriptionId?: string;
    }
  >();
  const subscriptions = new Map<string, Record<string, SubscriptionClaimSummary>>();
  const expected = new CellAccumulator();
  for (const { claim, version } of claims) {
    const collectionCase = claim.caseId === undefined ? undefined : casesById.get(claim.caseId);
    const touches =
      claim.paidAt !== undefined && claim.caseId !== undefined
        ? touchesOf(messagesByCase.get(claim.caseId) ?? [])
        : [];
    const target = claimContribution(
      { claim, ...(collectionCase ? { collectionCase } : {}), touches },
      deps.settings,
    );
    const subscription = subscriptionUnitOf(claim);
    targets.set(claimUnitId(claim.claimId), {
      target,
      sourceVersion: version,
      ...(subscription ? { subscriptionId: subscription } : {}),
    });
    expected.add(target);
    if (subscription !== undefined) {
      const summaries = subscriptions.get(subscription) ?? {};
      summaries[claim.claimId] = subscriptionClaimSummary(claim, version);
      subscriptions.set(subscription, summaries);
    }
  }
  for (const [subscription, summaries] of subscriptions) {
    const target = subscriptionContribution(
      Object.values(summaries),
      deps.settings,
      subscriptionFactsOf(subscriptionRecords.get(subscription)),
    );
    targets.set(subscriptionUnitId(subscription), { target, sourceVersion: 0, summaries });
    expected.add(target);
  }

  const expectedCells = new Map(expected.list().map((cell) => [cellId(cell), cell]));
  const storedCells = new Map((await deps.store.listAllCells()).map((cell) => [cellId(cell), cell]));
  const mismatches: CellMismatch[] = [];
  const differing: MetricCell[] = [];
  for (const id of new Set([...expectedCells.keys(), ...storedCells.keys()])) {
    const want = expectedCells.get(id);
    const have = storedCells.get(id);
    if (sameCellValues(want?.values ?? {}, have?.values ?? {})) continue;
    mismatches.push(mismatchOf(id, want, have));
    const ref = (want ?? have) as MetricCell;
    differing.push({
      currency: ref.currency,
      granularity: ref.granularity,
      period: ref.period,
      values: want?.values ?? {},
    });
  }

  if (options.repair) {
    for (const cell of differing) await deps.store.replaceCell(cell);
    for (const [unitId, state] of targets) {
      await deps.store.replaceContributionRecord({
        unitId,
        applied: state.target,
        sourceVersion: state.sourceVersion,
        ...(state.summaries ? { summaries: state.summaries } : {}),
        ...(state.subscriptionId ? { subscriptionId: state.subscriptionId } : {}),
      });
    }
    for (const unitId of await deps.store.listContributionUnitIds()) {
      if (!targets.has(unitId)) await deps.store.deleteContributionRecord(unitId);
    }
  }

  return {
    claims: claims.length,
    units: targets.size,
    cellsCompared: new Set([...expectedCells.keys(), ...storedCells.keys()]).size,
    equal: mismatches.length === 0,
    mismatchCount: mismatches.length,
    mismatches: mismatches.slice(0, 20),
    repaired: options.repair,
  };
}
