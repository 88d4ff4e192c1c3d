import type { Claim } from '../domain/claim.ts';
import type { CollectionCase } from '../domain/collection-case.ts';
import type { ContactConsent } from '../domain/contact-consent.ts';
import { addressFor, contactViolations } from '../domain/contact-policy.ts';
import type { Customer } from '../domain/customer.ts';
import { emailLanguageOf, renderEmail } from '../domain/email-message.ts';
import {
  BillingNotConfiguredError,
  CaseNotFoundError,
  ConfigurationError,
  isDefiniteRefusal,
  MessageInFlightError,
  PermanentDeliveryError,
} from '../domain/errors.ts';
import type { BillingActionResult, StepRecord, StepStatus } from '../domain/journey-record.ts';
import { withEmailOptOut, withPhoneOptOut } from '../domain/opt-out-notice.ts';
import { decidePaymentRetry, type PaymentRetryLimits } from '../domain/payment-retry-policy.ts';
import {
  actionableClaims,
  contactContextOf,
  type PlanOptions,
  type StepPlan,
} from '../domain/plan-next-action.ts';
import type { UnsubscribeRequest } from '../domain/portal/unsubscribe-token.ts';
import {
  type Channel,
  isMessageAction,
  type MessageAction,
  type StepAction,
  type StrategyStep,
} from '../domain/strategy.ts';
import { whatsAppTemplateFor } from '../domain/whatsapp-message.ts';
import type {
  BillingActions,
  CaseStore,
  ClaimStore,
  Clock,
  ConsentStore,
  CustomerStore,
  EmailSender,
  MessageStore,
  OutboundChannelMessage,
  ReplyActionStore,
  StrategyCatalog,
} from '../ports.ts';
import { type DeliverDependencies, deliverChannelMessage } from './deliver-channel-message.ts';

export interface SendDependencies {
  readonly cases: CaseStore;
  readonly claims: ClaimStore;
  readonly customers: CustomerStore;
  readonly messages: MessageStore;
  readonly email: EmailSender;
  readonly clock: Clock;
  readonly strategies: Pick<StrategyCatalog, 'getStrategy'>;
  readonly planOptions: PlanOptions;
  /** Where a `hand-to-agent` step creates its task (the agents' open-task queue). */
  readonly agentTasks: Pick<ReplyActionStore, 'createAgentTask'>;
  readonly retryLimits: PaymentRetryLimits;
  /**
   * Every channel through its adapter, with consent and address checks (docs/channels.md). Without
   * it, email goes through `email` and the other channels are not deliverable.
   */
  readonly delivery?: DeliverDependencies;
  /** Consent records per channel, re-checked right before a contact. */
  readonly consents?: Pick<ConsentStore, 'getConsent'>;
  /** The billing provider's actions; absent when no API key is configured (the steps are skipped). */
  readonly billing?: BillingActions;
  /** Signs a fresh portal link for the case (docs/portal.md); without it, messages carry invoice links only. */
  readonly portalLinks?: (request: {
    caseId: string;
    customerId: string;
    purpose: string;
  }) => Promise<string>;
  /**
   * The one-click unsubscribe URL of an email (docs/channels.md, "Opting out"); with it every email
   * carries `List-Unsubscribe` headers and an unsubscribe footer.
   */
  readonly unsubscribeLinks?: (request: UnsubscribeRequest) => Promise<string>;
}

export interface SendRequest {
  readonly caseId: string;
  readonly plan: StepPlan;
}

export interface SendOutcome {
  readonly stepId: string;
  readonly action: StepPlan['action'];
  /** `deferred`: the contact policy no longer allows the contact now; nothing was recorded and the journey plans again. */
  readonly status: StepStatus | 'deferred';
  /** True when an earlier attempt already settled this step and nothing was done now. */
  readonly duplicate: boolean;
  readonly reasons?: readonly string[];
}

interface Loaded {
  readonly collectionCase: CollectionCase;
  readonly customer: Customer | undefined;
  readonly claims: readonly Claim[];
  readonly records: readonly StepRecord[];
  readonly consents: Partial<Record<Channel, ContactConsent>>;
  readonly step: StrategyStep;
}

