import { parseStrategy, type Strategy } from '../../shared/domain/strategy.ts';
import defaultStrategyData from './default.json' with { type: 'json' };

/** The strategy new cases follow. Validated once, when the module loads (a cold start). */
export const defaultStrategy: Strategy = parseStrategy(defaultStrategyData);

const strategies = new Map<string, Strategy>([
  [`${defaultStrategy.id}@${defaultStrategy.version}`, defaultStrategy],
]);

/** A running journey keeps the strategy version its case started with. */
export function strategyFor(id: string, version: number): Strategy | undefined {
  return strategies.get(`${id}@${version}`);
}
