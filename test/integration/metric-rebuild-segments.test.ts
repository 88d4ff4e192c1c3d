import { beforeAll, describe, expect, it } from 'vitest';
import { createRebuildMetricAggregatesHandler } from '../../functions/rebuild-metric-aggregates.ts';
import { WorkflowName } from '../../infra/constructs/workflow-metadata.ts';
import type { JSONValue } from '../../infra/local/local-journey-engine.ts';
import { type LocalWorkflowOutcome, LocalWorkflowRunner } from '../../infra/local/local-workflow-runner.ts';
import { type SynthesizedWorkflow, synthesizeCollectionsApp } from '../../infra/local/synthesized-app.ts';
import { MetricAggregatesTable } from '../../shared/adapters/dynamodb/metric-aggregates-table.ts';
import {
  RebuildPartialsTable,
  rebuildPartialKeys,
} from '../../shared/adapters/dynamodb/rebuild-partials-table.ts';
import type { Claim } from '../../shared/domain/claim.ts';
import type { MetricCell } from '../../shared/domain/metric-cells.ts';
import type { MetricsSettings } from '../../shared/domain/metric-contributions.ts';
import type { RebuildResult } from '../../shared/domain/metric-rebuild.ts';
import type { MetricRebuildStore } from '../../shared/ports.ts';
import { rebuildMetricAggregates } from '../../shared/use-cases/rebuild-metric-aggregates.ts';
import { rebuildMetricSegment } from '../../shared/use-cases/rebuild-metric-segment.ts';
import { refreshMetricContributions } from '../../shared/use-cases/refresh-metric-contributions.ts';
import { aggregatesMismatchError, RebuildState } from '../../workflows/rebuild-metric-aggregates.ts';
import { embeddedCollectionsTablePerFile } from '../support/embedded-collections-table.ts';
import { expectedCells, goldenScenario, type ScenarioClaim } from '../support/finance-scenarios.ts';
import { lambdaContext } from '../support/lambda-events.ts';
import { metricHistory, storeScenario } from '../support/metric-history.ts';

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };
const clock = { now: () => new Date('2026-05-01T06:00:00.000Z') };
const rebuildEntry = 'functions/rebuild-metric-aggregates.ts';

/** An error as the AWS SDK throws it when DynamoDB throttles: its name is what Step Functions matches. */
function throttled(message: string): Error {
  const error = new Error(message);
  error.name = 'ProvisionedThroughputExceededException';
  return error;
}

const byCell = (a: MetricCell, b: MetricCell) =>
  `${a.currency}${a.granularity}${a.period}` < `${b.currency}${b.granularity}${b.period}` ? -1 : 1;

/** What two runs over the same data must share, whatever their segments (compaction happens once). */
function findings(result: RebuildResult) {
  // The state machine's answer also carries a one-line summary for the failed execution's cause.
  const {
    compactedShards: _onceOnly,
    summary: _text,
    mismatches,
    unitMismatches,
    ...counts
  } = result as RebuildResult & { summary?: string };
  return {
    ...counts,
    mismatches: [...mismatches].sort((a, b) => a.cell.localeCompare(b.cell)),
    unitMismatches: [...unitMismatches].sort((a, b) =>
      `${a.unitId}${a.reason}`.localeCompare(`${b.unitId}${b.reason}`),
    ),
  };
}

/**
 * The rebuild's state machine as `cdk synth` ships it, run on the local engine over dynalite: the
 * segmented run finds exactly what one run finds, repairs what differs, and survives a segment
 * that dies and is retried.
 */
