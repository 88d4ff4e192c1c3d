import { describe, expect, it } from 'vitest';
import type { LocalCaseView } from '../../../../infra/local/case-snapshot.ts';
import {
  billingZonesOf,
  checkCasesConsistentWithEvents,
  checkCommitmentsConsistent,
  checkConsentedChannelsOnly,
  checkContactWindow,
  checkEventsAppliedOnce,
  checkInvariants,
  checkJourneysEndCleanly,
  checkJourneyTransitions,
  checkMetricsMatchEvents,
  checkMonthlyCloseDelivered,
  checkNoContactDuringPromise,
  checkNoMessageAfterDispute,
  checkNoMessageAfterOptOut,
  checkNoMessageAfterSettlement,
  checkNoStepSentTwice,
  cohortTalliesFromDeliveries,
  type DeliveryRecord,
  type InvariantInput,
  messagesOutsideTrueZone,
  monthsClosedDuring,
} from '../../../../infra/local/simulator/invariants.ts';
import type { CaseMessage, EmailedReport } from '../../../../infra/local/simulator/product-client.ts';
import { defaultContactWindow } from '../../../../shared/domain/contact-policy.ts';

const caseId = 'case_000000000000000000000001';

function delivery(
  overrides: Partial<DeliveryRecord> & Pick<DeliveryRecord, 'eventId' | 'type'>,
): DeliveryRecord {
  return {
    invoiceId: 'in_A',
    customerId: 'stripe:cus_A',
    occurredAt: '2026-03-02T15:00:00.000Z',
    deliveredAt: '2026-03-02T15:00:02.000Z',
    redelivery: false,
    status: 200,
    outcome: 'applied',
    invoiceStatus: 'open',
    amountMinor: 4900,
    currency: 'USD',
    ...overrides,
  };
}

const failed = delivery({ eventId: 'evt_failed', type: 'invoice.payment_failed', caseId });
const paid = delivery({
  eventId: 'evt_paid',
  type: 'invoice.paid',
  occurredAt: '2026-03-04T16:00:00.000Z',
  deliveredAt: '2026-03-04T16:00:01.000Z',
  invoiceStatus: 'paid',
  paidAt: '2026-03-04T16:00:00.000Z',
  caseId,
});

/** 10:00 in New York on 2 March 2026 (EST, UTC-5). */
const firstMessage: CaseMessage = {
  id: 'local-1',
  channel: 'email',
  to: 'dana@example.com',
  customerId: 'stripe:cus_A',
  caseId,
  stepId: 'day-0-payment-failed',
  template: 'payment-failed',
  sentAt: '2026-03-02T15:00:05.000Z',
};

const closedCase: LocalCaseView = {
  caseId,
  customerId: 'stripe:cus_A',
  status: 'closed',
  closeReason: 'paid',
  openedAt: '2026-03-02T15:00:00.000Z',
  closedAt: '2026-03-04T16:00:01.000Z',
  strategyId: 'default',
  strategyVersion: 1,
  claims: [
    {
      claimId: 'stripe:in_A',
      invoiceId: 'in_A',
      status: 'paid',
      amountMinor: 4900,
      currency: 'USD',
      attemptCount: 2,
      firstFailedAt: '2026-03-02T15:00:00.000Z',
      paidAt: '2026-03-04T16:00:00.000Z',
    },
  ],
  messages: [
    { stepId: 'day-0-payment-failed', channel: 'email', template: 'payment-failed', status: 'sent' },
  ],
};

/** A run where everything went right: one failure, one message, one payment. */
function validInput(): InvariantInput {
  return {
    deliveries: [failed, paid],
    messages: [firstMessage],
    executions: [
      {
        name: caseId,
        caseId,
        status: 'SUCCEEDED',
        startedAt: failed.deliveredAt,
        stateTransitions: 11,
        statesEntered: {},
      },
    ],
    cases: [closedCase],
    debtors: new Map([
      ['stripe:cus_A', { billingZones: ['America/New_York'], trueZone: 'America/New_York' }],
    ]),
    metrics: {
      rows: [
        {
          cohortMonth: '2026-03',
          currency: 'USD',
          failedAmountMinor: 4900,
          failedCount: 1,
          recoveredAmountMinor: 4900,
          recoveredCount: 1,
          recoveryRateAmount: 1,
          recoveryRateCount: 1,
        },
      ],
      recomputedCohorts: ['2026-02', '2026-03'],
    },
    contactWindow: defaultContactWindow,
    maxStateTransitions: 30,
    optOuts: [],
    promises: [],
    plans: [],
    endAt: '2026-03-31T00:00:00.000Z',
    financeReports: {
      startAt: '2026-03-02T00:00:00.000Z',
      archived: [],
      emailed: [],
      monthlyEmailExpected: true,
    },
  };
}

