import { describe, expect, it } from 'vitest';
import { parseContactPolicyConfig } from '../../../shared/domain/contact-policy-config.ts';
import type { StepRecord } from '../../../shared/domain/journey-record.ts';
import {
  defaultPlanOptions,
  type JourneySnapshot,
  type PlanOptions,
  planNextAction,
  recheckAfterBlock,
} from '../../../shared/domain/plan-next-action.ts';
import { parseStrategy, type StrategyInput, type TemplateId } from '../../../shared/domain/strategy.ts';
import { contactPolicy } from '../../../workflows/policies.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { customerRecord, declined, failedClaim, openCase } from '../../support/billing-records.ts';

/** A case opened by a failure at 10:14:09 UTC on Monday 2 Nov 2026 (05:14 in New York), debtor in New York. */
function snapshot(overrides: Partial<JourneySnapshot> = {}): JourneySnapshot {
  return {
    collectionCase: openCase({ openedAt: '2026-11-02T10:14:09.000Z' }),
    customer: customerRecord({ timeZone: 'America/New_York' }),
    claims: [failedClaim()],
    records: [],
    ...overrides,
  };
}

function sent(stepId: string, at: string, fields: Partial<StepRecord> = {}): StepRecord {
  return {
    caseId: 'case_4f1d2c3b4a5968778695a4b3',
    stepId,
    action: 'send-message',
    channel: 'email',
    template: 'payment-failed',
    status: 'sent',
    startedAt: at,
    sentAt: at,
    reasons: [],
    ...fields,
  };
}

function strategyOf(steps: StrategyInput['steps']) {
  return parseStrategy({ id: 'test', version: 1, name: 'test', steps });
}

const email = (template: TemplateId = 'payment-failed') => ({
  type: 'send-message' as const,
  channels: ['email' as const],
  template,
});
const withPolicy = (
  policy: PlanOptions['policy'],
  channels: PlanOptions['deliverableChannels'] = new Set(['email']),
): PlanOptions => ({
  policy,
  deliverableChannels: channels,
});

