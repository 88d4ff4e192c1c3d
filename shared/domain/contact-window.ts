import { DateTime } from 'luxon';
import type { ContactHours } from './contact-policy-config.ts';
import { HolidayYearOutOfRangeError } from './errors.ts';
import publicHolidayTable from './public-holidays.json' with { type: 'json' };

/** Why a moment is outside a contact window. */
export type WindowBlock = 'quiet-hours' | 'closed-day' | 'holiday';

/** One zone the debtor may be in, with the rules (hours, holidays) of its country. */
export interface ZoneRules {
  readonly zone: string;
  readonly hours: ContactHours;
  /** Local dates (YYYY-MM-DD) without contact in this zone's country. */
  readonly isHoliday: (localDate: string) => boolean;
}

/**
 * The national public holidays of every country date-holidays knows, for a fixed range of years:
 * `public-holidays.json`, written by `npm run holidays` (infra/cli/generate-public-holidays.ts says
 * why this range and this shape). Computing them at run time would put date-holidays, moment,
 * moment-timezone and astronomia (1.4 MB) in every bundle that plans or sends a step.
 */
export interface PublicHolidayTable {
  /** The date-holidays release the table was computed with. */
  readonly source: string;
  readonly firstYear: number;
  readonly lastYear: number;
  /** By country code, one string a year from `firstYear`: that year's dates as concatenated MMDD, ascending. */
  readonly countries: Readonly<Record<string, readonly string[]>>;
}

const holidayTable: PublicHolidayTable = publicHolidayTable;

const holidayCache = new Map<string, ReadonlySet<string>>();

/** The dates (YYYY-MM-DD) of one year's entry of the table. */
function datesOfYear(year: number, monthDays: string): string[] {
  const dates: string[] = [];
  for (let at = 0; at < monthDays.length; at += 4) {
    dates.push(`${year}-${monthDays.slice(at, at + 2)}-${monthDays.slice(at + 2, at + 4)}`);
  }
  return dates;
}

/**
 * Public holidays of a country in a year (local dates), from the committed table of date-holidays
 * data. An unknown country has none. A year outside the table throws HolidayYearOutOfRangeError,
 * whatever the country: the table cannot tell which days are holidays then, and a failed step is
 * better than a call on one (docs/contact-policy.md).
 */
export function publicHolidays(country: string, year: number): ReadonlySet<string> {
  const { firstYear, lastYear, countries } = holidayTable;
  if (!Number.isInteger(year) || year < firstYear || year > lastYear) {
    throw new HolidayYearOutOfRangeError(
      `No public holiday data for ${year}: the table covers ${firstYear}-${lastYear} (npm run holidays)`,
    );
  }
  const key = `${country}:${year}`;
  let dates = holidayCache.get(key);
  if (dates === undefined) {
    const monthDays = Object.hasOwn(countries, country) ? countries[country]?.[year - firstYear] : undefined;
    dates = new Set(datesOfYear(year, monthDays ?? ''));
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
