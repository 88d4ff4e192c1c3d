import { DateTime } from 'luxon';
import type { Claim } from './claim.ts';
import { isClaimOpen, isDisputeOpen } from './claim.ts';
import type { CollectionCase } from './collection-case.ts';
import { commitmentPauseOf, contactableClaims } from './commitment-pauses.ts';
import type { ContactEvent } from './contact-caps.ts';
import type { ContactConsent } from './contact-consent.ts';
import { type ContactPause, nextMomentOutsidePauses } from './contact-pauses.ts';
import {
  type ContactContext,
  nextContactMoment,
  type ResolvedTimeZones,
  resolveTimeZones,
} from './contact-policy.ts';
import { type ContactPolicyConfig, defaultContactPolicyConfig } from './contact-policy-config.ts';
import type { Customer } from './customer.ts';
import { chooseMessageVariant } from './experiments.ts';
import { actedAt, outcomeOf, type StepRecord } from './journey-record.ts';
import {
  type Channel,
  contactsDebtor,
  isMessageAction,
  type StepActionType,
  type Strategy,
  type StrategyStep,
  type TemplateId,
} from './strategy.ts';
import { unmetConditions } from './strategy-conditions.ts';

export interface JourneySnapshot {
  readonly collectionCase: CollectionCase;
  readonly customer: Customer | undefined;
  readonly claims: readonly Claim[];
  /** Every step record of the case (whatever its outcome). */
  readonly records: readonly StepRecord[];
  /** The customer's consent records per channel (opt-outs, suppressed or invalid addresses). */
  readonly consents?: Partial<Record<Channel, ContactConsent>>;
}

export interface PlanOptions {
  readonly policy: ContactPolicyConfig;
  /** Channels with an adapter in this deployment; the others are skipped with a reason. */
  readonly deliverableChannels: ReadonlySet<Channel>;
}

export const defaultPlanOptions: PlanOptions = {
  policy: defaultContactPolicyConfig,
  deliverableChannels: new Set<Channel>(['email']),
};

/** The planned action of one step, with the moment to act (ISO, whole seconds). */
export interface StepPlan {
  readonly action: StepActionType;
  readonly stepId: string;
  readonly at: string;
  readonly channel?: Channel;
  readonly template?: TemplateId;
  /** The message variant of a champion/challenger step. */
  readonly variant?: string;
  /** Reason codes: why this step, this channel and this moment (and what was skipped). */
  readonly reasons: readonly string[];
}

export type JourneyPlan =
  | { readonly action: 'end'; readonly reasons: readonly string[] }
  /** Nothing to do until `at` (an open-ended pause): the journey looks again then. */
  | { readonly action: 'wait'; readonly at: string; readonly reasons: readonly string[] }
  | StepPlan;

/** Records that settle a step: a refused send (`failed`) may be tried again. */
function settles(record: StepRecord): boolean {
  return record.status !== 'failed';
}

/** Attempts and conversations of the case, from its records (a possibly-sent message counts). */
export function contactHistoryOf(records: readonly StepRecord[]): ContactEvent[] {
  const events: ContactEvent[] = [];
  for (const record of records) {
    if (record.channel === undefined) continue;
    if (record.status === 'sent' || record.status === 'uncertain' || record.status === 'sending') {
      events.push({ channel: record.channel, at: record.sentAt ?? record.startedAt, kind: 'attempt' });
    }
    if (record.conversationAt !== undefined) {
      events.push({ channel: record.channel, at: record.conversationAt, kind: 'conversation' });
    }
  }
  return events;
}

/**
 * When a journey blocked without an end date looks again: `pauseRecheckDays` after the block
 * began, then after as long again as it has lasted (the wait doubles), never more than
 * `pauseRecheckMaxDays`. A 75-day dispute costs five looks instead of eleven, and a block that
 * ends (a dispute won or lost arrives as a webhook) is noticed at most that long after.
 */
