import { DateTime } from 'luxon';
import { InvalidRequestError } from './errors.ts';

/**
 * Calendar of the finance metrics: every fact is dated by its local day (`YYYY-MM-DD`) in the
 * company's time zone, and every report covers whole local days. Days are plain strings so they
 * sort and compare lexically.
 */
export type LocalDay = string;
export type LocalMonth = string;

export type ReportKind = 'daily' | 'weekly' | 'monthly';

/** An inclusive range of local days. */
export interface ReportPeriod {
  /** First day, inclusive. */
  readonly start: LocalDay;
  /** Last day, inclusive. */
  readonly end: LocalDay;
  /** How people name it: `2026-03`, `2026-W10`, `2026-03-05` or `2026-03-01..2026-03-10`. */
  readonly label: string;
}

const dayPattern = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;
const weekPattern = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;

/** Fails fast, with the offending value, on a name that is not an IANA time zone. */
export function assertTimeZone(timeZone: string): string {
  if (!DateTime.now().setZone(timeZone).isValid) {
    throw new RangeError(`"${timeZone}" is not an IANA time zone (e.g. "UTC", "Europe/Paris")`);
  }
  return timeZone;
}

const utcZones = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);
/** Local days of recent instants: contributions convert the same timestamps again and again. */
const localDayCache = new Map<string, LocalDay>();
const localDayCacheLimit = 50_000;

/** The local day an instant falls on in `timeZone`. */
export function localDayOf(iso: string, timeZone: string): LocalDay {
  if (utcZones.has(timeZone)) {
    const instant = new Date(iso);
    if (Number.isNaN(instant.getTime())) throw new RangeError(`invalid timestamp ${iso}`);
    return instant.toISOString().slice(0, 10);
  }
  const key = `${timeZone}|${iso}`;
  const cached = localDayCache.get(key);
  if (cached !== undefined) return cached;
  const instant = DateTime.fromISO(iso, { setZone: true });
  if (!instant.isValid) throw new RangeError(`invalid timestamp ${iso}`);
  const day = instant.setZone(timeZone).toISODate() as LocalDay;
  if (localDayCache.size >= localDayCacheLimit) localDayCache.clear();
  localDayCache.set(key, day);
  return day;
}

export function monthOf(day: LocalDay): LocalMonth {
  return day.slice(0, 7);
}

function dayDate(day: LocalDay): DateTime {
  return DateTime.fromISO(day, { zone: 'UTC' });
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDay, to: LocalDay): number {
  return Math.round(dayDate(to).diff(dayDate(from), 'days').days);
}

export function addDays(day: LocalDay, days: number): LocalDay {
  return dayDate(day).plus({ days }).toISODate() as LocalDay;
}

export function addMonths(month: LocalMonth, months: number): LocalMonth {
  return DateTime.fromISO(`${month}-01`, { zone: 'UTC' }).plus({ months }).toFormat('yyyy-MM');
}

export function firstDayOfMonth(month: LocalMonth): LocalDay {
  return `${month}-01`;
}

export function lastDayOfMonth(month: LocalMonth): LocalDay {
  return DateTime.fromISO(`${month}-01`, { zone: 'UTC' }).endOf('month').toISODate() as LocalDay;
}

/** Number of days in the inclusive period. */
export function periodDays(period: Pick<ReportPeriod, 'start' | 'end'>): number {
  return daysBetween(period.start, period.end) + 1;
}

/** The months a period touches, oldest first. */
export function monthsOf(period: Pick<ReportPeriod, 'start' | 'end'>): LocalMonth[] {
  const months: LocalMonth[] = [];
  for (let month = monthOf(period.start); month <= monthOf(period.end); month = addMonths(month, 1)) {
    months.push(month);
  }
  return months;
}

export function monthPeriod(month: LocalMonth): ReportPeriod {
  return { start: firstDayOfMonth(month), end: lastDayOfMonth(month), label: month };
}

/**
 * The period a scheduled report covers when it runs at `now`: the previous local day (daily
 * summary), the previous ISO week, Monday to Sunday (weekly report), or the previous month
 * (monthly close, run on the 1st).
 */
export function previousPeriod(kind: ReportKind, now: Date, timeZone: string): ReportPeriod {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  if (kind === 'daily') {
    const day = today.minus({ days: 1 }).toISODate() as LocalDay;
    return { start: day, end: day, label: day };
  }
  if (kind === 'weekly') {
    const monday = today.startOf('week').minus({ weeks: 1 });
    return {
      start: monday.toISODate() as LocalDay,
      end: monday.plus({ days: 6 }).toISODate() as LocalDay,
      label: monday.toFormat("kkkk-'W'WW"),
    };
  }
  return monthPeriod(today.minus({ months: 1 }).toFormat('yyyy-MM'));
}

/**
 * Parses a period as the API accepts it: a day (`2026-03-05`), an ISO week (`2026-W10`), a month
 * (`2026-03`) or an inclusive range of days (`2026-03-01..2026-03-10`, at most 366 days).
 */
export function parsePeriod(text: string): ReportPeriod {
  if (dayPattern.test(text) && dayDate(text).isValid) return { start: text, end: text, label: text };
  if (monthPattern.test(text)) return monthPeriod(text);
  const week = weekPattern.exec(text);
  if (week) {
    const monday = DateTime.fromObject(
      { weekYear: Number(week[1]), weekNumber: Number(week[2]), weekday: 1 },
      { zone: 'UTC' },
    );
    if (monday.isValid && monday.weekNumber === Number(week[2])) {
      return {
        start: monday.toISODate() as LocalDay,
        end: monday.plus({ days: 6 }).toISODate() as LocalDay,
        label: text,
      };
    }
  }
  const [start, end, ...rest] = text.split('..');
  if (
    rest.length === 0 &&
    start !== undefined &&
    end !== undefined &&
    dayPattern.test(start) &&
    dayPattern.test(end) &&
    dayDate(start).isValid &&
    dayDate(end).isValid
  ) {
    const days = daysBetween(start, end) + 1;
    if (days >= 1 && days <= 366) return { start, end, label: `${start}..${end}` };
  }
  throw new InvalidRequestError(
    `period "${text}" is not a day (2026-03-05), ISO week (2026-W10), month (2026-03) or range of up to 366 days (2026-03-01..2026-03-10)`,
  );
}

/**
 * The current local month up to today, both included (`2026-04-01..2026-04-16`): what
 * `GET /api/metrics` answers without a period. On the 1st it is that one day.
 */
export function monthToDate(now: Date, timeZone: string): ReportPeriod {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).toISODate() as LocalDay;
  const start = firstDayOfMonth(monthOf(today));
  return { start, end: today, label: `${start}..${today}` };
}
