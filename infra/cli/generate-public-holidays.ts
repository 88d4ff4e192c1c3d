/**
 * `npm run holidays`: writes shared/domain/public-holidays.json, the national public holidays
 * (country level, `type === 'public'`) of every country date-holidays knows, which the contact
 * policy reads instead of running date-holidays in the Lambda functions. Run it after upgrading
 * date-holidays: test/unit/domain/public-holidays.test.ts fails until the table matches.
 *
 * Years 2024-2045. The policy looks at today and the weeks ahead; starting two years before
 * the table was made (2026) leaves room for a clock set in the past (tests, fixtures of 2025, a
 * replay). Ending about twenty years ahead outlives any deployed build by far, while rules for
 * far years (holidays set by decree, lunar calendars) are estimates anyway and each year adds about
 * 11 KB to the bundles that plan or send. Outside the range the policy throws
 * HolidayYearOutOfRangeError instead of guessing (docs/contact-policy.md).
 *
 * Shape: per country, one string a year (index = year - firstYear), that year's dates as
 * concatenated MMDD in ascending order ("010107041225" for 1 Jan, 4 Jul and 25 Dec): 58,260 dates
 * in 248 KB once minified (4.3 bytes a date), 39 KB gzipped. Loading builds no object a date: a
 * year's string is sliced into dates the first time it is asked for. It stays readable in the diff
 * of a regeneration. esbuild inlines the JSON module like any import, and leaves it out of the
 * bundles that never ask for a holiday.
 */
import { writeFileSync } from 'node:fs';
import { buildPublicHolidayTable } from './public-holiday-table.ts';

const firstYear = 2024;
const lastYear = 2045;
const tableFile = new URL('../../shared/domain/public-holidays.json', import.meta.url);

const table = buildPublicHolidayTable(firstYear, lastYear);
const json = `${JSON.stringify({ generatedBy: 'npm run holidays', ...table }, null, 2)}\n`;
writeFileSync(tableFile, json);
const dates = Object.values(table.countries)
  .flat()
  .reduce((count, monthDays) => count + monthDays.length / 4, 0);
process.stdout.write(
  `${table.source}: ${Object.keys(table.countries).length} countries × ${firstYear}-${lastYear}, ${dates} dates, ${json.length} bytes\n`,
);
