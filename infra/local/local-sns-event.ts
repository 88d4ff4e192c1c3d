import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';

function isSnsEvent(body: unknown): body is SNSEvent {
  return typeof body === 'object' && body !== null && Array.isArray((body as { Records?: unknown }).Records);
}

/**
 * The Lambda event SNS would deliver for a service message published to the topic: a full SNS
 * event (`{"Records": [...]}`) is passed through untouched; a bare service payload (the JSON an
 * AWS service publishes) is wrapped in the envelope SNS adds, with the topic's local ARN.
 */
export function localSnsEvent(body: unknown, topicLogicalId: string, now: Date): SNSEvent {
  if (isSnsEvent(body)) return body;
  const topicArn = `arn:aws:sns:us-east-1:000000000000:${topicLogicalId}`;
  const messageId = randomUUID();
  const subscriptionArn = `${topicArn}:${randomUUID()}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topicArn,
          Subject: '',
          Message: JSON.stringify(body),
          Timestamp: now.toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/local.pem',
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}
