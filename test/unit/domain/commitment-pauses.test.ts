import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../shared/domain/claim.ts';
import type { CollectionCase } from '../../../shared/domain/collection-case.ts';
import { commitmentPauseOf, contactableClaims } from '../../../shared/domain/commitment-pauses.ts';
import type { StepRecord } from '../../../shared/domain/journey-record.ts';
import { planNextAction } from '../../../shared/domain/plan-next-action.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';

const now = new Date('2026-03-02T12:00:00Z');

function claim(id: string, status: Claim['status'] = 'failed'): Claim {
  return {
    claimId: id,
    invoiceId: id,
    provider: 'stripe',
    customerId: 'stripe:cus_1',
    status,
    amountMinor: 1000,
    currency: 'EUR',
    attemptCount: 1,
    snapshotAt: '2026-03-02T09:00:00.000Z',
    snapshotEventId: 'evt_1',
  };
}

const openCase: CollectionCase = {
  caseId: 'case_1',
  customerId: 'stripe:cus_1',
  status: 'open',
  openedAt: '2026-03-02T09:00:00.000Z',
  claimIds: ['a', 'b'],
  strategyId: 'default',
  strategyVersion: 1,
};

const hold = (until: string) => ({ kind: 'dispute' as const, since: now.toISOString(), until, taskId: 't' });

describe('commitmentPauseOf', () => {
  it('is not paused without a pause, or once the pause is over', () => {
    expect(commitmentPauseOf(openCase, [claim('a')], now)).toBeUndefined();
    expect(
      commitmentPauseOf({ ...openCase, pausedUntil: '2026-03-02T12:00:00Z' }, [claim('a')], now),
    ).toBeUndefined();
  });

  it('pauses for a promise or a plan until its end', () => {
    expect(
      commitmentPauseOf(
        { ...openCase, pausedUntil: '2026-03-05T23:00:00Z', pauseReason: 'payment-plan' },
        [claim('a')],
        now,
      ),
    ).toEqual({ reason: 'payment-plan', from: now.toISOString(), until: '2026-03-05T23:00:00Z' });
  });

  it('leaves held claims out of messages, and pauses only when every open claim is held', () => {
    const holds = { a: hold('2026-04-01T00:00:00.000Z'), b: hold('2026-03-10T00:00:00.000Z') };
    expect(
      contactableClaims({ claimHolds: { a: holds.a } }, [claim('a'), claim('b')], now).map((c) => c.claimId),
    ).toEqual(['b']);
    expect(
      commitmentPauseOf({ ...openCase, claimHolds: { a: holds.a } }, [claim('a'), claim('b')], now),
    ).toBeUndefined();
    expect(commitmentPauseOf({ ...openCase, claimHolds: holds }, [claim('a'), claim('b')], now)).toEqual({
      from: now.toISOString(),
      until: '2026-03-10T00:00:00.000Z',
      reason: 'claims-on-hold',
    });
    // A paid claim needs no hold: the held open one alone pauses the case.
    expect(
      commitmentPauseOf({ ...openCase, claimHolds: { a: holds.a } }, [claim('a'), claim('b', 'paid')], now)
        ?.reason,
    ).toBe('claims-on-hold');
  });

  it('pauses for a promise made in a reply (docs/channels.md) until its end', () => {
    expect(
      commitmentPauseOf({ ...openCase, promisedUntil: '2026-03-13T23:00:00.000Z' }, [claim('a')], now),
    ).toEqual({
      from: now.toISOString(),
      until: '2026-03-13T23:00:00.000Z',
      reason: 'promise-to-pay',
    });
  });

  it('takes the later end when a promise and holds both apply', () => {
    const paused = {
      ...openCase,
      pausedUntil: '2026-03-20T00:00:00Z',
      claimHolds: { a: hold('2026-03-10T00:00:00.000Z') },
    };
    expect(commitmentPauseOf(paused, [claim('a')], now)?.until).toBe('2026-03-20T00:00:00Z');
  });
});

/** The record a sent step leaves (the planner moves past it). */
function sentRecord(stepId: string): StepRecord {
  return {
    caseId: openCase.caseId,
    stepId,
    action: 'send-message',
    channel: 'email',
    template: 'payment-failed',
    status: 'sent',
    startedAt: '2026-03-02T09:00:00.000Z',
    sentAt: '2026-03-02T09:00:00.000Z',
    reasons: [],
  };
}

describe('planNextAction with a contact pause', () => {
  it('moves the next send to the pause end (then into the contact window) and says why', () => {
    const paused = {
      ...openCase,
      pausedUntil: '2026-03-08T23:00:00Z',
      pauseReason: 'promise-to-pay' as const,
    };
    const plan = planNextAction(
      {
        collectionCase: paused,
        customer: { customerId: 'stripe:cus_1', email: 'debtor@example.com', timeZone: 'Europe/Berlin' },
        claims: [claim('a')],
        records: [sentRecord('day-0-payment-failed')],
      },
      defaultStrategy,
      now,
    );
    // 23:00 UTC on the 8th is midnight in Berlin: the window opens at 08:00 there (07:00 UTC).
    expect(plan).toMatchObject({
      action: 'send-message',
      stepId: 'day-3-reminder',
      at: '2026-03-09T07:00:00Z',
    });
    expect(plan.reasons).toEqual(
      expect.arrayContaining(['deferred:pause:promise-to-pay', 'deferred:quiet-hours']),
    );
  });

  it('keeps the step’s own time when the pause ends before it', () => {
    const paused = { ...openCase, pausedUntil: '2026-03-03T00:00:00Z' };
    const plan = planNextAction(
      {
        collectionCase: paused,
        customer: { customerId: 'stripe:cus_1', email: 'debtor@example.com', timeZone: 'UTC' },
        claims: [claim('a')],
        records: [sentRecord('day-0-payment-failed')],
      },
      defaultStrategy,
      now,
    );
    expect(plan).toMatchObject({ action: 'send-message', at: '2026-03-05T09:00:00Z' });
    expect(plan.reasons.some((reason) => reason.startsWith('deferred:pause'))).toBe(false);
  });
});
