import { InMemoryStrategyCatalog } from '../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import {
  parseStrategyRouting,
  type StrategyRouting,
  strategiesOfRouting,
} from '../../shared/domain/experiments.ts';
import { parseStrategy, type Strategy, strategyKey } from '../../shared/domain/strategy.ts';
import defaultStrategyData from './default.json' with { type: 'json' };
import firmHighAmountV1 from './firm-high-amount.v1.json' with { type: 'json' };
import gentleB2cV1 from './gentle-b2c.v1.json' with { type: 'json' };
import gentleB2cSmsFirstV1 from './gentle-b2c-sms-first.v1.json' with { type: 'json' };
import routingData from './routing.json' with { type: 'json' };

/**
 * The strategies shipped with the code, validated once when the module loads (a cold start).
 * Every version ever shipped stays here (or in the table once published): a running journey
 * keeps the version its case started with. New versions go in new files (`<id>.v<N>.json`).
 */
export const shippedStrategies: readonly Strategy[] = [
  defaultStrategyData,
  gentleB2cV1,
  gentleB2cSmsFirstV1,
  firmHighAmountV1,
].map((data) => parseStrategy(data));

export const shippedRouting: StrategyRouting = parseStrategyRouting(routingData);

/** The strategy cases fall back to when no routing applies (and that cases opened before routing kept). */
export const defaultStrategy: Strategy = parseStrategy(defaultStrategyData);

export const shippedCatalog = new InMemoryStrategyCatalog(shippedStrategies, shippedRouting);

const missing = strategiesOfRouting(shippedRouting).filter(
  (id) => !shippedStrategies.some((strategy) => strategy.id === id),
);
if (missing.length > 0) throw new Error(`routing names unshipped strategies: ${missing.join(', ')}`);

/** A running journey keeps the strategy version its case started with. */
export function strategyFor(id: string, version: number): Strategy | undefined {
  return shippedStrategies.find(
    (strategy) => strategyKey(strategy.id, strategy.version) === strategyKey(id, version),
  );
}
