import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadJourneyChannels, loadTableConfig } from '../shared/config.ts';
import type { JourneyPlan } from '../shared/domain/plan-next-action.ts';
import { type PlanDependencies, planJourneyStep } from '../shared/use-cases/plan-journey-step.ts';
import { contactPolicy } from '../workflows/policies.ts';
import { strategyCatalogOn } from '../workflows/strategies/catalog.ts';

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
  const client = new DynamoDBClient({});
  const { TABLE_NAME } = loadTableConfig();
  const table = new CollectionsTable(client, TABLE_NAME);
  return createPlanNextActionHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    clock: systemClock,
    // Strategies published to the table (the CLI) over the ones shipped with the code.
    strategies: strategyCatalogOn(client, TABLE_NAME),
    planOptions: { policy: contactPolicy, deliverableChannels: loadJourneyChannels() },
    consents: table,
  });
});
