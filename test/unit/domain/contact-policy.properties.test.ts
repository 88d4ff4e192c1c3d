import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../shared/domain/claim.ts';
import type { CollectionCase } from '../../../shared/domain/collection-case.ts';
import type { ContactPause } from '../../../shared/domain/contact-pauses.ts';
import { contactViolations, resolveTimeZones } from '../../../shared/domain/contact-policy.ts';
import {
  type ContactPolicyConfig,
  contactHoursFor,
  parseContactPolicyConfig,
} from '../../../shared/domain/contact-policy-config.ts';
import { publicHolidays } from '../../../shared/domain/contact-window.ts';
import type { Customer } from '../../../shared/domain/customer.ts';
import type { StepRecord } from '../../../shared/domain/journey-record.ts';
import {
  actionableClaims,
  contactContextOf,
  type JourneyPlan,
  planNextAction,
} from '../../../shared/domain/plan-next-action.ts';
import { type Channel, parseStrategy, type Strategy } from '../../../shared/domain/strategy.ts';
import { failedClaim, openCase } from '../../support/billing-records.ts';

/**
 * The contact policy's promises, checked over thousands of generated strategies, case histories,
 * debtors and clocks (2026-2028, so every run crosses daylight-saving changes somewhere): whatever
 * the planner schedules is inside the window in every zone the debtor may be in, within every
 * cap, on a channel the debtor has not opted out of (and consented to where required), and
 * outside every pause. The oracles below are written independently of the policy code: local
 * time comes from Intl, caps are counted by hand.
 */

const channels: readonly Channel[] = ['email', 'sms', 'voice', 'whatsapp'];
const hour = 3600 * 1000;
const day = 24 * hour;

const zonesWithQuirks = [
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Pacific/Honolulu',
  'UTC',
];
const countries = ['US', 'DE', 'FR', 'GB', 'AU', 'BR', 'IN', 'CA', 'JP', 'ZZ'];
const phones = [
  '+12125550123',
  '+4915112345678',
  '+33612345678',
  '+61412345678',
  '+819012345678',
  '+5511987654321',
];

const isoBetween = (from: number, to: number) =>
  fc
    .integer({ min: Math.floor(from / 1000), max: Math.floor(to / 1000) })
    .map((s) => new Date(s * 1000).toISOString());

const clockArbitrary = fc
  .integer({ min: Date.parse('2026-01-01T00:00:00Z') / 1000, max: Date.parse('2028-12-31T00:00:00Z') / 1000 })
  .map((seconds) => new Date(seconds * 1000 + 137));

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const hoursArbitrary = fc.record({
  start: fc.integer({ min: 6 * 4, max: 12 * 4 }).map((q) => hhmm(q * 15)),
  end: fc.integer({ min: 15 * 4, max: 23 * 4 }).map((q) => hhmm(q * 15)),
  days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  holidays: fc.boolean(),
});
const capArbitrary = fc.record({
  max: fc.integer({ min: 0, max: 5 }),
  days: fc.integer({ min: 1, max: 10 }),
});

const configArbitrary: fc.Arbitrary<ContactPolicyConfig> = fc
  .record({
    hours: hoursArbitrary,
    hoursByChannel: fc.dictionary(fc.constantFrom(...channels), hoursArbitrary, { maxKeys: 2 }),
    hoursByCountry: fc.dictionary(fc.constantFrom('US', 'DE', 'FR'), hoursArbitrary, { maxKeys: 2 }),
    caps: fc.record({
      byChannel: fc.dictionary(fc.constantFrom(...channels), fc.array(capArbitrary, { maxLength: 2 }), {
        maxKeys: 4,
      }),
      overall: fc.array(
        capArbitrary.filter((cap) => cap.max > 0),
        { maxLength: 2 },
      ),
      quietDaysAfterConversation: fc.dictionary(
        fc.constantFrom(...channels),
        fc.integer({ min: 0, max: 7 }),
        {
          maxKeys: 2,
        },
      ),
    }),
    consentRequired: fc.dictionary(fc.constantFrom(...channels), fc.boolean(), { maxKeys: 4 }),
    unknownLocationCountries: fc.subarray(['US', 'GB', 'DE', 'AU'], { minLength: 1 }),
    extraHolidays: fc.constant({}),
  })
  .map((raw) => parseContactPolicyConfig(raw));

