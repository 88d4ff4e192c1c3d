import { z } from 'zod';

/**
 * What the portal lets a debtor do, as data (DOMAIN.md §3: pause contact during a promise, a plan
 * in good standing, a dispute or declared hardship). Strategies will carry their own; until then
 * every case gets `defaultPortalPolicy`.
 */
export const portalPolicySchema = z.strictObject({
  /** How long a link in a message stays valid. */
  linkTtlDays: z.number().int().min(1).max(90),
  /** How long a session lasts once a link was opened (capped by the link's own expiry). */
  sessionMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60),
  promiseToPay: z.strictObject({
    /** The latest date a debtor may promise, in days from today (in their time zone). */
    maxDaysAhead: z.number().int().min(1).max(60),
    /** Days after the promised date before the promise counts as broken and contact resumes. */
    graceDays: z.number().int().min(0).max(14),
  }),
  paymentPlan: z.strictObject({
    minInstalments: z.number().int().min(2),
    maxInstalments: z.number().int().min(2).max(24),
    /** Days between instalments. */
    intervalDays: z.number().int().min(7).max(31),
    /** Smallest instalment, per currency in minor units; `default` for the others (in minor units too). */
    minInstalmentMinor: z.record(z.string(), z.number().int().min(1)),
    /** Reminder this many days before each instalment after the first. */
    reminderDaysBefore: z.number().int().min(1).max(7),
    /** Attempts per instalment before it counts as missed. */
    maxChargeAttempts: z.number().int().min(1).max(4),
    /** Hours between two attempts at one instalment. */
    retryAfterHours: z.number().int().min(1).max(168),
  }),
  /** How long a claim's contact stays on hold after the debtor flags it, per kind of flag. */
  holdDays: z.strictObject({
    dispute: z.number().int().min(1).max(90),
    'already-paid': z.number().int().min(1).max(90),
    hardship: z.number().int().min(1).max(90),
    'contact-me': z.number().int().min(1).max(90),
  }),
  /** Per link and per client address, per hour. */
  rateLimits: z.strictObject({
    requestsPerLinkPerHour: z.number().int().min(10),
    requestsPerAddressPerHour: z.number().int().min(10),
    freshLinksPerCasePerDay: z.number().int().min(1).max(10),
    cardRetriesPerCasePerDay: z.number().int().min(1).max(10),
  }),
});
export type PortalPolicy = z.infer<typeof portalPolicySchema>;

export const defaultPortalPolicy: PortalPolicy = portalPolicySchema.parse({
  linkTtlDays: 14,
  sessionMinutes: 60,
  promiseToPay: { maxDaysAhead: 14, graceDays: 2 },
  paymentPlan: {
    minInstalments: 2,
    maxInstalments: 6,
    intervalDays: 14,
    minInstalmentMinor: { default: 1000, JPY: 1000, KRW: 10000 },
    reminderDaysBefore: 2,
    maxChargeAttempts: 2,
    retryAfterHours: 24,
  },
  // Breathing space: long enough for an agent to look at the case before anyone writes again.
  holdDays: { dispute: 30, 'already-paid': 14, hardship: 30, 'contact-me': 3 },
  rateLimits: {
    requestsPerLinkPerHour: 120,
    requestsPerAddressPerHour: 300,
    freshLinksPerCasePerDay: 3,
    cardRetriesPerCasePerDay: 3,
  },
});

export function minInstalmentFor(policy: PortalPolicy, currency: string): number {
  const table = policy.paymentPlan.minInstalmentMinor;
  return table[currency.toUpperCase()] ?? table.default ?? 1;
}
