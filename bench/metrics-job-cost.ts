import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SeededRandom } from '../infra/local/simulator/seeded-random.ts';
import { keys, tableSchema } from '../shared/adapters/dynamodb/table-schema.ts';
import type { Claim } from '../shared/domain/claim.ts';
import { startMeteredProduct } from './metered-product.ts';

export interface MetricsJobRun {
  /** Claims in the table: a year of failure history. */
  readonly historyClaims: number;
  /** Claims in the two cohorts the job recomputes (the only ones it reads). */
  readonly claimsRead: number;
  readonly wallMs: number;
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly rowsWritten: number;
}

const currencies = ['USD', 'EUR', 'GBP', 'JPY', 'BRL', 'INR'];
const statuses: Claim['status'][] = ['paid', 'paid', 'paid', 'failed', 'failed', 'written_off', 'voided'];

/** A claim as the table adapter stores it, with its failure-month index keys. */
function claimItem(random: SeededRandom, index: number, now: Date): Record<string, unknown> {
  // Failures spread evenly over the twelve months up to now.
  const failedAt = new Date(now.getTime() - random.int(0, 364) * 86_400_000 - random.int(0, 86_399) * 1000);
  const status = random.pick(statuses);
  const firstFailedAt = failedAt.toISOString();
  const claimId = `stripe:in_H${index}`;
  const claim: Claim = {
    claimId,
    invoiceId: `in_H${index}`,
    provider: 'stripe',
    customerId: `stripe:cus_H${index % 5000}`,
    status,
    amountMinor: random.int(500, 50_000),
    currency: random.pick(currencies),
    attemptCount: random.int(1, 8),
    firstFailedAt,
    lastFailedAt: firstFailedAt,
    ...(status === 'paid' ? { paidAt: new Date(failedAt.getTime() + 3 * 86_400_000).toISOString() } : {}),
    ...(status === 'written_off'
      ? { writtenOffAt: new Date(failedAt.getTime() + 15 * 86_400_000).toISOString() }
      : {}),
    ...(status === 'voided' ? { voidedAt: new Date(failedAt.getTime() + 5 * 86_400_000).toISOString() } : {}),
    snapshotAt: firstFailedAt,
    snapshotEventId: `evt_H${index}`,
  };
  return {
    ...keys.claim(claimId),
    entity: 'claim',
    ...claim,
    [tableSchema.indexes.claimsByFailureMonth.partitionKey]: keys.failureMonthPartition(
      firstFailedAt.slice(0, 7),
    ),
    [tableSchema.indexes.claimsByFailureMonth.sortKey]: claimId,
    version: 1,
  };
}

/**
 * The daily metrics job against a year of claim history of each size: the job queries the
 * failure-month index for the previous and the current month only, so its cost follows the
 * claims of those two months, not the whole history.
 */
export async function measureMetricsJobCost(historySizes: readonly number[]): Promise<MetricsJobRun[]> {
  const now = new Date('2026-12-15T02:15:00Z');
  const runs: MetricsJobRun[] = [];
  for (const historyClaims of historySizes) {
    const product = await startMeteredProduct({ clockStart: now });
    try {
      const documents = DynamoDBDocumentClient.from(product.database.client);
      const random = new SeededRandom(historyClaims);
      const items = Array.from({ length: historyClaims }, (_, index) => claimItem(random, index, now));
      const recent = new Set([now.toISOString().slice(0, 7), '2026-11']);
      const claimsRead = items.filter((item) => recent.has(String(item.firstFailedAt).slice(0, 7))).length;
      await product.dynamo.run('seed', async () => {
        const batches: Record<string, unknown>[][] = [];
        for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
        // A few batches in flight: dynalite is single-threaded, more only queues.
        for (let start = 0; start < batches.length; start += 8) {
          await Promise.all(
            batches.slice(start, start + 8).map((batch) =>
              documents.send(
                new BatchWriteCommand({
                  RequestItems: {
                    [product.database.tableName]: batch.map((Item) => ({ PutRequest: { Item } })),
                  },
                }),
              ),
            ),
          );
        }
      });
      product.dynamo.reset();
      const started = performance.now();
      await product.runMetricsJob();
      const wallMs = performance.now() - started;
      const tally = product.dynamo.total('metrics');
      const rows = await product.table.listRecoveryMetrics();
      runs.push({
        historyClaims,
        claimsRead,
        wallMs: Math.round(wallMs),
        requests: tally.requests,
        readUnits: tally.readUnits,
        writeUnits: tally.writeUnits + tally.indexWriteUnits,
        rowsWritten: rows.length,
      });
    } finally {
      await product.stop();
    }
  }
  return runs;
}
