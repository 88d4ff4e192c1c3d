import Holidays from 'date-holidays';
import dateHolidaysPackage from 'date-holidays/package.json' with { type: 'json' };
import type { PublicHolidayTable } from '../../shared/domain/contact-window.ts';

/** The date-holidays release installed, as the table records it. */
export const installedHolidaySource = `date-holidays ${dateHolidaysPackage.version}`;

/** Every country date-holidays knows (ISO 3166-1 alpha-2 codes), in its order. */
export function holidayCountries(): string[] {
  return Object.keys(new Holidays().getCountries());
}

/**
 * The national public holidays of `calendar`'s country in `year`, as the contact policy computed
 * them at run time before the table: `type === 'public'`, the local start date (YYYY-MM-DD), each
 * date once, ascending. A date outside `year` is left out: a date is looked up under its own year,
 * so such a date never blocked anything.
 */
export function publicHolidayDates(calendar: Holidays, year: number): string[] {
  const dates = calendar
    .getHolidays(year)
    .filter((holiday) => holiday.type === 'public')
    .map((holiday) => holiday.date.slice(0, 10))
    .filter((date) => date.startsWith(`${year}-`));
  return [...new Set(dates)].sort();
}

/** The public holidays of every country date-holidays knows, from `firstYear` to `lastYear`. */
export function buildPublicHolidayTable(firstYear: number, lastYear: number): PublicHolidayTable {
  const countries: Record<string, string[]> = {};
  for (const country of holidayCountries()) {
    const calendar = new Holidays(country);
    const years: string[] = [];
    for (let year = firstYear; year <= lastYear; year += 1) {
      years.push(
        publicHolidayDates(calendar, year)
          .map((date) => date.slice(5, 7) + date.slice(8, 10))
          .join(''),
      );
    }
    countries[country] = years;
  }
  return { source: installedHolidaySource, firstYear, lastYear, countries };
}
