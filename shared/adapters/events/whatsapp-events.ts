import { z } from 'zod';
import type { DeliveryEvent, InboundReply } from '../../domain/channel-events.ts';
import { readCorrelation, toE164 } from '../../domain/delivery-channel.ts';
import type { InteractionKind } from '../../domain/interaction.ts';
import { metaPermanentReason } from '../messaging/delivery-failures.ts';

/** The AWS End User Messaging Social event header around a Meta webhook entry. */
const socialEventSchema = z.object({
  whatsAppWebhookEntry: z.string().min(1),
  message_timestamp: z.string().optional(),
  messageId: z.string().optional(),
});

const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string(),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(z.object({ code: z.union([z.number(), z.string()]) })).optional(),
});

const inboundMessageSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ text: z.string() }).optional(),
  interactive: z
    .object({
      button_reply: z.object({ title: z.string() }).optional(),
      list_reply: z.object({ title: z.string() }).optional(),
    })
    .optional(),
});

/** A Meta WhatsApp Business webhook entry (the `messages` field). */
const webhookEntrySchema = z.object({
  changes: z.array(
    z.object({
      field: z.string(),
      value: z.object({
        metadata: z.object({ phone_number_id: z.string().optional() }).optional(),
        statuses: z.array(statusSchema).optional(),
        messages: z.array(inboundMessageSchema).optional(),
      }),
    }),
  ),
});

const statusKinds: Readonly<Record<string, InteractionKind>> = {
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

function unixSeconds(value: string): string {
  return new Date(Number(value) * 1000).toISOString();
}

function callbackCorrelation(data: string | undefined) {
  if (!data) return undefined;
  try {
    return readCorrelation(JSON.parse(data) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

export interface WhatsAppEvents {
  readonly deliveries: DeliveryEvent[];
  readonly replies: InboundReply[];
}

/**
 * Translates one End User Messaging Social event: message statuses become delivery events (`sent`
 * is skipped: the send itself is on the timeline), text-like inbound messages become replies.
 */
export function translateWhatsAppEvent(message: unknown): WhatsAppEvents {
  const empty: WhatsAppEvents = { deliveries: [], replies: [] };
  const header = socialEventSchema.safeParse(message);
  if (!header.success) return empty;
  let entryJson: unknown;
  try {
    entryJson = JSON.parse(header.data.whatsAppWebhookEntry);
  } catch {
    return empty;
  }
  const entry = webhookEntrySchema.safeParse(entryJson);
  if (!entry.success) return empty;
  const deliveries: DeliveryEvent[] = [];
  const replies: InboundReply[] = [];
  for (const change of entry.data.changes) {
    if (change.field !== 'messages') continue;
    for (const status of change.value.statuses ?? []) {
      const kind = statusKinds[status.status];
      if (kind === undefined) continue;
      const correlation = callbackCorrelation(status.biz_opaque_callback_data);
      const address = toE164(status.recipient_id ? `+${status.recipient_id.replace(/^\+/, '')}` : undefined);
      const code = status.errors?.[0]?.code;
      const reason = metaPermanentReason(code === undefined ? undefined : String(code));
      deliveries.push({
        eventId: `${status.id}:${status.status}`,
        channel: 'whatsapp',
        kind,
        occurredAt: unixSeconds(status.timestamp),
        providerMessageId: status.id,
        ...(correlation ? { correlation } : {}),
        ...(address ? { address } : {}),
        detail: code === undefined ? status.status : `${status.status}/${code}`,
        ...(reason === 'invalid-address' ? { suppress: 'invalid-address' as const } : {}),
        ...(reason === 'opted-out' ? { suppress: 'provider-opted-out' as const } : {}),
      });
    }
    for (const inbound of change.value.messages ?? []) {
      const from = toE164(`+${inbound.from.replace(/^\+/, '')}`);
      if (from === undefined) continue;
      const text =
        inbound.text?.body ??
        inbound.button?.text ??
        inbound.interactive?.button_reply?.title ??
        inbound.interactive?.list_reply?.title ??
        '';
      replies.push({
        channel: 'whatsapp',
        inboundMessageId: inbound.id,
        from,
        to: change.value.metadata?.phone_number_id ?? '',
        text,
        receivedAt: unixSeconds(inbound.timestamp),
      });
    }
  }
  return { deliveries, replies };
}