/** A second message of the case, two days after the first (10:00 in New York). */
const laterMessage: CaseMessage = {
  ...firstMessage,
  id: 'local-2',
  stepId: 'day-2-reminder',
  template: 'payment-reminder',
  sentAt: '2026-03-04T15:00:00.000Z',
};

/** The case while its only claim is still open (no payment delivered). */
const openCase: LocalCaseView = {
  ...closedCase,
  status: 'open',
  claims: [
    {
      claimId: 'stripe:in_A',
      invoiceId: 'in_A',
      status: 'failed',
      amountMinor: 4900,
      currency: 'USD',
      attemptCount: 1,
      firstFailedAt: '2026-03-02T15:00:00.000Z',
    },
  ],
};
const { closeReason: _reason, closedAt: _closed, ...openCaseFields } = openCase;

describe('the simulator invariants', () => {
  it('find nothing wrong in a run where everything went right', () => {
    // Prepare
    const input = validInput();

    // Act
    const violations = checkInvariants(input);

    // Assess
    expect(violations).toEqual([]);
  });

  describe('every-event-applied-once', () => {
    it('names the event and case when a first delivery is answered duplicate', () => {
      const input = { ...validInput(), deliveries: [{ ...failed, outcome: 'duplicate' }, paid] };

      const violations = checkEventsAppliedOnce(input);

      expect(violations).toEqual([
        expect.objectContaining({ invariant: 'every-event-applied-once', caseId, subject: 'evt_failed' }),
      ]);
    });

    it('catches a redelivery that is applied a second time', () => {
      const input = {
        ...validInput(),
        deliveries: [failed, { ...failed, redelivery: true, deliveredAt: '2026-03-02T16:00:00.000Z' }, paid],
      };

      expect(checkEventsAppliedOnce(input)).toEqual([
        expect.objectContaining({
          subject: 'evt_failed',
          detail: expect.stringContaining('expected 200 duplicate'),
        }),
      ]);
    });

    it('catches a delivery the product refused', () => {
      const input = { ...validInput(), deliveries: [failed, { ...paid, status: 500, outcome: 'error' }] };

      expect(checkEventsAppliedOnce(input)).toHaveLength(1);
    });

    it('lets other event types be applied or ignored, but the same way at every delivery', () => {
      const attached = delivery({ eventId: 'evt_pm', type: 'payment_method.attached', outcome: 'ignored' });
      const { invoiceId: _none, ...ignored } = attached;
      const again = { ...ignored, redelivery: true };

      expect(checkEventsAppliedOnce({ ...validInput(), deliveries: [ignored, again] })).toEqual([]);
      expect(
        checkEventsAppliedOnce({
          ...validInput(),
          deliveries: [
            { ...ignored, outcome: 'applied' },
            { ...again, outcome: 'duplicate' },
          ],
        }),
      ).toEqual([]);
      expect(
        checkEventsAppliedOnce({ ...validInput(), deliveries: [ignored, { ...again, outcome: 'applied' }] }),
      ).toEqual([
        expect.objectContaining({
          subject: 'evt_pm',
          detail: expect.stringContaining('expected 200 ignored'),
        }),
      ]);
    });

    it('catches a subscription change or a dispute the product ignored', () => {
      const deleted = delivery({
        eventId: 'evt_sub',
        type: 'customer.subscription.deleted',
        outcome: 'ignored',
      });
      const { invoiceId: _none, ...ignored } = deleted;

      expect(checkEventsAppliedOnce({ ...validInput(), deliveries: [ignored] })).toEqual([
        expect.objectContaining({
          subject: 'evt_sub',
          detail: expect.stringContaining('expected 200 applied or recorded'),
        }),
      ]);
      expect(
        checkEventsAppliedOnce({ ...validInput(), deliveries: [{ ...ignored, outcome: 'recorded' }] }),
      ).toEqual([]);
    });

    it('catches an invoice event the product ignored', () => {
      expect(
        checkEventsAppliedOnce({ ...validInput(), deliveries: [{ ...failed, outcome: 'ignored' }, paid] }),
      ).toEqual([
        expect.objectContaining({
          subject: 'evt_failed',
          detail: expect.stringContaining('expected 200 applied'),
        }),
      ]);
    });
  });

  describe('no-message-after-settlement', () => {
    it('names the case when a message goes out after the payment was delivered', () => {
      const late = {
        ...firstMessage,
        id: 'local-2',
        stepId: 'day-3-reminder',
        sentAt: '2026-03-05T14:00:00.000Z',
      };
      const input = { ...validInput(), messages: [firstMessage, late] };

      expect(checkNoMessageAfterSettlement(input)).toEqual([
        expect.objectContaining({
          invariant: 'no-message-after-settlement',
          caseId,
          subject: 'day-3-reminder (local-2)',
        }),
      ]);
    });

    it('allows a message sent before the payment reached the product, even if the debtor had paid', () => {
      const input = {
        ...validInput(),
        deliveries: [failed, { ...paid, deliveredAt: '2026-03-05T15:00:00.000Z' }],
        cases: [{ ...closedCase, closedAt: '2026-03-05T15:00:00.000Z' }],
        messages: [
          firstMessage,
          { ...firstMessage, id: 'local-2', stepId: 'day-3-reminder', sentAt: '2026-03-05T14:00:00.000Z' },
        ],
      };

      expect(checkNoMessageAfterSettlement(input)).toEqual([]);
    });
  });

  it('names the case when a message goes out after the product closed it, settled or not', () => {
    // A case closed as superseded still has an open claim, so only its closing time forbids the message.
    const superseded: LocalCaseView = {
      ...closedCase,
      closeReason: 'superseded',
      supersededBy: 'case_000000000000000000000002',
      closedAt: '2026-03-03T10:00:00.000Z',
      claims: [{ ...(closedCase.claims[0] as LocalCaseView['claims'][number]), status: 'failed' }],
    };
    const late = {
      ...firstMessage,
      id: 'local-2',
      stepId: 'day-3-reminder',
      sentAt: '2026-03-03T14:00:00.000Z',
    };

    expect(
      checkNoMessageAfterSettlement({
        ...validInput(),
        deliveries: [failed],
        cases: [superseded],
        messages: [late],
      }),
    ).toEqual([
      expect.objectContaining({ caseId, detail: expect.stringContaining('the case was closed at') }),
    ]);
  });

  describe('contact-within-window', () => {
    it('names the case when a message is sent at 07:00 in the debtor zone', () => {
      const early = { ...firstMessage, sentAt: '2026-03-02T12:00:00.000Z' };

      expect(checkContactWindow({ ...validInput(), messages: [early] })).toEqual([
        expect.objectContaining({ caseId, detail: expect.stringContaining('America/New_York (07:00)') }),
      ]);
    });

    it('lets an automatic answer go at night: the STOP confirmation replies to the debtor’s own message', () => {
      // 05:44 UTC is 21:44 in Los Angeles: a journey step then is a violation, the confirmation is not.
      const debtors = new Map([
        ['stripe:cus_A', { billingZones: ['America/Los_Angeles'], trueZone: 'America/Los_Angeles' }],
      ]);
      const sentAt = '2027-01-21T05:44:10.000Z';
      const confirmation = { ...firstMessage, stepId: 'reply-sim-stop-local-1', sentAt };
      const step = { ...firstMessage, sentAt };

      expect(checkContactWindow({ ...validInput(), debtors, messages: [confirmation] })).toEqual([]);
      expect(checkContactWindow({ ...validInput(), debtors, messages: [step] })).toEqual([
        expect.objectContaining({ caseId, detail: expect.stringContaining('America/Los_Angeles (21:44)') }),
      ]);
    });

    it('checks every zone of the country when the billing data has no time zone', () => {
      // 13:00 in New York is 08:00 in Honolulu: allowed in both; 12:00 in New York is 07:00 in Honolulu.
      const debtors = new Map([
        ['stripe:cus_A', { billingZones: billingZonesOf(undefined, 'US'), trueZone: 'America/New_York' }],
      ]);
      const atNoon = { ...firstMessage, sentAt: '2026-03-02T17:00:00.000Z' };
      const atOne = { ...firstMessage, sentAt: '2026-03-02T18:00:00.000Z' };

      expect(checkContactWindow({ ...validInput(), debtors, messages: [atNoon] })).toHaveLength(1);
      expect(checkContactWindow({ ...validInput(), debtors, messages: [atOne] })).toEqual([]);
    });

    it('holds a debtor with neither time zone nor country to the zones the contact policy assumes (US)', () => {
      // The shipped policy assumes every US zone for an unknown location: 22:19 UTC is 18:19 in New
      // York and 12:19 in Honolulu (allowed); 03:00 UTC is 23:00 in New York (not allowed).
      const debtors = new Map([
        ['stripe:cus_A', { billingZones: billingZonesOf(undefined, undefined), trueZone: 'America/Chicago' }],
      ]);
      const evening = { ...firstMessage, sentAt: '2026-04-24T22:19:53.000Z' };
      const night = { ...firstMessage, sentAt: '2026-04-25T03:00:00.000Z' };

      expect(billingZonesOf(undefined, undefined)).toContain('America/New_York');
      expect(checkContactWindow({ ...validInput(), debtors, messages: [evening] })).toEqual([]);
      expect(checkContactWindow({ ...validInput(), debtors, messages: [night] })).toHaveLength(1);
      expect(billingZonesOf(undefined, undefined, [])).toEqual(['UTC']);
    });

    it("places a debtor by the phone number's country too, as the contact policy does", () => {
      // Act & Assess: no zone, no country, a Japanese mobile number: Tokyo, not the US default.
      expect(billingZonesOf(undefined, undefined, undefined, 'JP')).toEqual(['Asia/Tokyo']);
      expect(billingZonesOf(undefined, 'GB', undefined, 'GB')).toEqual(['Europe/London']);
      expect(billingZonesOf(undefined, 'GB', undefined, 'FR')).toEqual(['Europe/London', 'Europe/Paris']);
      expect(billingZonesOf('Europe/Berlin', 'GB', undefined, 'FR')).toEqual(['Europe/Berlin']);
    });

    it('counts, without failing, messages outside the true zone when the billing data placed the debtor in UTC', () => {
      const debtors = new Map([['stripe:cus_A', { billingZones: ['UTC'], trueZone: 'Asia/Tokyo' }]]);
      const input = {
        ...validInput(),
        debtors,
        messages: [{ ...firstMessage, sentAt: '2026-03-02T13:00:00.000Z' }],
      };

      expect(checkContactWindow(input)).toEqual([]);
      expect(messagesOutsideTrueZone(input)).toBe(1);
    });
  });

  describe('no-step-sent-twice', () => {
    it('names the case and the step sent twice', () => {
      const again = { ...firstMessage, id: 'local-2', sentAt: '2026-03-02T15:00:06.000Z' };

      expect(checkNoStepSentTwice({ ...validInput(), messages: [firstMessage, again] })).toEqual([
        expect.objectContaining({
          caseId,
          subject: 'day-0-payment-failed',
          detail: expect.stringContaining('2 times'),
        }),
      ]);
    });
  });

  describe('case-consistent-with-events', () => {
    it('catches a claim whose status disagrees with its events', () => {
      const wrong = {
        ...closedCase,
        claims: [{ ...closedCase.claims[0], status: 'written_off' }],
      } as LocalCaseView;

      expect(checkCasesConsistentWithEvents({ ...validInput(), cases: [wrong] })).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            caseId,
            subject: 'in_A',
            detail: 'claim is written_off, its delivered events say paid',
          }),
        ]),
      );
    });

    it('catches a case left open after its only claim was paid', () => {
      const open: LocalCaseView = { ...closedCase, status: 'open' };
      const { closeReason: _reason, ...openCase } = open;

      expect(checkCasesConsistentWithEvents({ ...validInput(), cases: [openCase] })).toEqual([
        expect.objectContaining({
          caseId,
          detail: expect.stringContaining('case is open, its claims (paid) say closed (paid)'),
        }),
      ]);
    });

    it('reads the latest event, not the last delivered, when deliveries arrive out of order', () => {
      // The paid event arrives first, the older failure after it: the invoice is still paid.
      const input = {
        ...validInput(),
        deliveries: [paid, { ...failed, deliveredAt: '2026-03-04T16:00:30.000Z' }],
      };

      expect(checkCasesConsistentWithEvents(input)).toEqual([]);
    });

    it('accepts a case superseded by one that took over its open claim, and catches one that did not', () => {
      const successorId = 'case_000000000000000000000002';
      const openClaim = {
        ...(closedCase.claims[0] as LocalCaseView['claims'][number]),
        status: 'failed' as const,
      };
      const superseded: LocalCaseView = {
        ...closedCase,
        closeReason: 'superseded',
        supersededBy: successorId,
        claims: [openClaim],
      };
      const { closeReason: _reason, closedAt: _closed, ...open } = closedCase;
      const successor: LocalCaseView = { ...open, caseId: successorId, status: 'open', claims: [openClaim] };
      const input = { ...validInput(), deliveries: [failed], cases: [superseded, successor] };

      expect(checkCasesConsistentWithEvents(input)).toEqual([]);
      expect(
        checkCasesConsistentWithEvents({ ...input, cases: [superseded, { ...successor, claims: [] }] }),
      ).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            caseId,
            detail: expect.stringContaining('does not hold its open claims in_A'),
          }),
        ]),
      );
    });

    it('catches a failed invoice that is in no case', () => {
      expect(checkCasesConsistentWithEvents({ ...validInput(), cases: [] })).toEqual([
        expect.objectContaining({ subject: 'in_A', detail: expect.stringContaining('0 cases') }),
      ]);
    });
  });

  describe('journey-within-transition-budget and journeys-end-cleanly', () => {
    it('names a journey over its transition budget', () => {
      const input = {
        ...validInput(),
        executions: [
          {
            name: caseId,
            caseId,
            status: 'SUCCEEDED' as const,
            startedAt: '',
            stateTransitions: 31,
            statesEntered: {},
          },
        ],
      };

      expect(checkJourneyTransitions(input)).toEqual([
        expect.objectContaining({ caseId, detail: '31 state transitions, budget 30' }),
      ]);
    });

    it('names a failed journey, and its case when it was a resumed run', () => {
      const input = {
        ...validInput(),
        executions: [
          {
            name: `${caseId}-run2`,
            caseId,
            status: 'FAILED' as const,
            startedAt: '',
            stateTransitions: 4,
            statesEntered: {},
            error: 'boom',
          },
        ],
      };

      expect(checkJourneysEndCleanly(input)).toEqual([
        expect.objectContaining({ caseId, subject: `${caseId}-run2`, detail: 'journey failed: boom' }),
      ]);
    });
  });

  describe('metrics-match-events', () => {
    it('catches a recovered amount that differs from the delivered events', () => {
      const input = validInput();
      const [row] = input.metrics.rows;
      if (row === undefined) throw new Error('fixture has a row');
      const wrong = { ...input, metrics: { ...input.metrics, rows: [{ ...row, recoveredAmountMinor: 0 }] } };

      expect(checkMetricsMatchEvents(wrong)).toEqual([
        expect.objectContaining({
          subject: '2026-03 USD',
          detail: 'recoveredAmountMinor 0, events say 4900',
        }),
      ]);
    });

    it('only asks the rows to cover this run when the store holds other runs too', () => {
      const input = validInput();
      const [row] = input.metrics.rows;
      if (row === undefined) throw new Error('fixture has a row');
      const bigger = {
        ...row,
        failedCount: 5,
        failedAmountMinor: 90_000,
        recoveredCount: 3,
        recoveredAmountMinor: 20_000,
      };
      const shared = { ...input, metrics: { ...input.metrics, rows: [bigger], shared: true } };
      const smaller = { ...shared, metrics: { ...shared.metrics, rows: [{ ...row, recoveredCount: 0 }] } };

      expect(checkMetricsMatchEvents(shared)).toEqual([]);
      expect(
        checkMetricsMatchEvents({ ...shared, metrics: { ...shared.metrics, shared: false } }),
      ).toHaveLength(1);
      expect(checkMetricsMatchEvents(smaller)).toEqual([
        expect.objectContaining({ detail: 'recoveredCount 0, events say at least 1' }),
      ]);
    });

    it('leaves voided invoices out and does not count a payment made after the write-off', () => {
      const voided = delivery({
        eventId: 'evt_void',
        type: 'invoice.voided',
        invoiceId: 'in_B',
        invoiceStatus: 'void',
      });
      const failedB = delivery({ eventId: 'evt_fb', type: 'invoice.payment_failed', invoiceId: 'in_B' });
      const failedC = delivery({ eventId: 'evt_fc', type: 'invoice.payment_failed', invoiceId: 'in_C' });
      const writtenOffC = delivery({
        eventId: 'evt_wc',
        type: 'invoice.marked_uncollectible',
        invoiceId: 'in_C',
        occurredAt: '2026-03-10T00:00:00.000Z',
        invoiceStatus: 'uncollectible',
      });
      const paidC = delivery({
        eventId: 'evt_pc',
        type: 'invoice.paid',
        invoiceId: 'in_C',
        occurredAt: '2026-03-11T00:00:00.000Z',
        paidAt: '2026-03-11T00:00:00.000Z',
        invoiceStatus: 'paid',
      });

      const tallies = cohortTalliesFromDeliveries([
        failed,
        paid,
        failedB,
        voided,
        failedC,
        writtenOffC,
        paidC,
      ]);

      expect(tallies).toEqual([
        {
          cohortMonth: '2026-03',
          currency: 'USD',
          failedAmountMinor: 9800,
          failedCount: 2,
          recoveredAmountMinor: 4900,
          recoveredCount: 1,
        },
      ]);
    });
  });

  describe('no-message-after-opt-out', () => {
    const stop = {
      customerId: 'stripe:cus_A',
      channel: 'email',
      at: '2026-03-03T12:00:00.000Z',
      caseId,
      answeredMessage: 'local-1',
      status: 200,
    };

    it('names the case when a message goes out on a channel after the debtor opted out of it', () => {
      // Prepare
      const input = { ...validInput(), messages: [firstMessage, laterMessage], optOuts: [stop] };

      // Act
      const violations = checkNoMessageAfterOptOut(input);

      // Assess
      expect(violations).toEqual([
        expect.objectContaining({
          invariant: 'no-message-after-opt-out',
          caseId,
          subject: 'day-2-reminder (local-2)',
          detail: expect.stringContaining('after the debtor opted out of email at 2026-03-03T12:00:00.000Z'),
        }),
      ]);
    });

    it('allows other channels and the confirmation of the STOP itself', () => {
      const sms = { ...laterMessage, channel: 'sms' as const, to: '+12125550100' };
      const confirmation = {
        ...laterMessage,
        id: 'local-3',
        stepId: 'reply-in-1',
        channel: 'email' as const,
      };

      const violations = checkNoMessageAfterOptOut({
        ...validInput(),
        messages: [firstMessage, sms, confirmation],
        optOuts: [stop],
      });

      expect(violations).toEqual([]);
    });

    it('catches an opt-out the product refused', () => {
      const violations = checkNoMessageAfterOptOut({ ...validInput(), optOuts: [{ ...stop, status: 500 }] });

      expect(violations).toEqual([
        expect.objectContaining({
          invariant: 'no-message-after-opt-out',
          detail: expect.stringContaining('500'),
        }),
      ]);
    });
  });

  describe('consented-channels-only', () => {
    const text = { ...laterMessage, channel: 'sms' as const, to: '+12125550100' };
    const withConsent = (consent: { consentAt: string; optedOutAt?: string } | undefined) =>
      new Map([
        [
          'stripe:cus_A',
          {
            billingZones: ['America/New_York'],
            trueZone: 'America/New_York',
            ...(consent ? { billingConsent: { sms: consent } } : {}),
          },
        ],
      ]);

    it('names the case when a text goes to a debtor whose billing data gave no consent', () => {
      // Act
      const violations = checkConsentedChannelsOnly({
        ...validInput(),
        debtors: withConsent(undefined),
        messages: [firstMessage, text],
      });

      // Assess
      expect(violations).toEqual([
        expect.objectContaining({
          invariant: 'consented-channels-only',
          caseId,
          subject: 'day-2-reminder (local-2)',
          detail: expect.stringContaining("without the debtor's consent"),
        }),
      ]);
    });

    it('catches a text after billing recorded the consent withdrawn, and allows one while it stands', () => {
      // Act
      const withdrawn = checkConsentedChannelsOnly({
        ...validInput(),
        debtors: withConsent({
          consentAt: '2025-06-01T00:00:00.000Z',
          optedOutAt: '2025-09-01T00:00:00.000Z',
        }),
        messages: [text],
      });
      const standing = checkConsentedChannelsOnly({
        ...validInput(),
        debtors: withConsent({
          consentAt: '2025-10-01T00:00:00.000Z',
          optedOutAt: '2025-09-01T00:00:00.000Z',
        }),
        messages: [text, { ...text, id: 'local-3', stepId: 'reply-in-1' }],
      });

      // Assess
      expect(withdrawn).toEqual([
        expect.objectContaining({ detail: expect.stringContaining('withdrew consent in billing') }),
      ]);
      expect(standing).toEqual([]);
    });
  });

  describe('no-message-after-dispute', () => {
    const dispute = delivery({
      eventId: 'evt_dispute',
      type: 'charge.dispute.created',
      occurredAt: '2026-03-03T10:00:00.000Z',
      deliveredAt: '2026-03-03T10:00:02.000Z',
    });

    it('names the case when a message goes out after its only open claim was disputed', () => {
      // Prepare
      const input = {
        ...validInput(),
        deliveries: [failed, dispute],
        messages: [firstMessage, laterMessage],
        cases: [openCaseFields],
      };

      // Act
      const violations = checkNoMessageAfterDispute(input);

      // Assess
      expect(violations).toEqual([
        expect.objectContaining({
          invariant: 'no-message-after-dispute',
          caseId,
          subject: 'day-2-reminder (local-2)',
          detail: expect.stringContaining('in_A (2026-03-03T10:00:02.000Z)'),
        }),
      ]);
    });

    it('allows a message about another claim of the case that is still open', () => {
      const second = delivery({
        eventId: 'evt_failed_b',
        type: 'invoice.payment_failed',
        invoiceId: 'in_B',
        caseId,
      });
      const [claimA] = openCase.claims;
      if (claimA === undefined) throw new Error('the open case has a claim');
      const claimB = { ...claimA, claimId: 'stripe:in_B', invoiceId: 'in_B' };
      const twoClaims = { ...openCaseFields, claims: [...openCaseFields.claims, claimB] };

      const violations = checkNoMessageAfterDispute({
        ...validInput(),
        deliveries: [failed, second, dispute],
        messages: [firstMessage, laterMessage],
        cases: [twoClaims],
      });

      expect(violations).toEqual([]);
    });
  });

  describe('no-contact-during-promise', () => {
    const promise = {
      caseId,
      customerId: 'stripe:cus_A',
      madeAt: '2026-03-02T16:00:00.000Z',
      promisedFor: '2026-03-05',
      keeps: true,
    };

    it('names the case when a message goes out before the promised day is over', () => {
      const violations = checkNoContactDuringPromise({
        ...validInput(),
        messages: [firstMessage, laterMessage],
        promises: [promise],
      });

      expect(violations).toEqual([
        expect.objectContaining({
          invariant: 'no-contact-during-promise',
          caseId,
          subject: 'day-2-reminder (local-2)',
          detail: expect.stringContaining('to pay on 2026-03-05'),
        }),
      ]);
    });

    it('allows the messages before the promise and after the promised day in the debtor zone', () => {
      // 2026-03-06T05:30Z is 00:30 on the 6th in New York: the promised day is over there.
      const afterwards = { ...laterMessage, sentAt: '2026-03-06T05:30:00.000Z' };

      const violations = checkNoContactDuringPromise({
        ...validInput(),
        messages: [firstMessage, afterwards],
        promises: [promise],
      });

      expect(violations).toEqual([]);
    });
  });

  describe('commitments-consistent', () => {
    const promise = {
      caseId,
      customerId: 'stripe:cus_A',
      madeAt: '2026-03-02T16:00:00.000Z',
      promisedFor: '2026-03-05',
      keeps: true,
    };
    const promiseToPay = {
      promisedFor: '2026-03-05',
      graceUntil: '2026-03-08T04:59:59Z',
      madeAt: '2026-03-02T16:00:00.000Z',
      claimIds: ['stripe:in_A'],
      status: 'kept' as const,
    };

    it('accepts a promise the case shows kept after its invoice was paid within the grace', () => {
      const violations = checkCommitmentsConsistent({
        ...validInput(),
        promises: [promise],
        cases: [{ ...closedCase, promiseToPay }],
      });

      expect(violations).toEqual([]);
    });

    it('catches a promise the case does not show, and one in the wrong state', () => {
      const missing = checkCommitmentsConsistent({ ...validInput(), promises: [promise] });
      const stillActive = checkCommitmentsConsistent({
        ...validInput(),
        promises: [promise],
        cases: [{ ...closedCase, promiseToPay: { ...promiseToPay, status: 'active' } }],
      });

      expect(missing).toEqual([
        expect.objectContaining({
          invariant: 'commitments-consistent',
          caseId,
          detail: 'the case shows no promise',
        }),
      ]);
      expect(stillActive).toEqual([
        expect.objectContaining({
          invariant: 'commitments-consistent',
          detail: expect.stringContaining('expected kept'),
        }),
      ]);
    });

    it('leaves a promise active until the job settled it after its grace, but never broken before', () => {
      const beforeGrace = { ...validInput(), endAt: '2026-03-07T00:00:00.000Z', promises: [promise] };

      const active = checkCommitmentsConsistent({
        ...beforeGrace,
        cases: [{ ...closedCase, promiseToPay: { ...promiseToPay, status: 'active' } }],
      });
      const brokenEarly = checkCommitmentsConsistent({
        ...beforeGrace,
        cases: [{ ...closedCase, promiseToPay: { ...promiseToPay, status: 'broken' } }],
      });

      expect(active).toEqual([]);
      expect(brokenEarly).toEqual([
        expect.objectContaining({ detail: expect.stringContaining('broken before its grace ended') }),
      ]);
    });

    it('expects a promise broken once its grace is over unpaid', () => {
      const violations = checkCommitmentsConsistent({
        ...validInput(),
        deliveries: [failed],
        promises: [{ ...promise, keeps: false }],
        cases: [{ ...openCaseFields, promiseToPay: { ...promiseToPay, status: 'active' } }],
      });

      expect(violations).toEqual([
        expect.objectContaining({ detail: expect.stringContaining('expected broken') }),
      ]);
    });

    it('expects a plan whose card failed to be broken after the second instalment, and checks its size', () => {
      const plan = {
        caseId,
        customerId: 'stripe:cus_A',
        agreedAt: '2026-03-02T16:00:00.000Z',
        instalments: 2,
        keeps: false,
        lastDueAt: '2026-03-16T16:00:00.000Z',
      };
      const paymentPlan = {
        planId: 'plan_1',
        createdAt: plan.agreedAt,
        status: 'active' as const,
        currency: 'USD',
        totalMinor: 4900,
        claimIds: ['stripe:in_A'],
        instalments: [
          { number: 1, dueAt: plan.agreedAt, amountMinor: 2450, status: 'paid' as const, attempts: 1 },
          { number: 2, dueAt: plan.lastDueAt, amountMinor: 2450, status: 'scheduled' as const, attempts: 0 },
        ],
      };

      const stillActive = checkCommitmentsConsistent({
        ...validInput(),
        deliveries: [failed],
        plans: [plan],
        cases: [{ ...openCaseFields, paymentPlan }],
      });
      const wrongSize = checkCommitmentsConsistent({
        ...validInput(),
        deliveries: [failed],
        plans: [{ ...plan, instalments: 3 }],
        cases: [{ ...openCaseFields, paymentPlan: { ...paymentPlan, status: 'broken' } }],
      });
      const broken = checkCommitmentsConsistent({
        ...validInput(),
        deliveries: [failed],
        plans: [plan],
        cases: [{ ...openCaseFields, paymentPlan: { ...paymentPlan, status: 'broken' } }],
      });

      expect(stillActive).toEqual([
        expect.objectContaining({ detail: expect.stringContaining('expected broken') }),
      ]);
      expect(wrongSize).toEqual([
        expect.objectContaining({ detail: 'the case shows a plan of 2 instalments' }),
      ]);
      expect(broken).toEqual([]);
    });
  });
  describe('monthly-close-delivered', () => {
    /** A run from 2 March to noon on 1 May 2026: March closed inside it; April's close may still be due (until 20:00 UTC). */
    const acrossMarch = { ...validInput(), endAt: '2026-05-01T12:00:00.000Z' };
    const files = [
      'cohorts-usd.png',
      'aging-usd.png',
      'attribution-usd.png',
      'summary.csv',
      'breakdowns.csv',
      'buckets.csv',
      'lift.csv',
    ];
    const close = (reportId: string, overrides: Partial<EmailedReport> = {}): EmailedReport => ({
      reportId,
      sentAt: '2026-04-01T08:00:00.000Z',
      files,
      ...overrides,
    });
    const reports = (archived: string[], emailed: EmailedReport[], monthlyEmailExpected = true) => ({
      ...acrossMarch,
      financeReports: { ...acrossMarch.financeReports, archived, emailed, monthlyEmailExpected },
    });

    it('expects the months whose close falls inside the run in every time zone', () => {
      expect(monthsClosedDuring('2026-03-02T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual(['2026-03']);
      expect(monthsClosedDuring('2026-03-02T00:00:00Z', '2026-05-01T20:00:00Z')).toEqual([
        '2026-03',
        '2026-04',
      ]);
      expect(monthsClosedDuring('2026-03-31T19:00:00Z', '2026-04-15T00:00:00Z')).toEqual([]);
      expect(monthsClosedDuring('2025-12-15T00:00:00Z', '2026-03-15T00:00:00Z')).toEqual([
        '2025-12',
        '2026-01',
        '2026-02',
      ]);
      expect(monthsClosedDuring('2026-03-02T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([]);
    });

    it('passes a close that is archived and emailed once with its charts and CSV files', () => {
      const both = ['monthly-2026-03', 'monthly-2026-04'];
      expect(checkMonthlyCloseDelivered(reports(both, [close('monthly-2026-03')]))).toEqual([]);
      // A product with no monthly recipient archives the close without emailing it.
      expect(checkMonthlyCloseDelivered(reports(['monthly-2026-03'], [], false))).toEqual([]);
    });

    it('catches a close that is not archived, not emailed, emailed twice or without its files', () => {
      const archived = ['monthly-2026-03'];
      const notArchived = checkMonthlyCloseDelivered(reports([], [close('monthly-2026-03')]));
      const notEmailed = checkMonthlyCloseDelivered(reports(archived, []));
      const twice = checkMonthlyCloseDelivered(
        reports(archived, [
          close('monthly-2026-03'),
          close('monthly-2026-03', { sentAt: '2026-04-01T09:00:00.000Z' }),
        ]),
      );
      const bare = checkMonthlyCloseDelivered(
        reports(archived, [close('monthly-2026-03', { files: ['summary.csv', 'cohorts-usd.png'] })]),
      );

      expect(notArchived).toEqual([
        expect.objectContaining({
          subject: 'monthly-2026-03',
          detail: 'the monthly close of 2026-03 is not in the archive',
        }),
      ]);
      expect(notEmailed).toEqual([
        expect.objectContaining({ detail: 'the monthly close of 2026-03 never arrived by email' }),
      ]);
      expect(twice).toEqual([expect.objectContaining({ detail: expect.stringMatching(/^emailed 2 times/) })]);
      expect(bare).toEqual([
        expect.objectContaining({
          detail: 'the email lacks breakdowns.csv, buckets.csv, lift.csv, aging-*.png, attribution-*.png',
        }),
      ]);
    });
  });
});
