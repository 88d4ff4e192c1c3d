import type { FrequencyCap } from './contact-policy-config.ts';
import type { Channel } from './strategy.ts';

/**
 * One contact on the case timeline: an attempt (a message sent or possibly sent, a call placed),
 * or a conversation (the debtor was reached and talked, e.g. an answered call).
 */
export interface ContactEvent {
  readonly channel: Channel;
  /** When it happened (ISO). */
  readonly at: string;
  readonly kind: 'attempt' | 'conversation';
}

export interface CapLimit {
  /** `overall`, or the channel the cap counts. */
  readonly scope: Channel | 'overall';
  readonly cap: FrequencyCap;
}

const dayMs = 24 * 3600 * 1000;

/** The reason code of a cap: `cap:sms:3-per-7d`. */
export function capReason(limit: CapLimit): string {
  return `cap:${limit.scope}:${limit.cap.max}-per-${limit.cap.days}d`;
}

/**
 * The earliest moment at or after `at` when one more attempt keeps the cap: at most `max`
 * attempts in any window of `days` days (the window (t - days, t], per case, i.e. per debt).
 * History holds past events only (at or before `at`); undefined when the cap is zero.
 */
export function nextMomentWithinCap(
  at: Date,
  limit: CapLimit,
  history: readonly ContactEvent[],
): Date | undefined {
  const { max, days } = limit.cap;
  if (max === 0) return undefined;
  const windowMs = days * dayMs;
  const times = history
    .filter(
      (event) => event.kind === 'attempt' && (limit.scope === 'overall' || event.channel === limit.scope),
    )
    .map((event) => Date.parse(event.at))
    .filter((time) => time <= at.getTime() && time > at.getTime() - windowMs)
    .sort((a, b) => a - b);
  if (times.length < max) return at;
  // Drop the oldest attempts until one more fits: the window must have moved past the k-th oldest.
  const mustExpire = times[times.length - max];
  return mustExpire === undefined ? at : new Date(mustExpire + windowMs);
}

/** Whether one more attempt at `at` keeps the cap. */
export function isWithinCap(at: Date, limit: CapLimit, history: readonly ContactEvent[]): boolean {
  return nextMomentWithinCap(at, limit, history)?.getTime() === at.getTime();
}

/**
 * The end of the quiet period after the latest conversation on `channel` (Regulation F: no
 * call within 7 days after a telephone conversation), or `at` when there is none or it is over.
 */
export function nextMomentAfterConversation(
  at: Date,
  channel: Channel,
  quietDays: number,
  history: readonly ContactEvent[],
): Date {
  if (quietDays <= 0) return at;
  const latest = Math.max(
    Number.NEGATIVE_INFINITY,
    ...history
      .filter((event) => event.kind === 'conversation' && event.channel === channel)
      .map((event) => Date.parse(event.at))
      .filter((time) => time <= at.getTime()),
  );
  const quietUntil = latest + quietDays * dayMs;
  return quietUntil > at.getTime() ? new Date(quietUntil) : at;
}
