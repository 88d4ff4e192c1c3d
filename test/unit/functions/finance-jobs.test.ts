import { describe, expect, it } from 'vitest';
import {
  createRebuildMetricAggregatesHandler,
  MetricAggregatesMismatchError,
} from '../../../functions/rebuild-metric-aggregates.ts';
import { createSendFinanceReportHandler } from '../../../functions/send-finance-report.ts';
import { InvalidRequestError } from '../../../shared/domain/errors.ts';
import type { MetricCell } from '../../../shared/domain/metric-cells.ts';
import type { MetricRebuildStore, RebuildPartialStore } from '../../../shared/ports.ts';
import type { DeliverFinanceReportDependencies } from '../../../shared/use-cases/deliver-finance-report.ts';
import { lambdaContext } from '../../support/lambda-events.ts';

function rebuildStore(stored: MetricCell[]): MetricRebuildStore {
  const notUsed = async (): Promise<never> => {
    throw new Error('not used');
  };
  async function* pages<T>(items: T[]): AsyncGenerator<T[]> {
    yield items;
  }
  return {
    claimPages: () => pages([]),
    contributionRecordPages: () => pages([]),
    cellPages: () => pages(stored),
    getClaimsById: async () => [],
    getCasesById: async () => [],
    getSubscriptionsById: async () => [],
    getContributionRecords: async () => [],
    listMessagesOfCases: async () => [],
    compactCells: async () => 0,
    replaceCell: async () => {},
    replaceContributionRecord: async () => {},
    deleteContributionRecord: async () => {},
    getContributionRecord: notUsed,
    putContributionRecord: notUsed,
    addToCell: notUsed,
    listCurrencies: notUsed,
    listMonthCells: notUsed,
    listDayCells: notUsed,
  };
}

/** The steps tested here never reach the partials. */
const noPartials: RebuildPartialStore = {
  putPartial: async () => {
    throw new Error('not used');
  },
  getPartial: async () => {
    throw new Error('not used');
  },
  deletePartials: async () => 0,
};

describe('rebuild-metric-aggregates handler', () => {
  const settings = { timeZone: 'UTC', attributionWindowDays: 7 };
  const partials = noPartials;
  const stray: MetricCell = {
    currency: 'USD',
    granularity: 'day',
    period: '2026-03-01',
    values: { 'failed.count': 1 },
  };

  it('fails, so the alarm fires, when the aggregates differ from the claims', async () => {
    const handler = createRebuildMetricAggregatesHandler({
      store: rebuildStore([stray]),
      partials,
      settings,
    });
    await expect(handler({}, lambdaContext('finance-job'))).rejects.toThrow(MetricAggregatesMismatchError);
  });

  it('repairs on request, and succeeds when they are equal', async () => {
    const handler = createRebuildMetricAggregatesHandler({
      store: rebuildStore([stray]),
      partials,
      settings,
    });
    expect(await handler({ repair: true }, lambdaContext('finance-job'))).toMatchObject({
      equal: false,
      repaired: true,
    });
    const equal = createRebuildMetricAggregatesHandler({ store: rebuildStore([]), partials, settings });
    expect(await equal({}, lambdaContext('finance-job'))).toMatchObject({ equal: true, mismatchCount: 0 });
  });

  it('plans the segments of a state machine run from its input, or the default', async () => {
    const handler = createRebuildMetricAggregatesHandler({ store: rebuildStore([]), partials, settings });
    const plan = (input: unknown) =>
      handler({ step: 'plan', runId: 'weekly-1', input, defaultSegments: 3 }, lambdaContext('finance-job'));
    expect(await plan({ repair: false })).toEqual({
      runId: 'weekly-1',
      repair: false,
      totalSegments: 3,
      segments: [0, 1, 2],
    });
    expect(await plan({ repair: true, segments: 5 })).toMatchObject({
      repair: true,
      segments: [0, 1, 2, 3, 4],
    });
  });

  it('refuses a bad execution input or step before anything is read or written', async () => {
    const store = rebuildStore([]);
    store.claimPages = () => {
      throw new Error('nothing may be scanned');
    };
    const handler = createRebuildMetricAggregatesHandler({ store, partials, settings });
    const run = (event: unknown) => handler(event, lambdaContext('finance-job'));
    for (const input of [
      { segments: 0 },
      { segments: 1001 },
      { segments: 2.5 },
      { repair: 'yes' },
      { segmnts: 4 },
    ]) {
      await expect(run({ step: 'plan', runId: 'weekly-1', input, defaultSegments: 8 })).rejects.toThrow(
        InvalidRequestError,
      );
    }
    await expect(
      run({
        step: 'segment',
        runId: 'weekly-1',
        pass: 'claims',
        segment: 4,
        totalSegments: 4,
        repair: false,
      }),
    ).rejects.toThrow(/segment 4 is not one of 4/);
    await expect(
      run({
        step: 'segment',
        runId: 'has space',
        pass: 'claims',
        segment: 0,
        totalSegments: 4,
        repair: false,
      }),
    ).rejects.toThrow(InvalidRequestError);
    await expect(
      run({
        step: 'finish',
        runId: 'weekly-1',
        repair: false,
        totalSegments: 2,
        claimPartials: [{ pass: 'claims', segment: 0, attempt: 'a', chunks: 1 }],
        recordPartials: [],
      }),
    ).rejects.toThrow(/one partial per segment 0..1/);
    await expect(run({ step: 'compact' })).rejects.toThrow(InvalidRequestError);
  });
});

describe('send-finance-report handler', () => {
  it('refuses an event that is not a report kind, or a malformed period', async () => {
    const handler = createSendFinanceReportHandler({} as DeliverFinanceReportDependencies);
    await expect(handler({ kind: 'yearly' }, lambdaContext('finance-job'))).rejects.toThrow(
      InvalidRequestError,
    );
    await expect(
      handler({ kind: 'monthly', period: 'last month' }, lambdaContext('finance-job')),
    ).rejects.toThrow(InvalidRequestError);
  });
});
