import { describe, expect, it } from 'vitest';
import {
  createRebuildMetricAggregatesHandler,
  MetricAggregatesMismatchError,
} from '../../../functions/rebuild-metric-aggregates.ts';
import { createSendFinanceReportHandler } from '../../../functions/send-finance-report.ts';
import { InvalidRequestError } from '../../../shared/domain/errors.ts';
import type { MetricCell } from '../../../shared/domain/metric-cells.ts';
import type { MetricRebuildStore } from '../../../shared/ports.ts';
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

describe('rebuild-metric-aggregates handler', () => {
  const settings = { timeZone: 'UTC', attributionWindowDays: 7 };
  const stray: MetricCell = {
    currency: 'USD',
    granularity: 'day',
    period: '2026-03-01',
    values: { 'failed.count': 1 },
  };

  it('fails, so the alarm fires, when the aggregates differ from the claims', async () => {
    const handler = createRebuildMetricAggregatesHandler({ store: rebuildStore([stray]), settings });
    await expect(handler({}, lambdaContext('finance-job'))).rejects.toThrow(MetricAggregatesMismatchError);
  });

  it('repairs on request, and succeeds when they are equal', async () => {
    const handler = createRebuildMetricAggregatesHandler({ store: rebuildStore([stray]), settings });
    expect(await handler({ repair: true }, lambdaContext('finance-job'))).toMatchObject({
      equal: false,
      repaired: true,
    });
    const equal = createRebuildMetricAggregatesHandler({ store: rebuildStore([]), settings });
    expect(await equal({}, lambdaContext('finance-job'))).toMatchObject({ equal: true, mismatchCount: 0 });
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