export function recheckAfterBlock(
  now: Date,
  blockedSince: string | undefined,
  policy: Pick<ContactPolicyConfig, 'pauseRecheckDays' | 'pauseRecheckMaxDays'>,
): string {
  const blockedDays =
    blockedSince === undefined ? 0 : (now.getTime() - Date.parse(blockedSince)) / 86_400_000;
  const longest = Math.max(policy.pauseRecheckDays, policy.pauseRecheckMaxDays);
  const waitDays = Math.min(longest, Math.max(policy.pauseRecheckDays, blockedDays));
  return toWholeSecondIso(ceilToSecond(new Date(now.getTime() + waitDays * 86_400_000)));
}

/** When the oldest open dispute of these claims was opened. */
function earliestOpenDisputeAt(claims: readonly Claim[]): string | undefined {
  return earliestIso(
    claims.flatMap((claim) =>
      Object.values(claim.disputes ?? {})
        .filter((dispute) => isDisputeOpen(dispute.state))
        .map((dispute) => dispute.openedAt),
    ),
  );
}

/** When the oldest open-ended pause in force at `at` began. */
function openEndedPauseSince(pauses: readonly ContactPause[], at: Date): string | undefined {
  return earliestIso(
    pauses
      .filter((pause) => pause.until === undefined && Date.parse(pause.from) <= at.getTime())
      .map((pause) => pause.from),
  );
}

/** Open claims that are not disputed (a dispute pauses its claim only). */
function undisputedClaims(claims: readonly Claim[]): Claim[] {
  return claims.filter((claim) => isClaimOpen(claim) && claim.disputeStatus !== 'open');
}

/**
 * The claims a step acts on and a message lists: open, not disputed, and not on hold (a claim the
 * debtor flagged in the portal). A dispute or a hold pauses its own claim only.
 */
export function actionableClaims(
  collectionCase: Pick<CollectionCase, 'claimHolds'>,
  claims: readonly Claim[],
  now: Date,
): Claim[] {
  return contactableClaims(collectionCase, undisputedClaims(claims), now);
}

/**
 * Every pause of the whole case: the strategy and agent pauses it records, and the commitments of
 * the portal and of replies (promise to pay, payment plan in good standing, every claim on hold).
 */
export function casePausesOf(
  collectionCase: CollectionCase,
  claims: readonly Claim[],
  now: Date,
): ContactPause[] {
  const commitment = commitmentPauseOf(collectionCase, undisputedClaims(claims), now);
  return [...(collectionCase.pauses ?? []), ...(commitment === undefined ? [] : [commitment])];
}

export function contactContextOf(
  snapshot: Pick<JourneySnapshot, 'customer' | 'records' | 'collectionCase' | 'claims' | 'consents'>,
  options: PlanOptions,
  now: Date,
  location: ResolvedTimeZones = resolveTimeZones(
    snapshot.customer ?? {},
    options.policy.unknownLocationCountries,
  ),
): ContactContext {
  return {
    config: options.policy,
    customer: snapshot.customer,
    location,
    history: contactHistoryOf(snapshot.records),
    pauses: casePausesOf(snapshot.collectionCase, snapshot.claims, now),
    deliverableChannels: options.deliverableChannels,
    consents: snapshot.consents ?? {},
  };
}

function ceilToSecond(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 1000) * 1000);
}

/** Step Functions Wait timestamps are RFC 3339; `at` is already a whole second. */
function toWholeSecondIso(at: Date): string {
  return at.toISOString().replace('.000Z', 'Z');
}

function earliestIso(values: readonly (string | undefined)[]): string | undefined {
  return values.filter((value): value is string => value !== undefined).sort()[0];
}

/**
 * When a step is due: its anchor plus its offset, counted in the debtor's (first) zone so that
 * "3 days later" keeps the local time across a daylight-saving change.
 */
function dueMoment(
  step: StrategyStep,
  index: number,
  snapshot: Pick<JourneySnapshot, 'collectionCase' | 'records'>,
  strategy: Strategy,
  claims: readonly Claim[],
  zone: string,
  reasons: string[],
): { readonly anchor: string; readonly due: Date } {
  const { collectionCase } = snapshot;
  let anchor = collectionCase.openedAt;
  if (step.timing.from === 'due-date') {
    const due = earliestIso(claims.map((claim) => claim.dueAt));
    if (due === undefined) reasons.push('timing:due-date-unknown-used-first-failure');
    anchor = due ?? anchor;
  } else if (step.timing.from === 'previous-step') {
    const previous = strategy.steps
      .slice(0, index)
      .map((candidate) =>
        snapshot.records.find((record) => record.stepId === candidate.id && settles(record)),
      )
      .filter((record): record is StepRecord => record !== undefined)
      .at(-1);
    anchor = previous ? actedAt(previous) : anchor;
  }
  const due = DateTime.fromISO(anchor, { zone })
    .plus({ days: step.timing.days, hours: step.timing.hours })
    .toJSDate();
  return { anchor, due };
}

