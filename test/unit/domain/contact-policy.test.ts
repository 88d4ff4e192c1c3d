import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContactWindow,
  defaultContactWindow,
  isContactAllowed,
  nextAllowedMoment,
  resolveTimeZones,
} from '../../../shared/domain/contact-policy.ts';

/**
 * An oracle independent of luxon: the local hour from the platform's Intl time-zone data.
 */
const hourFormats = new Map<string, Intl.DateTimeFormat>();
function localHour(at: Date, zone: string): number {
  let format = hourFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' });
    hourFormats.set(zone, format);
  }
  const hour = format.formatToParts(at).find((part) => part.type === 'hour');
  if (hour === undefined) throw new Error(`no hour for ${zone}`);
  return Number(hour.value);
}

function allowedEverywhere(at: Date, zones: readonly string[], window: ContactWindow): boolean {
  return zones.every((zone) => {
    const hour = localHour(at, zone);
    return hour >= window.startHour && hour < window.endHour;
  });
}

const quarterHour = 15 * 60 * 1000;

/**
 * Every zone offset in use is a multiple of 15 minutes, so whether a moment is allowed can only
 * change on a UTC quarter hour: checking `from` and each quarter hour up to `until` covers every
 * minute in between.
 */
function someAllowedMomentBetween(
  from: Date,
  until: Date,
  zones: readonly string[],
  window: ContactWindow,
): Date | undefined {
  if (from < until && allowedEverywhere(from, zones, window)) return from;
  for (let t = Math.ceil(from.getTime() / quarterHour) * quarterHour; t < until.getTime(); t += quarterHour) {
    if (t > from.getTime() && allowedEverywhere(new Date(t), zones, window)) return new Date(t);
  }
  return undefined;
}

const newYork = ['America/New_York'];
const berlin = ['Europe/Berlin'];

describe('resolveTimeZones', () => {
  it('uses the customer time zone when it is a valid IANA zone', () => {
    // Act
    const resolved = resolveTimeZones({ timeZone: 'America/Chicago', country: 'DE' });

    // Assess
    expect(resolved).toMatchObject({ zones: ['America/Chicago'], source: 'customer' });
    expect(resolved.located).toEqual([{ zone: 'America/Chicago', country: 'DE' }]);
  });

  it('falls back to every zone of the country when the customer time zone is invalid', () => {
    // Act
    const resolved = resolveTimeZones({ timeZone: 'America/Brooklyn', country: 'de' });

    // Assess
    expect(resolved).toMatchObject({ zones: ['Europe/Berlin', 'Europe/Zurich'], source: 'country' });
  });

  it('uses all the zones of a country that spans many, from Hawaii to New York for the US', () => {
    // Act
    const resolved = resolveTimeZones({ country: 'US' });

    // Assess
    expect(resolved.source).toBe('country');
    expect(resolved.zones).toEqual(
      expect.arrayContaining([
        'America/New_York',
        'America/Chicago',
        'America/Los_Angeles',
        'Pacific/Honolulu',
      ]),
    );
  });

  it('falls back to every zone of the configured countries for an unknown country or no location at all', () => {
    // Act
    const unknownCountry = resolveTimeZones({ country: 'ZZ' }, ['GB']);
    const nothing = resolveTimeZones({}, ['GB', 'IE']);
    const byDefault = resolveTimeZones({});

    // Assess
    expect(unknownCountry).toMatchObject({ zones: ['Europe/London'], source: 'default' });
    expect(nothing).toMatchObject({ zones: ['Europe/London', 'Europe/Dublin'], source: 'default' });
    expect(byDefault.zones).toEqual(expect.arrayContaining(['America/New_York', 'Pacific/Honolulu']));
  });

  it('locates the debtor by the calling code of the phone number when nothing else is known', () => {
    // Act
    const resolved = resolveTimeZones({ phone: '+33612345678' });

    // Assess
    expect(resolved).toMatchObject({ zones: ['Europe/Paris'], source: 'phone' });
  });

  it('takes the zones of both countries when the phone and the billing address disagree', () => {
    // Act
    const resolved = resolveTimeZones({ phone: '+4915112345678', country: 'FR' });

    // Assess
    expect(resolved.source).toBe('phone-and-country');
    expect(resolved.located).toEqual(
      expect.arrayContaining([
        { zone: 'Europe/Paris', country: 'FR' },
        { zone: 'Europe/Berlin', country: 'DE' },
      ]),
    );
  });
});

