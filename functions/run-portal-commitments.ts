import middy from '@middy/core';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { awsPortalDependencies } from '../shared/adapters/portal/aws-portal-dependencies.ts';
import { loadPortalConfig } from '../shared/config.ts';
import type { PortalDependencies } from '../shared/use-cases/portal/portal-dependencies.ts';
import {
  type CommitmentsRunSummary,
  runPortalCommitments,
} from '../shared/use-cases/portal/run-portal-commitments.ts';

/**
 * Hourly job (EventBridge Scheduler): settles due promises to pay and runs payment plans
 * (reminders, instalment charges, missed instalments). Only cases whose check is due are read.
 */
export function createRunPortalCommitmentsHandler(deps: PortalDependencies) {
  return middy<unknown, CommitmentsRunSummary>().handler(async () => {
    const summary = await runPortalCommitments(deps);
    logger.info('portal commitments checked', { ...summary });
    return summary;
  });
}

export const handler = lazyHandler(() =>
  createRunPortalCommitmentsHandler(awsPortalDependencies(loadPortalConfig())),
);