/** The index of the last step that acted (-1: none): steps never go back before it. */
function lastActedIndex(strategy: Strategy, records: readonly StepRecord[]): number {
  return strategy.steps.reduce(
    (last, step, index) => (records.some((r) => r.stepId === step.id && settles(r)) ? index : last),
    -1,
  );
}

/**
 * How far a resumed run moves the steps it had left (ms). A journey resumes when a debtor nobody
 * could reach becomes reachable (docs/strategies.md). The steps left then keep the spacing the
 * strategy gives them, the first of them due at the resume, instead of every overdue step going
 * out as fast as the caps allow. Steps anchored before the resume move; a step anchored on one
 * that acted in the resumed run is due from it, as written.
 */
function resumeShiftMs(
  snapshot: Pick<JourneySnapshot, 'collectionCase' | 'records'>,
  strategy: Strategy,
  claims: readonly Claim[],
  zone: string,
): number {
  const resumedAt = snapshot.collectionCase.journeyResumedAt;
  if (resumedAt === undefined) return 0;
  const resumedAtMs = Date.parse(resumedAt);
  const before = {
    collectionCase: snapshot.collectionCase,
    records: snapshot.records.filter((record) => Date.parse(actedAt(record)) < resumedAtMs),
  };
  const firstLeft = lastActedIndex(strategy, before.records) + 1;
  const step = strategy.steps[firstLeft];
  if (step === undefined) return 0;
  const { due } = dueMoment(step, firstLeft, before, strategy, claims, zone, []);
  return Math.max(0, resumedAtMs - due.getTime());
}

/**
 * Decides the case's next action. Steps run in strategy order and never go back: the candidates
 * are the steps after the last one that acted. For each candidate in turn: its due moment
 * (anchor + offset, never in the past), its conditions at that moment, the holdout (no contact),
 * the case's pauses, and for a message the first channel of its preference list that the contact
 * policy allows, at the earliest moment it allows. A step that cannot apply is skipped with its
 * reasons, which travel with the next plan. Pure: the same snapshot and clock give the same plan.
 */
