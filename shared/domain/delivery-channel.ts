import { z } from 'zod';

/**
 * Every channel the product can deliver through. The planner's strategy `Channel` is the subset a
 * strategy may name; this is what the channel adapters, consent records and the timeline speak.
 */
export const deliveryChannelSchema = z.enum(['sms', 'voice', 'email', 'whatsapp']);
export type DeliveryChannel = z.infer<typeof deliveryChannelSchema>;

/** Channels whose address is a phone number. */
export type PhoneChannel = Exclude<DeliveryChannel, 'email'>;

/**
 * What every outbound message carries so that its delivery events and replies find their way back
 * to the case timeline: SMS/voice `Context`, SES tags, WhatsApp `biz_opaque_callback_data`.
 * Identifiers only, never personal data: providers log these with every event.
 */
export interface MessageCorrelation {
  /** Absent for automatic replies (STOP confirmation...) to a debtor without an open case. */
  readonly caseId?: string;
  /** The journey step, or `reply-<inbound message id>` for an automatic reply. */
  readonly stepId: string;
  /** Experiment variant of the step, when the strategy assigned one. */
  readonly variant?: string;
}

const correlationSchema = z.object({
  caseId: z.string().min(1).max(128).optional(),
  stepId: z.string().min(1).max(128),
  variant: z.string().min(1).max(64).optional(),
});

/** Reads a correlation back from provider metadata (a string map); undefined when it carries none. */
export function readCorrelation(
  values: Readonly<Record<string, unknown>> | undefined,
): MessageCorrelation | undefined {
  if (values === undefined) return undefined;
  const parsed = correlationSchema.safeParse(values);
  if (!parsed.success) return undefined;
  const { caseId, stepId, variant } = parsed.data;
  return { stepId, ...(caseId ? { caseId } : {}), ...(variant ? { variant } : {}) };
}

/** The correlation as a flat string map (SMS/voice `Context`, WhatsApp callback data). */
export function correlationEntries(correlation: MessageCorrelation): Record<string, string> {
  return {
    ...(correlation.caseId ? { caseId: correlation.caseId } : {}),
    stepId: correlation.stepId,
    ...(correlation.variant ? { variant: correlation.variant } : {}),
  };
}

/**
 * A phone number in E.164 (`+` and 8 to 15 digits), from the forms billing systems store
 * ("+1 (415) 555-0100", "+44 20 7946 0958"); undefined when it is not an international number.
 * Numbers without a country code are not guessed: a wrong guess would text a stranger.
 */
export function toE164(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const compact = raw.trim().replace(/[\s().\-/]/g, '');
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  return /^\+[1-9]\d{7,14}$/.test(international) ? international : undefined;
}

/** Email addresses compare case-insensitively in practice (providers lower-case them in events). */
export function normalizeAddress(channel: DeliveryChannel, address: string): string | undefined {
  if (channel === 'email') {
    const trimmed = address.trim().toLowerCase();
    return /^[^\s@]+@[^\s@]+$/.test(trimmed) ? trimmed : undefined;
  }
  // WhatsApp ids (`wa_id`) are the number's digits without the plus.
  return toE164(channel === 'whatsapp' && /^\d+$/.test(address.trim()) ? `+${address.trim()}` : address);
}

/** WhatsApp allows free-form messages only within 24 hours after the user's last message. */
export const whatsAppSessionHours = 24;

/** Whether a free-form WhatsApp message may be sent now, given the debtor's last inbound message. */
export function isWhatsAppSessionOpen(lastInboundAt: string | undefined, now: Date): boolean {
  if (lastInboundAt === undefined) return false;
  const elapsed = now.getTime() - Date.parse(lastInboundAt);
  return elapsed >= 0 && elapsed < whatsAppSessionHours * 3600 * 1000;
}
