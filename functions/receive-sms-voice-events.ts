import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { translateSmsVoiceEvent } from '../shared/adapters/events/sms-voice-events.ts';
import { readSnsNotifications } from '../shared/adapters/events/sns-envelope.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadTableConfig } from '../shared/config.ts';
import {
  type RecordDeliveryDependencies,
  type RecordDeliveryOutcome,
  recordDeliveryEvent,
} from '../shared/use-cases/record-delivery-event.ts';

export interface EventBatchResult {
  readonly outcomes: readonly (RecordDeliveryOutcome | { readonly status: 'ignored' })[];
}

/** SNS subscriber of the End User Messaging configuration set: SMS and voice events onto the timeline. */
export function createReceiveSmsVoiceEventsHandler(deps: RecordDeliveryDependencies) {
  return middy<SNSEvent, EventBatchResult>().handler(async (event) => {
    const outcomes = [];
    for (const notification of readSnsNotifications(event)) {
      const delivery = translateSmsVoiceEvent(notification.message);
      if (delivery === undefined) {
        logger.info('sms/voice event ignored', { snsMessageId: notification.snsMessageId });
        outcomes.push({ status: 'ignored' as const });
        continue;
      }
      const outcome = await recordDeliveryEvent(delivery, deps);
      logger.info('sms/voice event recorded', {
        eventId: delivery.eventId,
        kind: delivery.kind,
        ...outcome,
      });
      outcomes.push(outcome);
    }
    return { outcomes };
  });
}

export const handler = lazyHandler(() => {
  const table = new CollectionsTable(new DynamoDBClient({}), loadTableConfig().TABLE_NAME);
  return createReceiveSmsVoiceEventsHandler({
    cases: table,
    interactions: table,
    consents: table,
    directory: table,
  });
});
