import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createSendJourneyMessageHandler } from '../../../functions/send-journey-message.ts';
import { capturedLogsPerTest } from '../../support/captured-logs.ts';
import { embeddedCollectionsTablePerFile } from '../../support/embedded-collections-table.ts';
import { lambdaContext } from '../../support/lambda-events.ts';
import { recordingSendDependencies, storeOpenCase } from '../../support/stored-journeys.ts';

const embedded = embeddedCollectionsTablePerFile();

const logged = capturedLogsPerTest();

const context = lambdaContext('collections-send-journey-message');

/** A plan as the PlanNextAction state returns it (the state machine passes it whole). */
const plannedStep = {
  action: 'send-message',
  stepId: 'day-0-payment-failed',
  channel: 'email',
  template: 'payment-failed',
  at: '2026-11-02T13:00:00Z',
};

async function setup() {
  const { table } = embedded;
  const { caseId } = await storeOpenCase(table);
  const { deps, email } = recordingSendDependencies(table, '2026-11-02T13:00:01.000Z');
  return { handler: createSendJourneyMessageHandler(deps), email, caseId };
}

describe('sendJourneyMessage handler', () => {
  // The state machine passes { caseId, plan } and takes the answer as its next state.
  it('acts on the planned step from the state input and answers with the next state', async () => {
    // Prepare
    const { handler, email, caseId } = await setup();

    // Act
    const outcome = await handler({ caseId, plan: { ...plannedStep } }, context);

    // Assess
    expect(outcome).toMatchObject({
      caseId,
      lastStep: { stepId: 'day-0-payment-failed', action: 'send-message', status: 'sent', duplicate: false },
      plan: { action: 'send-message', stepId: 'day-3-reminder', at: '2026-11-05T13:00:00Z' },
    });
    expect(email.accepted).toHaveLength(1);
    expect((await embedded.table.getMessage(caseId, 'day-0-payment-failed'))?.reasons).toEqual([]);
  });

  it('looks again without acting when the plan is a wait with no step (every open claim disputed)', async () => {
    // Prepare: the planner's own answer when nothing may be contacted (found by the simulator).
    const { handler, email, caseId } = await setup();
    const wait = { action: 'wait', at: '2026-11-02T13:00:00Z', reasons: ['blocked:pause:dispute'] };

    // Act
    const outcome = await handler({ caseId, plan: wait }, context);

    // Assess: nothing sent, no last step, and the next plan comes from the planner.
    expect(email.accepted).toHaveLength(0);
    expect(outcome).not.toHaveProperty('lastStep');
    expect(outcome).toMatchObject({
      caseId,
      plan: { action: 'send-message', stepId: 'day-0-payment-failed' },
    });
  });

  it('logs the outcome without the recipient', async () => {
    // Prepare
    const { handler, caseId } = await setup();

    // Act
    await handler({ caseId, plan: { ...plannedStep } }, context);

    // Assess
    const logs = JSON.stringify(logged);
    expect(logs).toContain(caseId);
    expect(logs).not.toContain('jenny.rosen@example.com');
  });

  it.each([
    ['an unknown channel', { channel: 'carrier-pigeon' }],
    ['an unknown template', { template: 'threat' }],
    ['no step id', { stepId: '' }],
    ['an unknown action', { action: 'sue' }],
  ])('rejects an input with %s and sends nothing', async (_label, change) => {
    // Prepare
    const { handler, email, caseId } = await setup();

    // Act
    const sending = handler({ caseId, plan: { ...plannedStep, ...change } }, context);

    // Assess
    await expect(sending).rejects.toBeInstanceOf(ZodError);
    expect(email.attempts).toBe(0);
  });
});
