import { beforeAll, describe, expect, it } from 'vitest';
import { StrategyTable } from '../../../../shared/adapters/dynamodb/strategy-table.ts';
import {
  InMemoryStrategyCatalog,
  LayeredStrategyCatalog,
} from '../../../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { StrategyVersionConflictError } from '../../../../shared/domain/errors.ts';
import { parseStrategyRouting } from '../../../../shared/domain/experiments.ts';
import { parseStrategy } from '../../../../shared/domain/strategy.ts';
import {
  defaultStrategy,
  shippedCatalog,
  shippedRouting,
  shippedStrategies,
} from '../../../../workflows/strategies/index.ts';
import {
  embeddedCollectionsTablePerFile,
  startEmbeddedCollectionsTable,
} from '../../../support/embedded-collections-table.ts';

const embedded = embeddedCollectionsTablePerFile();
let table: StrategyTable;

beforeAll(() => {
  table = new StrategyTable(embedded.db.client, embedded.db.tableName);
});

const publishedAt = new Date('2026-11-02T10:00:00.000Z');
const gentle = shippedStrategies.find((strategy) => strategy.id === 'gentle-b2c');
if (gentle === undefined) throw new Error('gentle-b2c is shipped');

describe('StrategyTable', () => {
  it('publishes a version once, and treats publishing the same content again as a no-op', async () => {
    // Act
    const first = await table.publishStrategy(gentle, publishedAt);
    const again = await table.publishStrategy({ ...gentle }, publishedAt);

    // Assess
    expect(first).toBe('published');
    expect(again).toBe('unchanged');
    expect(await table.getStrategy('gentle-b2c', 1)).toEqual(gentle);
  });

  it('refuses to change a published version: versions are immutable', async () => {
    // Prepare
    const changed = parseStrategy({ ...gentle, id: 'immutable-test', name: 'first' });
    await table.publishStrategy(changed, publishedAt);

    // Act
    const publishing = table.publishStrategy({ ...changed, name: 'second' }, publishedAt);

    // Assess
    await expect(publishing).rejects.toBeInstanceOf(StrategyVersionConflictError);
    expect((await table.getStrategy('immutable-test', 1))?.name).toBe('first');
  });

  it('makes the highest published version current, and keeps every older one readable', async () => {
    // Prepare
    const v1 = parseStrategy({ ...gentle, id: 'versioned', version: 1 });
    const v2 = parseStrategy({ ...gentle, id: 'versioned', version: 2, name: 'second version' });
    const v10 = parseStrategy({ ...gentle, id: 'versioned', version: 10, name: 'tenth version' });
    for (const version of [v2, v10, v1]) await table.publishStrategy(version, publishedAt);

    // Act & Assess
    expect((await table.getCurrentStrategy('versioned'))?.version).toBe(10);
    expect((await table.getStrategy('versioned', 2))?.name).toBe('second version');
    expect(await table.getStrategy('versioned', 3)).toBeUndefined();
    expect(await table.getCurrentStrategy('never-published')).toBeUndefined();
  });

  it('publishes routings by version and reads the latest', async () => {
    // Prepare
    const v1 = parseStrategyRouting({ version: 1, rules: [{ id: 'all', strategy: 'default' }] });
    const v2 = parseStrategyRouting({ version: 2, rules: [{ id: 'all', strategy: 'gentle-b2c' }] });

    // Act
    await table.publishRouting(v2, publishedAt);
    await table.publishRouting(v1, publishedAt);

    // Assess
    expect(await table.getLatestRouting()).toEqual(v2);
  });
});

describe('LayeredStrategyCatalog', () => {
  it('finds shipped versions, published versions, and the newest of both as current', async () => {
    // Prepare: a version 2 of gentle-b2c exists only in the table.
    const v2 = parseStrategy({ ...gentle, version: 2, name: 'gentle, published without a deploy' });
    await table.publishStrategy(v2, publishedAt);
    const catalog = new LayeredStrategyCatalog(table, shippedCatalog);

    // Act & Assess
    expect(await catalog.getStrategy('default', 1)).toEqual(defaultStrategy);
    expect(await catalog.getStrategy('gentle-b2c', 2)).toEqual(v2);
    expect((await catalog.getCurrentStrategy('gentle-b2c'))?.version).toBe(2);
    expect((await catalog.getCurrentStrategy('firm-high-amount'))?.version).toBe(1);
    // The table holds routing version 2 (published above), newer than the shipped version 1.
    expect((await catalog.getRouting()).version).toBe(2);
  });

  it('prefers a newer shipped routing over an older published one', async () => {
    // Prepare
    const empty = await startEmbeddedCollectionsTable();
    try {
      const fresh = new StrategyTable(empty.db.client, empty.db.tableName);
      const catalog = new LayeredStrategyCatalog(fresh, shippedCatalog);

      // Act & Assess
      expect(await catalog.getRouting()).toEqual(shippedRouting);
      await expect(fresh.getRouting()).rejects.toBeInstanceOf(StrategyVersionConflictError);
    } finally {
      await empty.stop();
    }
  });
});

describe('InMemoryStrategyCatalog', () => {
  it('refuses the same version twice', () => {
    expect(() => new InMemoryStrategyCatalog([defaultStrategy, defaultStrategy], shippedRouting)).toThrow(
      'strategy default@1 is defined twice',
    );
  });
});
