import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { PortalTable } from '../shared/adapters/dynamodb/portal-table.ts';
import { SesEmailSender } from '../shared/adapters/email/ses-email-sender.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { portalSigningKeysFrom } from '../shared/adapters/portal/portal-signing-keys.ts';
import { loadSendConfig, loadSendPortalLinkConfig } from '../shared/config.ts';
import { defaultPortalPolicy } from '../shared/domain/portal/portal-policy.ts';
import { channelSchema, templateIdSchema } from '../shared/domain/strategy.ts';
import { issuePortalLink } from '../shared/use-cases/portal/issue-portal-link.ts';
import {
  type SendDependencies,
  type SendOutcome,
  sendJourneyMessage,
} from '../shared/use-cases/send-journey-message.ts';

const inputSchema = z.object({
  caseId: z.string().min(1),
  stepId: z.string().min(1),
  channel: channelSchema,
  template: templateIdSchema,
  reasons: z.array(z.string()).default([]),
});

/** Journey task `SendJourneyMessage`: sends the planned step's message, once. */
export function createSendJourneyMessageHandler(deps: SendDependencies) {
  return middy<unknown, SendOutcome>().handler(async (event) => {
    const request = inputSchema.parse(event);
    const outcome = await sendJourneyMessage(request, deps);
    logger.info('journey step acted', { caseId: request.caseId, ...outcome });
    return outcome;
  });
}

export const handler = lazyHandler(() => {
  const config = loadSendConfig();
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  const portalConfig = loadSendPortalLinkConfig();
  const portalBaseUrl = portalConfig.PORTAL_BASE_URL;
  // With the portal deployed, every message carries its own signed link (docs/portal.md).
  const portalLinks = portalBaseUrl
    ? (() => {
        const portal = new PortalTable(client, config.TABLE_NAME);
        const keys = portalSigningKeysFrom({
          secretArn: portalConfig.PORTAL_SIGNING_KEY_SECRET_ARN,
          value: portalConfig.PORTAL_SIGNING_KEY,
        });
        return async (request: { caseId: string; customerId: string; purpose: string }) =>
          (
            await issuePortalLink(request, {
              portal,
              clock: systemClock,
              keys,
              linkTtlDays: defaultPortalPolicy.linkTtlDays,
              portalBaseUrl,
            })
          ).url;
      })()
    : undefined;
  // One attempt per call: an SDK retry after a timeout could send the message twice. Step Functions
  // retries the task, and the step record decides whether a retry may send.
  const email = new SesEmailSender(new SESv2Client({ maxAttempts: 1 }), {
    from: config.SENDER_EMAIL,
    ...(config.SES_CONFIGURATION_SET ? { configurationSetName: config.SES_CONFIGURATION_SET } : {}),
  });
  return createSendJourneyMessageHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    email,
    clock: systemClock,
    ...(portalLinks ? { portalLinks } : {}),
  });
});
