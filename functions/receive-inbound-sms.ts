import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable, inboundReplyStoresOn } from '../shared/adapters/dynamodb/collections-table.ts';
import { translateInboundSms } from '../shared/adapters/events/sms-voice-events.ts';
import { readSnsNotifications } from '../shared/adapters/events/sns-envelope.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { EndUserMessagingSmsSender } from '../shared/adapters/messaging/sms-sender.ts';
import { unavailableChannelSender } from '../shared/adapters/messaging/unavailable-channel-sender.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { handledReplyLogFields } from '../shared/adapters/observability/reply-log-fields.ts';
import { loadInboundSmsConfig } from '../shared/config.ts';
import {
  handleInboundReply,
  type InboundReplyDependencies,
  type InboundReplyOutcome,
} from '../shared/use-cases/handle-inbound-reply.ts';

export interface InboundBatchResult {
  readonly outcomes: readonly (InboundReplyOutcome | { readonly status: 'ignored' })[];
}

/** SNS subscriber of the two-way SMS topic: keywords, intents and their actions. */
export function createReceiveInboundSmsHandler(deps: InboundReplyDependencies) {
  return middy<SNSEvent, InboundBatchResult>().handler(async (event) => {
    const outcomes = [];
    for (const notification of readSnsNotifications(event)) {
      const reply = translateInboundSms(notification.message, notification.publishedAt);
      if (reply === undefined) {
        logger.info('inbound SMS ignored', { snsMessageId: notification.snsMessageId });
        outcomes.push({ status: 'ignored' as const });
        continue;
      }
      const outcome = await handleInboundReply(reply, deps);
      logger.info('inbound SMS handled', handledReplyLogFields(reply, outcome));
      outcomes.push(outcome);
    }
    return { outcomes };
  });
}

export const handler = lazyHandler(() => {
  const config = loadInboundSmsConfig();
  const table = new CollectionsTable(new DynamoDBClient({}), config.TABLE_NAME);
  // One attempt per call: an SDK retry after a timeout could send an answer twice.
  const sms = new EndUserMessagingSmsSender(new PinpointSMSVoiceV2Client({ maxAttempts: 1 }), {
    originationIdentity: config.SMS_ORIGINATION_IDENTITY,
    ...(config.SMS_CONFIGURATION_SET ? { configurationSetName: config.SMS_CONFIGURATION_SET } : {}),
  });
  return createReceiveInboundSmsHandler({
    ...inboundReplyStoresOn(table),
    senders: { sms, whatsapp: unavailableChannelSender('SMS replies are answered by SMS') },
    journeys: new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN),
    clock: systemClock,
    settings: { supportContact: config.SUPPORT_CONTACT, senderName: config.SENDER_NAME },
  });
});
