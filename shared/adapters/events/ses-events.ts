import { z } from 'zod';
import type { DeliveryEvent } from '../../domain/channel-events.ts';
import { normalizeAddress, readCorrelation } from '../../domain/delivery-channel.ts';
import type { InteractionKind } from '../../domain/interaction.ts';

const recipientsSchema = z.array(z.object({ emailAddress: z.string() })).optional();

/** An SES event-publishing record (configuration set event destination to SNS). */
const sesEventSchema = z.object({
  eventType: z.string().min(1),
  mail: z.object({
    timestamp: z.string(),
    messageId: z.string().min(1),
    destination: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
  delivery: z.object({ timestamp: z.string() }).optional(),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: recipientsSchema,
      timestamp: z.string(),
      feedbackId: z.string(),
    })
    .optional(),
  complaint: z
    .object({ complainedRecipients: recipientsSchema, timestamp: z.string(), feedbackId: z.string() })
    .optional(),
  open: z.object({ timestamp: z.string() }).optional(),
  click: z.object({ timestamp: z.string(), link: z.string().optional() }).optional(),
  reject: z.object({ reason: z.string().optional() }).optional(),
  failure: z.object({ errorMessage: z.string().optional() }).optional(),
});

/** SES tags come back as arrays of values: take the first of each. */
function firstTagValues(tags: Record<string, string[]> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tags ?? {})
      .filter(([, values]) => values.length > 0)
      .map(([name, values]) => [name, values[0] ?? '']),
  );
}

/**
 * Translates one SES event; undefined for the ones the timeline does not show (Send,
 * DeliveryDelay, Subscription) and anything that is not an SES event.
 */
export function translateSesEvent(message: unknown): DeliveryEvent | undefined {
  const parsed = sesEventSchema.safeParse(message);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  const correlation = readCorrelation(firstTagValues(event.mail.tags));
  const base = {
    channel: 'email' as const,
    providerMessageId: event.mail.messageId,
    ...(correlation ? { correlation } : {}),
  };
  const recipient = (recipients: { emailAddress: string }[] | undefined): string | undefined =>
    normalizeAddress('email', recipients?.[0]?.emailAddress ?? event.mail.destination[0] ?? '');
  const withAddress = (address: string | undefined) => (address ? { address } : {});
  const id = (suffix: string) => `${event.mail.messageId}:${suffix}`;
  const simple = (kind: InteractionKind, timestamp: string, detail: string): DeliveryEvent => ({
    ...base,
    eventId: id(`${event.eventType}:${timestamp}`),
    kind,
    occurredAt: new Date(timestamp).toISOString(),
    ...withAddress(recipient(undefined)),
    detail,
  });

  switch (event.eventType) {
    case 'Delivery':
      return event.delivery ? simple('delivered', event.delivery.timestamp, 'Delivery') : undefined;
    case 'Open':
      return event.open ? simple('opened', event.open.timestamp, 'Open') : undefined;
    // The link itself can carry tokens; the timeline only needs that a link was clicked.
    case 'Click':
      return event.click ? simple('clicked', event.click.timestamp, 'Click') : undefined;
    case 'Reject':
      return simple('failed', event.mail.timestamp, 'Reject');
    case 'Rendering Failure':
      return simple('failed', event.mail.timestamp, 'RenderingFailure');
    case 'Bounce': {
      if (!event.bounce) return undefined;
      const { bounceType, bounceSubType, feedbackId, timestamp } = event.bounce;
      return {
        ...base,
        eventId: id(`Bounce:${feedbackId}`),
        kind: 'bounced',
        occurredAt: new Date(timestamp).toISOString(),
        ...withAddress(recipient(event.bounce.bouncedRecipients)),
        detail: `${bounceType}/${bounceSubType ?? 'Undetermined'}`,
        // Only a permanent bounce proves the address dead; transient ones (mailbox full) are retried by SES.
        ...(bounceType === 'Permanent' ? { suppress: 'hard-bounce' as const } : {}),
      };
    }
    case 'Complaint': {
      if (!event.complaint) return undefined;
      return {
        ...base,
        eventId: id(`Complaint:${event.complaint.feedbackId}`),
        kind: 'complained',
        occurredAt: new Date(event.complaint.timestamp).toISOString(),
        ...withAddress(recipient(event.complaint.complainedRecipients)),
        detail: 'Complaint',
        suppress: 'email-complaint',
      };
    }
    default:
      return undefined;
  }
}
