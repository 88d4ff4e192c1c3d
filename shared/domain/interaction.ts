import type { DeliveryChannel } from './delivery-channel.ts';
import type { ReplyIntent } from './reply-intent.ts';

/**
 * What happened to a message, or what the debtor did, as the case timeline shows it.
 * `answered`/`no-answer`/`busy` are voice outcomes; `read` and `replied` come from WhatsApp and SMS.
 */
export type InteractionKind =
  | 'delivered'
  | 'failed'
  | 'bounced'
  | 'complained'
  | 'opened'
  | 'clicked'
  | 'answered'
  | 'no-answer'
  | 'busy'
  | 'read'
  | 'replied';

export interface Interaction {
  /** Unique per provider event: a redelivered event records nothing new. */
  readonly interactionId: string;
  readonly channel: DeliveryChannel;
  readonly kind: InteractionKind;
  /** When it happened, by the provider's clock (ISO). */
  readonly occurredAt: string;
  /** Absent when the event could be tied to a customer but not to a case. */
  readonly caseId?: string;
  readonly customerId?: string;
  readonly stepId?: string;
  readonly variant?: string;
  readonly providerMessageId?: string;
  /** Provider status or reason code (e.g. `TEXT_BLOCKED`, `Permanent/General`, a Meta error code); no personal data. */
  readonly detail?: string;
  /** For `replied`: what the reply meant, and the promised date when it was a promise. */
  readonly intent?: ReplyIntent['kind'] | 'opt-out' | 'opt-in' | 'help';
  readonly promisedDate?: string;
  /**
   * For `replied`: the debtor's words, kept for the agent who handles the case (the table is
   * encrypted at rest); never logged.
   */
  readonly text?: string;
}
