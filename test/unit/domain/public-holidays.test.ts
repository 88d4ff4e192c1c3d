import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import {
  holidayCountries,
  installedHolidaySource,
  publicHolidayDates,
} from '../../../infra/cli/public-holiday-table.ts';
import { markets } from '../../../infra/local/simulator/population.ts';
import { resolveTimeZones, zoneRulesFor } from '../../../shared/domain/contact-policy.ts';
import { defaultContactPolicyConfig } from '../../../shared/domain/contact-policy-config.ts';
import { nextMomentInWindow, publicHolidays } from '../../../shared/domain/contact-window.ts';
import { HolidayYearOutOfRangeError } from '../../../shared/domain/errors.ts';
import publicHolidayTable from '../../../shared/domain/public-holidays.json' with { type: 'json' };

const { firstYear, lastYear } = publicHolidayTable;
const everyYear = Array.from({ length: lastYear - firstYear + 1 }, (_, offset) => firstYear + offset);
/** The first, middle and last years: every country is checked in these (date-holidays takes ~0.7 s a year). */
const yearsAcrossTheRange = [firstYear, Math.round((firstYear + lastYear) / 2), lastYear];
const regenerate = 'the committed table is not what the installed date-holidays computes: npm run holidays';

/** The (country, year) pairs whose table entry differs from what date-holidays computes now. */
function differencesFromDateHolidays(countries: readonly string[], years: readonly number[]): string[] {
  const differences: string[] = [];
  for (const country of countries) {
    const calendar = new Holidays(country);
    for (const year of years) {
      const computed = publicHolidayDates(calendar, year);
      const tabled = [...publicHolidays(country, year)].sort();
      if (tabled.join() !== computed.join()) differences.push(`${country} ${year}`);
    }
  }
  return differences;
}

describe('publicHolidays, from the committed table', () => {
  it('was generated with the installed date-holidays, for every country it knows', () => {
    // Assess
    expect(publicHolidayTable.source, regenerate).toBe(installedHolidaySource);
    expect(Object.keys(publicHolidayTable.countries), regenerate).toEqual(holidayCountries());
  });

  it('holds what date-holidays computes for every country in years across the range', () => {
    // Act
    const differences = differencesFromDateHolidays(holidayCountries(), yearsAcrossTheRange);

    // Assess
    expect(differences, regenerate).toEqual([]);
  });

  it("holds what date-holidays computes in every year for the simulator's countries", () => {
    // Prepare: US, GB, DE, FR, CA, AU, JP, KR, BR, IN and KW today.
    const countries = [...new Set(markets.map((market) => market.country))];

    // Act
    const differences = differencesFromDateHolidays(countries, everyYear);

    // Assess
    expect(countries).toContain('KW');
    expect(differences, regenerate).toEqual([]);
  });

  it('throws for a year outside the table, for a known or an unknown country alike', () => {
    // Act and assess
    expect(() => publicHolidays('US', firstYear - 1)).toThrow(HolidayYearOutOfRangeError);
    expect(() => publicHolidays('US', lastYear + 1)).toThrow(
      `No public holiday data for ${lastYear + 1}: the table covers ${firstYear}-${lastYear}`,
    );
    expect(() => publicHolidays('ZZ', lastYear + 1)).toThrow(HolidayYearOutOfRangeError);
    expect(publicHolidays('ZZ', lastYear).size).toBe(0);
  });

  it('places a moment in the last year of the table and refuses to look past it', () => {
    // Prepare: a debtor in Germany; email 08:00-20:00 local, Monday to Saturday, not on holidays.
    const location = resolveTimeZones({ country: 'DE' });
    const zones = zoneRulesFor('email', { config: defaultContactPolicyConfig, location });
    const lateDecember = new Date(`${lastYear}-12-20T09:00:00Z`);
    const newYearsEveNight = new Date(`${lastYear}-12-31T21:00:00Z`);

    // Act
    const moment = nextMomentInWindow(lateDecember, zones);

    // Assess: 22:00 in Berlin on 31 December: the next open day is in a year the table does not hold.
    expect(moment?.at.getUTCFullYear()).toBe(lastYear);
    expect(() => nextMomentInWindow(newYearsEveNight, zones)).toThrow(HolidayYearOutOfRangeError);
  });
});
