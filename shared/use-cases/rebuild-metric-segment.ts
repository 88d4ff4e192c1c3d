import { ConcurrentUpdateError } from '../domain/errors.ts';
import { CellAccumulator, sameCellValues } from '../domain/metric-cells.ts';
import {
  type Contribution,
  claimContribution,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
} from '../domain/metric-contributions.ts';
import {
  mismatchExamples,
  type RebuildPartial,
  type RebuildPass,
  type ScanSegment,
  type UnitMismatch,
} from '../domain/metric-rebuild.ts';
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

export interface RebuildSegmentDependencies {
  readonly store: MetricRebuildStore;
  readonly settings: MetricsSettings;
}

export interface RebuildSegmentRequest extends ScanSegment {
  readonly pass: RebuildPass;
  /** Overwrite the contribution records that differ (cells are repaired by the comparison step). */
  readonly repair: boolean;
}

/** Counts the contribution records that differ and keeps the first few as examples. */
class UnitMismatches {
  public count = 0;
  public readonly examples: UnitMismatch[] = [];

  public add(unitId: string, reason: string): void {
    this.count += 1;
    if (this.examples.length < mismatchExamples) this.examples.push({ unitId, reason });
  }
}

interface PassState {
  readonly deps: RebuildSegmentDependencies;
  readonly segment: ScanSegment;
  readonly repair: boolean;
  readonly expected: CellAccumulator;
  readonly mismatches: UnitMismatches;
  claims: number;
  units: number;
}

const sameSummary = (a: SubscriptionClaimSummary | undefined, b: SubscriptionClaimSummary): boolean =>
  a !== undefined && JSON.stringify(a) === JSON.stringify(b);

const sameContribution = (a: Contribution, b: Contribution): boolean => sameCellValues(a, b);

/**
 * One pass of the rebuild over one segment of a parallel scan: it checks (and with `repair`
 * overwrites) the contribution records of the units it reads, and returns their expected cells.
 * Memory holds one scan page plus those cells, which are bounded by the calendar, not by claims.
 * Running it again is harmless: it only ever writes the recomputation, and the subscription
 * summaries it fixes are merged into the stored record under its version.
 *
 * - `claims`: each claim's contribution goes into the expected cells and is checked against its
 *   record; its subscription summary is checked against the subscription's record.
 * - `records`: claim records without a claim are orphans; a subscription's summaries are checked
 *   against its claims (none missing after the claims pass, none extra or stale here), and its
 *   contribution is recomputed from them into the expected cells.
 */
export async function rebuildMetricSegment(
  deps: RebuildSegmentDependencies,
  request: RebuildSegmentRequest,
): Promise<RebuildPartial> {
  const segment = { segment: request.segment, totalSegments: request.totalSegments };
  const state: PassState = {
    deps,
    segment,
    repair: request.repair,
    expected: new CellAccumulator(),
    mismatches: new UnitMismatches(),
    claims: 0,
    units: 0,
  };
  if (request.pass === 'claims') await claimsPass(state);
  else await recordsPass(state);
  return {
    pass: request.pass,
    ...segment,
    claims: state.claims,
    units: state.units,
    unitMismatchCount: state.mismatches.count,
    unitMismatches: state.mismatches.examples,
    cells: state.expected.list(),
  };
}

/** A scan segment's options, left out for a single segment (a plain scan). */
function segmentOf(segment: ScanSegment): ScanSegment | undefined {
  return segment.totalSegments > 1 ? segment : undefined;
}

