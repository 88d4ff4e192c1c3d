import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Claim } from '../../shared/domain/claim.ts';
import type { CollectionCase } from '../../shared/domain/collection-case.ts';
import { pauseReasonSchema } from '../../shared/domain/contact-pauses.ts';
import { resolveTimeZones } from '../../shared/domain/contact-policy.ts';
import type { ContactPolicyConfig } from '../../shared/domain/contact-policy-config.ts';
import type { Customer } from '../../shared/domain/customer.ts';
import { classifyDecline } from '../../shared/domain/decline-classification.ts';
import type { StepRecord } from '../../shared/domain/journey-record.ts';
import { decidePaymentRetry } from '../../shared/domain/payment-retry-policy.ts';
import { type JourneyPlan, planNextAction } from '../../shared/domain/plan-next-action.ts';
import { stampOf } from '../../shared/domain/stamp.ts';
import { channelSchema, isMessageAction, type Strategy, strategyKey } from '../../shared/domain/strategy.ts';
import { contactPolicy, paymentRetryLimits } from '../../workflows/policies.ts';

const iso = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO 8601 timestamp');

/** A sample case for a dry run: the debtor, the failed invoices, and what the deployment can send. */
export const previewCaseSchema = z.strictObject({
  /** When the first payment failed (the case opened). */
  openedAt: iso,
  /** Where the dry run starts; default: when the case opened. */
  now: iso.optional(),
  customer: z.strictObject({
    customerId: z.string().default('stripe:cus_preview'),
    email: z.string().optional(),
    phone: z.string().optional(),
    name: z.string().optional(),
    country: z.string().optional(),
    timeZone: z.string().optional(),
    locale: z.string().optional(),
    segment: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    contactPreferences: z
      .partialRecord(channelSchema, z.strictObject({ consentAt: iso.optional(), optedOutAt: iso.optional() }))
      .optional(),
  }),
  claims: z
    .array(
      z.strictObject({
        invoiceId: z.string(),
        amountMinor: z.number().int().min(0),
        currency: z.string().regex(/^[A-Z]{3}$/),
        /** The issuer's decline code (Stripe `decline_code`), classified as billing ingest would. */
        declineCode: z.string().optional(),
        adviceCode: z.string().optional(),
        dueAt: iso.optional(),
        nextPaymentAttemptAt: iso.optional(),
        disputeStatus: z.enum(['open', 'won', 'lost']).optional(),
      }),
    )
    .min(1),
  pauses: z
    .array(z.strictObject({ reason: pauseReasonSchema, from: iso, until: iso.optional() }))
    .default([]),
  holdout: z.boolean().default(false),
  /** Channels with an adapter; default: email only, as the product ships today. */
  deliverableChannels: z.array(channelSchema).min(1).default(['email']),
});
export type PreviewCase = z.infer<typeof previewCaseSchema>;

export type TimelineEntry =
  | {
      readonly kind: 'act';
      readonly plan: Extract<JourneyPlan, { stepId: string }>;
      /** For a payment retry: what the act step would decide per claim. */
      readonly retries?: readonly string[];
    }
  | { readonly kind: 'wait'; readonly at: string; readonly reasons: readonly string[] }
  | { readonly kind: 'end'; readonly reasons: readonly string[] };

/**
 * Runs the planner over a sample case as the journey would, acting on nothing: each planned step
 * is taken as done at its moment (messages sent, payment retries declined, pauses applied, a
 * write-off closing the claims), and the planner is asked again. Pure and deterministic.
 */