describe('isContactAllowed', () => {
  it.each([
    ['07:59 local', '2026-06-15T11:59:00.000Z', false],
    ['08:00 local', '2026-06-15T12:00:00.000Z', true],
    ['20:59 local', '2026-06-16T00:59:00.000Z', true],
    ['20:59:59.999 local', '2026-06-16T00:59:59.999Z', true],
    ['21:00 local', '2026-06-16T01:00:00.000Z', false],
  ])('allows contact in New York (EDT) at %s: %s → %s', (_label, at, allowed) => {
    // Act
    const result = isContactAllowed(new Date(at), newYork);

    // Assess
    expect(result).toBe(allowed);
  });

  it('requires the moment to be inside the window in every zone', () => {
    // Prepare: 12:00Z is 08:00 in New York (EDT) but 02:00 in Honolulu.
    const at = new Date('2026-06-15T12:00:00.000Z');

    // Act
    const newYorkOnly = isContactAllowed(at, newYork);
    const withHonolulu = isContactAllowed(at, ['America/New_York', 'Pacific/Honolulu']);

    // Assess
    expect(newYorkOnly).toBe(true);
    expect(withHonolulu).toBe(false);
  });
});

describe('nextAllowedMoment', () => {
  it.each([
    ['keeps a moment inside the window', '2026-06-15T16:30:15.250Z', '2026-06-15T16:30:15.250Z'],
    ['moves 07:59 to 08:00 the same day', '2026-06-15T11:59:00.000Z', '2026-06-15T12:00:00.000Z'],
    ['keeps 08:00 exactly', '2026-06-15T12:00:00.000Z', '2026-06-15T12:00:00.000Z'],
    ['keeps 20:59', '2026-06-16T00:59:00.000Z', '2026-06-16T00:59:00.000Z'],
    ['moves 21:00 to 08:00 the next day', '2026-06-16T01:00:00.000Z', '2026-06-16T12:00:00.000Z'],
  ])('in New York %s', (_label, at, expected) => {
    // Act
    const next = nextAllowedMoment(new Date(at), newYork);

    // Assess
    expect(next.toISOString()).toBe(expected);
  });

  it.each([
    // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT.
    [
      'New York, night before spring-forward',
      newYork,
      '2026-03-08T02:30:00.000Z',
      '2026-03-08T12:00:00.000Z',
    ],
    ['New York, inside the skipped hour', newYork, '2026-03-08T07:30:00.000Z', '2026-03-08T12:00:00.000Z'],
    // 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST.
    ['New York, night before fall-back', newYork, '2026-11-01T01:30:00.000Z', '2026-11-01T13:00:00.000Z'],
    ['New York, inside the repeated hour', newYork, '2026-11-01T06:30:00.000Z', '2026-11-01T13:00:00.000Z'],
    ['New York, 21:00 EST on fall-back day', newYork, '2026-11-02T02:00:00.000Z', '2026-11-02T13:00:00.000Z'],
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    ['Berlin, night before spring-forward', berlin, '2026-03-28T20:30:00.000Z', '2026-03-29T06:00:00.000Z'],
    // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET.
    ['Berlin, night before fall-back', berlin, '2026-10-24T19:30:00.000Z', '2026-10-25T07:00:00.000Z'],
    ['Berlin, 20:59 CET on fall-back day', berlin, '2026-10-25T19:59:00.000Z', '2026-10-25T19:59:00.000Z'],
    ['Berlin, 21:00 CET on fall-back day', berlin, '2026-10-25T20:00:00.000Z', '2026-10-26T07:00:00.000Z'],
  ])('moves to the local 08:00 across a DST change: %s', (_label, zones, at, expected) => {
    // Act
    const next = nextAllowedMoment(new Date(at), zones);

    // Assess
    expect(next.toISOString()).toBe(expected);
    expect(isContactAllowed(next, zones)).toBe(true);
  });

  it('uses the intersection of the windows of every US zone: 08:00 in Honolulu, before 21:00 in New York', () => {
    // Prepare
    const { zones } = resolveTimeZones({ country: 'US' });

    // Act
    const morning = nextAllowedMoment(new Date('2026-06-15T12:00:00.000Z'), zones);
    const evening = nextAllowedMoment(new Date('2026-06-16T01:00:00.000Z'), zones);
    const winterMorning = nextAllowedMoment(new Date('2026-01-15T13:00:00.000Z'), zones);

    // Assess: 08:00 HST is 18:00Z all year; 21:00 in New York closes the window.
    expect(morning.toISOString()).toBe('2026-06-15T18:00:00.000Z');
    expect(evening.toISOString()).toBe('2026-06-16T18:00:00.000Z');
    expect(winterMorning.toISOString()).toBe('2026-01-15T18:00:00.000Z');
  });

  it('uses the zones of the country when the customer time zone is invalid', () => {
    // Prepare: 05:30Z is 07:30 in Berlin and Zurich (CEST).
    const { zones, source } = resolveTimeZones({ timeZone: 'Europe/Atlantis', country: 'DE' });

    // Act
    const next = nextAllowedMoment(new Date('2026-06-15T05:30:00.000Z'), zones);

    // Assess
    expect(source).toBe('country');
    expect(next.toISOString()).toBe('2026-06-15T06:00:00.000Z');
  });

  it('uses the fallback countries for an unknown country', () => {
    // Prepare: 07:30Z is 08:30 in London (BST) but only 07:30 in Reykjavik.
    const { zones } = resolveTimeZones({ country: 'ZZ' }, ['GB', 'IS']);

    // Act
    const next = nextAllowedMoment(new Date('2026-06-15T07:30:00.000Z'), zones);

    // Assess
    expect(next.toISOString()).toBe('2026-06-15T08:00:00.000Z');
  });

  it('lets the first zone decide when the zones share no contact hour, instead of looping', () => {
    // Prepare: in January UTC, Singapore (UTC+8) and Los Angeles (UTC-8) are 8 hours apart each:
    // no hour of the day is between 08:00 and 21:00 in all three.
    const zones = ['UTC', 'Asia/Singapore', 'America/Los_Angeles'];

    // Act
    const next = nextAllowedMoment(new Date('2026-01-15T06:00:00.000Z'), zones);

    // Assess
    expect(next.toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(isContactAllowed(next, ['UTC'])).toBe(true);
  });

  const zoneSets = [
    ['America/New_York'],
    ['Europe/Berlin'],
    ['Asia/Kathmandu'],
    ['Pacific/Chatham'],
    ['Australia/Lord_Howe'],
    ['Pacific/Kiritimati'],
    ['Pacific/Honolulu'],
    ['America/Santiago'],
    ['America/St_Johns'],
    ['UTC'],
    ...['US', 'DE', 'RU', 'CA', 'BR', 'AU', 'MX', 'ID', 'KI', 'CL'].map(
      (country) => resolveTimeZones({ country }).zones,
    ),
  ];
  const instants = fc.date({
    min: new Date('2026-01-01T00:00:00.000Z'),
    max: new Date('2028-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  });

  it('returns the earliest moment at or after the input that is allowed in every zone', () => {
    fc.assert(
      fc.property(instants, fc.constantFrom(...zoneSets), (at, zones) => {
        // Act
        const next = nextAllowedMoment(at, zones);

        // Assess
        expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(allowedEverywhere(next, zones, defaultContactWindow)).toBe(true);
        expect(isContactAllowed(next, zones)).toBe(true);
        expect(someAllowedMomentBetween(at, next, zones, defaultContactWindow)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('returns the earliest allowed moment for any operator window in one zone', () => {
    // Operators tighten the window within daytime hours, away from any DST change (00:00-03:00).
    const windows = fc
      .tuple(fc.integer({ min: 6, max: 11 }), fc.integer({ min: 12, max: 22 }))
      .map(([startHour, endHour]): ContactWindow => ({ startHour, endHour }));
    fc.assert(
      fc.property(
        instants,
        fc.constantFrom(...zoneSets.filter((zones) => zones.length === 1)),
        windows,
        (at, zones, window) => {
          // Act
          const next = nextAllowedMoment(at, zones, window);

          // Assess
          expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
          expect(allowedEverywhere(next, zones, window)).toBe(true);
          expect(someAllowedMomentBetween(at, next, zones, window)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});
