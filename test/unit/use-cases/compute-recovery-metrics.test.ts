import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../../infra/local/embedded-dynamodb.ts';
import { CollectionsTable } from '../../../shared/adapters/dynamodb/collections-table.ts';
import type { Claim } from '../../../shared/domain/claim.ts';
import type { RecoveryMetricsRow } from '../../../shared/domain/recovery-metrics.ts';
import type { Clock } from '../../../shared/ports.ts';
import { computeRecoveryMetrics } from '../../../shared/use-cases/compute-recovery-metrics.ts';

function fixedClock(iso: string): Clock {
  return { now: () => new Date(iso) };
}

function storedClaim(
  invoiceId: string,
  fields: Pick<Claim, 'status' | 'amountMinor' | 'currency'> &
    Partial<Pick<Claim, 'firstFailedAt' | 'paidAt' | 'writtenOffAt' | 'voidedAt'>>,
): Claim {
  return {
    claimId: `stripe:${invoiceId}`,
    invoiceId,
    provider: 'stripe',
    customerId: `cus_for_${invoiceId}`,
    attemptCount: fields.firstFailedAt ? 1 : 0,
    snapshotEventId: `evt_for_${invoiceId}`,
    snapshotAt:
      fields.paidAt ??
      fields.writtenOffAt ??
      fields.voidedAt ??
      fields.firstFailedAt ??
      '2026-03-01T00:00:00.000Z',
    ...fields,
  };
}

const claims: readonly Claim[] = [
  // February cohort: outside the window reported on 2026-04-15.
  storedClaim('in_feb_usd', {
    status: 'paid',
    amountMinor: 9900,
    currency: 'USD',
    firstFailedAt: '2026-02-28T23:59:59.000Z',
    paidAt: '2026-03-01T10:00:00.000Z',
  }),
  // March cohort.
  storedClaim('in_mar_usd_paid_in_april', {
    status: 'paid',
    amountMinor: 4999,
    currency: 'USD',
    firstFailedAt: '2026-03-01T00:00:00.000Z',
    paidAt: '2026-04-03T09:30:00.000Z',
  }),
  storedClaim('in_mar_usd_written_off', {
    status: 'written_off',
    amountMinor: 15001,
    currency: 'USD',
    firstFailedAt: '2026-03-12T14:00:00.000Z',
    writtenOffAt: '2026-04-11T14:00:00.000Z',
  }),
  storedClaim('in_mar_usd_voided', {
    status: 'voided',
    amountMinor: 50000,
    currency: 'USD',
    firstFailedAt: '2026-03-13T14:00:00.000Z',
    voidedAt: '2026-03-14T14:00:00.000Z',
  }),
  storedClaim('in_mar_jpy', {
    status: 'paid',
    amountMinor: 12000,
    currency: 'JPY',
    firstFailedAt: '2026-03-31T23:59:59.000Z',
    paidAt: '2026-04-01T02:00:00.000Z',
  }),
  // April cohort.
  storedClaim('in_apr_usd', {
    status: 'failed',
    amountMinor: 2000,
    currency: 'USD',
    firstFailedAt: '2026-04-01T00:00:00.000Z',
  }),
  storedClaim('in_apr_bhd', {
    status: 'paid',
    amountMinor: 7250,
    currency: 'BHD',
    firstFailedAt: '2026-04-05T00:00:00.000Z',
    paidAt: '2026-04-06T00:00:00.000Z',
  }),
  // Paid with no failure recorded: in no cohort.
  storedClaim('in_never_failed', {
    status: 'paid',
    amountMinor: 3000,
    currency: 'USD',
    paidAt: '2026-04-02T00:00:00.000Z',
  }),
];

function expectedRow(
  cohortMonth: string,
  currency: string,
  failed: [amount: number, count: number],
  recovered: [amount: number, count: number],
  computedAt: string,
): RecoveryMetricsRow {
  return {
    cohortMonth,
    currency,
    failedAmountMinor: failed[0],
    failedCount: failed[1],
    recoveredAmountMinor: recovered[0],
    recoveredCount: recovered[1],
    recoveryRateAmount: failed[0] === 0 ? null : recovered[0] / failed[0],
    recoveryRateCount: failed[1] === 0 ? null : recovered[1] / failed[1],
    computedAt,
  };
}