async function claimsPass(state: PassState): Promise<void> {
  const { store, settings } = state.deps;
  for await (const page of store.claimPages(segmentOf(state.segment))) {
    state.claims += page.length;
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
    // Only the summaries this page found missing or stale, by subscription unit.
    const summaryFixes = new Map<string, Record<string, SubscriptionClaimSummary>>();

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
      state.expected.add(target);
      state.units += 1;
      const subscription = subscriptionOf.get(claim.claimId);
      const unitId = claimUnitId(claim.claimId);
      const record = records.get(unitId);
      const recordRight =
        record !== undefined &&
        record.pending === undefined &&
        record.subscriptionId === subscription &&
        sameContribution(record.applied, target);
      if (!recordRight) {
        state.mismatches.add(unitId, record === undefined ? 'missing' : 'differs from the claim');
        if (state.repair) {
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
      const fixes = summaryFixes.get(subscriptionUnit);
      const known = fixes?.[claim.claimId] ?? records.get(subscriptionUnit)?.summaries?.[claim.claimId];
      if (!sameSummary(known, summary)) {
        state.mismatches.add(subscriptionUnit, `summary of ${claim.claimId} missing or stale`);
        summaryFixes.set(subscriptionUnit, { ...fixes, [claim.claimId]: summary });
      }
    }
    if (state.repair) {
      // The subscription's contribution itself is recomputed and written by the records pass.
      for (const [unitId, fixes] of summaryFixes) await mergeSummaries(store, unitId, fixes);
    }
  }
}

/** Lost races before a summary fix gives up (segments of one subscription's claims run at once). */
const summaryMergeAttempts = 10;

/**
 * Writes the fixed summaries into the subscription's record, keeping the others as stored. Claims
 * of one subscription may sit in different scan segments, fixed at the same time: each merge is
 * conditional on the record's version and re-read when it lost a race, so none drops another's fix.
 */
async function mergeSummaries(
  store: MetricRebuildStore,
  unitId: string,
  fixes: Readonly<Record<string, SubscriptionClaimSummary>>,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const record = await store.getContributionRecord(unitId);
    try {
      await store.putContributionRecord(
        {
          unitId,
          applied: record?.applied ?? {},
          sourceVersion: 0,
          summaries: { ...record?.summaries, ...fixes },
        },
        record?.version ?? 0,
      );
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= summaryMergeAttempts) throw error;
    }
  }
}

async function recordsPass(state: PassState): Promise<void> {
  const { store } = state.deps;
  for await (const page of store.contributionRecordPages(segmentOf(state.segment))) {
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
        state.mismatches.add(record.unitId, 'orphan: no such claim');
        if (state.repair) await store.deleteContributionRecord(record.unitId);
        continue;
      }
      if (!record.unitId.startsWith('subscription:')) continue;
      await checkSubscriptionRecord(state, record, claimsById, subscriptionsById);
    }
  }
}

/**
 * A subscription record's summaries must be exactly those of its claims: each names an existing
 * claim of that subscription and equals its summary. Its contribution, recomputed from them and
 * the subscription record, goes into the expected cells.
 */
async function checkSubscriptionRecord(
  state: PassState,
  record: MetricContributionRecord,
  claimsById: ReadonlyMap<string, VersionedClaim>,
  subscriptionsById: ReadonlyMap<string, Parameters<typeof subscriptionFactsOf>[0]>,
): Promise<void> {
  const { store, settings } = state.deps;
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
  if (stale) state.mismatches.add(record.unitId, 'summaries name claims that left or changed');
  if (Object.keys(summaries).length === 0) {
    // Every claim left the subscription: the live path keeps the record with nothing applied.
    if (stale || record.pending !== undefined || Object.keys(record.applied).length > 0) {
      state.mismatches.add(record.unitId, 'orphan: no claim of this subscription');
      if (state.repair) await store.deleteContributionRecord(record.unitId);
    }
    return;
  }
  state.units += 1;
  const target = subscriptionContribution(
    Object.values(summaries),
    settings,
    subscriptionFactsOf(subscriptionsById.get(subscription)),
  );
  state.expected.add(target);
  const right = !stale && record.pending === undefined && sameContribution(record.applied, target);
  if (right) return;
  if (!stale) state.mismatches.add(record.unitId, 'applied contribution differs');
  if (state.repair) {
    await store.replaceContributionRecord({
      unitId: record.unitId,
      applied: target,
      sourceVersion: 0,
      summaries,
    });
  }
}
