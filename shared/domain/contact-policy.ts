import ct from 'countries-and-timezones';
import { DateTime, IANAZone } from 'luxon';
import type { CustomerSnapshot } from './billing-event.ts';

/**
 * The first contact policy: contact only between 08:00 and 21:00 at the debtor's location
 * (Regulation F, 12 CFR 1006.6(b)(1), used as a default ceiling everywhere).
 */
export interface ContactWindow {
  /** First allowed local hour (inclusive). */
  readonly startHour: number;
  /** Local hour at which contact stops (exclusive). */
  readonly endHour: number;
}

export const defaultContactWindow: ContactWindow = { startHour: 8, endHour: 21 };

export type TimeZoneSource = 'customer' | 'country' | 'default';

export interface ResolvedTimeZones {
  /** Every zone the debtor may be in; a moment is allowed only if it is allowed in all of them. */
  readonly zones: readonly string[];
  readonly source: TimeZoneSource;
}

/**
 * The debtor's time zone: from customer data when valid, else every zone of their country
 * (the window then is the intersection, the conservative reading), else UTC.
 */
export function resolveTimeZones(
  customer: Pick<CustomerSnapshot, 'timeZone' | 'country'>,
): ResolvedTimeZones {
  if (customer.timeZone && IANAZone.isValidZone(customer.timeZone)) {
    return { zones: [customer.timeZone], source: 'customer' };
  }
  const country = customer.country ? ct.getCountry(customer.country.toUpperCase()) : null;
  const zones = (country?.timezones ?? []).filter((zone) => IANAZone.isValidZone(zone));
  if (zones.length > 0) return { zones, source: 'country' };
  return { zones: ['UTC'], source: 'default' };
}

function isAllowedIn(at: DateTime, window: ContactWindow): boolean {
  return at.hour >= window.startHour && at.hour < window.endHour;
}

/** The start of the next window in one zone, at or after `at`. */
function nextWindowStart(at: DateTime, window: ContactWindow): DateTime {
  const today = at.set({ hour: window.startHour, minute: 0, second: 0, millisecond: 0 });
  return at.hour < window.startHour ? today : today.plus({ days: 1 });
}

/**
 * The earliest moment at or after `at` that falls inside the window in every zone.
 * Moving forward to one zone's window start can leave another's window, so iterate until
 * all agree; zones of one country always share some hours, but if a set of zones never
 * does, the first zone alone decides rather than looping for ever.
 */
export function nextAllowedMoment(
  at: Date,
  zones: readonly string[],
  window: ContactWindow = defaultContactWindow,
): Date {
  let candidate = DateTime.fromJSDate(at, { zone: 'UTC' });
  for (let round = 0; round < 4 * zones.length + 4; round += 1) {
    const blocked = zones.find((zone) => !isAllowedIn(candidate.setZone(zone), window));
    if (blocked === undefined) return candidate.toJSDate();
    candidate = nextWindowStart(candidate.setZone(blocked), window).setZone('UTC');
  }
  const [first = 'UTC'] = zones;
  const local = DateTime.fromJSDate(at, { zone: first });
  return (isAllowedIn(local, window) ? local : nextWindowStart(local, window)).toJSDate();
}

export function isContactAllowed(
  at: Date,
  zones: readonly string[],
  window: ContactWindow = defaultContactWindow,
): boolean {
  return zones.every((zone) => isAllowedIn(DateTime.fromJSDate(at, { zone }), window));
}
