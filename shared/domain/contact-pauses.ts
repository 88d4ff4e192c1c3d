import { z } from 'zod';

/**
 * Reasons to stop contacting (../shared/DOMAIN.md §3): a dispute, an active promise to pay, a
 * payment plan in good standing, declared hardship or breathing space, every open claim flagged
 * by the debtor (on hold); also a pause step of the strategy and a pause set by an agent. The
 * commitments of the portal and of replies (commitment-pauses.ts) are read as pauses of this kind.
 */
export const pauseReasonSchema = z.enum([
  'dispute',
  'promise-to-pay',
  'payment-plan',
  'hardship',
  'claims-on-hold',
  'strategy',
  'agent',
]);
export type PauseReason = z.infer<typeof pauseReasonSchema>;

/** A pause of the case: nothing is done on it from `from` until `until` (open-ended without one). */
export interface ContactPause {
  readonly reason: PauseReason;
  /** ISO. */
  readonly from: string;
  /** ISO; absent while the pause has no end date (a dispute, a plan in good standing). */
  readonly until?: string;
  /** The step that set it, for strategy pauses (idempotency: one pause per step). */
  readonly stepId?: string;
}

export function isPauseActiveAt(pause: ContactPause, at: Date): boolean {
  const time = at.getTime();
  return Date.parse(pause.from) <= time && (pause.until === undefined || time < Date.parse(pause.until));
}

export type PauseOutcome =
  | { readonly at: Date; readonly deferredBy: readonly PauseReason[] }
  | { readonly blockedBy: PauseReason };

/**
 * The earliest moment at or after `at` outside every pause; `blockedBy` when an open-ended
 * pause covers it (the journey looks again later).
 */
export function nextMomentOutsidePauses(at: Date, pauses: readonly ContactPause[]): PauseOutcome {
  let candidate = at;
  const deferredBy: PauseReason[] = [];
  for (let round = 0; round <= pauses.length; round += 1) {
    const active = pauses.filter((pause) => isPauseActiveAt(pause, candidate));
    if (active.length === 0) return { at: candidate, deferredBy: [...new Set(deferredBy)] };
    const openEnded = active.find((pause) => pause.until === undefined);
    if (openEnded) return { blockedBy: openEnded.reason };
    const until = Math.max(...active.map((pause) => Date.parse(pause.until ?? pause.from)));
    deferredBy.push(...active.map((pause) => pause.reason));
    candidate = new Date(until);
  }
  return { at: candidate, deferredBy: [...new Set(deferredBy)] };
}
