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
import type {
  MessageRecord,
  MetricContributionRecord,
  MetricRebuildStore,
  VersionedClaim,
} from '../ports.ts';
import {
  claimUnitId,
  subscriptionFactsOf,
  subscriptionUnitId,
  touchesOf,
} from './refresh-metric-contributions.ts';

export interface RebuildMetricAggregatesDependencies {
  readonly store: MetricRebuildStore;
  readonly settings: MetricsSettings;
  /** Dates the compaction of settled cell shards. @default the current time */
  readonly clock?: { now(): Date };
}

export interface CellMismatch {
  readonly cell: string;
  /** measure → [expected from the claims, stored in the aggregates] */
  readonly measures: Readonly<Record<string, readonly [expected: number, stored: number]>>;
}

export interface UnitMismatch {
  readonly unitId: string;
  readonly reason: string;
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

const examples = 20;

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

const sameSummary = (a: SubscriptionClaimSummary | undefined, b: SubscriptionClaimSummary): boolean =>
  a !== undefined && JSON.stringify(a) === JSON.stringify(b);

const sameContribution = (a: Contribution, b: Contribution): boolean => sameCellValues(a, b);

/**
 * Recomputes every aggregate from the claims (with their cases and messages) and proves the live
 * aggregates and contribution records equal to it; with `repair`, overwrites whatever differs.
 * It streams: memory holds one page of sources plus the expected cells, which are bounded by the
 * calendar (currencies × days × measures), never by the number of claims.
 *
 * 1. Claims, page by page: each claim's contribution is added to the expected cells and checked
 *    against its record; its subscription summary is checked against the subscription's record.
 * 2. Contribution records, page by page: claim records without a claim are orphans; a
 *    subscription's summaries are checked against its claims (none missing after step 1, none
 *    extra or stale here), and its contribution is recomputed from them into the expected cells.
 * 3. Cells: settled shards are folded (sums unchanged), then every stored cell is compared with
 *    the expected one, measure by measure, and replaced when it differs.
 *
 * Run it after changing the time zone or the attribution window, after a bug fix, to migrate
 * cells of an earlier measure scheme, or on a schedule to prove the incremental updates right.
 * Repair while no events are being ingested: an update racing the overwrite would be lost until
 * its claim changes again.
 */
export async function rebuildMetricAggregates(
  deps: RebuildMetricAggregatesDependencies,
  options: { readonly repair: boolean },
): Promise<RebuildResult> {
  const { store, settings } = deps;
  const expected = new CellAccumulator();
  const unitMismatches: UnitMismatch[] = [];
  let unitMismatchCount = 0;
  const unitMismatch = (unitId: string, reason: string): void => {
    unitMismatchCount += 1;
    if (unitMismatches.length < examples) unitMismatches.push({ unitId, reason });
  };
  let claimCount = 0;
  let units = 0;

  // 1. Claims.
  for await (const page of store.claimPages()) {
    claimCount += page.length;
    const caseIds = [...new Set(page.flatMap(({ claim }) => (claim.caseId ? [claim.caseId] : [])))];
    const paidCaseIds = [
      ...new Set(page.flatMap(({ claim }) => (claim.caseId && claim.paidAt ? [claim.caseId] : []))),
    ];
    const [cases, messages] = await Promise.all([
      store.getCasesById(caseIds),
      store.listMessagesOfCases(paidCaseIds),
    ]);
    const casesById = new Map(cases.map((collectionCase) => [collectionCase.caseId, collectionCase]));
    const messagesByCase = new Map<string, MessageRecord[]>();
    for (const message of messages) {
      messagesByCase.set(message.caseId, [...(messagesByCase.get(message.caseId) ?? []), message]);
    }
    const subscriptionOf = new Map(page.map(({ claim }) => [claim.claimId, subscriptionUnitOf(claim)]));
    const unitIds = [
      ...page.map(({ claim }) => claimUnitId(claim.claimId)),
      ...[...new Set(subscriptionOf.values())].flatMap((id) => (id ? [subscriptionUnitId(id)] : [])),
    ];
    const records = new Map(
      (await store.getContributionRecords(unitIds)).map((record) => [record.unitId, record]),
    );
    const subscriptionFixes = new Map<string, Record<string, SubscriptionClaimSummary>>();

    for (const { claim, version } of page) {
      const collectionCase = claim.caseId === undefined ? undefined : casesById.get(claim.caseId);
      const touches =
        claim.paidAt !== undefined && claim.caseId !== undefined
          ? touchesOf(messagesByCase.get(claim.caseId) ?? [])
          : [];
      const target = claimContribution(
        { claim, ...(collectionCase ? { collectionCase } : {}), touches },
        settings,
      );
      expected.add(target);
      units += 1;
      const subscription = subscriptionOf.get(claim.claimId);
      const unitId = claimUnitId(claim.claimId);
      const record = records.get(unitId);
      const recordRight =
        record !== undefined &&
        record.pending === undefined &&
        record.subscriptionId === subscription &&
        sameContribution(record.applied, target);
      if (!recordRight) {
        unitMismatch(unitId, record === undefined ? 'missing' : 'differs from the claim');
        if (options.repair) {
          await store.replaceContributionRecord({
            unitId,
            applied: target,
            sourceVersion: version,
            ...(subscription ? { subscriptionId: subscription } : {}),
          });
        }
      }
      if (subscription === undefined) continue;
      const subscriptionUnit = subscriptionUnitId(subscription);
      const summary = subscriptionClaimSummary(claim, version);
      const summaries = subscriptionFixes.get(subscriptionUnit) ?? records.get(subscriptionUnit)?.summaries;
      if (!sameSummary(summaries?.[claim.claimId], summary)) {
        unitMismatch(subscriptionUnit, `summary of ${claim.claimId} missing or stale`);
        subscriptionFixes.set(subscriptionUnit, { ...summaries, [claim.claimId]: summary });
      }
    }
    if (options.repair) {
      // The subscription's contribution itself is recomputed and written in step 2.
      for (const [unitId, summaries] of subscriptionFixes) {
        const record = records.get(unitId);
        await store.replaceContributionRecord({
          unitId,
          applied: record?.applied ?? {},
          sourceVersion: 0,
          summaries,
        });
      }
    }
  }

  // 2. Contribution records.
  for await (const page of store.contributionRecordPages()) {
    const claimIds = new Set<string>();
    const subscriptionIds = new Set<string>();
    for (const record of page) {
      if (record.unitId.startsWith('claim:')) claimIds.add(record.unitId.slice('claim:'.length));
      else if (record.unitId.startsWith('subscription:')) {
        subscriptionIds.add(record.unitId.slice('subscription:'.length));
        for (const claimId of Object.keys(record.summaries ?? {})) claimIds.add(claimId);
      }
    }
    const [claims, subscriptionRecords] = await Promise.all([
      store.getClaimsById([...claimIds]),
      store.getSubscriptionsById([...subscriptionIds]),
    ]);
    const claimsById = new Map<string, VersionedClaim>(
      claims.map((stored) => [stored.claim.claimId, stored]),
    );
    const subscriptionsById = new Map(subscriptionRecords.map((record) => [record.subscriptionId, record]));

    for (const record of page) {
      if (record.unitId.startsWith('claim:')) {
        if (claimsById.has(record.unitId.slice('claim:'.length))) continue;
        unitMismatch(record.unitId, 'orphan: no such claim');
        if (options.repair) await store.deleteContributionRecord(record.unitId);
        continue;
      }
      if (!record.unitId.startsWith('subscription:')) continue;
      await checkSubscriptionRecord(record, claimsById, subscriptionsById, {
        expected,
        settings,
        repair: options.repair,
        store,
        mismatch: unitMismatch,
        counted: () => {
          units += 1;
        },
      });
    }
  }

  // 3. Cells.
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
    if (mismatches.length < examples) mismatches.push(mismatchOf(id, want, have));
    if (options.repair) {
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
    claims: claimCount,
    units,
    cellsCompared: ids.size,
    equal: mismatchCount === 0 && unitMismatchCount === 0,
    mismatchCount,
    mismatches,
    unitMismatchCount,
    unitMismatches,
    compactedShards,
    repaired: options.repair,
  };
}

/**
 * A subscription record's summaries must be exactly those of its claims: each names an existing
 * claim of that subscription and equals its summary. Its contribution, recomputed from them and
 * the subscription record, goes into the expected cells.
 */
async function checkSubscriptionRecord(
  record: MetricContributionRecord,
  claimsById: ReadonlyMap<string, VersionedClaim>,
  subscriptionsById: ReadonlyMap<string, Parameters<typeof subscriptionFactsOf>[0]>,
  context: {
    readonly expected: CellAccumulator;
    readonly settings: MetricsSettings;
    readonly repair: boolean;
    readonly store: MetricRebuildStore;
    readonly mismatch: (unitId: string, reason: string) => void;
    readonly counted: () => void;
  },
): Promise<void> {
  const subscription = record.unitId.slice('subscription:'.length);
  const summaries: Record<string, SubscriptionClaimSummary> = {};
  let stale = false;
  for (const [claimId, summary] of Object.entries(record.summaries ?? {})) {
    const stored = claimsById.get(claimId);
    const current =
      stored !== undefined && subscriptionUnitOf(stored.claim) === subscription
        ? subscriptionClaimSummary(stored.claim, stored.version)
        : undefined;
    if (current === undefined) {
      stale = true;
      continue;
    }
    if (!sameSummary(summary, current)) stale = true;
    summaries[claimId] = current;
  }
  if (stale) context.mismatch(record.unitId, 'summaries name claims that left or changed');
  if (Object.keys(summaries).length === 0) {
    // Every claim left the subscription: the live path keeps the record with nothing applied.
    if (stale || record.pending !== undefined || Object.keys(record.applied).length > 0) {
      context.mismatch(record.unitId, 'orphan: no claim of this subscription');
      if (context.repair) await context.store.deleteContributionRecord(record.unitId);
    }
    return;
  }
  context.counted();
  const target = subscriptionContribution(
    Object.values(summaries),
    context.settings,
    subscriptionFactsOf(subscriptionsById.get(subscription)),
  );
  context.expected.add(target);
  const right = !stale && record.pending === undefined && sameContribution(record.applied, target);
  if (right) return;
  if (!stale) context.mismatch(record.unitId, 'applied contribution differs');
  if (context.repair) {
    await context.store.replaceContributionRecord({
      unitId: record.unitId,
      applied: target,
      sourceVersion: 0,
      summaries,
    });
  }
}
