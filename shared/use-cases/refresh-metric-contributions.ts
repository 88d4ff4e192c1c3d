import type { Claim } from '../domain/claim.ts';
import type { CollectionCase } from '../domain/collection-case.ts';
import { ConcurrentUpdateError } from '../domain/errors.ts';
import { cellsOf } from '../domain/metric-cells.ts';
import {
  type Contribution,
  claimContribution,
  contributionDelta,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  type SubscriptionFacts,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
  type Touch,
} from '../domain/metric-contributions.ts';
import type { Subscription } from '../domain/subscription.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  MessageRecord,
  MessageStore,
  MetricAggregateStore,
  MetricContributionRecord,
  SubscriptionStore,
} from '../ports.ts';

export interface RefreshMetricsDependencies {
  readonly claims: Pick<ClaimStore, 'getClaim'>;
  readonly cases: Pick<CaseStore, 'getCase'>;
  readonly messages: Pick<MessageStore, 'listMessages'>;
  readonly aggregates: MetricAggregateStore;
  readonly clock: Clock;
  readonly settings: MetricsSettings;
  /** The subscription records (MRR, cancellation for non-payment), when the billing model keeps them. */
  readonly subscriptions?: Pick<SubscriptionStore, 'getSubscription'>;
}

/** What a subscription record says for the MRR metrics. */
export function subscriptionFactsOf(subscription: Subscription | undefined): SubscriptionFacts {
  if (subscription === undefined) return {};
  return {
    ...(subscription.mrrMinor === undefined ? {} : { mrrMinor: subscription.mrrMinor }),
    ...(subscription.currency === undefined ? {} : { currency: subscription.currency }),
    ...(subscription.involuntaryChurn && subscription.canceledAt !== undefined
      ? { churnedAt: subscription.canceledAt }
      : {}),
  };
}

async function subscriptionFacts(
  subscriptionId: string,
  deps: RefreshMetricsDependencies,
): Promise<SubscriptionFacts> {
  return subscriptionFactsOf((await deps.subscriptions?.getSubscription(subscriptionId))?.subscription);
}

export const claimUnitId = (claimId: string): string => `claim:${claimId}`;
export const subscriptionUnitId = (subscription: string): string => `subscription:${subscription}`;

/** Optimistic-lock rounds on one unit; concurrent refreshes of one claim are rare. */
const maxRounds = 8;

/** The messages that count as a touch for attribution: those that went out. */
export function touchesOf(messages: readonly MessageRecord[]): Touch[] {
  return (
    messages
      // Steps that were not messages (payment retries, write-offs) have no channel: not a touch.
      .filter(
        (message) =>
          message.status === 'sent' && message.sentAt !== undefined && message.channel !== undefined,
      )
      .map((message) => ({
        sentAt: message.sentAt as string,
        channel: message.channel as string,
        stepId: message.stepId,
      }))
  );
}

interface NextState {
  readonly target: Contribution;
  readonly sourceVersion: number;
  readonly summaries?: Readonly<Record<string, SubscriptionClaimSummary>>;
  readonly subscriptionId?: string;
}

/**
 * Applies a pending replacement: adds its delta to every cell once (per token), then records the
 * target as applied. Safe to run by several writers at once and to repeat after a crash.
 */
async function finishPending(
  record: MetricContributionRecord,
  deps: Pick<RefreshMetricsDependencies, 'aggregates' | 'clock'>,
): Promise<void> {
  const { pending } = record;
  if (pending === undefined) return;
  for (const cell of cellsOf(contributionDelta(record.applied, pending.target))) {
    await deps.aggregates.addToCell(cell, pending.token, deps.clock.now());
  }
  try {
    await deps.aggregates.putContributionRecord(
      {
        unitId: record.unitId,
        applied: pending.target,
        sourceVersion: pending.sourceVersion,
        ...(record.summaries ? { summaries: record.summaries } : {}),
        ...(record.subscriptionId ? { subscriptionId: record.subscriptionId } : {}),
      },
      record.version,
    );
  } catch (error) {
    // Another writer finished it first: the cells took the delta once either way.
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}

/**
 * Replaces a unit's contribution in the aggregates by the one `next` computes from the record,
 * without transactions (DESIGN.md decision 2): write-ahead the target on the unit's record
 * (conditional on its version), apply the delta to each cell with the record's token (a cell
 * applies a token once), then mark it applied. `next` returns undefined when its source is older
 * than what was applied.
 */
export async function replaceContribution(
  unitId: string,
  next: (record: MetricContributionRecord | undefined) => NextState | undefined,
  deps: Pick<RefreshMetricsDependencies, 'aggregates' | 'clock'>,
): Promise<void> {
  for (let round = 1; ; round += 1) {
    let record = await deps.aggregates.getContributionRecord(unitId);
    if (record?.pending) {
      await finishPending(record, deps);
      record = await deps.aggregates.getContributionRecord(unitId);
      if (record?.pending) {
        if (round >= maxRounds) throw new ConcurrentUpdateError(`metrics of ${unitId} keep changing`);
        continue;
      }
    }
    const state = next(record);
    if (state === undefined) return;
    const applied = record?.applied ?? {};
    const delta = contributionDelta(applied, state.target);
    const summaries = state.summaries ?? record?.summaries;
    const subscriptionId = state.subscriptionId;
    const unchanged =
      JSON.stringify(summaries) === JSON.stringify(record?.summaries) &&
      subscriptionId === record?.subscriptionId;
    if (Object.keys(delta).length === 0 && record !== undefined && unchanged) return;
    const version = record?.version ?? 0;
    const pendingRecord = {
      unitId,
      applied,
      sourceVersion: record?.sourceVersion ?? 0,
      ...(summaries ? { summaries } : {}),
      ...(subscriptionId ? { subscriptionId } : {}),
      pending: {
        token: `${unitId}#${version + 1}@${Math.floor(deps.clock.now().getTime() / 1000)}`,
        target: state.target,
        sourceVersion: state.sourceVersion,
      },
    };
    try {
      await deps.aggregates.putContributionRecord(pendingRecord, version);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || round >= maxRounds) throw error;
      continue;
    }
    await finishPending({ ...pendingRecord, version: version + 1 }, deps);
    return;
  }
}

