import { isClaimOpen } from '../domain/claim.ts';
import { contactableClaims, contactPauseOf } from '../domain/contact-pause.ts';
import { renderEmail } from '../domain/email-message.ts';
import { CaseNotFoundError, isDefiniteRefusal, MessageInFlightError } from '../domain/errors.ts';
import type { Channel, TemplateId } from '../domain/strategy.ts';
import type {
  CaseStore,
  ClaimStore,
  Clock,
  CustomerStore,
  EmailSender,
  MessageRecord,
  MessageStore,
} from '../ports.ts';

export interface SendDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  readonly messages: MessageStore;
  readonly email: EmailSender;
  readonly clock: Clock;
  /** Signs a fresh portal link for the case (docs/portal.md); without it, messages carry invoice links only. */
  readonly portalLinks?: (request: {
    caseId: string;
    customerId: string;
    purpose: string;
  }) => Promise<string>;
}

export interface SendRequest {
  readonly caseId: string;
  readonly stepId: string;
  readonly channel: Channel;
  readonly template: TemplateId;
  readonly reasons: readonly string[];
}

export interface SendOutcome {
  readonly stepId: string;
  /** `paused`: contact is paused (docs/portal.md); nothing was recorded, the planner moves the step to the pause end. */
  readonly status: MessageRecord['status'] | 'paused';
  /** True when an earlier attempt already settled this step and nothing was sent now. */
  readonly duplicate: boolean;
}

/**
 * Sends one step's message at most once, and exactly once unless an attempt dies in the middle
 * of the provider call. The idempotency key is case + step: everything that can fail before the
 * provider call happens before the step record is written; the record is `sending` during the
 * call. Step Functions retries a task only after the previous attempt ended, so a retry that
 * finds `sending` knows that attempt died mid-call and marks the step `uncertain` instead of
 * risking a second message. A definite refusal by the provider marks it `failed`, which a retry
 * may resend; an error that leaves the provider's outcome unknown (a timeout) marks it `uncertain`.
 */
export async function sendJourneyMessage(request: SendRequest, deps: SendDependencies): Promise<SendOutcome> {
  const settled = await settledOutcome(request, deps);
  if (settled) return settled;

  const collectionCase = await deps.cases.getCase(request.caseId);
  if (collectionCase === undefined) throw new CaseNotFoundError(`case ${request.caseId} does not exist`);
  const [customer, claims] = await Promise.all([
    deps.customers.getCustomer(collectionCase.customerId),
    deps.claims.getClaims(collectionCase.claimIds),
  ]);
  // The pause may have begun while the journey waited: hand the step back to the planner.
  if (
    collectionCase.status === 'open' &&
    contactPauseOf(collectionCase, claims, deps.clock.now()) !== undefined
  ) {
    return { stepId: request.stepId, status: 'paused', duplicate: false };
  }
  // Claims the debtor flagged are on hold: the message does not mention them.
  const openClaims =
    collectionCase.status === 'open'
      ? contactableClaims(collectionCase, claims, deps.clock.now())
      : claims.filter(isClaimOpen);
  const record: MessageRecord = {
    caseId: request.caseId,
    stepId: request.stepId,
    channel: request.channel,
    template: request.template,
    status: 'sending',
    startedAt: deps.clock.now().toISOString(),
    reasons: request.reasons,
  };

  const skipReason =
    collectionCase.status !== 'open' || openClaims.length === 0
      ? 'case-settled'
      : customer?.email
        ? undefined
        : 'no-email-address';
  const portalUrl =
    skipReason === undefined && deps.portalLinks !== undefined
      ? await deps.portalLinks({
          caseId: request.caseId,
          customerId: collectionCase.customerId,
          purpose: request.stepId,
        })
      : undefined;
  const content =
    skipReason === undefined
      ? renderEmail(request.template, customer, openClaims, portalUrl === undefined ? {} : { portalUrl })
      : undefined;

  if (!(await deps.messages.beginMessage(record))) {
    const raced = await settledOutcome(request, deps);
    if (raced) return raced;
    throw new MessageInFlightError(
      `step ${request.stepId} of case ${request.caseId} changed during the send`,
    );
  }
  if (skipReason !== undefined || content === undefined || !customer?.email) {
    await deps.messages.completeMessage({
      ...record,
      status: 'undeliverable',
      reasons: [...record.reasons, skipReason ?? 'no-content'],
    });
    return { stepId: request.stepId, status: 'undeliverable', duplicate: false };
  }

  let providerMessageId: string;
  try {
    ({ providerMessageId } = await deps.email.send({
      to: customer.email,
      ...content,
      caseId: request.caseId,
      customerId: collectionCase.customerId,
      stepId: request.stepId,
      template: request.template,
    }));
  } catch (error) {
    if (isDefiniteRefusal(error)) {
      await deps.messages.completeMessage({
        ...record,
        status: 'failed',
        reasons: [...record.reasons, 'provider-refused'],
      });
      throw error;
    }
    // The provider may have accepted it (a timeout after the request left): never risk a second message.
    await deps.messages.completeMessage({
      ...record,
      status: 'uncertain',
      reasons: [...record.reasons, 'provider-outcome-unknown'],
    });
    return { stepId: request.stepId, status: 'uncertain', duplicate: false };
  }
  await deps.messages.completeMessage({
    ...record,
    status: 'sent',
    sentAt: deps.clock.now().toISOString(),
    to: customer.email,
    subject: content.subject,
    providerMessageId,
  });
  return { stepId: request.stepId, status: 'sent', duplicate: false };
}

/** The outcome of an earlier attempt at this step, or undefined when the step may be sent. */
async function settledOutcome(
  request: SendRequest,
  deps: SendDependencies,
): Promise<SendOutcome | undefined> {
  const existing = await deps.messages.getMessage(request.caseId, request.stepId);
  if (existing === undefined || existing.status === 'failed') return undefined;
  if (existing.status === 'sending') {
    await deps.messages.completeMessage({
      ...existing,
      status: 'uncertain',
      reasons: [...existing.reasons, 'attempt-died-mid-send'],
    });
    return { stepId: request.stepId, status: 'uncertain', duplicate: true };
  }
  return { stepId: request.stepId, status: existing.status, duplicate: true };
}
