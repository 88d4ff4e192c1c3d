import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import middy from '@middy/core';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { PortalTable } from '../shared/adapters/dynamodb/portal-table.ts';
import { SesEmailSender } from '../shared/adapters/email/ses-email-sender.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { EndUserMessagingSmsSender } from '../shared/adapters/messaging/sms-sender.ts';
import { unavailableChannelSender } from '../shared/adapters/messaging/unavailable-channel-sender.ts';
import { EndUserMessagingVoiceSender } from '../shared/adapters/messaging/voice-sender.ts';
import { EndUserMessagingWhatsAppSender } from '../shared/adapters/messaging/whatsapp-sender.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { portalSigningKeysFrom } from '../shared/adapters/portal/portal-signing-keys.ts';
import { SecretKeyedStripeBillingActions } from '../shared/adapters/stripe/secret-keyed-stripe-billing-actions.ts';
import {
  loadJourneyChannelAdapters,
  loadJourneyChannels,
  loadSendConfig,
  loadSendPortalLinkConfig,
} from '../shared/config.ts';
import { defaultPortalPolicy } from '../shared/domain/portal/portal-policy.ts';
import {
  sealUnsubscribeToken,
  type UnsubscribeRequest,
  unsubscribeUrl,
} from '../shared/domain/portal/unsubscribe-token.ts';
import { channelSchema, stepActionTypeSchema, templateIdSchema } from '../shared/domain/strategy.ts';
import type { ChannelSenders } from '../shared/ports.ts';
import { advanceJourney, type JourneyState } from '../shared/use-cases/advance-journey.ts';
import { issuePortalLink } from '../shared/use-cases/portal/issue-portal-link.ts';
import type { SendDependencies } from '../shared/use-cases/send-journey-message.ts';
import { contactPolicy, paymentRetryLimits } from '../workflows/policies.ts';
import { strategyCatalogOn } from '../workflows/strategies/catalog.ts';

const stepPlanSchema = z.object({
  action: stepActionTypeSchema,
  stepId: z.string().min(1),
  at: z.string(),
  channel: channelSchema.optional(),
  template: templateIdSchema.optional(),
  variant: z.string().optional(),
  reasons: z.array(z.string()).default([]),
});

/**
 * A plan to look again later with no step to act on: the planner's answer when every open claim
 * is disputed or on hold. It names no step (a step id, when a caller still sends one, is ignored).
 */
const waitPlanSchema = z.object({
  action: z.literal('wait'),
  at: z.string(),
  reasons: z.array(z.string()).default([]),
});

const inputSchema = z.object({
  caseId: z.string().min(1),
  plan: z.union([waitPlanSchema, stepPlanSchema]),
});

/**
 * Journey task `SendJourneyMessage` (the name the state had when every step was a message): acts
 * on the planned step once, whatever its action (message, payment retry, agent task, pause,
 * write-off, cancellation), then returns the journey's next state with the next plan.
 */
export function createSendJourneyMessageHandler(deps: SendDependencies) {
  return middy<unknown, JourneyState>().handler(async (event) => {
    const parsed = inputSchema.parse(event);
    const state = await advanceJourney({ caseId: parsed.caseId, plan: stepPlanOf(parsed.plan) }, deps);
    logger.info('journey step acted', {
      caseId: parsed.caseId,
      ...(state.lastStep ?? {}),
      next: state.plan.action,
      nextReasons: state.plan.reasons,
    });
    return state;
  });
}

function stepPlanOf(plan: z.infer<typeof inputSchema>['plan']): Parameters<typeof advanceJourney>[0]['plan'] {
  if (plan.action === 'wait') return plan;
  const { channel, template, variant, ...rest } = plan;
  return {
    ...rest,
    ...(channel === undefined ? {} : { channel }),
    ...(template === undefined ? {} : { template }),
    ...(variant === undefined ? {} : { variant }),
  };
}

export const handler = lazyHandler(() => {
  const config = loadSendConfig();
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  const portalConfig = loadSendPortalLinkConfig();
  const portalBaseUrl = portalConfig.PORTAL_BASE_URL;
  const portalKeys = portalBaseUrl
    ? portalSigningKeysFrom({
        secretArn: portalConfig.PORTAL_SIGNING_KEY_SECRET_ARN,
        value: portalConfig.PORTAL_SIGNING_KEY,
      })
    : undefined;
  // With the portal deployed, every message carries its own signed link (docs/portal.md).
  const portalLinks =
    portalBaseUrl && portalKeys
      ? (() => {
          const portal = new PortalTable(client, config.TABLE_NAME);
          const keys = portalKeys;
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
  const keySecretArn = config.STRIPE_API_KEY_SECRET_ARN;
  const adapters = loadJourneyChannelAdapters();
  // The planner never picks a channel without an adapter (JOURNEY_CHANNELS); should it, the step
  // is refused for good on that channel and falls back to the next one.
  const unavailable = (channel: string) => unavailableChannelSender(`no ${channel} adapter is configured`);
  const smsVoice = adapters.SMS_ORIGINATION_IDENTITY
    ? {
        client: new PinpointSMSVoiceV2Client({ maxAttempts: 1 }),
        options: {
          originationIdentity: adapters.SMS_ORIGINATION_IDENTITY,
          ...(adapters.SMS_CONFIGURATION_SET ? { configurationSetName: adapters.SMS_CONFIGURATION_SET } : {}),
        },
      }
    : undefined;
  const senders: ChannelSenders = {
    email,
    sms: smsVoice ? new EndUserMessagingSmsSender(smsVoice.client, smsVoice.options) : unavailable('sms'),
    voice: smsVoice
      ? new EndUserMessagingVoiceSender(smsVoice.client, smsVoice.options)
      : unavailable('voice'),
    whatsapp: adapters.WHATSAPP_PHONE_NUMBER_ID
      ? new EndUserMessagingWhatsAppSender(new SocialMessagingClient({ maxAttempts: 1 }), {
          originationPhoneNumberId: adapters.WHATSAPP_PHONE_NUMBER_ID,
          ...(adapters.WHATSAPP_META_API_VERSION
            ? { metaApiVersion: adapters.WHATSAPP_META_API_VERSION }
            : {}),
        })
      : unavailable('whatsapp'),
  };
  return createSendJourneyMessageHandler({
    cases: table,
    claims: table,
    customers: table,
    messages: table,
    agentTasks: table,
    email,
    clock: systemClock,
    strategies: strategyCatalogOn(client, config.TABLE_NAME),
    planOptions: { policy: contactPolicy, deliverableChannels: loadJourneyChannels() },
    consents: table,
    // Every channel through its adapter, with the consent and address checks (docs/channels.md).
    delivery: { senders, consents: table, directory: table, clock: systemClock },
    retryLimits: paymentRetryLimits,
    // Cached for 5 minutes: a key set or rolled after deploy is picked up without a redeploy.
    ...(keySecretArn
      ? {
          billing: new SecretKeyedStripeBillingActions(async () =>
            getSecret<string>(keySecretArn, { maxAge: 300 }),
          ),
        }
      : {}),
    ...(portalLinks ? { portalLinks } : {}),
    // The portal serves the one-click unsubscribe page, so emails carry it whenever there is a portal.
    ...(portalBaseUrl && portalKeys
      ? {
          unsubscribeLinks: async (request: UnsubscribeRequest) =>
            unsubscribeUrl(portalBaseUrl, sealUnsubscribeToken(request, await portalKeys())),
        }
      : {}),
  });
});
