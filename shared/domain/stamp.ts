/**
 * A stamp orders billing events totally, the same way whatever the order they arrive in: by a
 * rank (a more authoritative source first), then the provider's timestamp, then the event id to
 * break ties within a second. Last-writer-wins registers keep the value of the highest stamp,
 * which makes merging commutative, associative and idempotent.
 *
 * ISO timestamps from `toISOString()` have a fixed width, so comparing stamps as strings compares
 * them in this order.
 */
export type Stamp = string;

export function stampOf(occurredAt: string, eventId: string, rank = 0): Stamp {
  return `${rank}|${occurredAt}|${eventId}`;
}

/** The rank a stamp was made with. */
export function rankOf(stamp: Stamp): number {
  return Number(stamp.slice(0, stamp.indexOf('|')));
}

export function isNewer(candidate: Stamp, than: Stamp | undefined): boolean {
  return than === undefined || candidate > than;
}

export function minIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a <= b ? a : b;
}

export function maxIso(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

/** Copies only defined values, so optional fields stay absent (exactOptionalPropertyTypes). */
export function definedOnly<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
