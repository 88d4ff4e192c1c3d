import type { StrategyRouting } from '../../domain/experiments.ts';
import { type Strategy, strategyKey } from '../../domain/strategy.ts';
import type { StrategyCatalog } from '../../ports.ts';

/** Strategies held in memory: the files shipped with the code (and tests). */
export class InMemoryStrategyCatalog implements StrategyCatalog {
  private readonly versions = new Map<string, Strategy>();
  private readonly current = new Map<string, Strategy>();

  public constructor(
    strategies: readonly Strategy[],
    private readonly routing: StrategyRouting,
  ) {
    for (const strategy of strategies) {
      const key = strategyKey(strategy.id, strategy.version);
      if (this.versions.has(key)) throw new RangeError(`strategy ${key} is defined twice`);
      this.versions.set(key, strategy);
      const latest = this.current.get(strategy.id);
      if (latest === undefined || latest.version < strategy.version) this.current.set(strategy.id, strategy);
    }
  }

  public list(): Strategy[] {
    return [...this.versions.values()];
  }

  public async getStrategy(id: string, version: number): Promise<Strategy | undefined> {
    return this.versions.get(strategyKey(id, version));
  }

  public async getCurrentStrategy(id: string): Promise<Strategy | undefined> {
    return this.current.get(id);
  }

  public async getRouting(): Promise<StrategyRouting> {
    return this.routing;
  }
}

/**
 * Published strategies over the shipped ones: a version is looked up in the published store
 * first, then in the shipped files; the current version and routing are the highest of both.
 * So a strategy published with the CLI takes effect without a deploy, and a deploy that ships a
 * newer version takes effect without a publish.
 */
export class LayeredStrategyCatalog implements StrategyCatalog {
  public constructor(
    private readonly published: StrategyCatalog & {
      getLatestRouting(): Promise<StrategyRouting | undefined>;
    },
    private readonly shipped: StrategyCatalog,
  ) {}

  public async getStrategy(id: string, version: number): Promise<Strategy | undefined> {
    return (await this.published.getStrategy(id, version)) ?? this.shipped.getStrategy(id, version);
  }

  public async getCurrentStrategy(id: string): Promise<Strategy | undefined> {
    const [published, shipped] = await Promise.all([
      this.published.getCurrentStrategy(id),
      this.shipped.getCurrentStrategy(id),
    ]);
    if (published === undefined) return shipped;
    if (shipped === undefined) return published;
    return published.version >= shipped.version ? published : shipped;
  }

  public async getRouting(): Promise<StrategyRouting> {
    const [published, shipped] = await Promise.all([
      this.published.getLatestRouting(),
      this.shipped.getRouting(),
    ]);
    return published !== undefined && published.version >= shipped.version ? published : shipped;
  }
}