describe('computeRecoveryMetrics', () => {
  let dynamo: EmbeddedDynamoDb;
  let table: CollectionsTable;

  beforeEach(async () => {
    dynamo = await startEmbeddedDynamoDb();
    table = new CollectionsTable(dynamo.client, dynamo.tableName);
    for (const claim of claims) await table.putClaim(claim, 0);
  });

  afterEach(async () => {
    await dynamo.stop();
  });

  it('stores one row per currency for the previous and current failure cohorts', async () => {
    // Prepare
    const now = '2026-04-15T06:00:00.000Z';

    // Act
    const returned = await computeRecoveryMetrics({ claims: table, metrics: table, clock: fixedClock(now) });
    const stored = await table.listRecoveryMetrics();

    // Assess: March USD 4999 + 15001 failed (voided 50000 excluded), 4999 recovered; February not reported.
    const expected = [
      expectedRow('2026-03', 'JPY', [12000, 1], [12000, 1], now),
      expectedRow('2026-03', 'USD', [20000, 2], [4999, 1], now),
      expectedRow('2026-04', 'BHD', [7250, 1], [7250, 1], now),
      expectedRow('2026-04', 'USD', [2000, 1], [0, 0], now),
    ];
    expect(returned).toEqual(expected);
    expect(stored).toEqual(expected);
  });

  it('crosses the year boundary in January, reporting December of the previous year', async () => {
    // Prepare
    await table.putClaim(
      storedClaim('in_dec_eur', {
        status: 'paid',
        amountMinor: 1500,
        currency: 'EUR',
        firstFailedAt: '2025-12-31T23:59:59.000Z',
        paidAt: '2026-01-02T00:00:00.000Z',
      }),
      0,
    );
    const now = '2026-01-01T00:05:00.000Z';

    // Act
    await computeRecoveryMetrics({ claims: table, metrics: table, clock: fixedClock(now) });
    const stored = await table.listRecoveryMetrics();

    // Assess
    expect(stored).toEqual([expectedRow('2025-12', 'EUR', [1500, 1], [1500, 1], now)]);
  });

  it('replaces the rows of an earlier run instead of adding to them', async () => {
    // Prepare: a first run, then the open April claim gets paid.
    await computeRecoveryMetrics({
      claims: table,
      metrics: table,
      clock: fixedClock('2026-04-15T06:00:00.000Z'),
    });
    const open = await table.getClaim('stripe:in_apr_usd');
    if (open === undefined) throw new Error('fixture claim missing');
    await table.putClaim({ ...open.claim, status: 'paid', paidAt: '2026-04-15T12:00:00.000Z' }, open.version);
    const later = '2026-04-16T06:00:00.000Z';

    // Act
    await computeRecoveryMetrics({ claims: table, metrics: table, clock: fixedClock(later) });
    const stored = await table.listRecoveryMetrics();

    // Assess
    expect(stored).toHaveLength(4);
    expect(stored.every((row) => row.computedAt === later)).toBe(true);
    expect(stored.find((row) => row.cohortMonth === '2026-04' && row.currency === 'USD')).toEqual(
      expectedRow('2026-04', 'USD', [2000, 1], [2000, 1], later),
    );
  });

  it('overwrites a stored row whose currency has no claims left in the cohort', async () => {
    // Prepare: a row from an earlier run for a currency that no longer has March claims.
    await table.putRecoveryMetrics([
      expectedRow('2026-03', 'GBP', [800, 1], [0, 0], '2026-04-01T06:00:00.000Z'),
      expectedRow('2026-01', 'GBP', [500, 1], [500, 1], '2026-02-28T06:00:00.000Z'),
    ]);
    const now = '2026-04-15T06:00:00.000Z';

    // Act
    const returned = await computeRecoveryMetrics({ claims: table, metrics: table, clock: fixedClock(now) });
    const stored = await table.listRecoveryMetrics();

    // Assess: March GBP now says nothing failed; January (outside the window) is left as it was.
    expect(returned).toContainEqual(expectedRow('2026-03', 'GBP', [0, 0], [0, 0], now));
    expect(stored.find((row) => row.cohortMonth === '2026-03' && row.currency === 'GBP')).toEqual(
      expectedRow('2026-03', 'GBP', [0, 0], [0, 0], now),
    );
    expect(stored.find((row) => row.cohortMonth === '2026-01')).toEqual(
      expectedRow('2026-01', 'GBP', [500, 1], [500, 1], '2026-02-28T06:00:00.000Z'),
    );
  });
});