const messageActionArbitrary = fc.record({
  type: fc.constantFrom('send-message', 'request-card-update', 'final-notice'),
  channels: fc.uniqueArray(fc.constantFrom(...channels), { minLength: 1, maxLength: 4 }),
  template: fc.constant('payment-reminder'),
});
const silentActionArbitrary = fc.oneof(
  fc.constant({ type: 'retry-payment' }),
  fc.record({ type: fc.constant('pause'), days: fc.integer({ min: 1, max: 5 }) }),
  fc.constant({ type: 'write-off' }),
  fc.record({ type: fc.constant('hand-to-agent'), queue: fc.constant('q'), reason: fc.constant('r') }),
);
const strategyArbitrary: fc.Arbitrary<Strategy> = fc
  .array(
    fc.record({
      timing: fc.record({
        from: fc.constantFrom('first-failure', 'previous-step', 'due-date'),
        days: fc.integer({ min: 0, max: 20 }),
        hours: fc.integer({ min: 0, max: 23 }),
      }),
      action: fc.oneof(
        { weight: 3, arbitrary: messageActionArbitrary },
        { weight: 1, arbitrary: silentActionArbitrary },
      ),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((steps) =>
    parseStrategy({
      id: 'generated',
      version: 1,
      name: 'generated',
      steps: steps.map((step, index) => ({ id: `step-${index}`, ...step })),
    }),
  );

interface Scenario {
  readonly now: Date;
  readonly config: ContactPolicyConfig;
  readonly deliverable: ReadonlySet<Channel>;
  readonly customer: Customer;
  readonly collectionCase: CollectionCase;
  readonly claims: readonly Claim[];
  readonly records: readonly StepRecord[];
  readonly strategy: Strategy;
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = clockArbitrary.chain((now) => {
  const past = (maxDays: number) => isoBetween(now.getTime() - maxDays * day, now.getTime());
  const around = isoBetween(now.getTime() - 10 * day, now.getTime() + 20 * day);
  const preferences = fc.dictionary(
    fc.constantFrom(...channels),
    fc.record({ consentAt: past(60), optedOutAt: past(60) }, { requiredKeys: [] }),
    { maxKeys: 4 },
  );
  const pause: fc.Arbitrary<ContactPause> = fc
    .record({
      reason: fc.constantFrom('dispute', 'promise-to-pay', 'payment-plan', 'hardship', 'strategy', 'agent'),
      from: around,
      length: fc.option(fc.integer({ min: 1, max: 15 * 24 }), { nil: undefined }),
    })
    .map(({ reason, from, length }) => ({
      reason,
      from,
      ...(length === undefined ? {} : { until: new Date(Date.parse(from) + length * hour).toISOString() }),
    }));
  const record = fc.record({
    channel: fc.constantFrom(...channels),
    status: fc.constantFrom('sent', 'uncertain', 'undeliverable', 'failed', 'sending'),
    at: past(12),
    conversation: fc.boolean(),
  });

  return fc
    .record({
      now: fc.constant(now),
      config: configArbitrary,
      deliverable: fc.subarray([...channels]).map((list) => new Set<Channel>(list)),
      customer: fc.record(
        {
          timeZone: fc.option(fc.constantFrom(...zonesWithQuirks, 'Mars/Olympus'), { nil: undefined }),
          country: fc.option(fc.constantFrom(...countries), { nil: undefined }),
          phone: fc.option(fc.constantFrom(...phones), { nil: undefined }),
          email: fc.option(fc.constant('debtor@example.com'), { nil: undefined }),
          contactPreferences: preferences,
        },
        { requiredKeys: [] },
      ),
      openedDaysAgo: fc.integer({ min: 0, max: 30 }),
      pauses: fc.array(pause, { maxLength: 3 }),
      disputed: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
      history: fc.array(record, { maxLength: 8 }),
      strategy: strategyArbitrary,
      holdout: fc.boolean(),
    })
    .map((raw) => {
      const openedAt = new Date(now.getTime() - raw.openedDaysAgo * day).toISOString();
      const claims = raw.disputed.map((disputed, index) =>
        failedClaim({
          invoiceId: `in_${index}`,
          firstFailedAt: openedAt,
          ...(index === 0 ? { dueAt: openedAt } : {}),
          ...(disputed ? { disputeStatus: 'open' as const } : {}),
        }),
      );
      const customer = { customerId: 'stripe:cus_generated', ...raw.customer } as Customer;
      const records: StepRecord[] = raw.history.map((entry, index) => ({
        caseId: 'case_generated',
        stepId: `history-${index}`,
        action: 'send-message',
        channel: entry.channel,
        status: entry.status,
        startedAt: entry.at,
        ...(entry.status === 'sent' ? { sentAt: entry.at } : {}),
        ...(entry.conversation ? { conversationAt: entry.at } : {}),
        reasons: [],
      }));
      return {
        now,
        config: raw.config,
        deliverable: raw.deliverable,
        customer,
        collectionCase: openCase({
          caseId: 'case_generated',
          openedAt,
          claimIds: claims.map((claim) => claim.claimId),
          pauses: raw.pauses,
          assignment: { ruleId: 'generated', holdout: raw.holdout },
        }),
        claims,
        records,
        strategy: raw.strategy,
      };
    });
});

/** Local wall-clock parts from Intl: an oracle independent of luxon. */
const formats = new Map<string, Intl.DateTimeFormat>();
function localParts(at: Date, zone: string) {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(String(parts.weekday)) + 1;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday,
    second: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

function toSeconds(clock: string): number {
  const [h = 0, m = 0] = clock.split(':').map(Number);
  return h * 3600 + m * 60;
}

function isOptedOut(customer: Customer, channel: Channel): boolean {
  const entry = customer.contactPreferences?.[channel];
  return (
    entry?.optedOutAt !== undefined && (entry.consentAt === undefined || entry.optedOutAt >= entry.consentAt)
  );
}

function pauseCovers(pauses: readonly ContactPause[], at: Date): boolean {
  return pauses.some(
    (pause) =>
      Date.parse(pause.from) <= at.getTime() &&
      (pause.until === undefined || at.getTime() < Date.parse(pause.until)),
  );
}

function attemptsIn(
  records: readonly StepRecord[],
  channel: Channel | 'overall',
  from: number,
  to: number,
): number {
  return records.filter((record) => {
    if (!['sent', 'uncertain', 'sending'].includes(record.status)) return false;
    if (channel !== 'overall' && record.channel !== channel) return false;
    const at = Date.parse(record.sentAt ?? record.startedAt);
    return at > from && at <= to;
  }).length;
}

function planOf(scenario: Scenario): JourneyPlan {
  return planNextAction(
    {
      collectionCase: scenario.collectionCase,
      customer: scenario.customer,
      claims: scenario.claims,
      records: scenario.records,
    },
    scenario.strategy,
    scenario.now,
    { policy: scenario.config, deliverableChannels: scenario.deliverable },
  );
}

describe('the contact policy, over generated strategies, histories and clocks', () => {
  it('never schedules a contact outside the window, above a cap, on an opted-out channel or during a pause', () => {
    let contacts = 0;
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const plan = planOf(scenario);
        if (plan.action === 'end') return;
        const at = new Date(plan.at);
        expect(at.getTime()).toBeGreaterThanOrEqual(scenario.now.getTime());
        expect(at.getMilliseconds()).toBe(0);
        // Nothing acts during a pause, and a disputed claim is never acted on.
        if (plan.action !== 'wait') expect(pauseCovers(scenario.collectionCase.pauses ?? [], at)).toBe(false);
        expect(
          actionableClaims(scenario.collectionCase, scenario.claims, scenario.now).length > 0 ||
            plan.action === 'wait',
        ).toBe(true);
        if (!('channel' in plan) || plan.channel === undefined) return;
        contacts += 1;
        const channel = plan.channel;
        const { customer, config } = scenario;

        // Holdout debtors receive no contact.
        expect(scenario.collectionCase.assignment?.holdout).toBe(false);
        // Channel: deliverable, not opted out, consented where required, with an address.
        expect(scenario.deliverable.has(channel)).toBe(true);
        expect(isOptedOut(customer, channel)).toBe(false);
        if (config.consentRequired[channel])
          expect(customer.contactPreferences?.[channel]?.consentAt).toBeDefined();
        expect(channel === 'email' ? customer.email : customer.phone).toBeDefined();

        // Window: inside the hours of the channel and country in every zone the debtor may be in.
        for (const { zone, country } of resolveTimeZones(customer, config.unknownLocationCountries).located) {
          const hours = contactHoursFor(config, channel, country);
          const local = localParts(at, zone);
          expect(hours.days).toContain(local.weekday);
          expect(local.second).toBeGreaterThanOrEqual(toSeconds(hours.start));
          expect(local.second).toBeLessThan(toSeconds(hours.end));
          if (!hours.holidays && country) {
            expect(publicHolidays(country, Number(local.date.slice(0, 4))).has(local.date)).toBe(false);
          }
        }
        // Caps: one more attempt keeps every cap in the window ending at the moment.
        for (const cap of config.caps.byChannel[channel] ?? []) {
          expect(
            attemptsIn(scenario.records, channel, at.getTime() - cap.days * day, at.getTime()),
          ).toBeLessThan(cap.max);
        }
        for (const cap of config.caps.overall) {
          expect(
            attemptsIn(scenario.records, 'overall', at.getTime() - cap.days * day, at.getTime()),
          ).toBeLessThan(cap.max);
        }
        const quietDays = config.caps.quietDaysAfterConversation[channel] ?? 0;
        for (const record of scenario.records) {
          if (record.channel === channel && record.conversationAt && quietDays > 0) {
            expect(at.getTime() >= Date.parse(record.conversationAt) + quietDays * day).toBe(true);
          }
        }
        // The act step's re-check agrees with the planner at the planned moment.
        const context = contactContextOf(
          scenario,
          { policy: config, deliverableChannels: scenario.deliverable },
          scenario.now,
        );
        expect(contactViolations(channel, at, context)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
    // The generators reach the interesting part: a good share of plans are contacts.
    expect(contacts).toBeGreaterThan(150);
  });

  it('plans a contact whenever a step has a usable channel and nothing pauses the case', () => {
    fc.assert(
      fc.property(clockArbitrary, fc.constantFrom(...zonesWithQuirks), (now, timeZone) => {
        // Prepare: an email-only debtor, the default policy, a one-step strategy.
        const strategy = parseStrategy({
          id: 'one',
          version: 1,
          name: 'one',
          steps: [
            {
              id: 'only',
              timing: { from: 'first-failure' },
              action: { type: 'send-message', channels: ['email'], template: 'payment-failed' },
            },
          ],
        });
        const plan = planNextAction(
          {
            collectionCase: openCase({ openedAt: now.toISOString() }),
            customer: { customerId: 'stripe:cus_1', email: 'a@example.com', timeZone },
            claims: [failedClaim()],
            records: [],
          },
          strategy,
          now,
        );

        // Assess: never more than three days away (Sunday and a holiday at most).
        expect(plan).toMatchObject({ action: 'send-message', channel: 'email' });
        expect(Date.parse((plan as { at: string }).at) - now.getTime()).toBeLessThan(4 * day);
      }),
      { numRuns: 500 },
    );
  });
});
