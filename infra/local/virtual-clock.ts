import type { Clock } from '../../shared/ports.ts';

interface Sleeper {
  readonly at: number;
  readonly sequence: number;
  readonly wake: () => void;
}

/**
 * Virtual time for the local runtime. Work that runs on this clock (journey executions,
 * scheduled jobs, requests) is tracked as activities; an activity that waits with `until` stops
 * counting as busy until its moment comes. `advance` releases sleepers one at a time in time
 * order and lets the system settle (no activity busy) before releasing the next, so a month of
 * journeys replays deterministically in milliseconds.
 */
export class VirtualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private sequence = 0;
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private advancing: Promise<unknown> = Promise.resolve();

  public constructor(start: Date) {
    this.current = start.getTime();
  }

  public now(): Date {
    return new Date(this.current);
  }

  /** Runs `work` as an activity: `advance` waits for it before moving time on. */
  public async track<T>(work: () => Promise<T>): Promise<T> {
    this.busy += 1;
    try {
      return await work();
    } finally {
      this.leave();
    }
  }

  /** Resolves when virtual time reaches `at` (at once if it already has). Call it inside `track`. */
  public until(at: Date): Promise<void> {
    const when = at.getTime();
    if (Number.isNaN(when)) return Promise.reject(new RangeError('until() needs a valid date'));
    if (when <= this.current) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.sleepers.push({ at: when, sequence: this.sequence++, wake: resolve });
      this.sleepers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
      this.leave();
    });
  }

  /** Resolves once no activity is busy. */
  public settled(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Moves time forward by `seconds`, running everything that falls due, in order, and resolves
   * with the new time once all of it has settled. Concurrent calls run one after the other.
   */
  public advance(seconds: number): Promise<Date> {
    if (!Number.isFinite(seconds) || seconds < 0) {
      return Promise.reject(new RangeError('seconds must be a finite number >= 0'));
    }
    return this.queue(async () => {
      await this.step(seconds);
      return this.now();
    });
  }

  /**
   * Advances by `seconds`, then again by `seconds` (the last step ending at `until`) for as long
   * as `quiet()` holds after a step and `until` is not reached: the steps a poller would ask for
   * one by one, looking between them for something to happen, in one call. Each step runs as
   * `advance` does. Resolves with the new time and how many steps were taken.
   */
  public advanceInSteps(
    seconds: number,
    until: Date,
    quiet: () => boolean,
  ): Promise<{ readonly now: Date; readonly steps: number }> {
    const end = until.getTime();
    if (!Number.isFinite(seconds) || seconds <= 0) {
      return Promise.reject(new RangeError('seconds must be a finite number > 0'));
    }
    if (Number.isNaN(end)) return Promise.reject(new RangeError('advanceInSteps() needs a valid date'));
    return this.queue(async () => {
      await this.step(seconds);
      let steps = 1;
      // From the time in whole milliseconds, as a caller reading `now` and asking for the rest would
      // (seconds are not exact binary fractions): the steps land where the same calls one by one would.
      for (let from = this.now().getTime(); from < end && quiet(); from = this.now().getTime()) {
        await this.step((Math.min(end, from + seconds * 1000) - from) / 1000);
        steps += 1;
      }
      return { now: this.now(), steps };
    });
  }

  /** The earliest moment a sleeper waits for, if any: when something next falls due. */
  public nextWakeUp(): Date | undefined {
    const next = this.sleepers[0];
    return next === undefined ? undefined : new Date(next.at);
  }

  /** The moments sleepers wait for, earliest first (for the operator's view). */
  public pendingWakeUps(): Date[] {
    return this.sleepers.map((sleeper) => new Date(sleeper.at));
  }

  /** Runs `work` after the advances already asked for. */
  private queue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.advancing.then(work);
    this.advancing = run.catch(() => undefined);
    return run;
  }

  /** One advance: releases the sleepers due by the target one at a time, settling after each. */
  private async step(seconds: number): Promise<void> {
    await this.settled();
    const target = this.current + seconds * 1000;
    for (let next = this.sleepers[0]; next !== undefined && next.at <= target; next = this.sleepers[0]) {
      this.sleepers.shift();
      this.current = Math.max(this.current, next.at);
      this.busy += 1;
      next.wake();
      await this.settled();
    }
    this.current = Math.max(this.current, target);
  }

  private leave(): void {
    this.busy -= 1;
    if (this.busy > 0) return;
    // Let promise continuations already queued start their own activities before declaring idle.
    setImmediate(() => {
      if (this.busy !== 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }
}
