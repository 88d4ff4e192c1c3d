import { DateTime } from 'luxon';
import type { Claim } from './claim.ts';
import { isClaimOpen } from './claim.ts';
import type { CollectionCase } from './collection-case.ts';
import { contactPauseOf } from './contact-pause.ts';
import type { ContactWindow } from './contact-policy.ts';
import { defaultContactWindow, nextAllowedMoment, resolveTimeZones } from './contact-policy.ts';
import type { Customer } from './customer.ts';
import type { Channel, Strategy, TemplateId } from './strategy.ts';

export interface JourneySnapshot {
  readonly collectionCase: CollectionCase;
  readonly customer: Customer | undefined;
  readonly claims: readonly Claim[];
  /** Steps already acted on (sent, or attempted and recorded), whatever their outcome. */
  readonly completedStepIds: readonly string[];
}

/** Reason codes explain every decision; they are stored with the plan and the interaction. */
export type PlanReason =
  | 'case-closed'
  | 'no-open-claims'
  | 'strategy-complete'
  | 'step-due'
  | 'deferred-to-contact-window'
  /** The send moved to the end of a contact pause (promise to pay, payment plan, claims on hold). */
  | 'contact-paused'
  | `time-zone-from-${'customer' | 'country' | 'default'}`;

export type JourneyPlan =
  | { readonly action: 'end'; readonly reasons: readonly PlanReason[] }
  | {
      readonly action: 'send';
      readonly stepId: string;
      readonly channel: Channel;
      readonly template: TemplateId;
      /** When to act (ISO, whole seconds): the step's due time moved into the contact window. */
      readonly at: string;
      readonly reasons: readonly PlanReason[];
    };

/**
 * Decides the case's next action: the first strategy step not yet completed, at its due time
 * (days after the case opened, never in the past), moved to the next moment the contact
 * policy allows in the debtor's time zone. Pure: the same snapshot and clock give the same plan.
 */
export function planNextAction(
  snapshot: JourneySnapshot,
  strategy: Strategy,
  now: Date,
  window: ContactWindow = defaultContactWindow,
): JourneyPlan {
  const { collectionCase } = snapshot;
  if (collectionCase.status === 'closed') return { action: 'end', reasons: ['case-closed'] };
  if (!snapshot.claims.some(isClaimOpen)) return { action: 'end', reasons: ['no-open-claims'] };

  const completed = new Set(snapshot.completedStepIds);
  const step = strategy.steps.find((candidate) => !completed.has(candidate.id));
  if (step === undefined) return { action: 'end', reasons: ['strategy-complete'] };

  const due = DateTime.fromISO(collectionCase.openedAt, { zone: 'UTC' })
    .plus({ days: step.dayOffset })
    .toJSDate();
  // A paused case (docs/portal.md) acts no earlier than the pause end; the send re-checks the pause.
  const pause = contactPauseOf(collectionCase, snapshot.claims, now);
  const pauseEnd = pause === undefined ? undefined : new Date(pause.until);
  const notBefore = pauseEnd !== undefined && pauseEnd > now ? pauseEnd : now;
  // Whole seconds first (Wait timestamps), rounded up so we never act early; the contact window
  // is checked on the rounded moment, so 20:59:59.5 cannot become 21:00:00.
  const earliest = ceilToSecond(due > notBefore ? due : notBefore);
  const timeZones = resolveTimeZones(snapshot.customer ?? {});
  const at = nextAllowedMoment(earliest, timeZones.zones, window);
  const reasons: PlanReason[] = ['step-due', `time-zone-from-${timeZones.source}`];
  if (pauseEnd !== undefined && pauseEnd > due) reasons.push('contact-paused');
  if (at.getTime() !== earliest.getTime()) reasons.push('deferred-to-contact-window');
  return {
    action: 'send',
    stepId: step.id,
    channel: step.channel,
    template: step.template,
    at: toWholeSecondIso(at),
    reasons,
  };
}

function ceilToSecond(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000);
}

/** Step Functions Wait timestamps are RFC 3339; `at` is already a whole second. */
function toWholeSecondIso(at: Date): string {
  return at.toISOString().replace('.000Z', 'Z');
}
