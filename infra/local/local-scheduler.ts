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
/** Weekly on one day, `cron(30 7 ? * MON *)`. */
const weeklyCron = /^cron\((\d{1,2}) (\d{1,2}) \? \* (MON|TUE|WED|THU|FRI|SAT|SUN) \*\)$/;
/** Monthly on one day of the month, `cron(0 8 1 * ? *)`. */
const monthlyCron = /^cron\((\d{1,2}) (\d{1,2}) (\d{1,2}) \* \? \*\)$/;
const weekdays = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
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
  const weekly = weeklyCron.exec(expression);
  if (weekly) {
    const [, minute, hour, day = 'MON'] = weekly;
    const local = DateTime.fromJSDate(after, { zone: timeZone });
    let candidate = local.set({
      weekday: (weekdays.indexOf(day) + 1) as 1 | 2 | 3 | 4 | 5 | 6 | 7,
      hour: Number(hour),
      minute: Number(minute),
      second: 0,
      millisecond: 0,
    });
    if (candidate <= local) candidate = candidate.plus({ weeks: 1 });
    return candidate.toJSDate();
  }
  const monthly = monthlyCron.exec(expression);
  if (monthly) {
    const [, minute, hour, dayOfMonth] = monthly;
    const local = DateTime.fromJSDate(after, { zone: timeZone });
    // A day the month lacks (31 in April) is skipped, as EventBridge Scheduler does.
    for (let offset = 0; offset < 13; offset += 1) {
      const month = local.startOf('month').plus({ months: offset });
      if (Number(dayOfMonth) > (month.daysInMonth ?? 0)) continue;
      const candidate = month.set({
        day: Number(dayOfMonth),
        hour: Number(hour),
        minute: Number(minute),
        second: 0,
        millisecond: 0,
      });
      if (candidate > local) return candidate.toJSDate();
    }
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