export function planNextAction(
  snapshot: JourneySnapshot,
  strategy: Strategy,
  now: Date,
  options: PlanOptions = defaultPlanOptions,
): JourneyPlan {
  const { collectionCase, customer } = snapshot;
  if (collectionCase.status === 'closed') return { action: 'end', reasons: ['case-closed'] };
  const open = snapshot.claims.filter(isClaimOpen);
  if (open.length === 0) return { action: 'end', reasons: ['no-open-claims'] };

  const reasons: string[] = [];
  const recheckAt = (blockedSince?: string): string => recheckAfterBlock(now, blockedSince, options.policy);
  const undisputed = undisputedClaims(snapshot.claims);
  if (undisputed.length < open.length)
    reasons.push(`claims-paused:dispute:${open.length - undisputed.length}`);
  if (undisputed.length === 0) {
    return {
      action: 'wait',
      at: recheckAt(earliestOpenDisputeAt(open)),
      reasons: [...reasons, 'blocked:pause:dispute'],
    };
  }
  const claims = actionableClaims(collectionCase, undisputed, now);
  if (claims.length < undisputed.length)
    reasons.push(`claims-paused:hold:${undisputed.length - claims.length}`);
  if (claims.length === 0) {
    // Every remaining claim is on hold: look again when the first hold ends.
    const resume = nextMomentOutsidePauses(
      ceilToSecond(now),
      casePausesOf(collectionCase, snapshot.claims, now),
    );
    const at =
      'blockedBy' in resume
        ? recheckAt(openEndedPauseSince(casePausesOf(collectionCase, snapshot.claims, now), now))
        : toWholeSecondIso(ceilToSecond(resume.at));
    return { action: 'wait', at, reasons: [...reasons, 'blocked:pause:claims-on-hold'] };
  }

  const location = resolveTimeZones(customer ?? {}, options.policy.unknownLocationCountries);
  reasons.push(`time-zone-from-${location.source}`);
  const context = contactContextOf(snapshot, options, now, location);
  const firstZone = location.zones[0] ?? 'UTC';
  const holdout = collectionCase.assignment?.holdout === true;
  const pastDueSince = earliestIso(claims.map((claim) => claim.dueAt)) ?? collectionCase.openedAt;
  const recordOf = (stepId: string) => snapshot.records.find((record) => record.stepId === stepId);
  const lastActed = lastActedIndex(strategy, snapshot.records);
  const resumedAt = collectionCase.journeyResumedAt;
  const shiftMs = resumeShiftMs(snapshot, strategy, claims, firstZone);
  if (shiftMs > 0) reasons.push(`timing:resumed-run-from-${resumedAt}`);

  for (const [index, step] of strategy.steps.entries()) {
    if (index <= lastActed) continue;
    const scheduled = dueMoment(step, index, snapshot, strategy, claims, firstZone, reasons);
    const shifted =
      shiftMs > 0 && resumedAt !== undefined && Date.parse(scheduled.anchor) < Date.parse(resumedAt);
    const due = shifted ? new Date(scheduled.due.getTime() + shiftMs) : scheduled.due;
    let earliest = ceilToSecond(due > now ? due : now);

    const unmet = unmetConditions(step.when, {
      customer,
      claims,
      at: earliest,
      pastDueSince,
      outcomeOf: (stepId) => {
        const record = recordOf(stepId);
        return { outcome: outcomeOf(record), engagement: record?.engagement ?? [] };
      },
    });
    if (unmet.length > 0) {
      reasons.push(`step-skipped:${step.id}:conditions-not-met:${unmet.join('+')}`);
      continue;
    }
    if (holdout && contactsDebtor(step.action)) {
      reasons.push(`step-skipped:${step.id}:holdout`);
      continue;
    }
    // Pauses stop every action of the case, silent ones included (no retry during a promise to pay).
    const outsidePauses = nextMomentOutsidePauses(earliest, context.pauses);
    if ('blockedBy' in outsidePauses) {
      return {
        action: 'wait',
        at: recheckAt(openEndedPauseSince(context.pauses, earliest)),
        reasons: [...reasons, `blocked:pause:${outsidePauses.blockedBy}`],
      };
    }
    if (outsidePauses.at > earliest) {
      reasons.push(...outsidePauses.deferredBy.map((reason) => `deferred:pause:${reason}`));
      earliest = outsidePauses.at;
    }

    const action = step.action;
    if (!isMessageAction(action)) {
      return {
        action: action.type,
        stepId: step.id,
        at: toWholeSecondIso(earliest),
        reasons: [...reasons, 'step-due'],
      };
    }
    const choice = chooseMessageVariant(action, collectionCase.customerId, `${strategy.id}:${step.id}`);
    const failedRecord = recordOf(step.id);
    const failedChannels = new Set(
      failedRecord?.status === 'failed' ? (failedRecord.failedChannels ?? []) : [],
    );
    for (const channel of choice.channels) {
      if (failedChannels.has(channel)) {
        reasons.push(`channel-skipped:${channel}:permanent-failure`);
        continue;
      }
      const decision = nextContactMoment(channel, earliest, context);
      if (!decision.allowed) {
        reasons.push(...decision.reasons);
        continue;
      }
      return {
        action: action.type,
        stepId: step.id,
        channel,
        template: choice.template,
        ...(choice.variant === undefined ? {} : { variant: choice.variant }),
        at: toWholeSecondIso(decision.at),
        reasons: [...reasons, 'step-due', ...decision.reasons],
      };
    }
    reasons.push(`step-skipped:${step.id}:no-usable-channel`);
  }
  return { action: 'end', reasons: [...reasons, 'strategy-complete'] };
}