/**
 * Acts on one planned step, once. The idempotency key is case + step: the step record is
 * `sending` while the action runs. A message is sent at most once, and exactly once unless an
 * attempt dies in the provider call (Step Functions retries a task only after the previous attempt
 * ended, so a retry that finds `sending` marks the message `uncertain` instead of risking a second
 * one). Billing actions carry idempotency keys the provider honours, and agent tasks and pauses
 * are keyed by the step, so a retry that finds `sending` safely completes them. Right before a
 * contact the case is read again and the contact policy checked again: nobody is contacted after
 * paying, disputing or opting out.
 */
export async function actOnJourneyStep(request: SendRequest, deps: SendDependencies): Promise<SendOutcome> {
  const { plan } = request;
  const existing = await deps.messages.getMessage(request.caseId, plan.stepId);
  const resumable =
    existing?.status === 'sending' && existing.action !== undefined && !isMessageType(existing.action);
  if (existing !== undefined && existing.status !== 'failed' && !resumable) {
    return settledOutcome(existing, deps);
  }

  const loaded = await load(request, deps);
  const { collectionCase, step } = loaded;
  const action = step.action;
  const now = deps.clock.now();
  const record: StepRecord = {
    caseId: request.caseId,
    stepId: plan.stepId,
    action: action.type,
    ...(plan.channel === undefined ? {} : { channel: plan.channel }),
    ...(plan.template === undefined ? {} : { template: plan.template }),
    ...(plan.variant === undefined ? {} : { variant: plan.variant }),
    status: 'sending',
    startedAt: existing?.status === 'sending' ? existing.startedAt : now.toISOString(),
    reasons: plan.reasons,
  };
  const claims = actionableClaims(collectionCase, loaded.claims, now);
  const settled = collectionCase.status !== 'open' || claims.length === 0;

  if (isMessageAction(action)) {
    if (!settled) {
      const violations = messageViolations(request, loaded, deps);
      if (violations.length > 0) {
        return {
          stepId: plan.stepId,
          action: action.type,
          status: 'deferred',
          duplicate: false,
          reasons: violations,
        };
      }
    }
    // A step that failed for good on one channel keeps the list, so the planner falls back.
    const failedChannels = existing?.status === 'failed' ? (existing.failedChannels ?? []) : [];
    return sendMessage(
      failedChannels.length > 0 ? { ...record, failedChannels } : record,
      action,
      loaded,
      settled ? 'case-settled' : undefined,
      deps,
    );
  }

  if (!resumable && !(await deps.messages.beginMessage(record))) return raced(request, deps);
  const finish = async (status: StepStatus, fields: Partial<StepRecord>): Promise<SendOutcome> => {
    const completed: StepRecord = {
      ...record,
      status,
      completedAt: deps.clock.now().toISOString(),
      ...fields,
      reasons: [...record.reasons, ...(fields.reasons ?? [])],
    };
    await deps.messages.completeMessage(completed);
    return { stepId: plan.stepId, action: action.type, status, duplicate: false, reasons: completed.reasons };
  };
  if (settled) return finish('skipped', { reasons: ['case-settled'] });
  if (collectionCase.assignment?.holdout && action.type === 'hand-to-agent') {
    return finish('skipped', { reasons: ['holdout'] });
  }

  switch (action.type) {
    case 'hand-to-agent': {
      // One task per case and step: a retried step finds it there and creates none.
      const taskId = `strategy-${request.caseId}-${plan.stepId}`;
      await deps.agentTasks.createAgentTask({
        taskId,
        kind: 'strategy-hand-over',
        source: 'strategy',
        caseId: request.caseId,
        customerId: collectionCase.customerId,
        // An agent works the case by phone.
        channel: 'voice',
        createdAt: now.toISOString(),
        status: 'open',
        sourceEventId: `${request.caseId}:${plan.stepId}`,
        stepId: plan.stepId,
        queue: action.queue,
        priority: action.priority,
        reason: action.reason,
        claimIds: claims.map((claim) => claim.claimId),
      });
      return finish('done', { agentTaskId: taskId });
    }
    case 'pause': {
      const until = new Date(now.getTime() + action.days * 86_400_000);
      await deps.cases.addCasePause(request.caseId, {
        reason: 'strategy',
        from: now.toISOString(),
        until: until.toISOString(),
        stepId: plan.stepId,
      });
      return finish('done', { reasons: [`paused-until:${until.toISOString()}`] });
    }
    case 'retry-payment':
    case 'write-off':
    case 'cancel-subscription': {
      const billing = deps.billing;
      if (billing === undefined) return finish('skipped', { reasons: ['billing-actions-not-configured'] });
      let results: BillingActionResult[];
      try {
        results = await runBillingAction(action, request, claims, loaded.records, billing, deps);
      } catch (error) {
        if (error instanceof BillingNotConfiguredError) {
          return finish('skipped', { reasons: ['billing-actions-not-configured'] });
        }
        throw error;
      }
      const acted = results.some((result) => result.outcome !== 'skipped');
      return finish(acted ? 'done' : 'skipped', {
        results,
        reasons: results
          .filter((r) => r.outcome === 'skipped')
          .map((r) => `${r.claimId}:${r.detail ?? 'skipped'}`),
      });
    }
    default:
      throw new ConfigurationError(`step ${plan.stepId} has no runnable action`);
  }
}

