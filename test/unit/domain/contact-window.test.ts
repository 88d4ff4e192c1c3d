import { describe, expect, it } from 'vitest';
import type { ContactHours } from '../../../shared/domain/contact-policy-config.ts';
import {
  nextMomentInWindow,
  publicHolidays,
  windowBlockOf,
  type ZoneRules,
} from '../../../shared/domain/contact-window.ts';

const weekdaysAndSaturday: ContactHours = {
  start: '08:00',
  end: '21:00',
  days: [1, 2, 3, 4, 5, 6],
  holidays: false,
};

function rules(zone: string, country: string | undefined, hours: Partial<ContactHours> = {}): ZoneRules {
  return {
    zone,
    hours: { ...weekdaysAndSaturday, ...hours },
    isHoliday: (date) => (country ? publicHolidays(country, Number(date.slice(0, 4))).has(date) : false),
  };
}

describe('publicHolidays', () => {
  it('knows the public holidays of a country from the maintained data', () => {
    // Act
    const us = publicHolidays('US', 2026);
    const de = publicHolidays('DE', 2026);

    // Assess
    expect(us.has('2026-07-04')).toBe(true);
    expect(us.has('2026-11-26')).toBe(true);
    expect(de.has('2026-10-03')).toBe(true);
    expect(de.has('2026-07-04')).toBe(false);
  });

  it('knows none for an unknown country', () => {
    expect(publicHolidays('ZZ', 2026).size).toBe(0);
  });
});

describe('nextMomentInWindow', () => {
  it('moves a Saturday-evening moment past the closed Sunday to Monday 08:00', () => {
    // Prepare: Saturday 7 Nov 2026, 21:30 in New York (EST since 1 Nov).
    const saturdayNight = new Date('2026-11-08T02:30:00Z');

    // Act
    const moment = nextMomentInWindow(saturdayNight, [rules('America/New_York', 'US')]);

    // Assess: Monday 9 Nov 08:00 EST.
    expect(moment?.at.toISOString()).toBe('2026-11-09T13:00:00.000Z');
    expect(moment?.blocks).toEqual(['quiet-hours']);
  });

  it('skips a public holiday of the debtor country and says so', () => {
    // Prepare: Thursday 26 Nov 2026 is Thanksgiving; 07:00 in New York.
    const thanksgivingMorning = new Date('2026-11-26T12:00:00Z');

    // Act
    const moment = nextMomentInWindow(thanksgivingMorning, [rules('America/New_York', 'US')]);

    // Assess: Friday 08:00 EST.
    expect(moment?.at.toISOString()).toBe('2026-11-27T13:00:00.000Z');
    expect(moment?.blocks).toEqual(['holiday']);
    expect(windowBlockOf(new Date('2026-11-26T16:00:00Z'), [rules('America/New_York', 'US')])).toBe(
      'holiday',
    );
  });

  it('contacts on holidays when the hours allow it', () => {
    // Act
    const block = windowBlockOf(new Date('2026-11-26T16:00:00Z'), [
      rules('America/New_York', 'US', { holidays: true }),
    ]);

    // Assess
    expect(block).toBeUndefined();
  });

  it('keeps 08:00 local on the day clocks spring forward (New York, 8 March 2026)', () => {
    // Prepare: 01:30 EST on Sunday 8 March; Sundays are open here.
    const beforeTheJump = new Date('2026-03-08T06:30:00Z');

    // Act
    const moment = nextMomentInWindow(beforeTheJump, [
      rules('America/New_York', 'US', { days: [1, 2, 3, 4, 5, 6, 7] }),
    ]);

    // Assess: 08:00 EDT is 12:00Z (it would be 13:00Z in winter).
    expect(moment?.at.toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });

  it('keeps 21:00 local as the end on the day clocks fall back (Berlin, 25 October 2026)', () => {
    // Prepare: Sunday 25 Oct is open here; 20:59:59 CET is 19:59:59Z, 21:00 CET is 20:00Z.
    const zone = [rules('Europe/Berlin', 'DE', { days: [1, 2, 3, 4, 5, 6, 7] })];

    // Act
    const inside = windowBlockOf(new Date('2026-10-25T19:59:59Z'), zone);
    const after = nextMomentInWindow(new Date('2026-10-25T20:00:00Z'), zone);

    // Assess
    expect(inside).toBeUndefined();
    expect(after?.at.toISOString()).toBe('2026-10-26T07:00:00.000Z');
  });

  it('moves a window start that falls in the spring-forward gap to the first real moment after it', () => {
    // Prepare: a 02:30 start does not exist in New York on 8 March 2026 (02:00 jumps to 03:00).
    const zone = [rules('America/New_York', 'US', { start: '02:30', days: [1, 2, 3, 4, 5, 6, 7] })];

    // Act
    const moment = nextMomentInWindow(new Date('2026-03-08T06:00:00Z'), zone);

    // Assess: not before 03:00 EDT (07:00Z), and inside the window.
    expect(moment?.at.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-08T07:00:00Z'));
    expect(moment && windowBlockOf(moment.at, zone)).toBeUndefined();
  });

  it('intersects the windows of every zone with their own hours', () => {
    // Prepare: Paris closes at 20:00 in this test, New York at 21:00; 14:00 in New York is 20:00 in Paris.
    const zones = [rules('America/New_York', 'US'), rules('Europe/Paris', 'FR', { end: '20:00' })];

    // Act
    const moment = nextMomentInWindow(new Date('2026-06-16T18:00:00Z'), zones);

    // Assess: next day 08:00 New York (12:00Z) is 14:00 in Paris: both open.
    expect(moment?.at.toISOString()).toBe('2026-06-17T12:00:00.000Z');
  });

  it('finds nothing when the zones never share an open moment', () => {
    // Prepare: one zone only opens on Mondays, the other never on Mondays.
    const zones = [
      rules('Europe/London', undefined, { days: [1] }),
      rules('Europe/Dublin', undefined, { days: [2, 3] }),
    ];

    // Act
    const moment = nextMomentInWindow(new Date('2026-06-16T10:00:00Z'), zones);

    // Assess
    expect(moment).toBeUndefined();
  });
});
