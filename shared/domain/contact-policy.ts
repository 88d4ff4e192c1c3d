import ct from 'countries-and-timezones';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { DateTime, IANAZone } from 'luxon';
import type { CustomerSnapshot } from './billing-event.ts';
import {
  type CapLimit,
  type ContactEvent,
  capReason,
  nextMomentAfterConversation,
  nextMomentWithinCap,
} from './contact-caps.ts';
import { type ContactConsent, consentAllows } from './contact-consent.ts';
import { type ContactPause, nextMomentOutsidePauses } from './contact-pauses.ts';
import {
  type ContactPolicyConfig,
  contactHoursFor,
  defaultContactPolicyConfig,
} from './contact-policy-config.ts';
import {
  nextMomentInWindow,
  publicHolidays,
  type WindowBlock,
  windowBlockOf,
  type ZoneRules,
} from './contact-window.ts';
import type { Customer } from './customer.ts';
import type { Channel } from './strategy.ts';

/**
 * The contact policy, pure: given what we know of the debtor, the case's contact history and
 * pauses, and the policy configuration, when (if ever) a channel may be used. Every decision is
 * explained by reason codes that are stored with the plan and the interaction.
 */

// ---------------------------------------------------------------------------------------------
// Where the debtor is

/** A simple window (whole local hours, every day), kept for callers that need no more. */
export interface ContactWindow {
  /** First allowed local hour (inclusive). */
  readonly startHour: number;
  /** Local hour at which contact stops (exclusive). */
  readonly endHour: number;
}

export const defaultContactWindow: ContactWindow = { startHour: 8, endHour: 21 };

export type TimeZoneSource = 'customer' | 'phone' | 'country' | 'phone-and-country' | 'default';

export interface LocatedZone {
  readonly zone: string;
  /** The country whose hours and holidays apply in this zone, when known. */
  readonly country?: string;
}

export interface ResolvedTimeZones {
  /** Every zone the debtor may be in; a moment is allowed only if it is allowed in all of them. */
  readonly zones: readonly string[];
  readonly located: readonly LocatedZone[];
  readonly source: TimeZoneSource;
}

type LocationFacts = Pick<CustomerSnapshot, 'timeZone' | 'country'> & { readonly phone?: string };

function zonesOfCountry(country: string): LocatedZone[] {
  const zones = ct.getCountry(country)?.timezones ?? [];
  return zones.filter((zone) => IANAZone.isValidZone(zone)).map((zone) => ({ zone, country }));
}

/** The country of an E.164 phone number, from its calling code (and area code where one code serves several countries). */
export function countryOfPhone(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  return parsePhoneNumberFromString(phone)?.country;
}

/**
 * The debtor's time zones: the profile's zone when valid; else every zone of the billing country
 * and of the phone's country (both when they differ: the window is their intersection); else
 * every zone of the countries configured for unknown locations (the most conservative window).
 */
export function resolveTimeZones(
  customer: LocationFacts,
  unknownLocationCountries: readonly string[] = defaultContactPolicyConfig.unknownLocationCountries,
): ResolvedTimeZones {
  const billingCountry = customer.country?.toUpperCase();
  const located = (zones: LocatedZone[], source: TimeZoneSource): ResolvedTimeZones => ({
    zones: [...new Set(zones.map((entry) => entry.zone))],
    located: zones,
    source,
  });
  if (customer.timeZone && IANAZone.isValidZone(customer.timeZone)) {
    return located(
      [{ zone: customer.timeZone, ...(billingCountry ? { country: billingCountry } : {}) }],
      'customer',
    );
  }
  const phoneCountry = countryOfPhone(customer.phone);
  const fromCountry = billingCountry ? zonesOfCountry(billingCountry) : [];
  const fromPhone = phoneCountry ? zonesOfCountry(phoneCountry) : [];
  if (fromCountry.length > 0 && fromPhone.length > 0 && phoneCountry !== billingCountry) {
    return located([...fromCountry, ...fromPhone], 'phone-and-country');
  }
  if (fromPhone.length > 0) return located(fromPhone, 'phone');
  if (fromCountry.length > 0) return located(fromCountry, 'country');
  const fallback = unknownLocationCountries.flatMap(zonesOfCountry);
  return located(fallback.length > 0 ? fallback : [{ zone: 'UTC' }], 'default');
}

// ---------------------------------------------------------------------------------------------
// Simple hour windows (kept for callers and tests that check a plain 08:00-21:00 rule)

function isAllowedIn(at: DateTime, window: ContactWindow): boolean {
  return at.hour >= window.startHour && at.hour < window.endHour;
}

/** Whether `at` is inside the plain hour window in every zone. */
export function isContactAllowed(
  at: Date,
  zones: readonly string[],
  window: ContactWindow = defaultContactWindow,
): boolean {
  return zones.every((zone) => isAllowedIn(DateTime.fromJSDate(at, { zone }), window));
}

