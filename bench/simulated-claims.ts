import type { Claim } from '../shared/domain/claim.ts';
import type { CaseDimensions, Touch } from '../shared/domain/metric-contributions.ts';

/**
 * The benchmarks' history: claims over 24 months (April 2024 to March 2026) in three currencies,
 * with cases, holdout, variants, segments, decline classes, messages, subscriptions, refunds,
 * write-offs and voids, deterministic in the claim's index (the same history for every run and
 * every size prefix).
 */
const historyStart = Date.UTC(2024, 3, 1); // April 2024: 24 months up to March 2026
const historyEnd = Date.UTC(2026, 3, 1);
const hour = 3_600_000;
const day = 24 * hour;

/** A small seeded PRNG (mulberry32): the same history for every run and every size prefix. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulatedClaim {
  readonly claim: Claim;
  readonly collectionCase?: CaseDimensions;
  readonly touches: readonly Touch[];
}

const currencies = [
  { code: 'USD', share: 0.7, amounts: [999, 1999, 4999, 9900, 24900] },
  { code: 'EUR', share: 0.2, amounts: [900, 1900, 4900, 9900] },
  { code: 'JPY', share: 0.1, amounts: [980, 1980, 4980, 9800] },
];

/** Rounded to the hour: simulated events happen on the hour (it keeps the date cache small). */
function isoAt(ms: number): string {
  return new Date(Math.floor(ms / hour) * hour).toISOString();
}

/** The n-th simulated claim (deterministic in n). */
export function simulatedClaim(n: number): SimulatedClaim {
  const next = random(n * 7919 + 17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const roll = next();
  const currency = roll < 0.7 ? currencies[0] : roll < 0.9 ? currencies[1] : currencies[2];
  if (currency === undefined) throw new Error('no currency');
  const amountMinor = pick(currency.amounts);
  const issued = historyStart + Math.floor(next() * (historyEnd - historyStart - day));
  const invoiceId = `in_bench_${n}`;
  const subscriptionId = next() < 0.9 ? `sub_bench_${Math.floor(n / 3)}` : undefined;
  const base = {
    claimId: `stripe:${invoiceId}`,
    invoiceId,
    provider: 'stripe',
    customerId: `stripe:cus_bench_${Math.floor(n / 3)}`,
    amountMinor,
    currency: currency.code,
    attemptCount: 1,
    snapshotAt: isoAt(issued),
    snapshotEventId: `evt_bench_${n}`,
    issuedAt: isoAt(issued),
    ...(subscriptionId
      ? { subscriptionId, subscriptionMrrMinor: amountMinor }
      : { dueAt: isoAt(issued + 30 * day) }),
  };
  // Most invoices are paid at the first attempt: billed and collected, no cohort.
  if (next() < 0.75) {
    return { claim: { ...base, status: 'paid', paidAt: isoAt(issued + hour) }, touches: [] };
  }
  const failedAt = issued;
  const holdout = next() < 0.1;
  const collectionCase: CaseDimensions = {
    strategyId: pick(['default', 'gentle', 'firm']),
    variant: pick(['A', 'B']),
    segment: pick(['smb', 'mid-market', 'enterprise']),
    holdout,
  };
  const touches: Touch[] = holdout
    ? []
    : [0, 3, 7]
        .map((offset, index) => ({
          sentAt: isoAt(failedAt + offset * day + 3 * hour),
          channel: index === 1 ? 'sms' : 'email',
          stepId: `day-${offset}`,
        }))
        .filter((touch) => Date.parse(touch.sentAt) < historyEnd);
  const outcome = next();
  const recoveredAfter = Math.floor(next() * 70 * day);
  const claim: Claim = {
    ...base,
    status: 'failed',
    firstFailedAt: isoAt(failedAt),
    lastFailedAt: isoAt(failedAt),
    declineClass: pick(['soft', 'soft', 'hard', 'authentication_required']),
    caseId: `case_bench_${n}`,
  };
  if (outcome < 0.6 && failedAt + recoveredAfter < historyEnd) {
    const refund = next() < 0.05 ? Math.floor(amountMinor / 2) : 0;
    return {
      claim: {
        ...claim,
        status: 'paid',
        paidAt: isoAt(failedAt + recoveredAfter),
        ...(refund > 0
          ? { refundedAmountMinor: refund, refundedAt: isoAt(failedAt + recoveredAfter + 2 * day) }
          : {}),
      },
      collectionCase,
      touches,
    };
  }
  if (outcome < 0.85 && failedAt + 45 * day < historyEnd) {
    return {
      claim: {
        ...claim,
        status: 'written_off',
        writtenOffAt: isoAt(failedAt + 45 * day),
        ...(subscriptionId && next() < 0.5 ? { subscriptionChurnedAt: isoAt(failedAt + 45 * day) } : {}),
      },
      collectionCase,
      touches,
    };
  }
  if (outcome < 0.88) {
    return {
      claim: { ...claim, status: 'voided', voidedAt: isoAt(failedAt + 5 * day) },
      collectionCase,
      touches,
    };
  }
  return { claim, collectionCase, touches };
}
