import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { translateSesEvent } from '../shared/adapters/events/ses-events.ts';
import { readSnsNotifications } from '../shared/adapters/events/sns-envelope.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { loadTableConfig } from '../shared/config.ts';
import {
  type RecordDeliveryDependencies,
  recordDeliveryEvent,
} from '../shared/use-cases/record-delivery-event.ts';
import type { EventBatchResult } from './receive-sms-voice-events.ts';

/** SNS subscriber of the SES configuration set: deliveries, bounces, complaints, opens and clicks. */
export function createReceiveSesEventsHandler(deps: RecordDeliveryDependencies) {
  return middy<SNSEvent, EventBatchResult>().handler(async (event) => {
    const outcomes = [];
    for (const notification of readSnsNotifications(event)) {
      const delivery = translateSesEvent(notification.message);
      if (delivery === undefined) {
        logger.info('SES event ignored', { snsMessageId: notification.snsMessageId });
        outcomes.push({ status: 'ignored' as const });
        continue;
      }
      const outcome = await recordDeliveryEvent(delivery, deps);
      logger.info('SES event recorded', { eventId: delivery.eventId, kind: delivery.kind, ...outcome });
      outcomes.push(outcome);
    }
    return { outcomes };
  });
}

export const handler = lazyHandler(() => {
  const table = new CollectionsTable(new DynamoDBClient({}), loadTableConfig().TABLE_NAME);
  return createReceiveSesEventsHandler({
    cases: table,
    interactions: table,
    consents: table,
    directory: table,
  });
});