// ---------------------------------------------------------------------------------------------
// Channels: adapters, consent, opt-out, addresses

export type ChannelUnavailable =
  | 'not-configured'
  | 'customer-deleted'
  | 'opted-out'
  | 'address-suppressed'
  | 'no-consent'
  | 'no-address'
  | 'disabled-by-cap';

/** Per channel: when the debtor consented and when they opted out (ISO); the later one wins. */
export type ContactPreferences = Partial<
  Record<Channel, { readonly consentAt?: string; readonly optedOutAt?: string }>
>;

function hasOptedOut(preferences: ContactPreferences | undefined, channel: Channel): boolean {
  const entry = preferences?.[channel];
  if (entry?.optedOutAt === undefined) return false;
  return entry.consentAt === undefined || entry.optedOutAt >= entry.consentAt;
}

function hasConsent(preferences: ContactPreferences | undefined, channel: Channel): boolean {
  const entry = preferences?.[channel];
  return entry?.consentAt !== undefined && !hasOptedOut(preferences, channel);
}

/** The address a channel would use (email, or the E.164 phone number). */
export function addressFor(customer: Customer | undefined, channel: Channel): string | undefined {
  const address = channel === 'email' ? customer?.email : customer?.phone;
  return address === undefined || address === '' ? undefined : address;
}

// ---------------------------------------------------------------------------------------------
// The policy

export interface ContactContext {
  readonly config: ContactPolicyConfig;
  readonly customer: Customer | undefined;
  /** Where the debtor may be (see resolveTimeZones). */
  readonly location: ResolvedTimeZones;
  /** Attempts and conversations of this case so far. */
  readonly history: readonly ContactEvent[];
  /** Pauses that cover the whole case (a dispute on one claim of several pauses that claim only). */
  readonly pauses: readonly ContactPause[];
  /** Channels with an adapter wired in this deployment. */
  readonly deliverableChannels: ReadonlySet<Channel>;
  /** Consent records per channel (contact-consent.ts): STOP, complaints, bounces, wrong numbers. */
  readonly consents?: Partial<Record<Channel, ContactConsent>>;
}

/** Why a channel cannot be used at all, whatever the moment; undefined when it can be. */
export function channelUnavailability(
  channel: Channel,
  context: ContactContext,
): ChannelUnavailable | undefined {
  const { customer, config } = context;
  if (!context.deliverableChannels.has(channel)) return 'not-configured';
  // Deleted in billing: stop all contact (DOMAIN.md §1, customer.deleted).
  if (customer?.deletedAt !== undefined) return 'customer-deleted';
  const consent = context.consents?.[channel];
  if (consent?.status === 'opted-out' || hasOptedOut(customer?.contactPreferences, channel))
    return 'opted-out';
  const optedIn = consent?.status === 'opted-in' || hasConsent(customer?.contactPreferences, channel);
  if (config.consentRequired[channel] && !optedIn) return 'no-consent';
  const address = addressFor(customer, channel);
  if (address === undefined) return 'no-address';
  // A bounced address or a wrong number is never used again; a new address may be.
  if (!consentAllows(consent, address)) return 'address-suppressed';
  if (capsOf(channel, config).some((limit) => limit.cap.max === 0)) return 'disabled-by-cap';
  return undefined;
}

function capsOf(channel: Channel, config: ContactPolicyConfig): CapLimit[] {
  return [
    ...(config.caps.byChannel[channel] ?? []).map((cap) => ({ scope: channel, cap })),
    ...config.caps.overall.map((cap) => ({ scope: 'overall' as const, cap })),
  ];
}

/** The window rules of every zone the debtor may be in, for one channel. */
export function zoneRulesFor(
  channel: Channel,
  context: Pick<ContactContext, 'config' | 'location'>,
): ZoneRules[] {
  const { config } = context;
  return context.location.located.map(({ zone, country }) => {
    const extra = new Set([
      ...(config.extraHolidays['*'] ?? []),
      ...(country ? (config.extraHolidays[country] ?? []) : []),
    ]);
    return {
      zone,
      hours: contactHoursFor(config, channel, country),
      isHoliday: (localDate: string) =>
        extra.has(localDate) ||
        (country !== undefined && publicHolidays(country, Number(localDate.slice(0, 4))).has(localDate)),
    };
  });
}

export type ContactDecision =
  | { readonly allowed: true; readonly at: Date; readonly reasons: readonly string[] }
  | { readonly allowed: false; readonly reasons: readonly string[]; readonly retryAt?: Date };

const windowReason: Record<WindowBlock, string> = {
  'quiet-hours': 'deferred:quiet-hours',
  'closed-day': 'deferred:closed-day',
  holiday: 'deferred:holiday',
};

