import type { Channel, Engagement, StepActionType, StepOutcome, TemplateId } from './strategy.ts';

/**
 * `sending` while an action is under way; `sent` (a message went out); `failed` when the provider
 * refused and a retry may act again; `undeliverable` when there was nothing to send or nobody to
 * send to; `uncertain` when an attempt died during a provider call (a message is never resent);
 * `done` when a non-message action completed; `skipped` when a rule kept the step from acting.
 */
export type StepStatus = 'sending' | 'sent' | 'failed' | 'undeliverable' | 'uncertain' | 'done' | 'skipped';

/** What one billing action did to one claim (a payment retry, a write-off, a cancellation). */
export interface BillingActionResult {
  readonly claimId: string;
  readonly at: string;
  readonly outcome: 'paid' | 'declined' | 'requires-action' | 'already-settled' | 'done' | 'skipped';
  readonly detail?: string;
}

/**
 * One step of a case's journey as recorded: the idempotency record of the step and the
 * interaction on the case timeline, with the policy's reason codes.
 */
export interface StepRecord {
  readonly caseId: string;
  readonly stepId: string;
  /** Absent on records written before actions other than messages existed: a message. */
  readonly action?: StepActionType;
  readonly channel?: Channel;
  readonly template?: TemplateId;
  /** The message variant (champion/challenger) this debtor received. */
  readonly variant?: string;
  readonly status: StepStatus;
  /** When the step began acting (ISO). */
  readonly startedAt: string;
  readonly sentAt?: string;
  readonly completedAt?: string;
  /** The address a message went to. */
  readonly to?: string;
  readonly subject?: string;
  readonly providerMessageId?: string;
  readonly reasons: readonly string[];
  /** Delivery and engagement events reported by the channel (delivered, opened, clicked, replied, bounced). */
  readonly engagement?: readonly Engagement[];
  /** When the debtor was reached and talked on this contact (an answered call): starts a quiet period. */
  readonly conversationAt?: string;
  readonly results?: readonly BillingActionResult[];
  /** Channels this step failed on for good (invalid address, opt-out at the provider...): the planner falls back. */
  readonly failedChannels?: readonly Channel[];
  readonly agentTaskId?: string;
}

export function outcomeOf(record: StepRecord | undefined): StepOutcome {
  if (record === undefined) return 'not-run';
  if (record.status === 'sending') return 'uncertain';
  return record.status;
}

/** When the step acted: what "relative to the previous step" counts from. */
export function actedAt(record: StepRecord): string {
  return record.sentAt ?? record.completedAt ?? record.startedAt;
}
