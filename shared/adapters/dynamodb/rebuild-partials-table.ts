import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { RebuildPartialMissingError } from '../../domain/errors.ts';
import type { RebuildPartial } from '../../domain/metric-rebuild.ts';
import type { RebuildPartialRef, RebuildPartialStore } from '../../ports.ts';
import { queryAll, singleTableDocumentClient, sortKeyPrefixQuery } from './document-client.ts';

/**
 * Keys of a segmented rebuild's partials: one partition per run (the execution name), one item per
 * chunk, sorted by pass, segment, attempt and chunk. Nothing else reads them: the cell and record
 * scans of the rebuild filter on their own entities.
 */
export const rebuildPartialKeys = {
  run: (runId: string) => `MREBUILD#${runId}`,
  attemptPrefix: (ref: Pick<RebuildPartialRef, 'pass' | 'segment' | 'attempt'>) =>
    `${ref.pass}#${String(ref.segment).padStart(4, '0')}#${ref.attempt}#`,
} as const;

/** Compressed bytes per item: DynamoDB's item limit is 400 KB, keys and attribute names included. */
export const partialChunkBytes = 300 * 1024;

/**
 * Partials of a run outlive it by a week at most: the comparison step deletes them, and DynamoDB's
 * TTL (the table's `ttl` attribute) removes those of runs that failed before it. dynalite ignores
 * TTL, so locally a failed run's partials stay until deleted with the run id.
 */
const partialTtlSeconds = 7 * 86_400;

/**
 * A segmented rebuild's partials in the single table (docs/metrics.md, "The rebuild proves it").
 * A partial is JSON, gzip-compressed (cell measures repeat a lot: about a tenth of the JSON) and
 * cut into chunks under the item size limit. Each attempt of a segment writes under its own
 * attempt id, and the reference names that attempt and its chunk count, so a retried segment never
 * mixes with what its failed attempt left.
 */
export class RebuildPartialsTable implements RebuildPartialStore {
  private readonly documents: DynamoDBDocumentClient;

  public constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = singleTableDocumentClient(client);
  }

  public async putPartial(runId: string, partial: RebuildPartial, now: Date): Promise<RebuildPartialRef> {
    const ref = { pass: partial.pass, segment: partial.segment, attempt: randomUUID() };
    const bytes = gzipSync(JSON.stringify(partial));
    const chunks = Math.max(1, Math.ceil(bytes.length / partialChunkBytes));
    for (let chunk = 0; chunk < chunks; chunk += 1) {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: rebuildPartialKeys.run(runId),
            sk: `${rebuildPartialKeys.attemptPrefix(ref)}${String(chunk).padStart(4, '0')}`,
            entity: 'metric-rebuild-partial',
            data: bytes.subarray(chunk * partialChunkBytes, (chunk + 1) * partialChunkBytes),
            ttl: Math.floor(now.getTime() / 1000) + partialTtlSeconds,
          },
        }),
      );
    }
    return { ...ref, chunks };
  }

  public async getPartial(runId: string, ref: RebuildPartialRef): Promise<RebuildPartial> {
    const items = await queryAll(
      this.documents,
      sortKeyPrefixQuery(
        this.tableName,
        rebuildPartialKeys.run(runId),
        rebuildPartialKeys.attemptPrefix(ref),
      ),
    );
    const chunks = items.map((item) => item.data).filter((data) => data instanceof Uint8Array);
    if (chunks.length !== ref.chunks || items.length !== ref.chunks) {
      throw new RebuildPartialMissingError(
        `partial ${ref.pass}:${ref.segment} (attempt ${ref.attempt}) of run ${runId} has ${chunks.length} of its ${ref.chunks} chunks`,
      );
    }
    // Items come back in sort key order, which is chunk order.
    const partial = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as RebuildPartial;
    if (!Array.isArray(partial.cells) || !Array.isArray(partial.unitMismatches)) {
      throw new RebuildPartialMissingError(`partial ${ref.pass}:${ref.segment} of run ${runId} is malformed`);
    }
    return partial;
  }

  public async deletePartials(runId: string): Promise<number> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': rebuildPartialKeys.run(runId) },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    });
    // A few at a time: a run has two partials per segment, of a few chunks each.
    for (let start = 0; start < items.length; start += 25) {
      await Promise.all(
        items
          .slice(start, start + 25)
          .map((item) =>
            this.documents.send(
              new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }),
            ),
          ),
      );
    }
    return items.length;
  }
}
