import { describe, expect, it } from 'vitest';
import { advanceJourney } from '../../../shared/use-cases/advance-journey.ts';
import { embeddedCollectionsTablePerFile } from '../../support/embedded-collections-table.ts';
import { recordingSendDependencies, storeOpenCase } from '../../support/stored-journeys.ts';

const embedded = embeddedCollectionsTablePerFile();

/** A stored case on the default strategy (opened 2 Nov 2026, 05:14 in New York) and its dependencies. */
async function journey(pauses: { reason: 'payment-plan'; from: string }[] = []) {
  const { caseId } = await storeOpenCase(embedded.table, { collectionCase: { pauses } });
  const { deps, email } = recordingSendDependencies(embedded.table);
  const firstStep = {
    action: 'send-message' as const,
    stepId: 'day-0-payment-failed',
    channel: 'email' as const,
    template: 'payment-failed' as const,
    at: '2026-11-02T13:00:00Z',
    reasons: ['step-due'],
  };
  return { caseId, deps, email, firstStep };
}

describe('advanceJourney', () => {
  it('acts on the planned step, then plans the next one', async () => {
    // Prepare
    const { caseId, deps, email, firstStep } = await journey();

    // Act
    const state = await advanceJourney({ caseId, plan: firstStep }, deps);

    // Assess
    expect(email.accepted).toHaveLength(1);
    expect(state).toEqual({
      caseId,
      lastStep: { stepId: 'day-0-payment-failed', action: 'send-message', status: 'sent', duplicate: false },
      plan: {
        action: 'send-message',
        stepId: 'day-3-reminder',
        channel: 'email',
        template: 'payment-reminder',
        at: '2026-11-05T13:00:00Z',
        reasons: ['time-zone-from-customer', 'step-due', 'deferred:quiet-hours'],
      },
    });
  });

  it('acts on nothing and ends when the case closed during the wait', async () => {
    // Prepare
    const { caseId, deps, email, firstStep } = await journey();
    await embedded.table.closeCase(caseId, 'paid', new Date('2026-11-02T12:00:00.000Z'));

    // Act
    const state = await advanceJourney({ caseId, plan: firstStep }, deps);

    // Assess
    expect(state).toEqual({ caseId, plan: { action: 'end', reasons: ['case-closed'] } });
    expect(email.attempts).toBe(0);
    expect(await embedded.table.getMessage(caseId, 'day-0-payment-failed')).toBeUndefined();
  });

  it('only plans again after a wait, and keeps waiting while the pause lasts', async () => {
    // Prepare
    const { caseId, deps, email } = await journey([
      { reason: 'payment-plan', from: '2026-11-01T00:00:00.000Z' },
    ]);

    // Act
    const state = await advanceJourney(
      {
        caseId,
        plan: { action: 'wait', at: '2026-11-02T13:00:00Z', reasons: ['blocked:pause:payment-plan'] },
      },
      deps,
    );

    // Assess
    expect(email.attempts).toBe(0);
    expect(state).toEqual({
      caseId,
      plan: {
        action: 'wait',
        at: '2026-11-09T13:00:00Z',
        reasons: ['time-zone-from-customer', 'blocked:pause:payment-plan'],
      },
    });
  });

  it('acts once when the task is retried after acting, and plans the same next step', async () => {
    // Prepare
    const { caseId, deps, email, firstStep } = await journey();
    const first = await advanceJourney({ caseId, plan: firstStep }, deps);

    // Act
    const retried = await advanceJourney({ caseId, plan: firstStep }, deps);

    // Assess
    expect(email.accepted).toHaveLength(1);
    expect(retried.lastStep?.duplicate).toBe(true);
    expect(retried.plan).toEqual(first.plan);
  });
});