describe('planNextAction', () => {
  describe('ending', () => {
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
      const done = snapshot({
        records: defaultStrategy.steps.map((step) => sent(step.id, '2026-11-02T13:00:00.000Z')),
      });

      // Act
      const plan = planNextAction(done, defaultStrategy, new Date('2026-11-12T12:00:00.000Z'));

      // Assess
      expect(plan).toEqual({ action: 'end', reasons: ['time-zone-from-customer', 'strategy-complete'] });
    });
  });

  describe('timing', () => {
    it('defers the day-0 message of an early-morning failure to 08:00 at the debtor, and says why', () => {
      // Act: the failure is processed at 05:14:10 in New York (EST).
      const plan = planNextAction(snapshot(), defaultStrategy, new Date('2026-11-02T10:14:10.000Z'));

      // Assess
      expect(plan).toEqual({
        action: 'send-message',
        stepId: 'day-0-payment-failed',
        channel: 'email',
        template: 'payment-failed',
        at: '2026-11-02T13:00:00Z',
        reasons: ['time-zone-from-customer', 'step-due', 'deferred:quiet-hours'],
      });
    });

    it('acts now, rounded up to the whole second, when the step is due inside the window', () => {
      // Act: 10:30:00.250 in New York.
      const plan = planNextAction(snapshot(), defaultStrategy, new Date('2026-11-02T15:30:00.250Z'));

      // Assess
      expect(plan).toMatchObject({ action: 'send-message', at: '2026-11-02T15:30:01Z' });
    });

    it('never plans a send at 21:00 when the clock is in the last second before the window closes', () => {
      // Act: 20:59:59.500 in New York.
      const plan = planNextAction(snapshot(), defaultStrategy, new Date('2026-11-03T01:59:59.500Z'));

      // Assess: the next morning at 08:00.
      expect(plan).toMatchObject({ at: '2026-11-03T13:00:00Z' });
    });

    it('never plans in the past when a journey resumes after its step was due', () => {
      // Prepare
      const now = new Date('2026-11-06T15:00:00.000Z');

      // Act
      const plan = planNextAction(
        snapshot({ records: [sent('day-0-payment-failed', '2026-11-02T13:00:00.000Z')] }),
        defaultStrategy,
        now,
      );

      // Assess: day 3 was due on 5 Nov; now is inside the window.
      expect(plan).toMatchObject({ stepId: 'day-3-reminder', at: '2026-11-06T15:00:00Z' });
    });

    it('counts days in the debtor zone, keeping the local hour across a daylight-saving change', () => {
      // Prepare: opened 10:00 EDT on Friday 30 Oct 2026; New York falls back on 1 Nov.
      const strategy = strategyOf([
        { id: 'later', timing: { from: 'first-failure', days: 3 }, action: email() },
      ]);
      const opened = snapshot({ collectionCase: openCase({ openedAt: '2026-10-30T14:00:00.000Z' }) });

      // Act
      const plan = planNextAction(opened, strategy, new Date('2026-10-30T14:00:00.000Z'));

      // Assess: Monday 2 Nov 10:00 EST is 15:00Z (not 14:00Z, which would be 09:00 local).
      expect(plan).toMatchObject({ at: '2026-11-02T15:00:00Z' });
    });

    it('counts from the previous executed step, and from the due date when the claim has one', () => {
      // Prepare
      const strategy = strategyOf([
        { id: 'first', timing: { from: 'first-failure' }, action: email() },
        {
          id: 'after',
          timing: { from: 'previous-step', days: 1, hours: 2 },
          action: email('payment-reminder'),
        },
        { id: 'due', timing: { from: 'due-date', days: 10 }, action: email('final-notice') },
      ]);
      const afterFirst = snapshot({ records: [sent('first', '2026-11-02T16:00:00.000Z')] });
      const afterSecond = snapshot({
        claims: [failedClaim({ dueAt: '2026-10-30T15:00:00.000Z' })],
        records: [sent('first', '2026-11-02T16:00:00.000Z'), sent('after', '2026-11-03T18:00:00.000Z')],
      });
      const noDueDate = snapshot({ records: afterSecond.records });

      // Act
      const second = planNextAction(afterFirst, strategy, new Date('2026-11-02T16:00:01.000Z'));
      const third = planNextAction(afterSecond, strategy, new Date('2026-11-03T18:00:01.000Z'));
      const fallback = planNextAction(noDueDate, strategy, new Date('2026-11-03T18:00:01.000Z'));

      // Assess
      expect(second).toMatchObject({ stepId: 'after', at: '2026-11-03T18:00:00Z' });
      // 11:00 EDT on 30 Oct plus ten days is 11:00 EST on 9 Nov.
      expect(third).toMatchObject({ stepId: 'due', at: '2026-11-09T16:00:00Z' });
      expect(fallback).toMatchObject({ stepId: 'due', at: '2026-11-12T13:00:00Z' });
      expect(fallback.reasons).toContain('timing:due-date-unknown-used-first-failure');
    });

    it('plays the steps a resumed run had left on their own spacing, the first at the resume', () => {
      // Prepare: opened Monday 2 Nov; nobody could be reached until the run resumed on Monday 16 Nov, 10:00 in New York.
      const resumedAt = '2026-11-16T15:00:00.000Z';
      const resumedCase = openCase({
        openedAt: '2026-11-02T10:14:09.000Z',
        journeyRun: 2,
        journeyResumedAt: resumedAt,
      });
      const uncontacted = snapshot({ collectionCase: resumedCase });
      const firstSentOnResume = snapshot({
        collectionCase: resumedCase,
        records: [sent('day-0-payment-failed', resumedAt)],
      });
      const reachedBefore = snapshot({
        collectionCase: resumedCase,
        records: [sent('day-0-payment-failed', '2026-11-02T15:00:00.000Z')],
      });
      const reachedBeforeThenReminded = snapshot({
        collectionCase: resumedCase,
        records: [
          sent('day-0-payment-failed', '2026-11-02T15:00:00.000Z'),
          sent('day-3-reminder', '2026-11-16T15:00:01.000Z', { template: 'payment-reminder' }),
        ],
      });

      // Act
      const first = planNextAction(uncontacted, defaultStrategy, new Date(resumedAt));
      const second = planNextAction(firstSentOnResume, defaultStrategy, new Date('2026-11-16T15:00:01.000Z'));
      const left = planNextAction(reachedBefore, defaultStrategy, new Date(resumedAt));
      const last = planNextAction(
        reachedBeforeThenReminded,
        defaultStrategy,
        new Date('2026-11-16T15:00:02.000Z'),
      );

      // Assess: days 0, 3 and 7 become 16, 19 and 23 Nov; with day 0 sent before, days 3 and 7 become 16 and 20 Nov.
      expect(first).toMatchObject({ stepId: 'day-0-payment-failed', at: '2026-11-16T15:00:00Z' });
      expect(first.reasons).toContain(`timing:resumed-run-from-${resumedAt}`);
      expect(second).toMatchObject({ stepId: 'day-3-reminder', at: '2026-11-19T15:00:00Z' });
      expect(left).toMatchObject({ stepId: 'day-3-reminder', at: '2026-11-16T15:00:00Z' });
      expect(last).toMatchObject({ stepId: 'day-7-final-notice', at: '2026-11-20T15:00:00Z' });
    });

    it('moves a step due on Sunday to Monday morning under the shipped policy', () => {
      // Prepare: due Sunday 8 Nov 2026, 12:00 in New York.
      const strategy = strategyOf([
        { id: 'sunday', timing: { from: 'first-failure', days: 6 }, action: email() },
      ]);
      const opened = snapshot({ collectionCase: openCase({ openedAt: '2026-11-02T17:00:00.000Z' }) });

      // Act
      const plan = planNextAction(
        opened,
        strategy,
        new Date('2026-11-02T17:00:00.000Z'),
        withPolicy(contactPolicy),
      );

      // Assess
      expect(plan).toMatchObject({ at: '2026-11-09T13:00:00Z' });
      expect(plan.reasons).toContain('deferred:closed-day');
    });
  });

  describe('progress', () => {
    it.each(['sent', 'uncertain', 'undeliverable'] as const)(
      'moves on to the next step once the previous one ended %s',
      (status) => {
        // Act
        const plan = planNextAction(
          snapshot({ records: [sent('day-0-payment-failed', '2026-11-02T13:00:00.000Z', { status })] }),
          defaultStrategy,
          new Date('2026-11-02T13:00:01.000Z'),
        );

        // Assess
        // 05:14 in New York on day 3 moves to 08:00.
        expect(plan).toMatchObject({ stepId: 'day-3-reminder', at: '2026-11-05T13:00:00Z' });
      },
    );

    it('plans a step again when the provider refused it', () => {
      // Act
      const plan = planNextAction(
        snapshot({
          records: [sent('day-0-payment-failed', '2026-11-02T13:00:00.000Z', { status: 'failed' })],
        }),
        defaultStrategy,
        new Date('2026-11-02T13:00:01.000Z'),
      );

      // Assess
      expect(plan).toMatchObject({ stepId: 'day-0-payment-failed' });
    });

    it('never goes back to a step skipped before one that acted', () => {
      // Prepare: the first step was skipped (its condition failed); the second acted.
      const strategy = strategyOf([
        {
          id: 'hard-only',
          timing: { from: 'first-failure' },
          when: { declineClasses: ['hard'] },
          action: email('card-update-request'),
        },
        { id: 'everyone', timing: { from: 'first-failure' }, action: email() },
        { id: 'reminder', timing: { from: 'first-failure', days: 3 }, action: email('payment-reminder') },
      ]);
      const later = snapshot({
        claims: [failedClaim({ ...declined('hard') })],
        records: [sent('everyone', '2026-11-02T13:00:00.000Z')],
      });

      // Act
      const plan = planNextAction(later, strategy, new Date('2026-11-02T14:00:00.000Z'));

      // Assess
      expect(plan).toMatchObject({ stepId: 'reminder' });
    });
  });

  describe('conditions', () => {
    const branching = strategyOf([
      {
        id: 'card-update',
        timing: { from: 'first-failure' },
        when: { declineClasses: ['hard', 'authentication-required'] },
        action: { type: 'request-card-update', channels: ['email'], template: 'card-update-request' },
      },
      {
        id: 'payment-failed',
        timing: { from: 'first-failure' },
        when: { previousSteps: [{ step: 'card-update', outcomes: ['not-run'] }] },
        action: email(),
      },
      {
        id: 'big-and-late',
        timing: { from: 'first-failure', days: 5 },
        when: { amount: { USD: { min: 10000 } }, daysPastDue: { min: 5 }, currencies: ['USD'] },
        action: { type: 'hand-to-agent', queue: 'high-value', reason: 'call' },
      },
      {
        id: 'vip-only',
        timing: { from: 'first-failure', days: 6 },
        when: { segments: ['enterprise'], customer: { plan: ['gold'] } },
        action: email('final-notice'),
      },
      {
        id: 'clicked',
        timing: { from: 'first-failure', days: 7 },
        when: { previousSteps: [{ step: 'payment-failed', engagement: ['clicked'] }] },
        action: email('payment-reminder'),
      },
    ]);
    const now = new Date('2026-11-02T15:00:00.000Z');

    it('asks for a new card on a hard decline, and sends the ordinary message otherwise', () => {
      // Act
      const expired = planNextAction(
        snapshot({ claims: [failedClaim({ ...declined('hard') })] }),
        branching,
        now,
      );
      const soft = planNextAction(
        snapshot({ claims: [failedClaim({ ...declined('insufficient-funds') })] }),
        branching,
        now,
      );
      const unclassified = planNextAction(snapshot(), branching, now);

      // Assess
      expect(expired).toMatchObject({ action: 'request-card-update', stepId: 'card-update' });
      expect(soft).toMatchObject({ action: 'send-message', stepId: 'payment-failed' });
      expect(soft.reasons).toContain('step-skipped:card-update:conditions-not-met:decline-class');
      expect(unclassified).toMatchObject({ stepId: 'payment-failed' });
    });

    it('hands high amounts to an agent once they are 5 days past due, and explains every skip', () => {
      // Prepare
      const afterFirst = [sent('payment-failed', '2026-11-02T15:00:00.000Z')];
      const big = snapshot({ claims: [failedClaim({ amountMinor: 25000 })], records: afterFirst });
      const small = snapshot({ claims: [failedClaim({ amountMinor: 2500 })], records: afterFirst });

      // Act
      const bigPlan = planNextAction(big, branching, now);
      const smallPlan = planNextAction(small, branching, now);

      // Assess
      expect(bigPlan).toMatchObject({
        action: 'hand-to-agent',
        stepId: 'big-and-late',
        at: '2026-11-07T10:14:09Z',
      });
      expect(smallPlan.action).toBe('end');
      expect(smallPlan.reasons).toEqual(
        expect.arrayContaining([
          'step-skipped:big-and-late:conditions-not-met:amount',
          'step-skipped:vip-only:conditions-not-met:segment+customer.plan',
          'step-skipped:clicked:conditions-not-met:previous-step.payment-failed',
        ]),
      );
    });

    it('matches segment, customer attributes and the engagement of an earlier step', () => {
      // Prepare
      const vip = snapshot({
        customer: customerRecord({
          timeZone: 'America/New_York',
          segment: 'enterprise',
          attributes: { plan: 'gold' },
        }),
        records: [sent('payment-failed', '2026-11-02T15:00:00.000Z')],
      });
      const engaged = snapshot({
        records: [
          sent('payment-failed', '2026-11-02T15:00:00.000Z', { engagement: ['delivered', 'clicked'] }),
        ],
      });

      // Act
      const vipPlan = planNextAction(vip, branching, now);
      const engagedPlan = planNextAction(engaged, branching, now);

      // Assess
      expect(vipPlan).toMatchObject({ stepId: 'vip-only' });
      expect(engagedPlan).toMatchObject({ stepId: 'clicked' });
    });
  });

  describe('channels', () => {
    const smsFirst = strategyOf([
      {
        id: 'first',
        timing: { from: 'first-failure' },
        action: { type: 'send-message', channels: ['sms', 'whatsapp', 'email'], template: 'payment-failed' },
      },
      { id: 'second', timing: { from: 'first-failure', days: 3 }, action: email('payment-reminder') },
    ]);
    const now = new Date('2026-11-02T15:00:00.000Z');

    it('falls back to the next channel when a channel has no adapter', () => {
      // Act
      const plan = planNextAction(snapshot(), smsFirst, now);

      // Assess
      expect(plan).toMatchObject({ channel: 'email' });
      expect(plan.reasons).toEqual(
        expect.arrayContaining([
          'channel-skipped:sms:not-configured',
          'channel-skipped:whatsapp:not-configured',
        ]),
      );
    });

    it('uses SMS when it is wired and consented, and skips it without consent or after STOP', () => {
      // Prepare
      const options = withPolicy(contactPolicy, new Set(['email', 'sms']));
      const phone = '+12125550123';
      const consented = customerRecord({
        timeZone: 'America/New_York',
        phone,
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00Z' } },
      });
      const stopped = customerRecord({
        timeZone: 'America/New_York',
        phone,
        contactPreferences: {
          sms: { consentAt: '2026-10-01T00:00:00Z', optedOutAt: '2026-10-20T00:00:00Z' },
        },
      });
      const noConsent = customerRecord({ timeZone: 'America/New_York', phone });

      // Act
      const withConsent = planNextAction(snapshot({ customer: consented }), smsFirst, now, options);
      const afterStop = planNextAction(snapshot({ customer: stopped }), smsFirst, now, options);
      const without = planNextAction(snapshot({ customer: noConsent }), smsFirst, now, options);

      // Assess
      expect(withConsent).toMatchObject({ channel: 'sms' });
      expect(afterStop).toMatchObject({ channel: 'email' });
      expect(afterStop.reasons).toContain('channel-skipped:sms:opted-out');
      expect(without.reasons).toContain('channel-skipped:sms:no-consent');
    });

    it('skips a step that has no usable channel and moves to the next one', () => {
      // Prepare: email opted out.
      const optedOut = customerRecord({
        timeZone: 'America/New_York',
        contactPreferences: { email: { optedOutAt: '2026-10-20T00:00:00Z' } },
      });

      // Act
      const plan = planNextAction(snapshot({ customer: optedOut }), smsFirst, now);

      // Assess: the second step is email-only too, so the journey ends.
      expect(plan.action).toBe('end');
      expect(plan.reasons).toEqual(
        expect.arrayContaining([
          'channel-skipped:email:opted-out',
          'step-skipped:first:no-usable-channel',
          'step-skipped:second:no-usable-channel',
        ]),
      );
    });

    it('reads consent records: a STOP opts the channel out, a bounced address is not used again', () => {
      // Prepare
      const options = withPolicy(contactPolicy, new Set(['email', 'sms']));
      const phone = '+12125550123';
      const customer = customerRecord({
        timeZone: 'America/New_York',
        phone,
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00Z' } },
      });
      const consent = (channel: 'sms' | 'email', status: 'opted-out' | 'suppressed', address: string) => ({
        customerId: customer.customerId,
        channel,
        status,
        address,
        reason: status === 'opted-out' ? ('stop-keyword' as const) : ('hard-bounce' as const),
        decidedAt: '2026-10-20T00:00:00Z',
        sourceEventId: 'evt',
      });

      // Act
      const stopped = planNextAction(
        snapshot({ customer, consents: { sms: consent('sms', 'opted-out', phone) } }),
        smsFirst,
        now,
        options,
      );
      const bounced = planNextAction(
        snapshot({
          customer,
          consents: {
            sms: consent('sms', 'opted-out', phone),
            email: consent('email', 'suppressed', 'jenny.rosen@example.com'),
          },
        }),
        smsFirst,
        now,
        options,
      );
      const newAddress = planNextAction(
        snapshot({ customer, consents: { email: consent('email', 'suppressed', 'old@example.com') } }),
        strategyOf([{ id: 'mail', timing: { from: 'first-failure' }, action: email() }]),
        now,
        options,
      );

      // Assess
      expect(stopped).toMatchObject({ channel: 'email' });
      expect(stopped.reasons).toContain('channel-skipped:sms:opted-out');
      expect(bounced.reasons).toContain('channel-skipped:email:address-suppressed');
      expect(newAddress).toMatchObject({ channel: 'email' });
    });

    it('contacts nobody deleted in billing', () => {
      // Act
      const plan = planNextAction(
        snapshot({
          customer: customerRecord({ timeZone: 'America/New_York', deletedAt: '2026-11-01T00:00:00Z' }),
        }),
        smsFirst,
        now,
      );

      // Assess
      expect(plan.action).toBe('end');
      expect(plan.reasons).toContain('channel-skipped:email:customer-deleted');
    });

    it('falls back to the next channel after a permanent refusal on one, and never retries that channel for the step', () => {
      // Prepare: SMS was refused for good (invalid number) on the first step.
      const options = withPolicy(contactPolicy, new Set(['email', 'sms']));
      const customer = customerRecord({
        timeZone: 'America/New_York',
        phone: '+12125550123',
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00Z' } },
      });
      const refused = sent('first', '2026-11-02T14:00:00.000Z', {
        channel: 'sms',
        status: 'failed',
        failedChannels: ['sms'],
      });

      // Act
      const plan = planNextAction(snapshot({ customer, records: [refused] }), smsFirst, now, options);

      // Assess
      expect(plan).toMatchObject({ stepId: 'first', channel: 'email' });
      expect(plan.reasons).toContain('channel-skipped:sms:permanent-failure');
    });

    it('defers a contact that would exceed the email cap until the oldest email leaves the window', () => {
      // Prepare: three emails in the last week and a cap of 3 in 7 days.
      const strategy = strategyOf([{ id: 'fourth', timing: { from: 'first-failure' }, action: email() }]);
      const records = [
        '2026-10-30T14:00:00.000Z',
        '2026-10-31T14:00:00.000Z',
        '2026-11-01T14:00:00.000Z',
      ].map((at, i) => sent(`earlier-${i}`, at));
      const policy = parseContactPolicyConfig({
        hours: { start: '08:00', end: '21:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: true },
      });

      // Act
      const plan = planNextAction(snapshot({ records }), strategy, now, withPolicy(policy));

      // Assess
      expect(plan).toMatchObject({ at: '2026-11-06T14:00:00Z' });
      expect(plan.reasons).toContain('deferred:cap:email:3-per-7d');
    });
  });

  describe('pauses and disputes', () => {
    const now = new Date('2026-11-02T15:00:00.000Z');

    it('waits out a promise to pay, then plans at the first allowed moment after it', () => {
      // Prepare
      const promised = snapshot({
        collectionCase: openCase({
          openedAt: '2026-11-02T10:14:09.000Z',
          pauses: [
            { reason: 'promise-to-pay', from: '2026-11-02T14:00:00.000Z', until: '2026-11-06T05:00:00.000Z' },
          ],
        }),
      });

      // Act
      const plan = planNextAction(promised, defaultStrategy, now);

      // Assess: the pause ends at midnight in New York; the window opens at 08:00.
      expect(plan).toMatchObject({ stepId: 'day-0-payment-failed', at: '2026-11-06T13:00:00Z' });
      expect(plan.reasons).toEqual(
        expect.arrayContaining(['deferred:pause:promise-to-pay', 'deferred:quiet-hours']),
      );
    });

    it('waits and looks again later while a pause has no end', () => {
      // Prepare
      const onPlan = snapshot({
        collectionCase: openCase({ pauses: [{ reason: 'payment-plan', from: '2026-11-01T00:00:00.000Z' }] }),
      });

      // Act
      const plan = planNextAction(onPlan, defaultStrategy, now);

      // Assess
      expect(plan).toEqual({
        action: 'wait',
        at: '2026-11-09T15:00:00Z',
        reasons: ['time-zone-from-customer', 'blocked:pause:payment-plan'],
      });
    });

    it('leaves a disputed claim alone but keeps collecting the others', () => {
      // Prepare
      const oneDisputed = snapshot({
        claims: [failedClaim({ disputeStatus: 'open' }), failedClaim({ invoiceId: 'in_other' })],
      });
      const allDisputed = snapshot({ claims: [failedClaim({ disputeStatus: 'open' })] });

      // Act
      const some = planNextAction(oneDisputed, defaultStrategy, now);
      const all = planNextAction(allDisputed, defaultStrategy, now);

      // Assess
      expect(some).toMatchObject({ action: 'send-message' });
      expect(some.reasons).toContain('claims-paused:dispute:1');
      expect(all).toMatchObject({
        action: 'wait',
        reasons: ['claims-paused:dispute:1', 'blocked:pause:dispute'],
      });
    });

    it('waits longer the longer every claim has been disputed', () => {
      // Prepare: the dispute was opened 20 days ago.
      const disputed = snapshot({
        claims: [
          failedClaim({
            disputeStatus: 'open',
            disputes: {
              'stripe:dp_1': {
                state: 'needs_response',
                amountMinor: 4999,
                currency: 'USD',
                openedAt: '2026-10-13T15:00:00.000Z',
                stamp: '1792000000|2026-10-13T15:00:00.000Z|evt_dp',
              },
            },
          }),
        ],
      });

      // Act
      const plan = planNextAction(disputed, defaultStrategy, now);

      // Assess: 20 days blocked, so it looks again in 20 days, not in the first 7.
      expect(plan).toMatchObject({ action: 'wait', at: '2026-11-22T15:00:00Z' });
    });
  });

  describe('experiments', () => {
    const now = new Date('2026-11-02T15:00:00.000Z');

    it('sends a holdout case nothing but still runs its silent steps', () => {
      // Prepare
      const strategy = strategyOf([
        { id: 'message', timing: { from: 'first-failure' }, action: email() },
        { id: 'retry', timing: { from: 'first-failure', days: 2 }, action: { type: 'retry-payment' } },
      ]);
      const holdout = snapshot({
        collectionCase: openCase({
          assignment: { ruleId: 'b2c', experimentId: 'x', variant: 'holdout', holdout: true },
        }),
      });

      // Act
      const plan = planNextAction(holdout, strategy, now);

      // Assess
      expect(plan).toMatchObject({ action: 'retry-payment', stepId: 'retry', at: '2026-11-04T10:14:09Z' });
      expect(plan.reasons).toContain('step-skipped:message:holdout');
    });

    it('gives each debtor one message variant, the same every time, close to the configured weights', () => {
      // Prepare
      const strategy = strategyOf([
        {
          id: 'ab',
          timing: { from: 'first-failure' },
          action: {
            type: 'send-message',
            channels: ['email'],
            template: 'payment-failed',
            variants: [
              { id: 'detailed', template: 'payment-failed', weight: 3 },
              { id: 'short', template: 'payment-failed-short', weight: 1 },
            ],
          },
        },
      ]);
      const planFor = (customerId: string) =>
        planNextAction(snapshot({ collectionCase: openCase({ customerId }) }), strategy, now);

      // Act
      const plans = Array.from({ length: 2000 }, (_, index) => planFor(`stripe:cus_${index}`));
      const again = planFor('stripe:cus_7');

      // Assess
      const short = plans.filter((plan) => 'variant' in plan && plan.variant === 'short');
      expect(short.length / plans.length).toBeGreaterThan(0.2);
      expect(short.length / plans.length).toBeLessThan(0.3);
      expect(short.every((plan) => 'template' in plan && plan.template === 'payment-failed-short')).toBe(
        true,
      );
      expect(again).toEqual(plans[7]);
    });
  });

  it('uses the default policy and only email when no options are given', () => {
    expect(defaultPlanOptions.deliverableChannels).toEqual(new Set(['email']));
  });
});