describe('the segmented rebuild of the finance aggregates', () => {
  const embedded = embeddedCollectionsTablePerFile();
  let store: MetricAggregatesTable;
  let partials: RebuildPartialsTable;
  let workflow: SynthesizedWorkflow;
  // Golden claims and 120 more, their subscriptions spread over the scan segments.
  let history: ScenarioClaim[] = [...goldenScenario, ...metricHistory(120)];

  beforeAll(async () => {
    // Small pages: every segment reads several.
    store = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName, { scanPageSize: 9 });
    partials = new RebuildPartialsTable(embedded.db.client, embedded.db.tableName);
    await storeScenario(embedded.table, history);
    const live = {
      claims: embedded.table,
      cases: embedded.table,
      messages: embedded.table,
      aggregates: store,
      clock,
      settings,
    };
    for (const { claim } of history) await refreshMetricContributions(claim.claimId, live);
    const rebuild = synthesizeCollectionsApp({ tableName: embedded.db.tableName }).workflows.find(
      (candidate) => candidate.name === WorkflowName.rebuildMetricAggregates,
    );
    if (rebuild === undefined) throw new Error('no rebuild state machine in the template');
    workflow = rebuild;
  }, 120_000);

  /** Runs the synthesized definition; `around` may wrap each invocation of the rebuild function. */
  const runStateMachine = (
    input: JSONValue,
    options: {
      readonly store?: MetricRebuildStore;
      readonly around?: (event: JSONValue, invoke: () => Promise<JSONValue>) => Promise<JSONValue>;
    } = {},
  ): Promise<LocalWorkflowOutcome> => {
    const handler = createRebuildMetricAggregatesHandler({
      store: options.store ?? store,
      partials,
      settings,
      clock,
    });
    const invoke = async (event: JSONValue) => (await handler(event, lambdaContext('rebuild'))) as JSONValue;
    const runner = new LocalWorkflowRunner(workflow, (entry) =>
      entry === rebuildEntry
        ? (event) => (options.around ? options.around(event, () => invoke(event)) : invoke(event))
        : undefined,
    );
    return runner.run(input);
  };

  const resultOf = (outcome: LocalWorkflowOutcome): RebuildResult => {
    if (outcome.status !== 'SUCCEEDED') throw new Error(`${outcome.error}: ${outcome.cause}`);
    return outcome.output as unknown as RebuildResult;
  };

  const partialItems = async () =>
    (await embedded.scanItems()).filter((item) => String(item.pk).startsWith(rebuildPartialKeys.run('')));

  it('proves the aggregates over 1, 2 and 7 segments exactly as one run does, leaving no partial behind', async () => {
    // Prepare
    const single = await rebuildMetricAggregates({ store, settings, clock }, { repair: false });

    // Act
    const segmented = [];
    for (const segments of [1, 2, 7]) segmented.push(await runStateMachine({ segments }));
    const inProcess = await rebuildMetricAggregates(
      { store, settings, clock },
      { repair: false, segments: 7 },
    );

    // Assess
    expect(single).toMatchObject({
      equal: true,
      claims: history.length,
      mismatchCount: 0,
      unitMismatchCount: 0,
    });
    for (const outcome of segmented) expect(findings(resultOf(outcome))).toEqual(findings(single));
    expect(findings(inProcess)).toEqual(findings(single));
    const sevenSegments = segmented[2];
    expect(sevenSegments?.statesEntered[RebuildState.claimSegment]).toBe(7);
    expect(sevenSegments?.statesEntered[RebuildState.recordSegment]).toBe(7);
    expect(await partialItems()).toEqual([]);
  });

  it('finds the same differences as one run, fails so the alarm fires, and a repair makes it equal', async () => {
    // Prepare: a tampered cell, a lost claim record, a summary dropped from a subscription, an
    // orphan record, and a claim changed without its refresh.
    const [usdMonth] = await store.listMonthCells('USD', '2026-02');
    if (!usdMonth) throw new Error('no USD month cell');
    await store.replaceCell({ ...usdMonth, values: { ...usdMonth.values, 'billed.count': 1000 } });
    await store.deleteContributionRecord('claim:stripe:in_H8');
    // Every summary of one subscription but the last: its claims sit in different segments, whose
    // repairs write the same record at once.
    const subscription = await store.getContributionRecord('subscription:sub_H3');
    const keptSummaries = Object.fromEntries(Object.entries(subscription?.summaries ?? {}).slice(-1));
    await store.replaceContributionRecord({
      unitId: 'subscription:sub_H3',
      applied: subscription?.applied ?? {},
      sourceVersion: 0,
      summaries: keptSummaries,
    });
    await store.replaceContributionRecord({ unitId: 'claim:stripe:in_GONE', applied: {}, sourceVersion: 1 });
    history = await changeClaimWithoutRefresh('stripe:in_H10', (claim) => ({
      ...claim,
      amountMinor: claim.amountMinor + 700,
    }));
    const single = await rebuildMetricAggregates({ store, settings, clock }, { repair: false });
    const planted = [
      'claim:stripe:in_H8',
      'subscription:sub_H3',
      'claim:stripe:in_GONE',
      'claim:stripe:in_H10',
    ];

    // Act
    const verified = [];
    for (const segments of [1, 2, 7]) verified.push(await runStateMachine({ segments }));
    const repaired = await runStateMachine({ segments: 7, repair: true });
    const proof = await runStateMachine({ segments: 2 });

    // Assess
    expect(single.equal).toBe(false);
    expect(single.mismatchCount).toBeGreaterThan(0);
    expect(single.unitMismatches.map((mismatch) => mismatch.unitId)).toEqual(expect.arrayContaining(planted));
    for (const outcome of verified) {
      expect(outcome).toMatchObject({ status: 'FAILED', error: aggregatesMismatchError });
      expect(outcome.status === 'FAILED' && outcome.cause).toContain(
        `${single.mismatchCount} aggregate cells and ${single.unitMismatchCount} contribution records differ`,
      );
    }
    // A repair's records pass reads the summaries its claims pass already fixed (as one run does),
    // so it counts fewer differences than a verify run: what matters is what the proof finds after.
    expect(resultOf(repaired)).toMatchObject({
      repaired: true,
      claims: single.claims,
      cellsCompared: single.cellsCompared,
    });
    expect(resultOf(repaired).mismatchCount).toBeGreaterThan(0);
    expect(resultOf(repaired).unitMismatches.map((mismatch) => mismatch.unitId)).toEqual(
      expect.arrayContaining(planted),
    );
    expect(resultOf(proof)).toMatchObject({ equal: true, mismatchCount: 0, unitMismatchCount: 0 });
    expect((await store.listAllCells()).sort(byCell)).toEqual(expectedCells(history, settings).sort(byCell));
    expect(await partialItems()).toEqual([]);
  });

  it('finds a claim changed without its refresh in the one segment that holds it, and repairs it', async () => {
    // Prepare
    history = await changeClaimWithoutRefresh('stripe:in_H40', (claim) => ({
      ...claim,
      paidAt: '2026-02-27T09:00:00.000Z',
      status: 'paid',
    }));

    // Act
    const partialsFound = [];
    for (let segment = 0; segment < 7; segment += 1) {
      partialsFound.push(
        await rebuildMetricSegment(
          { store, settings },
          { pass: 'claims', segment, totalSegments: 7, repair: false },
        ),
      );
    }
    const repaired = await runStateMachine({ segments: 7, repair: true });
    const proof = await runStateMachine({ segments: 7 });

    // Assess
    const holding = partialsFound.filter((partial) =>
      partial.unitMismatches.some((mismatch) => mismatch.unitId === 'claim:stripe:in_H40'),
    );
    expect(holding).toHaveLength(1);
    expect(partialsFound.reduce((sum, partial) => sum + partial.claims, 0)).toBe(history.length);
    expect(resultOf(repaired)).toMatchObject({
      repaired: true,
      unitMismatches: expect.arrayContaining([
        { unitId: 'claim:stripe:in_H40', reason: 'differs from the claim' },
      ]),
    });
    expect(resultOf(proof)).toMatchObject({ equal: true });
    expect((await store.listAllCells()).sort(byCell)).toEqual(expectedCells(history, settings).sort(byCell));
  });

  it('takes a segment that did its work and died before answering: retried, the same result', async () => {
    // Prepare
    const clean = resultOf(await runStateMachine({ segments: 4 }));
    let crashed = false;

    // Act: segment 2 of the claims pass stores its partial, then its Lambda dies.
    const outcome = await runStateMachine(
      { segments: 4 },
      {
        around: async (event, invoke) => {
          const answer = await invoke();
          const request = event as { step?: string; pass?: string; segment?: number };
          if (!crashed && request.step === 'segment' && request.pass === 'claims' && request.segment === 2) {
            crashed = true;
            throw throttled('the connection was reset after the partial was written');
          }
          return answer;
        },
      },
    );

    // Assess: the finish step read the retry's partial only, and every attempt's partials are gone.
    expect(crashed).toBe(true);
    expect(outcome.retries).toEqual({ [RebuildState.claimSegment]: 1 });
    expect(findings(resultOf(outcome))).toEqual(findings(clean));
    expect(await partialItems()).toEqual([]);
  });

  it('takes a segment that dies mid-repair: the retry finishes it and the aggregates end equal', async () => {
    // Prepare: two claims changed behind the aggregates' back; the second record write fails once.
    history = await changeClaimWithoutRefresh('stripe:in_H20', (claim) => ({ ...claim, amountMinor: 12345 }));
    history = await changeClaimWithoutRefresh('stripe:in_H77', (claim) => ({
      ...claim,
      declineClass: 'hard',
    }));
    let writes = 0;
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'replaceContributionRecord') {
          return async (...args: Parameters<MetricRebuildStore['replaceContributionRecord']>) => {
            writes += 1;
            if (writes === 2) throw throttled('throttled mid-repair');
            return target.replaceContributionRecord(...args);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });

    // Act
    const repaired = await runStateMachine({ segments: 3, repair: true }, { store: flaky });
    const proof = await runStateMachine({ segments: 3 });

    // Assess
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(Object.values(repaired.retries)).toEqual([1]);
    expect(resultOf(repaired)).toMatchObject({ repaired: true, claims: history.length });
    expect(resultOf(proof)).toMatchObject({ equal: true, mismatchCount: 0, unitMismatchCount: 0 });
    expect((await store.listAllCells()).sort(byCell)).toEqual(expectedCells(history, settings).sort(byCell));
  });

  it('fails with the error of a step that cannot be retried, after deleting the partials', async () => {
    // Act
    const outcome = await runStateMachine(
      { segments: 3 },
      {
        around: async (event, invoke) => {
          if ((event as { step?: string }).step === 'finish') throw new TypeError('a bug in the comparison');
          return invoke();
        },
      },
    );
    const refused = await runStateMachine({ segments: 0 });

    // Assess
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'TypeError', cause: 'a bug in the comparison' });
    expect(outcome.statesEntered[RebuildState.cleanup]).toBe(1);
    expect(outcome.statesEntered[RebuildState.failed]).toBe(1);
    expect(await partialItems()).toEqual([]);
    expect(refused).toMatchObject({ status: 'FAILED', error: 'InvalidRequestError' });
    expect(refused.statesEntered).toEqual({ [RebuildState.plan]: 1 });
  });

  /** Writes a new version of a claim, as an event would, but without refreshing its contribution. */
  async function changeClaimWithoutRefresh(
    claimId: string,
    change: (claim: Claim) => Claim,
  ): Promise<ScenarioClaim[]> {
    const stored = await embedded.table.getClaim(claimId);
    if (stored === undefined) throw new Error(`no claim ${claimId}`);
    const next = change(stored.claim);
    await embedded.table.putClaim(next, stored.version);
    return history.map((entry) => (entry.claim.claimId === claimId ? { ...entry, claim: next } : entry));
  }
});
