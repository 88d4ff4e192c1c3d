import { InMemoryStrategyCatalog } from '../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { parseStrategyRouting } from '../../shared/domain/experiments.ts';
import { shippedStrategies } from '../../workflows/strategies/index.ts';

/** The shipped strategies with a routing that sends every case to `default@1` (three emails). */
export const defaultStrategyOnly = new InMemoryStrategyCatalog(
  shippedStrategies,
  parseStrategyRouting({ version: 1, rules: [{ id: 'everyone', strategy: 'default' }] }),
);