describe('recheckAfterBlock', () => {
  const policy = { pauseRecheckDays: 7, pauseRecheckMaxDays: 30 };
  const now = new Date('2026-05-01T00:00:00.000Z');
  // Whole-second ISO without milliseconds, as Step Functions' Wait takes it.
  const daysLater = (days: number) =>
    new Date(now.getTime() + days * 86_400_000).toISOString().replace('.000Z', 'Z');
  const daysBefore = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

  it('looks again after pauseRecheckDays at first, then after as long as the block has lasted, at most the maximum', () => {
    expect(recheckAfterBlock(now, undefined, policy)).toBe(daysLater(7));
    expect(recheckAfterBlock(now, daysBefore(0), policy)).toBe(daysLater(7));
    expect(recheckAfterBlock(now, daysBefore(7), policy)).toBe(daysLater(7));
    expect(recheckAfterBlock(now, daysBefore(14), policy)).toBe(daysLater(14));
    expect(recheckAfterBlock(now, daysBefore(28), policy)).toBe(daysLater(28));
    expect(recheckAfterBlock(now, daysBefore(56), policy)).toBe(daysLater(30));
  });

  it('never waits less than pauseRecheckDays, even with a smaller maximum', () => {
    expect(recheckAfterBlock(now, daysBefore(60), { pauseRecheckDays: 10, pauseRecheckMaxDays: 5 })).toBe(
      daysLater(10),
    );
  });

  it('looks at a 75-day dispute five times, not eleven', () => {
    // Prepare: a dispute opened at day 0 and closed at day 75; the journey looks at day 7 first.
    const opened = new Date('2026-01-01T00:00:00.000Z');
    const closedAt = opened.getTime() + 75 * 86_400_000;
    let at = new Date(opened.getTime() + 7 * 86_400_000);
    let looks = 1;

    // Act
    while (at.getTime() < closedAt) {
      at = new Date(recheckAfterBlock(at, opened.toISOString(), policy));
      looks += 1;
    }

    // Assess: days 7, 14, 28, 56, then 86 sees it closed.
    expect(looks).toBe(5);
    expect(at.toISOString()).toBe('2026-03-28T00:00:00.000Z');
  });
});
