import { z } from 'zod';
import { type Channel, channelSchema } from './strategy.ts';

/**
 * The contact policy as data (workflows/contact-policy.json). Defaults are the ceilings of
 * ../shared/DOMAIN.md §3; an operator tightens them per channel and per country.
 */

const clockTime = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'times are HH:mm, 00:00 to 24:00')
  .describe('local time HH:mm');
const isoWeekday = z.number().int().min(1).max(7).describe('ISO weekday: 1 is Monday, 7 is Sunday');
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'countries are ISO 3166-1 alpha-2 codes in upper case');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');

export const contactHoursSchema = z
  .strictObject({
    /** First allowed local time (inclusive). */
    start: clockTime,
    /** Local time at which contact stops (exclusive). */
    end: clockTime,
    /** Local weekdays on which contact is allowed. */
    days: z.array(isoWeekday).min(1),
    /** Whether contact is allowed on the country's public holidays. */
    holidays: z.boolean(),
  })
  .refine((hours) => hours.start < hours.end, { message: 'start must be before end' });
export type ContactHours = z.infer<typeof contactHoursSchema>;

const hoursOverrideSchema = z.strictObject({
  start: clockTime.optional(),
  end: clockTime.optional(),
  days: z.array(isoWeekday).min(1).optional(),
  holidays: z.boolean().optional(),
});
export type ContactHoursOverride = z.infer<typeof hoursOverrideSchema>;

export const frequencyCapSchema = z
  .strictObject({ max: z.number().int().min(0).max(1000), days: z.number().int().min(1).max(365) })
  .describe('at most `max` contact attempts in any `days` consecutive days, per case');
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;

export const contactPolicyConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Regulation F (12 CFR 1006.6(b)(1)): no contact before 08:00 or after 21:00 at the debtor's location. */
  hours: contactHoursSchema.default({
    start: '08:00',
    end: '21:00',
    days: [1, 2, 3, 4, 5, 6],
    holidays: false,
  }),
  hoursByChannel: z.partialRecord(channelSchema, hoursOverrideSchema).default({}),
  hoursByCountry: z
    .record(
      countryCode,
      hoursOverrideSchema.extend({
        byChannel: z.partialRecord(channelSchema, hoursOverrideSchema).optional(),
      }),
    )
    .default({}),
  /** Dates without contact beyond the public holidays of the debtor's country ("*": every country). */
  extraHolidays: z.record(z.union([countryCode, z.literal('*')]), z.array(localDate)).default({}),
  caps: z
    .strictObject({
      byChannel: z.partialRecord(channelSchema, z.array(frequencyCapSchema)),
      overall: z.array(frequencyCapSchema),
      /**
       * Days without contact on a channel after a conversation on it. Regulation F
       * (12 CFR 1006.14(b)(2)): no call within 7 days after a telephone conversation about the debt.
       */
      quietDaysAfterConversation: z.partialRecord(channelSchema, z.number().int().min(0).max(90)),
    })
    .default({
      byChannel: {
        // Regulation F: more than 7 call attempts in 7 consecutive days is presumed harassment.
        voice: [{ max: 7, days: 7 }],
        sms: [{ max: 3, days: 7 }],
        email: [{ max: 3, days: 7 }],
        whatsapp: [{ max: 3, days: 7 }],
      },
      overall: [
        { max: 2, days: 1 },
        { max: 10, days: 7 },
      ],
      quietDaysAfterConversation: { voice: 7 },
    }),
  /**
   * Channels that need recorded consent before any contact. TCPA: autodialed or prerecorded
   * calls and texts need consent; WhatsApp needs an opt-in. Email is sent on the contract
   * (transactional), with an opt-out honoured.
   */
  consentRequired: z
    .partialRecord(channelSchema, z.boolean())
    .default({ sms: true, voice: true, whatsapp: true, email: false }),
  /**
   * Where a debtor with no time zone, phone or billing country may be: the window is the
   * intersection of every zone of these countries (the most conservative reading).
   */
  unknownLocationCountries: z.array(countryCode).min(1).default(['US']),
  /**
   * How soon a journey paused without an end date (an open dispute) looks again. The wait then
   * doubles with the time the case has been blocked, up to `pauseRecheckMaxDays`: a card dispute
   * takes weeks to months, and every look costs state transitions.
   */
  pauseRecheckDays: z.number().int().min(1).max(90).default(7),
  /** The longest wait between two looks at a case blocked without an end date. */
  pauseRecheckMaxDays: z.number().int().min(1).max(90).default(30),
});
export type ContactPolicyConfig = z.infer<typeof contactPolicyConfigSchema>;
export type ContactPolicyConfigInput = z.input<typeof contactPolicyConfigSchema>;

export function parseContactPolicyConfig(data: unknown): ContactPolicyConfig {
  return contactPolicyConfigSchema.parse(data);
}

export const defaultContactPolicyConfig: ContactPolicyConfig = parseContactPolicyConfig({});

/** The hours that apply to a channel in a country: country and channel override the defaults, the most specific last. */
export function contactHoursFor(
  config: ContactPolicyConfig,
  channel: Channel,
  country: string | undefined,
): ContactHours {
  const byCountry = country ? config.hoursByCountry[country] : undefined;
  const { byChannel: countryByChannel, ...countryHours } = byCountry ?? {};
  return {
    ...config.hours,
    ...defined(config.hoursByChannel[channel] ?? {}),
    ...defined(countryHours),
    ...defined(countryByChannel?.[channel] ?? {}),
  } as ContactHours;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
