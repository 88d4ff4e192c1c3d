import { describe, expect, it } from 'vitest';
import { InMemoryStrategyCatalog } from '../../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { CaseNotFoundError, ConfigurationError } from '../../../shared/domain/errors.ts';
import { defaultPlanOptions } from '../../../shared/domain/plan-next-action.ts';
import { parseStrategy } from '../../../shared/domain/strategy.ts';
import type { MessageStatus } from '../../../shared/ports.ts';
import { type PlanDependencies, planJourneyStep } from '../../../shared/use-cases/plan-journey-step.ts';
import {
  defaultStrategy,
  shippedCatalog,
  shippedRouting,
  shippedStrategies,
} from '../../../workflows/strategies/index.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { TestClock } from '../../support/fake-ports.ts';
import { storeOpenCase } from '../../support/stored-journeys.ts';

const embedded = embeddedCollectionsTablePerFile();

/** A stored open case (opened 2026-11-02T10:14:09Z) of a New York customer with one failed claim. */
async function storedCase(strategyVersion = 1): Promise<{ caseId: string; deps: PlanDependencies }> {
  const { table } = embedded;
  const { caseId } = await storeOpenCase(table, { collectionCase: { strategyVersion } });
  return {
    caseId,
    deps: {
      cases: table,
      claims: table,
      customers: table,
      messages: table,
      clock: new TestClock('2026-11-02T15:30:00.000Z'),
      strategies: shippedCatalog,
      planOptions: defaultPlanOptions,
    },
  };
}

async function recordStep(caseId: string, stepId: string, status: MessageStatus): Promise<void> {
  const record = {
    caseId,
    stepId,
    channel: 'email' as const,
    template: 'payment-failed' as const,
    status: 'sending' as const,
    startedAt: '2026-11-02T13:00:01.000Z',
    reasons: ['step-due'],
  };
  await embedded.table.beginMessage(record);
  await embedded.table.completeMessage({ ...record, status });
}

describe('planJourneyStep', () => {
  it('plans the first step of a fresh case from the stored state', async () => {
    // Prepare
    const { caseId, deps } = await storedCase();

    // Act
    const plan = await planJourneyStep(caseId, deps);

    // Assess
    expect(plan).toMatchObject({
      action: 'send-message',
      stepId: 'day-0-payment-failed',
      at: '2026-11-02T15:30:00Z',
    });
  });

  it.each<MessageStatus>(['sent', 'undeliverable', 'uncertain'])(
    'moves on to the next step once the previous one ended %s',
    async (status) => {
      // Prepare
      const { caseId, deps } = await storedCase();
      await recordStep(caseId, 'day-0-payment-failed', status);

      // Act
      const plan = await planJourneyStep(caseId, deps);

      // Assess
      expect(plan).toMatchObject({
        action: 'send-message',
        stepId: 'day-3-reminder',
        at: '2026-11-05T13:00:00Z',
      });
    },
  );

  it('plans a step again when the provider refused it', async () => {
    // Prepare
    const { caseId, deps } = await storedCase();
    await recordStep(caseId, 'day-0-payment-failed', 'failed');

    // Act
    const plan = await planJourneyStep(caseId, deps);

    // Assess
    expect(plan).toMatchObject({ action: 'send-message', stepId: 'day-0-payment-failed' });
  });

  it('ends the journey of a case closed since the last step', async () => {
    // Prepare
    const { caseId, deps } = await storedCase();
    await embedded.table.closeCase(caseId, 'paid', new Date('2026-11-02T15:00:00.000Z'));

    // Act
    const plan = await planJourneyStep(caseId, deps);

    // Assess
    expect(plan).toEqual({ action: 'end', reasons: ['case-closed'] });
  });

  it('fails with CaseNotFoundError for an unknown case', async () => {
    // Prepare
    const { deps } = await storedCase();

    // Act
    const planning = planJourneyStep(`case_${uniqueSuffix()}`, deps);

    // Assess
    await expect(planning).rejects.toBeInstanceOf(CaseNotFoundError);
  });

  it('fails with a configuration error when the strategy version of the case is not published', async () => {
    // Prepare
    const { caseId, deps } = await storedCase(7);

    // Act
    const planning = planJourneyStep(caseId, deps);

    // Assess
    await expect(planning).rejects.toThrow(`strategy default@7 of case ${caseId} is not published`);
    await expect(planning).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('keeps the strategy version the case started with after a newer version is published', async () => {
    // Prepare: version 2 of `default` sends its first message on day 1 instead of day 0.
    const { caseId, deps } = await storedCase(1);
    const version2 = parseStrategy({
      ...defaultStrategy,
      version: 2,
      steps: defaultStrategy.steps.map((step) => ({
        ...step,
        timing: { ...step.timing, days: step.timing.days + 1 },
      })),
    });
    const catalog = new InMemoryStrategyCatalog([...shippedStrategies, version2], shippedRouting);

    // Act
    const plan = await planJourneyStep(caseId, { ...deps, strategies: catalog });

    // Assess
    expect((await catalog.getCurrentStrategy('default'))?.version).toBe(2);
    expect(plan).toMatchObject({ stepId: 'day-0-payment-failed', at: '2026-11-02T15:30:00Z' });
  });
});
