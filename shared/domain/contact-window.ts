import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { ContactHours } from './contact-policy-config.ts';

/** Why a moment is outside a contact window. */
export type WindowBlock = 'quiet-hours' | 'closed-day' | 'holiday';

/** One zone the debtor may be in, with the rules (hours, holidays) of its country. */
export interface ZoneRules {
  readonly zone: string;
  readonly hours: ContactHours;
  /** Local dates (YYYY-MM-DD) without contact in this zone's country. */
  readonly isHoliday: (localDate: string) => boolean;
}

const holidayCache = new Map<string, ReadonlySet<string>>();

/** Public holidays of a country in a year (local dates), from the maintained date-holidays data. */
export function publicHolidays(country: string, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let dates = holidayCache.get(key);
  if (dates === undefined) {
    const known = country in new Holidays().getCountries();
    const calendar = new Holidays(country);
    dates = new Set(
      known
        ? calendar
            .getHolidays(year)
            .filter((holiday) => holiday.type === 'public')
            .map((holiday) => holiday.date.slice(0, 10))
        : [],
    );
    holidayCache.set(key, dates);
  }
  return dates;
}

function minutesOf(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Why `local` (a time in the rules' zone) is outside the window, or undefined when inside it. */
export function windowBlockAt(local: DateTime, rules: ZoneRules): WindowBlock | undefined {
  if (!rules.hours.days.includes(local.weekday)) return 'closed-day';
  if (!rules.hours.holidays && rules.isHoliday(local.toISODate() ?? '')) return 'holiday';
  const secondOfDay = local.hour * 3600 + local.minute * 60 + local.second + local.millisecond / 1000;
  if (secondOfDay < minutesOf(rules.hours.start) * 60) return 'quiet-hours';
  if (secondOfDay >= minutesOf(rules.hours.end) * 60) return 'quiet-hours';
  return undefined;
}

function isOpenDay(local: DateTime, rules: ZoneRules): boolean {
  return (
    rules.hours.days.includes(local.weekday) &&
    (rules.hours.holidays || !rules.isHoliday(local.toISODate() ?? ''))
  );
}

/** The start of the window on `day` (a local date-time whose date counts). A DST gap moves it forward. */
function windowStartOn(day: DateTime, rules: ZoneRules): DateTime {
  const start = minutesOf(rules.hours.start);
  return day.set({ hour: Math.floor(start / 60), minute: start % 60, second: 0, millisecond: 0 });
}

/** Days searched for an open day: a closed weekday pattern plus a run of holidays never spans this. */
const maxDaysAhead = 62;

/** The next window start strictly usable at or after `at` in one zone, or undefined when none within two months. */
function nextWindowStart(at: DateTime, rules: ZoneRules): DateTime | undefined {
  const local = at.setZone(rules.zone);
  const today = windowStartOn(local, rules);
  if (isOpenDay(local, rules) && local < today) return today;
  for (let offset = 1; offset <= maxDaysAhead; offset += 1) {
    const day = local.startOf('day').plus({ days: offset });
    if (isOpenDay(day, rules)) return windowStartOn(day, rules);
  }
  return undefined;
}

export interface WindowMoment {
  readonly at: Date;
  /** Every reason that moved the moment, in order. */
  readonly blocks: readonly WindowBlock[];
}

/**
 * The earliest moment at or after `at` inside the window in every zone (the intersection: a
 * debtor who may be in any of them is contacted only when it is allowed in all). Moving to one
 * zone's window start can leave another's window, so this iterates until all agree; undefined
 * when the zones share no window in the next two months.
 */
export function nextMomentInWindow(at: Date, zones: readonly ZoneRules[]): WindowMoment | undefined {
  let candidate = DateTime.fromJSDate(at, { zone: 'UTC' });
  const blocks: WindowBlock[] = [];
  const limit = candidate.plus({ days: maxDaysAhead });
  for (let round = 0; round < 16 * zones.length + 16; round += 1) {
    let moved = false;
    for (const rules of zones) {
      const block = windowBlockAt(candidate.setZone(rules.zone), rules);
      if (block === undefined) continue;
      const next = nextWindowStart(candidate, rules);
      if (next === undefined || next > limit) return undefined;
      blocks.push(block);
      candidate = next.setZone('UTC');
      moved = true;
    }
    if (!moved) return { at: candidate.toJSDate(), blocks: [...new Set(blocks)] };
  }
  return undefined;
}

/** Why `at` is outside the window of some zone, or undefined when every zone allows it. */
export function windowBlockOf(at: Date, zones: readonly ZoneRules[]): WindowBlock | undefined {
  for (const rules of zones) {
    const block = windowBlockAt(DateTime.fromJSDate(at, { zone: rules.zone }), rules);
    if (block !== undefined) return block;
  }
  return undefined;
}
