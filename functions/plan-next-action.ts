import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadTableConfig } from '../shared/config.ts';
import type { JourneyPlan } from '../shared/domain/plan-next-action.ts';
import { type PlanDependencies, planJourneyStep } from '../shared/use-cases/plan-journey-step.ts';
import { strategyFor } from '../workflows/strategies/index.ts';

const inputSchema = z.object({ caseId: z.string().min(1) });

/** Journey task `PlanNextAction`: reads the case and returns the next action and its moment. */
export function createPlanNextActionHandler(deps: PlanDependencies) {
  return middy<unknown, JourneyPlan>().handler(async (event) => {
    const { caseId } = inputSchema.parse(event);
    const plan = await planJourneyStep(caseId, deps);
    logger.info('journey planned', { caseId, action: plan.action, reasons: plan.reasons });
    return plan;
  });
}

export const handler = lazyHandler(() => {
  const table = new CollectionsTable(new DynamoDBClient({}), loadTableConfig().TABLE_NAME);
  return createPlanNextActionHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    clock: systemClock,
    strategyFor,
  });
});