/** @deprecated The act step dispatches every action now; kept as the name the journey task had. */
export const sendJourneyMessage = actOnJourneyStep;

function isMessageType(action: StepAction['type']): boolean {
  return (
    action === 'send-message' ||
    action === 'request-card-update' ||
    action === 'offer-payment-plan' ||
    action === 'final-notice'
  );
}

async function load(request: SendRequest, deps: SendDependencies): Promise<Loaded> {
  const collectionCase = await deps.cases.getCase(request.caseId);
  if (collectionCase === undefined) throw new CaseNotFoundError(`case ${request.caseId} does not exist`);
  const strategy = await deps.strategies.getStrategy(
    collectionCase.strategyId,
    collectionCase.strategyVersion,
  );
  const step = strategy?.steps.find((candidate) => candidate.id === request.plan.stepId);
  if (step === undefined) {
    throw new ConfigurationError(
      `step ${request.plan.stepId} is not in strategy ${collectionCase.strategyId}@${collectionCase.strategyVersion}`,
    );
  }
  const consentStore = deps.consents;
  const channels = [...deps.planOptions.deliverableChannels];
  const [customer, claims, records, consentRecords] = await Promise.all([
    deps.customers.getCustomer(collectionCase.customerId),
    deps.claims.getClaims(collectionCase.claimIds),
    deps.messages.listMessages(request.caseId),
    consentStore === undefined
      ? Promise.resolve([])
      : Promise.all(channels.map((channel) => consentStore.getConsent(collectionCase.customerId, channel))),
  ]);
  const consents = Object.fromEntries(
    channels.flatMap((channel, index) => (consentRecords[index] ? [[channel, consentRecords[index]]] : [])),
  ) as Partial<Record<Channel, ContactConsent>>;
  return { collectionCase, customer, claims, records, consents, step };
}

/** The contact policy on the freshly read case, at the moment of sending. */
function messageViolations(request: SendRequest, loaded: Loaded, deps: SendDependencies): string[] {
  const channel = request.plan.channel;
  if (channel === undefined) return ['no-channel-planned'];
  if (loaded.collectionCase.assignment?.holdout) return ['holdout'];
  const now = deps.clock.now();
  const context = contactContextOf(loaded, deps.planOptions, now);
  return contactViolations(channel, now, context);
}

