import { beforeAll, describe, expect, it } from 'vitest';
import { MetricAggregatesTable } from '../../../../shared/adapters/dynamodb/metric-aggregates-table.ts';
import type { MetricsSettings } from '../../../../shared/domain/metric-contributions.ts';
import { monthPeriod } from '../../../../shared/domain/metrics-calendar.ts';
import type { MetricAggregateStore } from '../../../../shared/ports.ts';
import { buildFinanceReport } from '../../../../shared/use-cases/build-finance-report.ts';
import { rebuildMetricAggregates } from '../../../../shared/use-cases/rebuild-metric-aggregates.ts';
import { refreshMetricContributions } from '../../../../shared/use-cases/refresh-metric-contributions.ts';
import { embeddedCollectionsTablePerFile } from '../../../support/embedded-collections-table.ts';
import { expectedCells, goldenScenario } from '../../../support/finance-scenarios.ts';
import { storeScenario } from '../../../support/metric-history.ts';

const settings: MetricsSettings = { timeZone: 'UTC', attributionWindowDays: 7 };
const clock = { now: () => new Date('2026-05-01T06:00:00.000Z') };

/** Fails the n-th cell update, as a Lambda dying mid-refresh would. */
function crashingAfter(store: MetricAggregateStore, cellUpdates: number): MetricAggregateStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'addToCell') {
        return async (...args: Parameters<MetricAggregateStore['addToCell']>) => {
          calls += 1;
          if (calls === cellUpdates) throw new Error('simulated crash');
          return target.addToCell(...args);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

describe('MetricAggregatesTable with refreshMetricContributions', () => {
  const embedded = embeddedCollectionsTablePerFile();
  let aggregates: MetricAggregatesTable;

  beforeAll(async () => {
    aggregates = new MetricAggregatesTable(embedded.db.client, embedded.db.tableName);
    await storeScenario(embedded.table, goldenScenario);
  });

  const deps = () => ({
    claims: embedded.table,
    cases: embedded.table,
    messages: embedded.table,
    aggregates,
    clock,
    settings,
  });

  it('holds exactly the recomputed cells after refreshing every claim, twice and in any order', async () => {
    for (const { claim } of goldenScenario) await refreshMetricContributions(claim.claimId, deps());
    for (const { claim } of [...goldenScenario].reverse())
      await refreshMetricContributions(claim.claimId, deps());

    const stored = (await aggregates.listAllCells()).sort((a, b) =>
      `${a.currency}${a.granularity}${a.period}` < `${b.currency}${b.granularity}${b.period}` ? -1 : 1,
    );
    const expected = expectedCells(goldenScenario, settings).sort((a, b) =>
      `${a.currency}${a.granularity}${a.period}` < `${b.currency}${b.granularity}${b.period}` ? -1 : 1,
    );
    expect(stored).toEqual(expected);
    expect(await aggregates.listCurrencies()).toEqual(['EUR', 'JPY', 'USD']);
  });

  it('proves the aggregates equal to a rebuild from the claims', async () => {
    const result = await rebuildMetricAggregates({ store: aggregates, settings }, { repair: false });
    expect(result).toMatchObject({ claims: goldenScenario.length, equal: true, mismatchCount: 0 });
    expect(result.cellsCompared).toBe(expectedCells(goldenScenario, settings).length);
  });

  it('reads the golden figures back through the report', async () => {
    const report = await buildFinanceReport(
      { kind: 'monthly', period: monthPeriod('2026-03'), generatedAt: clock.now() },
      { aggregates, settings },
    );
    expect(report.currencies.map((metrics) => metrics.currency)).toEqual(['EUR', 'JPY', 'USD']);
    const usd = report.currencies.find((metrics) => metrics.currency === 'USD');
    expect(usd?.cohort).toMatchObject({ failedAmountMinor: 47000, recoveredAmountMinor: 17000 });
    expect(usd?.receivables).toMatchObject({ endingMinor: 60500, beginningMinor: 10500 });
    expect(usd?.mrr).toMatchObject({ atRiskMinor: 10500, involuntaryChurnMinor: 20000 });
  });

  it('moves a claim between cells when it changes, and a crash mid-way is repaired by the next refresh', async () => {
    const stored = await embedded.table.getClaim('stripe:in_U6');
    if (!stored) throw new Error('missing U6');
    await embedded.table.putClaim(
      { ...stored.claim, status: 'paid', paidAt: '2026-04-02T09:00:00.000Z' },
      stored.version,
    );

    await expect(
      refreshMetricContributions('stripe:in_U6', { ...deps(), aggregates: crashingAfter(aggregates, 3) }),
    ).rejects.toThrow('simulated crash');
    await refreshMetricContributions('stripe:in_U6', deps());
    await refreshMetricContributions('stripe:in_U6', deps());

    const result = await rebuildMetricAggregates({ store: aggregates, settings }, { repair: false });
    expect(result.equal).toBe(true);
    const march = await buildFinanceReport(
      { kind: 'monthly', period: monthPeriod('2026-03'), generatedAt: clock.now(), currency: 'USD' },
      { aggregates, settings },
    );
    expect(march.currencies[0]?.cohort).toMatchObject({ recoveredCount: 4, recoveredAmountMinor: 20000 });
  });

  it('moves a claim whose subscription changed out of its old subscription', async () => {
    const stored = await embedded.table.getClaim('stripe:in_U10');
    if (!stored) throw new Error('missing U10');
    await embedded.table.putClaim({ ...stored.claim, subscriptionId: 'sub_MOVED' }, stored.version);

    await refreshMetricContributions('stripe:in_U10', deps());

    expect((await aggregates.getContributionRecord('subscription:sub_I'))?.summaries).toEqual({});
    expect(
      Object.keys((await aggregates.getContributionRecord('subscription:sub_MOVED'))?.summaries ?? {}),
    ).toEqual(['stripe:in_U10']);
    expect((await rebuildMetricAggregates({ store: aggregates, settings }, { repair: false })).equal).toBe(
      true,
    );
  });

  it('never applies an older claim version over a newer one', async () => {
    const before = await aggregates.getContributionRecord('claim:stripe:in_U6');
    const stale = {
      ...deps(),
      claims: { getClaim: async () => ({ claim: goldenScenario[5]?.claim ?? never(), version: 1 }) },
    };
    await refreshMetricContributions('stripe:in_U6', stale);
    expect(await aggregates.getContributionRecord('claim:stripe:in_U6')).toEqual(before);
  });

  it('finds a tampered cell, and repairs it', async () => {
    await aggregates.replaceCell({
      currency: 'USD',
      granularity: 'month',
      period: '2026-03',
      values: { 'failed.amount': 1 },
    });
    const found = await rebuildMetricAggregates({ store: aggregates, settings }, { repair: false });
    expect(found.equal).toBe(false);
    expect(found.mismatches[0]?.cell).toBe('USD#month#2026-03');

    await rebuildMetricAggregates({ store: aggregates, settings }, { repair: true });
    expect((await rebuildMetricAggregates({ store: aggregates, settings }, { repair: false })).equal).toBe(
      true,
    );
  });
});

function never(): never {
  throw new Error('scenario claim missing');
}
