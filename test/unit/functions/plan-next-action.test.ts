import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ZodError } from 'zod';
import { createPlanNextActionHandler } from '../../../functions/plan-next-action.ts';
import { logger } from '../../../shared/adapters/observability/logger.ts';
import { CaseNotFoundError } from '../../../shared/domain/errors.ts';
import { defaultPlanOptions } from '../../../shared/domain/plan-next-action.ts';
import { shippedCatalog } from '../../../workflows/strategies/index.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { TestClock } from '../../support/fake-ports.ts';
import { lambdaContext } from '../../support/lambda-events.ts';
import { storeOpenCase } from '../../support/stored-journeys.ts';

const embedded = embeddedCollectionsTablePerFile();

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const context = lambdaContext('collections-plan-next-action');

function handler() {
  const { table } = embedded;
  return createPlanNextActionHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    clock: new TestClock('2026-11-02T10:14:10.000Z'),
    strategies: shippedCatalog,
    planOptions: defaultPlanOptions,
  });
}

describe('planNextAction handler', () => {
  it('returns the plan for the case named in the state input', async () => {
    // Prepare
    const { caseId } = await storeOpenCase(embedded.table, {
      customer: (customer) => ({ ...customer, timeZone: 'Europe/Berlin' }),
    });

    // Act: Step Functions passes the execution input through, extra fields included.
    const plan = await handler()({ caseId, startedBy: 'ingest' }, context);

    // Assess: 10:14:10Z is 11:14 in Berlin (CET).
    expect(plan).toEqual({
      action: 'send-message',
      stepId: 'day-0-payment-failed',
      channel: 'email',
      template: 'payment-failed',
      at: '2026-11-02T10:14:10Z',
      reasons: ['time-zone-from-customer', 'step-due'],
    });
  });

  it('rejects an input without a case id', async () => {
    // Act
    const planning = handler()({ case: 'case_4f1d2c3b4a5968778695a4b3' }, context);

    // Assess
    await expect(planning).rejects.toBeInstanceOf(ZodError);
  });

  it('fails with CaseNotFoundError for a case that does not exist', async () => {
    // Act
    const planning = handler()({ caseId: `case_${uniqueSuffix()}` }, context);

    // Assess
    await expect(planning).rejects.toBeInstanceOf(CaseNotFoundError);
  });
});
