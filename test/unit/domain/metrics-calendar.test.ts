import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../shared/domain/errors.ts';
import {
  assertTimeZone,
  daysBetween,
  localDayOf,
  parsePeriod,
  previousPeriod,
} from '../../../shared/domain/metrics-calendar.ts';

describe('parsePeriod', () => {
  it('reads a day, an ISO week, a month and a range', () => {
    expect(parsePeriod('2026-03-05')).toEqual({
      start: '2026-03-05',
      end: '2026-03-05',
      label: '2026-03-05',
    });
    expect(parsePeriod('2026-W10')).toEqual({ start: '2026-03-02', end: '2026-03-08', label: '2026-W10' });
    expect(parsePeriod('2024-02')).toEqual({ start: '2024-02-01', end: '2024-02-29', label: '2024-02' });
    expect(parsePeriod('2026-03-01..2026-03-10')).toMatchObject({ start: '2026-03-01', end: '2026-03-10' });
  });

  it.each([
    '2026-13',
    '2026-02-30',
    '2026-W54',
    '2026-03-10..2026-03-01',
    '2025-01-01..2026-12-31',
    'march',
    '',
  ])('refuses %j with a clear error', (text) => {
    expect(() => parsePeriod(text)).toThrow(InvalidRequestError);
  });
});

describe('previousPeriod', () => {
  // 06:00 UTC on Wednesday 1 April 2026 is 08:00 in Paris.
  const now = new Date('2026-04-01T06:00:00Z');

  it('covers the previous local day, ISO week and month in the company time zone', () => {
    expect(previousPeriod('daily', now, 'Europe/Paris')).toMatchObject({
      start: '2026-03-31',
      end: '2026-03-31',
    });
    expect(previousPeriod('weekly', now, 'Europe/Paris')).toEqual({
      start: '2026-03-23',
      end: '2026-03-29',
      label: '2026-W13',
    });
    expect(previousPeriod('monthly', now, 'Europe/Paris')).toMatchObject({
      start: '2026-03-01',
      end: '2026-03-31',
    });
  });

  it('depends on the local date: at 03:00 UTC on 1 April it is still 31 March in New York', () => {
    const late = new Date('2026-04-01T03:00:00Z');
    expect(previousPeriod('daily', late, 'America/New_York')).toMatchObject({ start: '2026-03-30' });
    expect(previousPeriod('monthly', late, 'America/New_York').label).toBe('2026-02');
    expect(previousPeriod('monthly', late, 'UTC').label).toBe('2026-03');
  });
});

describe('localDayOf', () => {
  it('dates an instant by the company time zone, whatever offset it was written with', () => {
    expect(localDayOf('2026-03-31T23:30:00-04:00', 'UTC')).toBe('2026-04-01');
    expect(localDayOf('2026-03-31T23:30:00-04:00', 'America/New_York')).toBe('2026-03-31');
    expect(localDayOf('2026-03-31T23:30:00.000Z', 'Asia/Tokyo')).toBe('2026-04-01');
  });

  it('refuses an invalid timestamp or time zone', () => {
    expect(() => localDayOf('yesterday', 'UTC')).toThrow(RangeError);
    expect(() => localDayOf('yesterday', 'Europe/Paris')).toThrow(RangeError);
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(/IANA/);
  });

  it('counts days across a daylight saving change as calendar days', () => {
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
  });
});