async function caseOf(claim: Claim, deps: RefreshMetricsDependencies): Promise<CollectionCase | undefined> {
  return claim.caseId === undefined ? undefined : deps.cases.getCase(claim.caseId);
}

/**
 * Brings the finance aggregates in line with one claim's stored state (and its case and
 * messages): its own contribution and its subscription's. Idempotent: running it twice, or after
 * a crash, or concurrently, leaves the aggregates as if it ran once on the newest state. Call it
 * after every change of a claim, of its case's experiment fields, or of its messages.
 */
export async function refreshMetricContributions(
  claimId: string,
  deps: RefreshMetricsDependencies,
): Promise<void> {
  const stored = await deps.claims.getClaim(claimId);
  if (stored === undefined) return;
  const { claim, version } = stored;
  const collectionCase = await caseOf(claim, deps);
  const touches =
    claim.paidAt !== undefined && claim.caseId !== undefined
      ? touchesOf(await deps.messages.listMessages(claim.caseId))
      : [];
  const target = claimContribution(
    { claim, ...(collectionCase ? { collectionCase } : {}), touches },
    deps.settings,
  );
  const subscription = subscriptionUnitOf(claim);

  // A claim whose subscription changed leaves its old subscription first, so a crash here is
  // repaired by the next refresh (the claim's record still names the old one).
  const previous = (await deps.aggregates.getContributionRecord(claimUnitId(claimId)))?.subscriptionId;
  if (previous !== undefined && previous !== subscription) {
    const previousFacts = await subscriptionFacts(previous, deps);
    await replaceContribution(
      subscriptionUnitId(previous),
      (record) => {
        if (record?.summaries?.[claimId] === undefined) return undefined;
        const { [claimId]: _left, ...summaries } = record.summaries;
        return {
          target: subscriptionContribution(Object.values(summaries), deps.settings, previousFacts),
          sourceVersion: 0,
          summaries,
        };
      },
      deps,
    );
  }

  await replaceContribution(
    claimUnitId(claimId),
    (record) =>
      record !== undefined && record.sourceVersion > version
        ? undefined
        : { target, sourceVersion: version, ...(subscription ? { subscriptionId: subscription } : {}) },
    deps,
  );

  if (subscription === undefined) return;
  const summary = subscriptionClaimSummary(claim, version);
  const facts = await subscriptionFacts(subscription, deps);
  await replaceContribution(
    subscriptionUnitId(subscription),
    (record) => {
      const known = record?.summaries?.[claim.claimId];
      if (known !== undefined && known.claimVersion > version) return undefined;
      const summaries = { ...record?.summaries, [claim.claimId]: summary };
      return {
        target: subscriptionContribution(Object.values(summaries), deps.settings, facts),
        sourceVersion: 0,
        summaries,
      };
    },
    deps,
  );
}

/**
 * Brings the MRR aggregates in line with a subscription record that changed (its MRR, or a
 * cancellation for non-payment): the subscription's contribution is recomputed from what its
 * claims said last and what the record says now.
 */
export async function refreshSubscriptionMetrics(
  subscriptionId: string,
  deps: RefreshMetricsDependencies,
): Promise<void> {
  const facts = await subscriptionFacts(subscriptionId, deps);
  await replaceContribution(
    subscriptionUnitId(subscriptionId),
    (record) => ({
      target: subscriptionContribution(Object.values(record?.summaries ?? {}), deps.settings, facts),
      sourceVersion: 0,
      summaries: record?.summaries ?? {},
    }),
    deps,
  );
}

/** The `metrics` dependency of ingestion: refreshes a claim's contributions after each change. */
export function claimMetricsRefresher(deps: RefreshMetricsDependencies): {
  refreshClaim(claimId: string): Promise<void>;
  refreshSubscription(subscriptionId: string): Promise<void>;
} {
  return {
    refreshClaim: (claimId) => refreshMetricContributions(claimId, deps),
    refreshSubscription: (subscriptionId) => refreshSubscriptionMetrics(subscriptionId, deps),
  };
}