/** How far ahead the policy looks for a moment before giving up on a channel. */
const horizonDays = 400;

/**
 * The earliest moment at or after `earliest` at which `channel` may be used: outside every
 * pause, within every frequency cap and the quiet period after a conversation, and inside the
 * contact window in every zone the debtor may be in. Each constraint can only move the moment
 * later, so applying them in turn until none moves it reaches the earliest moment all allow.
 */
export function nextContactMoment(
  channel: Channel,
  earliest: Date,
  context: ContactContext,
): ContactDecision {
  const unavailable = channelUnavailability(channel, context);
  if (unavailable) return { allowed: false, reasons: [`channel-skipped:${channel}:${unavailable}`] };
  const zones = zoneRulesFor(channel, context);
  const caps = capsOf(channel, context.config);
  const quietDays = context.config.caps.quietDaysAfterConversation[channel] ?? 0;
  const horizon = earliest.getTime() + horizonDays * 24 * 3600 * 1000;
  const reasons: string[] = [];
  let candidate = earliest;
  for (let round = 0; round < 64; round += 1) {
    const start = candidate.getTime();
    const paused = nextMomentOutsidePauses(candidate, context.pauses);
    if ('blockedBy' in paused) {
      return { allowed: false, reasons: [...reasons, `blocked:pause:${paused.blockedBy}`] };
    }
    for (const reason of paused.deferredBy) reasons.push(`deferred:pause:${reason}`);
    candidate = paused.at;
    for (const limit of caps) {
      const next = nextMomentWithinCap(candidate, limit, context.history);
      if (next === undefined)
        return { allowed: false, reasons: [`channel-skipped:${channel}:disabled-by-cap`] };
      if (next > candidate) {
        reasons.push(`deferred:${capReason(limit)}`);
        candidate = next;
      }
    }
    const afterConversation = nextMomentAfterConversation(candidate, channel, quietDays, context.history);
    if (afterConversation > candidate) {
      reasons.push(`deferred:after-conversation:${channel}`);
      candidate = afterConversation;
    }
    const inWindow = nextMomentInWindow(candidate, zones);
    if (inWindow === undefined) {
      return { allowed: false, reasons: [...reasons, `channel-skipped:${channel}:no-common-window`] };
    }
    for (const block of inWindow.blocks) reasons.push(windowReason[block]);
    candidate = inWindow.at;
    if (candidate.getTime() === start)
      return { allowed: true, at: candidate, reasons: [...new Set(reasons)] };
    if (candidate.getTime() > horizon) break;
  }
  return { allowed: false, reasons: [...new Set(reasons), `channel-skipped:${channel}:beyond-horizon`] };
}

/**
 * Every rule a contact on `channel` at `at` would break (empty when it is allowed). The send step
 * checks this again right before acting, on the freshly read case.
 */
export function contactViolations(channel: Channel, at: Date, context: ContactContext): string[] {
  const violations: string[] = [];
  const unavailable = channelUnavailability(channel, context);
  if (unavailable) violations.push(`channel-skipped:${channel}:${unavailable}`);
  const paused = nextMomentOutsidePauses(at, context.pauses);
  if ('blockedBy' in paused) violations.push(`blocked:pause:${paused.blockedBy}`);
  else if (paused.at.getTime() !== at.getTime())
    violations.push(...paused.deferredBy.map((r) => `deferred:pause:${r}`));
  for (const limit of capsOf(channel, context.config)) {
    if (nextMomentWithinCap(at, limit, context.history)?.getTime() !== at.getTime())
      violations.push(`deferred:${capReason(limit)}`);
  }
  const quietDays = context.config.caps.quietDaysAfterConversation[channel] ?? 0;
  if (nextMomentAfterConversation(at, channel, quietDays, context.history).getTime() !== at.getTime())
    violations.push(`deferred:after-conversation:${channel}`);
  const block = windowBlockOf(at, zoneRulesFor(channel, context));
  if (block) violations.push(windowReason[block]);
  return violations;
}

/**
 * The earliest moment at or after `at` allowed by the plain hour window in every zone: kept for
 * callers that need no channel rules. Falls back to the first zone when the zones share no hours.
 */
export function nextAllowedMoment(
  at: Date,
  zones: readonly string[],
  window: ContactWindow = defaultContactWindow,
): Date {
  const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
  const rules: ZoneRules[] = zones.map((zone) => ({
    zone,
    hours: {
      start: pad(window.startHour),
      end: pad(window.endHour),
      days: [1, 2, 3, 4, 5, 6, 7],
      holidays: true,
    },
    isHoliday: () => false,
  }));
  const moment = nextMomentInWindow(at, rules);
  if (moment) return moment.at;
  const [first] = rules;
  return first ? (nextMomentInWindow(at, [first])?.at ?? at) : at;
}
