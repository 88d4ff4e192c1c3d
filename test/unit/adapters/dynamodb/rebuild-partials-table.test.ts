import { randomBytes } from 'node:crypto';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  partialChunkBytes,
  RebuildPartialsTable,
  rebuildPartialKeys,
} from '../../../../shared/adapters/dynamodb/rebuild-partials-table.ts';
import { RebuildPartialMissingError } from '../../../../shared/domain/errors.ts';
import type { MetricCell } from '../../../../shared/domain/metric-cells.ts';
import type { RebuildPartial } from '../../../../shared/domain/metric-rebuild.ts';
import { embeddedCollectionsTablePerFile } from '../../../support/embedded-collections-table.ts';

const now = new Date('2026-04-05T03:00:00.000Z');

/** A partial whose cells hold random measure names, so that it stays large once compressed. */
function partialOf(pass: RebuildPartial['pass'], segment: number, cellCount: number): RebuildPartial {
  const cells: MetricCell[] = Array.from({ length: cellCount }, (_, index) => ({
    currency: 'USD',
    granularity: 'day',
    period: `2026-03-${String((index % 28) + 1).padStart(2, '0')}`,
    values: { [`failed.amount@segment=${randomBytes(12).toString('hex')}`]: index + 1 },
  }));
  return {
    pass,
    segment,
    totalSegments: 4,
    claims: cellCount,
    units: cellCount,
    unitMismatchCount: 1,
    unitMismatches: [{ unitId: 'claim:stripe:in_1', reason: 'missing' }],
    cells,
  };
}

describe('RebuildPartialsTable', () => {
  const embedded = embeddedCollectionsTablePerFile();
  let partials: RebuildPartialsTable;

  beforeAll(() => {
    partials = new RebuildPartialsTable(embedded.db.client, embedded.db.tableName);
  });

  const itemsOfRun = async (runId: string) =>
    (await embedded.scanItems()).filter((item) => item.pk === rebuildPartialKeys.run(runId));

  it('stores a partial larger than an item in chunks under its attempt, with a TTL, and reads it back whole', async () => {
    // Prepare
    const large = partialOf('claims', 2, 30_000);

    // Act
    const ref = await partials.putPartial('run-large', large, now);
    const read = await partials.getPartial('run-large', ref);

    // Assess
    expect(ref).toMatchObject({ pass: 'claims', segment: 2, chunks: expect.any(Number) });
    expect(ref.chunks).toBeGreaterThan(1);
    expect(read).toEqual(large);
    const items = await itemsOfRun('run-large');
    expect(items).toHaveLength(ref.chunks);
    for (const item of items) {
      expect((item.data as Uint8Array).length).toBeLessThanOrEqual(partialChunkBytes);
      expect(item.ttl).toBe(Math.floor(now.getTime() / 1000) + 7 * 86_400);
      expect(String(item.sk).startsWith(`claims#0002#${ref.attempt}#`)).toBe(true);
    }
  });

  it('keeps each attempt of a segment apart, and refuses a partial with a chunk missing', async () => {
    // Prepare
    const first = await partials.putPartial('run-retried', partialOf('records', 0, 30_000), now);
    const second = await partials.putPartial('run-retried', partialOf('records', 0, 10), now);
    const [lastChunk] = (await itemsOfRun('run-retried'))
      .map((item) => String(item.sk))
      .filter((sk) => sk.includes(first.attempt))
      .sort()
      .reverse();

    // Act
    await DynamoDBDocumentClient.from(embedded.db.client).send(
      new DeleteCommand({
        TableName: embedded.db.tableName,
        Key: { pk: rebuildPartialKeys.run('run-retried'), sk: lastChunk },
      }),
    );

    // Assess
    expect(second.attempt).not.toBe(first.attempt);
    expect((await partials.getPartial('run-retried', second)).cells).toHaveLength(10);
    await expect(partials.getPartial('run-retried', first)).rejects.toThrow(RebuildPartialMissingError);
    await expect(partials.getPartial('run-retried', { ...second, chunks: 2 })).rejects.toThrow(
      /has 1 of its 2 chunks/,
    );
  });

  it('deletes every attempt of one run, and nothing of another', async () => {
    // Prepare
    await partials.putPartial('run-a', partialOf('claims', 0, 5), now);
    await partials.putPartial('run-a', partialOf('claims', 0, 5), now);
    await partials.putPartial('run-a', partialOf('records', 3, 5), now);
    const other = await partials.putPartial('run-b', partialOf('claims', 0, 5), now);

    // Act
    const deleted = await partials.deletePartials('run-a');
    const again = await partials.deletePartials('run-a');

    // Assess
    expect(deleted).toBe(3);
    expect(again).toBe(0);
    expect(await itemsOfRun('run-a')).toEqual([]);
    expect((await partials.getPartial('run-b', other)).cells).toHaveLength(5);
  });
});
