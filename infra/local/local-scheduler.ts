import { DateTime } from 'luxon';
import type { VirtualClock } from './virtual-clock.ts';

export interface ScheduledJob {
  readonly name: string;
  /** EventBridge Scheduler expression, as synthesized. */
  readonly expression: string;
  readonly timeZone: string;
  readonly run: () => Promise<unknown>;
}

const dailyCron = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/;
const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

/**
 * The next moment after `after` that a schedule fires. The local runtime supports the forms the
 * product uses (daily cron at a fixed time, and rate()); anything else is refused loudly rather
 * than run at the wrong time.
 */
export function nextRunAfter(expression: string, timeZone: string, after: Date): Date {
  const daily = dailyCron.exec(expression);
  if (daily) {
    const [, minute, hour] = daily;
    const local = DateTime.fromJSDate(after, { zone: timeZone });
    let candidate = local.set({ hour: Number(hour), minute: Number(minute), second: 0, millisecond: 0 });
    if (candidate <= local) candidate = candidate.plus({ days: 1 });
    return candidate.toJSDate();
  }
  const every = rate.exec(expression);
  if (every) {
    const [, amount, unit = 'minutes'] = every;
    const unitMs = unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : 86_400_000;
    return new Date(after.getTime() + Number(amount) * unitMs);
  }
  throw new Error(`the local scheduler does not support the schedule expression ${expression}`);
}

/** Runs each job on the virtual clock, as EventBridge Scheduler would invoke its target. */
export class LocalScheduler {
  private stopped = false;

  public constructor(
    private readonly clock: VirtualClock,
    private readonly onError: (job: string, error: unknown) => void,
  ) {}

  public start(jobs: readonly ScheduledJob[]): void {
    for (const job of jobs) {
      nextRunAfter(job.expression, job.timeZone, this.clock.now());
      void this.clock.track(() => this.loop(job));
    }
  }

  public stop(): void {
    this.stopped = true;
  }

  private async loop(job: ScheduledJob): Promise<void> {
    while (!this.stopped) {
      await this.clock.until(nextRunAfter(job.expression, job.timeZone, this.clock.now()));
      if (this.stopped) return;
      try {
        await job.run();
      } catch (error) {
        this.onError(job.name, error);
      }
    }
  }
}
