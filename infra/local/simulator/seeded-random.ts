import { createHash } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** One weighted option of a categorical draw. */
export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

const idAlphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A seeded pseudo-random stream (xoroshiro128+). `fork(label)` derives an independent stream
 * from the seed and a label, so each subscriber (and each purpose) draws from its own stream:
 * adding a behaviour or a customer never shifts the draws of the others, and the same seed
 * always gives the same run.
 */
export class SeededRandom {
  private readonly generator: RandomGenerator;

  public constructor(
    public readonly seed: number,
    private readonly label = 'root',
  ) {
    this.generator = xoroshiro128plus(seedOf(seed, label));
  }

  /** An independent stream for `label`, derived from this stream's seed and label (not its state). */
  public fork(label: string): SeededRandom {
    return new SeededRandom(this.seed, `${this.label}/${label}`);
  }

  /** Uniform in [0, 1). */
  public next(): number {
    return uniformFloat64(this.generator);
  }

  /** Uniform integer in [min, max], both included. */
  public int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  public chance(probability: number): boolean {
    return this.next() < probability;
  }

  public pick<T>(values: readonly T[]): T {
    const value = values[this.int(0, values.length - 1)];
    if (value === undefined) throw new RangeError('pick() needs at least one value');
    return value;
  }

  public weighted<T>(options: readonly Weighted<T>[]): T {
    const total = options.reduce((sum, option) => sum + option.weight, 0);
    if (!(total > 0)) throw new RangeError('weighted() needs a positive total weight');
    let remaining = this.next() * total;
    for (const option of options) {
      remaining -= option.weight;
      if (remaining < 0) return option.value;
    }
    // Floating-point leftovers land on the last option with weight.
    const last = [...options].reverse().find((option) => option.weight > 0);
    if (last === undefined) throw new RangeError('weighted() needs a positive total weight');
    return last.value;
  }

  /** A standard normal draw (Box-Muller). */
  public normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A log-normal draw with the given median and log-scale spread. */
  public logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** `length` base-62 characters. */
  public token(length: number): string {
    let text = '';
    for (let index = 0; index < length; index += 1) text += idAlphabet[this.int(0, idAlphabet.length - 1)];
    return text;
  }

  /** A provider-style id: `prefix_` then `length` base-62 characters, e.g. `cus_4fQ...`. */
  public id(prefix: string, length = 14): string {
    return `${prefix}_${this.token(length)}`;
  }
}

/** A 32-bit seed from the run's seed and a label. */
function seedOf(seed: number, label: string): number {
  return createHash('sha256').update(`${seed}\u0000${label}`).digest().readInt32LE(0);
}
