import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import { InvalidRequestError } from '../../domain/errors.ts';

const snsEventSchema = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({
          MessageId: z.string().min(1),
          TopicArn: z.string().min(1),
          Timestamp: z.string().min(1),
          Message: z.string(),
        }),
      }),
    )
    .min(1),
});

/** One SNS notification as a subscribed Lambda function receives it. */
export interface SnsNotification {
  readonly snsMessageId: string;
  readonly topicArn: string;
  /** When SNS published it (ISO). */
  readonly publishedAt: string;
  /** The service's message, parsed from the `Message` string. */
  readonly message: unknown;
}

/** Reads the SNS records of a Lambda event; a record whose `Message` is not JSON is a bad request. */
export function readSnsNotifications(event: SNSEvent | unknown): SnsNotification[] {
  const parsed = snsEventSchema.safeParse(event);
  if (!parsed.success)
    throw new InvalidRequestError(`not an SNS event: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data.Records.map(({ Sns }) => {
    let message: unknown;
    try {
      message = JSON.parse(Sns.Message);
    } catch {
      throw new InvalidRequestError(`SNS message ${Sns.MessageId} is not JSON`);
    }
    return {
      snsMessageId: Sns.MessageId,
      topicArn: Sns.TopicArn,
      publishedAt: new Date(Sns.Timestamp).toISOString(),
      message,
    };
  });
}