export function previewTimeline(
  strategy: Strategy,
  sample: PreviewCase,
  options: { horizonDays: number; policy?: ContactPolicyConfig },
): TimelineEntry[] {
  const customer: Customer = { ...sample.customer } as Customer;
  let claims: Claim[] = sample.claims.map((claim) => ({
    claimId: `preview:${claim.invoiceId}`,
    invoiceId: claim.invoiceId,
    provider: 'preview',
    customerId: customer.customerId,
    status: 'failed',
    amountMinor: claim.amountMinor,
    currency: claim.currency,
    attemptCount: 1,
    firstFailedAt: sample.openedAt,
    lastFailedAt: sample.openedAt,
    snapshotAt: sample.openedAt,
    snapshotEventId: 'preview',
    ...(claim.declineCode || claim.adviceCode
      ? {
          lastDecline: {
            ...(claim.declineCode ? { declineCode: claim.declineCode } : {}),
            ...(claim.adviceCode ? { adviceCode: claim.adviceCode } : {}),
            classification: classifyDecline({ declineCode: claim.declineCode, adviceCode: claim.adviceCode }),
            declinedAt: sample.openedAt,
            stamp: stampOf(sample.openedAt, 'preview'),
          },
        }
      : {}),
    ...(claim.dueAt ? { dueAt: claim.dueAt } : {}),
    ...(claim.nextPaymentAttemptAt ? { nextPaymentAttemptAt: claim.nextPaymentAttemptAt } : {}),
    ...(claim.disputeStatus ? { disputeStatus: claim.disputeStatus } : {}),
  }));
  let collectionCase: CollectionCase = {
    caseId: 'case_preview',
    customerId: customer.customerId,
    status: 'open',
    openedAt: sample.openedAt,
    claimIds: claims.map((claim) => claim.claimId),
    strategyId: strategy.id,
    strategyVersion: strategy.version,
    pauses: sample.pauses.map(({ until, ...pause }) => (until === undefined ? pause : { ...pause, until })),
    assignment: { ruleId: 'preview', holdout: sample.holdout },
  };
  const records: StepRecord[] = [];
  const planOptions = {
    policy: options.policy ?? contactPolicy,
    deliverableChannels: new Set(sample.deliverableChannels),
  };
  let now = new Date(sample.now ?? sample.openedAt);
  const horizon = Date.parse(sample.openedAt) + options.horizonDays * 86_400_000;
  const entries: TimelineEntry[] = [];
  for (let round = 0; round < 200; round += 1) {
    const plan = planNextAction({ collectionCase, customer, claims, records }, strategy, now, planOptions);
    if (plan.action === 'end') {
      entries.push({ kind: 'end', reasons: plan.reasons });
      break;
    }
    if (Date.parse(plan.at) > horizon) {
      entries.push({
        kind: 'end',
        reasons: [...plan.reasons, `beyond-preview-horizon:${options.horizonDays}-days`],
      });
      break;
    }
    now = new Date(plan.at);
    if (plan.action === 'wait') {
      entries.push({ kind: 'wait', at: plan.at, reasons: plan.reasons });
      continue;
    }
    const step = strategy.steps.find((candidate) => candidate.id === plan.stepId);
    if (step?.action.type === 'retry-payment') {
      const retries = claims.map((claim) => {
        const decision = decidePaymentRetry(claim, now, paymentRetryLimits, []);
        return `${claim.invoiceId}: ${decision.retry ? 'retry (assumed declined)' : `skipped, ${decision.reason}`}`;
      });
      entries.push({ kind: 'act', plan, retries });
    } else {
      entries.push({ kind: 'act', plan });
    }
    records.push({
      caseId: collectionCase.caseId,
      stepId: plan.stepId,
      action: plan.action,
      ...(plan.channel ? { channel: plan.channel } : {}),
      ...(plan.template ? { template: plan.template } : {}),
      status: plan.channel ? 'sent' : 'done',
      startedAt: plan.at,
      ...(plan.channel ? { sentAt: plan.at } : { completedAt: plan.at }),
      reasons: plan.reasons,
    });
    if (step?.action.type === 'pause') {
      const until = new Date(now.getTime() + step.action.days * 86_400_000).toISOString();
      collectionCase = {
        ...collectionCase,
        pauses: [
          ...(collectionCase.pauses ?? []),
          { reason: 'strategy', from: plan.at, until, stepId: plan.stepId },
        ],
      };
    }
    if (step?.action.type === 'write-off') {
      claims = claims.map((claim) => ({ ...claim, status: 'written_off', writtenOffAt: plan.at }));
    }
  }
  return entries;
}

function local(at: string, zone: string): string {
  const time = DateTime.fromISO(at, { zone });
  return `${time.toFormat('ccc yyyy-LL-dd HH:mm ZZZZ')} (${DateTime.fromISO(at, { zone: 'UTC' }).toFormat("HH:mm'Z'")})`;
}

/** The timeline as text: times in the debtor's zone, channel, template, and the policy's reasons. */
export function renderTimeline(
  strategy: Strategy,
  sample: PreviewCase,
  entries: readonly TimelineEntry[],
): string[] {
  const customer = { ...sample.customer } as Customer;
  const location = resolveTimeZones(customer, contactPolicy.unknownLocationCountries);
  const zone = location.zones[0] ?? 'UTC';
  const lines = [
    `Strategy ${strategyKey(strategy.id, strategy.version)}: ${strategy.name}`,
    `Debtor time zone: ${location.zones.length === 1 ? zone : `${location.zones.length} zones (${location.zones.join(', ')}), times shown in ${zone}`} (from ${location.source})`,
    `Channels wired: ${sample.deliverableChannels.join(', ')}${sample.holdout ? '; HOLDOUT: no contact' : ''}`,
    `Case opened ${local(sample.openedAt, zone)}`,
    '',
  ];
  for (const entry of entries) {
    if (entry.kind === 'end') {
      lines.push(
        `  end of journey: ${entry.reasons.filter((r) => !r.startsWith('time-zone-from')).join(', ')}`,
      );
      continue;
    }
    if (entry.kind === 'wait') {
      lines.push(`  ${local(entry.at, zone)}  look again (${entry.reasons.join(', ')})`);
      continue;
    }
    const { plan } = entry;
    const step = strategy.steps.find((candidate) => candidate.id === plan.stepId);
    const what =
      step && isMessageAction(step.action)
        ? `${plan.action} by ${plan.channel}, template ${plan.template}${plan.variant ? ` (variant ${plan.variant})` : ''}`
        : plan.action;
    lines.push(`  ${local(plan.at, zone)}  ${plan.stepId}: ${what}`);
    const why = plan.reasons.filter(
      (reason) => !reason.startsWith('time-zone-from') && reason !== 'step-due',
    );
    if (why.length > 0) lines.push(`      why: ${why.join(', ')}`);
    for (const retry of entry.retries ?? []) lines.push(`      ${retry}`);
  }
  return lines;
}
