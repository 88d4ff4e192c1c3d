import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { StrategyTable } from '../shared/adapters/dynamodb/strategy-table.ts';
import { SesEmailSender } from '../shared/adapters/email/ses-email-sender.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { LayeredStrategyCatalog } from '../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { SecretKeyedStripeBillingActions } from '../shared/adapters/stripe/secret-keyed-stripe-billing-actions.ts';
import { loadJourneyChannels, loadSendConfig } from '../shared/config.ts';
import { channelSchema, stepActionTypeSchema, templateIdSchema } from '../shared/domain/strategy.ts';
import { advanceJourney, type JourneyState } from '../shared/use-cases/advance-journey.ts';
import type { SendDependencies } from '../shared/use-cases/send-journey-message.ts';
import { contactPolicy, paymentRetryLimits } from '../workflows/policies.ts';
import { shippedCatalog } from '../workflows/strategies/index.ts';

const inputSchema = z.object({
  caseId: z.string().min(1),
  plan: z.object({
    action: z.union([stepActionTypeSchema, z.literal('wait')]),
    stepId: z.string().min(1),
    at: z.string(),
    channel: channelSchema.optional(),
    template: templateIdSchema.optional(),
    variant: z.string().optional(),
    reasons: z.array(z.string()).default([]),
  }),
});

/**
 * Journey task `SendJourneyMessage` (the name the state had when every step was a message): acts
 * on the planned step once, whatever its action (message, payment retry, agent task, pause,
 * write-off, cancellation), then returns the journey's next state with the next plan.
 */
export function createSendJourneyMessageHandler(deps: SendDependencies) {
  return middy<unknown, JourneyState>().handler(async (event) => {
    const parsed = inputSchema.parse(event);
    const { channel, template, variant, ...plan } = parsed.plan;
    const state = await advanceJourney(
      {
        caseId: parsed.caseId,
        plan: {
          ...plan,
          ...(channel === undefined ? {} : { channel }),
          ...(template === undefined ? {} : { template }),
          ...(variant === undefined ? {} : { variant }),
        },
      },
      deps,
    );
    logger.info('journey step acted', {
      caseId: parsed.caseId,
      ...(state.lastStep ?? {}),
      next: state.plan.action,
      nextReasons: state.plan.reasons,
    });
    return state;
  });
}

export const handler = lazyHandler(() => {
  const config = loadSendConfig();
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  // One attempt per call: an SDK retry after a timeout could send the message twice. Step Functions
  // retries the task, and the step record decides whether a retry may send.
  const email = new SesEmailSender(new SESv2Client({ maxAttempts: 1 }), {
    from: config.SENDER_EMAIL,
    ...(config.SES_CONFIGURATION_SET ? { configurationSetName: config.SES_CONFIGURATION_SET } : {}),
  });
  const keySecretArn = config.STRIPE_API_KEY_SECRET_ARN;
  return createSendJourneyMessageHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    agentTasks: table,
    email,
    clock: systemClock,
    strategies: new LayeredStrategyCatalog(new StrategyTable(client, config.TABLE_NAME), shippedCatalog),
    planOptions: { policy: contactPolicy, deliverableChannels: loadJourneyChannels() },
    retryLimits: paymentRetryLimits,
    // Cached for 5 minutes: a key set or rolled after deploy is picked up without a redeploy.
    ...(keySecretArn
      ? {
          billing: new SecretKeyedStripeBillingActions(async () =>
            getSecret<string>(keySecretArn, { maxAge: 300 }),
          ),
        }
      : {}),
  });
});