async function sendMessage(
  record: StepRecord,
  action: MessageAction,
  loaded: Loaded,
  skipReason: string | undefined,
  deps: SendDependencies,
): Promise<SendOutcome> {
  const { customer, collectionCase } = loaded;
  const channel = record.channel ?? action.channels[0] ?? 'email';
  const template = record.template ?? action.template;
  const now = deps.clock.now();
  // Claims that are disputed or on hold are never mentioned.
  const claims = actionableClaims(collectionCase, loaded.claims, now);
  const to = addressFor(customer, channel);
  const reason =
    skipReason ??
    (to === undefined
      ? channel === 'email'
        ? 'no-email-address'
        : 'no-phone-number'
      : channel !== 'email' && deps.delivery === undefined
        ? 'channel-not-configured'
        : undefined);
  const portalUrl =
    reason === undefined && deps.portalLinks !== undefined
      ? await deps.portalLinks({
          caseId: record.caseId,
          customerId: collectionCase.customerId,
          purpose: record.stepId,
        })
      : undefined;
  const extras = {
    ...(portalUrl === undefined ? {} : { portalUrl }),
    ...(action.type === 'offer-payment-plan' ? { offer: action.plan } : {}),
  };
  const rendered = reason === undefined ? renderEmail(template, customer, claims, extras) : undefined;
  const whatsAppTemplate =
    reason === undefined && channel === 'whatsapp'
      ? whatsAppTemplateFor(template, customer, claims, extras)
      : undefined;
  // Every message says how to stop it: an unsubscribe link in emails, the STOP keyword in texts.
  const language = emailLanguageOf(customer?.locale);
  const unsubscribeUrl =
    rendered !== undefined && channel === 'email' && to !== undefined && deps.unsubscribeLinks !== undefined
      ? await deps.unsubscribeLinks({ customerId: collectionCase.customerId, channel, address: to })
      : undefined;
  const content =
    rendered === undefined
      ? undefined
      : unsubscribeUrl === undefined
        ? { ...rendered, text: withPhoneOptOut(rendered.text, channel, language) }
        : withEmailOptOut(rendered, language, unsubscribeUrl);
  const outcome = (status: StepStatus, reasons?: readonly string[]): SendOutcome => ({
    stepId: record.stepId,
    action: action.type,
    status,
    duplicate: false,
    ...(reasons === undefined ? {} : { reasons }),
  });

  if (!(await deps.messages.beginMessage(record))) {
    return raced(
      { caseId: record.caseId, plan: { action: action.type, stepId: record.stepId, at: '', reasons: [] } },
      deps,
    );
  }
  if (reason !== undefined || content === undefined || to === undefined) {
    await deps.messages.completeMessage({
      ...record,
      status: 'undeliverable',
      reasons: [...record.reasons, reason ?? 'no-content'],
    });
    return outcome('undeliverable');
  }

  const correlation = {
    caseId: record.caseId,
    stepId: record.stepId,
    ...(record.variant ? { variant: record.variant } : {}),
  };
  const email = {
    to,
    ...content,
    caseId: record.caseId,
    customerId: collectionCase.customerId,
    stepId: record.stepId,
    template,
    ...(record.variant ? { variant: record.variant } : {}),
    ...(unsubscribeUrl === undefined ? {} : { listUnsubscribe: { url: unsubscribeUrl } }),
  };
  // A text, a call or a WhatsApp message says the same words; each channel adds what it needs.
  const phoneText = { to, customerId: collectionCase.customerId, correlation, text: content.text };
  const message: OutboundChannelMessage =
    channel === 'email'
      ? { channel: 'email', ...email }
      : channel === 'voice'
        ? { channel, ...phoneText, locale: customer?.locale ?? 'en-US' }
        : channel === 'whatsapp'
          ? // Free text inside the 24-hour window, the approved template outside it
            // (deliverChannelMessage chooses); no template means the step falls back.
            {
              channel,
              ...phoneText,
              ...(whatsAppTemplate === undefined ? {} : { template: whatsAppTemplate }),
            }
          : { channel, ...phoneText };
  let providerMessageId: string;
  try {
    ({ providerMessageId } =
      deps.delivery === undefined
        ? await deps.email.send(email)
        : await deliverChannelMessage(message, deps.delivery));
  } catch (error) {
    if (error instanceof PermanentDeliveryError) {
      // This channel will never work for this address: remember it, and let the planner fall back
      // to the next channel of the step.
      const reasons = [...record.reasons, `delivery-refused:${channel}:${error.reason}`];
      await deps.messages.completeMessage({
        ...record,
        status: 'failed',
        failedChannels: [...new Set([...(record.failedChannels ?? []), channel])],
        reasons,
      });
      return outcome('failed', reasons);
    }
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
    return outcome('uncertain');
  }
  await deps.messages.completeMessage({
    ...record,
    status: 'sent',
    sentAt: deps.clock.now().toISOString(),
    to,
    ...(channel === 'email' ? { subject: content.subject } : {}),
    providerMessageId,
  });
  return outcome('sent');
}

