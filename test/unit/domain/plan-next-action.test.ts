import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isContactAllowed, resolveTimeZones } from '../../../shared/domain/contact-policy.ts';
import { type JourneySnapshot, planNextAction } from '../../../shared/domain/plan-next-action.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { customerRecord, failedClaim, openCase } from '../../support/billing-records.ts';

/** A case opened by a failure at 10:14:09 UTC (06:14 in New York), debtor in New York. */
function snapshot(overrides: Partial<JourneySnapshot> = {}): JourneySnapshot {
  return {
    collectionCase: openCase({ openedAt: '2026-11-02T10:14:09.000Z' }),
    customer: customerRecord({ timeZone: 'America/New_York' }),
    claims: [failedClaim()],
    completedStepIds: [],
    ...overrides,
  };
}

describe('planNextAction', () => {
  it('ends the journey of a closed case', () => {
    // Prepare
    const closed = snapshot({
      collectionCase: openCase({
        status: 'closed',
        closedAt: '2026-11-05T10:31:44.000Z',
        closeReason: 'paid',
      }),
    });

    // Act
    const plan = planNextAction(closed, defaultStrategy, new Date('2026-11-05T12:00:00.000Z'));

    // Assess
    expect(plan).toEqual({ action: 'end', reasons: ['case-closed'] });
  });

  it('ends the journey when no claim of the case is still open', () => {
    // Prepare
    const settled = snapshot({
      claims: [failedClaim({ status: 'paid', paidAt: '2026-11-05T10:31:42.000Z' })],
    });

    // Act
    const plan = planNextAction(settled, defaultStrategy, new Date('2026-11-05T12:00:00.000Z'));

    // Assess
    expect(plan).toEqual({ action: 'end', reasons: ['no-open-claims'] });
  });

  it('ends the journey once every step of the strategy was acted on', () => {
    // Prepare
    const done = snapshot({ completedStepIds: defaultStrategy.steps.map((step) => step.id) });

    // Act
    const plan = planNextAction(done, defaultStrategy, new Date('2026-11-12T12:00:00.000Z'));

    // Assess
    expect(plan).toEqual({ action: 'end', reasons: ['strategy-complete'] });
  });

  it('defers the day-0 message of an early-morning failure to 08:00 at the debtor', () => {
    // Act: the failure is processed at 06:14:10 in New York (EST).
    const plan = planNextAction(snapshot(), defaultStrategy, new Date('2026-11-02T10:14:10.000Z'));

    // Assess
    expect(plan).toEqual({
      action: 'send',
      stepId: 'day-0-payment-failed',
      channel: 'email',
      template: 'payment-failed',
      at: '2026-11-02T13:00:00Z',
      reasons: ['step-due', 'time-zone-from-customer', 'deferred-to-contact-window'],
    });
  });

  it('acts now, rounded up to the whole second, when the step is due inside the window', () => {
    // Act: 10:30:00.250 in New York.
    const plan = planNextAction(snapshot(), defaultStrategy, new Date('2026-11-02T15:30:00.250Z'));

    // Assess
    expect(plan).toMatchObject({
      action: 'send',
      stepId: 'day-0-payment-failed',
      at: '2026-11-02T15:30:01Z',
    });
    expect(plan.reasons).toEqual(['step-due', 'time-zone-from-customer']);
  });

  it('plans the next step not yet acted on at its day offset from the opening, moved into the window', () => {
    // Prepare
    const afterFirst = snapshot({ completedStepIds: ['day-0-payment-failed'] });

    // Act
    const plan = planNextAction(afterFirst, defaultStrategy, new Date('2026-11-02T15:30:00.000Z'));

    // Assess: day 3 is 2026-11-05T10:14:09Z, 05:14 in New York, so 08:00 EST.
    expect(plan).toMatchObject({
      action: 'send',
      stepId: 'day-3-reminder',
      template: 'payment-reminder',
      at: '2026-11-05T13:00:00Z',
    });
    expect(plan.reasons).toContain('deferred-to-contact-window');
  });

  it('never plans in the past when a journey resumes after its step was due', () => {
    // Prepare
    const afterFirst = snapshot({ completedStepIds: ['day-0-payment-failed'] });

    // Act: day 3 was due on 5 November; it is now 9 November, 11:00 in New York.
    const plan = planNextAction(afterFirst, defaultStrategy, new Date('2026-11-09T16:00:00.000Z'));

    // Assess
    expect(plan).toMatchObject({ action: 'send', stepId: 'day-3-reminder', at: '2026-11-09T16:00:00Z' });
  });

  it('plans in every zone of the country when the customer has no time zone', () => {
    // Prepare
    const usCustomer = snapshot({ customer: customerRecord({ country: 'US' }) });

    // Act: 15:30Z is 10:30 in New York but 05:30 in Honolulu.
    const plan = planNextAction(usCustomer, defaultStrategy, new Date('2026-11-02T15:30:00.000Z'));

    // Assess
    expect(plan).toMatchObject({ action: 'send', at: '2026-11-02T18:00:00Z' });
    expect(plan.reasons).toEqual(['step-due', 'time-zone-from-country', 'deferred-to-contact-window']);
  });

  it('plans in UTC when nothing locates the debtor', () => {
    // Prepare
    const unknown = snapshot({ customer: undefined });

    // Act
    const plan = planNextAction(unknown, defaultStrategy, new Date('2026-11-02T06:00:00.000Z'));

    // Assess
    expect(plan).toMatchObject({ action: 'send', at: '2026-11-02T10:14:09Z' });
    expect(plan.reasons).toEqual(['step-due', 'time-zone-from-default']);
  });

  it('never plans a send at 21:00 when the clock is in the last second before the window closes', () => {
    // Prepare: 20:59:59.400 in New York (EST); rounding up to the whole second reaches 21:00:00.
    const now = new Date('2026-11-03T01:59:59.400Z');

    // Act
    const plan = planNextAction(snapshot(), defaultStrategy, now);

    // Assess
    if (plan.action !== 'send') throw new Error('expected a send');
    expect(isContactAllowed(new Date(plan.at), ['America/New_York'])).toBe(true);
  });

  it('always plans a whole-second moment, never before now or the due time, allowed in every zone', () => {
    const locations = fc.constantFrom(
      { timeZone: 'America/New_York' },
      { timeZone: 'Europe/Berlin' },
      { timeZone: 'Asia/Kathmandu' },
      { country: 'US' },
      { country: 'AU' },
      {},
    );
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00.000Z'),
          max: new Date('2027-12-31T00:00:00.000Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 12 * 86_400_000 }),
        fc.nat(defaultStrategy.steps.length - 1),
        locations,
        (openedAt, elapsedMillis, completed, location) => {
          // Prepare
          const state = snapshot({
            collectionCase: openCase({ openedAt: openedAt.toISOString() }),
            customer: {
              customerId: 'stripe:cus_TMx8qA3nV5bW2k',
              email: 'jenny.rosen@example.com',
              ...location,
            },
            completedStepIds: defaultStrategy.steps.slice(0, completed).map((step) => step.id),
          });
          const now = new Date(openedAt.getTime() + elapsedMillis);

          // Act
          const plan = planNextAction(state, defaultStrategy, now);

          // Assess
          if (plan.action !== 'send') throw new Error('expected a send');
          const step = defaultStrategy.steps[completed];
          const due = openedAt.getTime() + (step?.dayOffset ?? 0) * 86_400_000;
          const at = new Date(plan.at);
          expect(plan.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
          expect(plan.stepId).toBe(step?.id);
          expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(at.getTime()).toBeGreaterThanOrEqual(due);
          expect(isContactAllowed(at, resolveTimeZones(location).zones)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
