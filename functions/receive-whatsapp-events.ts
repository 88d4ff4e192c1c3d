import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable, inboundReplyStoresOn } from '../shared/adapters/dynamodb/collections-table.ts';
import { readSnsNotifications } from '../shared/adapters/events/sns-envelope.ts';
import { translateWhatsAppEvent } from '../shared/adapters/events/whatsapp-events.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { unavailableChannelSender } from '../shared/adapters/messaging/unavailable-channel-sender.ts';
import { EndUserMessagingWhatsAppSender } from '../shared/adapters/messaging/whatsapp-sender.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { handledReplyLogFields } from '../shared/adapters/observability/reply-log-fields.ts';
import { loadWhatsAppEventsConfig } from '../shared/config.ts';
import {
  handleInboundReply,
  type InboundReplyDependencies,
} from '../shared/use-cases/handle-inbound-reply.ts';
import {
  type RecordDeliveryOutcome,
  recordDeliveryEvent,
} from '../shared/use-cases/record-delivery-event.ts';
import type { InboundBatchResult } from './receive-inbound-sms.ts';

export interface WhatsAppBatchResult {
  readonly deliveries: readonly RecordDeliveryOutcome[];
  readonly replies: InboundBatchResult['outcomes'];
}

/** SNS subscriber of the WhatsApp Business Account's event destination: statuses and inbound messages. */
export function createReceiveWhatsAppEventsHandler(deps: InboundReplyDependencies) {
  return middy<SNSEvent, WhatsAppBatchResult>().handler(async (event) => {
    const deliveries: RecordDeliveryOutcome[] = [];
    const replies: InboundBatchResult['outcomes'][number][] = [];
    for (const notification of readSnsNotifications(event)) {
      const translated = translateWhatsAppEvent(notification.message);
      if (translated.deliveries.length === 0 && translated.replies.length === 0)
        logger.info('WhatsApp event ignored', { snsMessageId: notification.snsMessageId });
      for (const delivery of translated.deliveries) {
        const outcome = await recordDeliveryEvent(delivery, deps);
        logger.info('WhatsApp status recorded', {
          eventId: delivery.eventId,
          kind: delivery.kind,
          ...outcome,
        });
        deliveries.push(outcome);
      }
      for (const reply of translated.replies) {
        const outcome = await handleInboundReply(reply, deps);
        logger.info('WhatsApp message handled', handledReplyLogFields(reply, outcome));
        replies.push(outcome);
      }
    }
    return { deliveries, replies };
  });
}

export const handler = lazyHandler(() => {
  const config = loadWhatsAppEventsConfig();
  const table = new CollectionsTable(new DynamoDBClient({}), config.TABLE_NAME);
  const whatsapp = new EndUserMessagingWhatsAppSender(new SocialMessagingClient({ maxAttempts: 1 }), {
    originationPhoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
    ...(config.WHATSAPP_META_API_VERSION ? { metaApiVersion: config.WHATSAPP_META_API_VERSION } : {}),
  });
  return createReceiveWhatsAppEventsHandler({
    ...inboundReplyStoresOn(table),
    senders: { sms: unavailableChannelSender('WhatsApp messages are answered on WhatsApp'), whatsapp },
    journeys: new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN),
    clock: systemClock,
    settings: { supportContact: config.SUPPORT_CONTACT, senderName: config.SENDER_NAME },
  });
});