/** Our earlier payment retries of a claim (for the card-network limits). */
function ourRetriesOf(claimId: string, records: readonly StepRecord[]): string[] {
  return records
    .filter((record) => record.action === 'retry-payment')
    .flatMap((record) => record.results ?? [])
    .filter((result) => result.claimId === claimId && result.outcome !== 'skipped')
    .map((result) => result.at);
}

async function runBillingAction(
  action: Extract<StepAction, { type: 'retry-payment' | 'write-off' | 'cancel-subscription' }>,
  request: SendRequest,
  claims: readonly Claim[],
  records: readonly StepRecord[],
  billing: BillingActions,
  deps: SendDependencies,
): Promise<BillingActionResult[]> {
  const results: BillingActionResult[] = [];
  const keyOf = (subject: string) => `${request.caseId}:${request.plan.stepId}:${subject}`;
  const at = () => deps.clock.now().toISOString();
  if (action.type === 'cancel-subscription') {
    const subscriptions = new Map<string, Claim>();
    for (const claim of claims) if (claim.subscriptionId) subscriptions.set(claim.subscriptionId, claim);
    for (const [subscriptionId, claim] of subscriptions) {
      await billing.cancelSubscription(
        { provider: claim.provider, subscriptionId },
        action.when,
        keyOf(subscriptionId),
      );
      results.push({
        claimId: claim.claimId,
        at: at(),
        outcome: 'done',
        detail: `subscription-cancelled:${action.when}`,
      });
    }
    if (subscriptions.size === 0) {
      for (const claim of claims)
        results.push({ claimId: claim.claimId, at: at(), outcome: 'skipped', detail: 'no-subscription' });
    }
    return results;
  }
  for (const claim of claims) {
    const ref = { claimId: claim.claimId, invoiceId: claim.invoiceId, provider: claim.provider };
    if (action.type === 'write-off') {
      await billing.markUncollectible(ref, keyOf(claim.claimId));
      results.push({ claimId: claim.claimId, at: at(), outcome: 'done', detail: 'marked-uncollectible' });
      continue;
    }
    const decision = decidePaymentRetry(
      claim,
      deps.clock.now(),
      deps.retryLimits,
      ourRetriesOf(claim.claimId, records),
    );
    if (!decision.retry) {
      results.push({ claimId: claim.claimId, at: at(), outcome: 'skipped', detail: decision.reason });
      continue;
    }
    const retried = await billing.retryPayment(ref, keyOf(claim.claimId));
    results.push({
      claimId: claim.claimId,
      at: at(),
      outcome: retried.outcome,
      ...(retried.outcome === 'declined' && retried.declineCode ? { detail: retried.declineCode } : {}),
    });
  }
  return results;
}

async function raced(request: SendRequest, deps: SendDependencies): Promise<SendOutcome> {
  const existing = await deps.messages.getMessage(request.caseId, request.plan.stepId);
  if (existing !== undefined && existing.status !== 'failed') return settledOutcome(existing, deps);
  throw new MessageInFlightError(
    `step ${request.plan.stepId} of case ${request.caseId} changed during the send`,
  );
}

/** The outcome of an earlier attempt at this step. */
async function settledOutcome(existing: StepRecord, deps: SendDependencies): Promise<SendOutcome> {
  const action = existing.action ?? 'send-message';
  if (existing.status === 'sending') {
    await deps.messages.completeMessage({
      ...existing,
      status: 'uncertain',
      reasons: [...existing.reasons, 'attempt-died-mid-send'],
    });
    return { stepId: existing.stepId, action, status: 'uncertain', duplicate: true };
  }
  return { stepId: existing.stepId, action, status: existing.status, duplicate: true };
}
