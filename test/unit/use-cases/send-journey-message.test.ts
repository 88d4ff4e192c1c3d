import { MessageRejected } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import type { RecordingBillingActions } from '../../../shared/adapters/billing/recording-billing-actions.ts';
import { InMemoryStrategyCatalog } from '../../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { SecretKeyedStripeBillingActions } from '../../../shared/adapters/stripe/secret-keyed-stripe-billing-actions.ts';
import type { Claim } from '../../../shared/domain/claim.ts';
import { CaseNotFoundError, PermanentDeliveryError } from '../../../shared/domain/errors.ts';
import type { StepPlan } from '../../../shared/domain/plan-next-action.ts';
import { parseStrategy } from '../../../shared/domain/strategy.ts';
import type { MessageStore } from '../../../shared/ports.ts';
import {
  type SendDependencies,
  type SendRequest,
  actOnJourneyStep as sendJourneyMessage,
} from '../../../shared/use-cases/send-journey-message.ts';
import { shippedRouting } from '../../../workflows/strategies/index.ts';
import { declined, failedClaim } from '../../support/billing-records.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import type { RecordingEmailSender, TestClock } from '../../support/fake-ports.ts';
import { RecordingChannelSenders } from '../../support/recording-channel-senders.ts';
import {
  type OpenCaseChange,
  recordingSendDependencies,
  storeOpenCase,
} from '../../support/stored-journeys.ts';

const embedded = embeddedCollectionsTablePerFile();

interface Journey {
  readonly deps: SendDependencies;
  readonly email: RecordingEmailSender;
  readonly clock: TestClock;
  readonly request: SendRequest & { readonly stepId: string };
  readonly claim: Claim;
  readonly billing: RecordingBillingActions;
}

/** A case with one failed $49.99 claim for a customer of its own, as ingestion leaves it, and its step. */
async function journey(change: OpenCaseChange = {}): Promise<Journey> {
  const { caseId, claim } = await storeOpenCase(embedded.table, change);
  return {
    ...recordingSendDependencies(embedded.table),
    claim,
    request: {
      caseId,
      stepId: 'day-0-payment-failed',
      plan: {
        action: 'send-message',
        stepId: 'day-0-payment-failed',
        channel: 'email',
        template: 'payment-failed',
        at: '2026-11-02T13:00:00Z',
        reasons: ['time-zone-from-customer', 'step-due', 'deferred:quiet-hours'],
      },
    },
  };
}

/** The table's message store, except that the process dies right after the provider call returns. */
function dyingAfterProviderCall(messages: MessageStore): MessageStore {
  return {
    listMessages: (caseId) => messages.listMessages(caseId),
    beginMessage: (record) => messages.beginMessage(record),
    getMessage: (caseId, stepId) => messages.getMessage(caseId, stepId),
    completeMessage: async () => {
      throw new Error('Task timed out after 30.00 seconds');
    },
  };
}

describe('sendJourneyMessage', () => {
  it('sends the step message once and records it as sent', async () => {
    // Prepare
    const { deps, email, clock, request, claim } = await journey();
    clock.set('2026-11-02T13:00:01.000Z');

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'sent',
      duplicate: false,
    });
    expect(email.accepted).toHaveLength(1);
    expect(email.accepted[0]).toMatchObject({
      to: 'jenny.rosen@example.com',
      subject: 'Your payment of $49.99 did not go through',
      caseId: request.caseId,
      customerId: claim.customerId,
      stepId: 'day-0-payment-failed',
      template: 'payment-failed',
    });
    expect(email.accepted[0]?.text).toContain(`Pay now: ${claim.payUrl}`);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toEqual({
      caseId: request.caseId,
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      channel: 'email',
      template: 'payment-failed',
      status: 'sent',
      startedAt: '2026-11-02T13:00:01.000Z',
      sentAt: '2026-11-02T13:00:01.000Z',
      to: 'jenny.rosen@example.com',
      subject: 'Your payment of $49.99 did not go through',
      providerMessageId: '0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d000001-000000',
      reasons: request.plan.reasons,
    });
  });

  it('does not send again when the task is retried after a successful send', async () => {
    // Prepare
    const { deps, email, request } = await journey();
    await sendJourneyMessage(request, deps);

    // Act
    const retry = await sendJourneyMessage(request, deps);

    // Assess
    expect(retry).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'sent',
      duplicate: true,
    });
    expect(email.accepted).toHaveLength(1);
  });

  it('marks the step uncertain and never resends when an attempt died after the provider accepted', async () => {
    // Prepare
    const { deps, email, request } = await journey();
    const dying = sendJourneyMessage(request, { ...deps, messages: dyingAfterProviderCall(deps.messages) });
    await expect(dying).rejects.toThrow('Task timed out');
    const leftBehind = await embedded.table.getMessage(request.caseId, request.stepId);

    // Act
    const retry = await sendJourneyMessage(request, deps);
    const laterRetry = await sendJourneyMessage(request, deps);

    // Assess
    expect(leftBehind?.status).toBe('sending');
    expect(retry).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'uncertain',
      duplicate: true,
    });
    expect(laterRetry).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'uncertain',
      duplicate: true,
    });
    expect(email.accepted).toHaveLength(1);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toMatchObject({
      status: 'uncertain',
      reasons: [...request.plan.reasons, 'attempt-died-mid-send'],
    });
  });

  it('records a refusal by the provider as failed, rethrows it, and sends on the retry', async () => {
    // Prepare
    const { deps, email, request } = await journey();
    const refusal = new MessageRejected({ message: 'Email address is not verified.', $metadata: {} });
    email.refuseNext(refusal);

    // Act
    const refused = sendJourneyMessage(request, deps);
    await expect(refused).rejects.toBe(refusal);
    const afterRefusal = await embedded.table.getMessage(request.caseId, request.stepId);
    const retry = await sendJourneyMessage(request, deps);

    // Assess
    expect(afterRefusal).toMatchObject({
      status: 'failed',
      reasons: [...request.plan.reasons, 'provider-refused'],
    });
    expect(retry).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'sent',
      duplicate: false,
    });
    expect(email.attempts).toBe(2);
    expect(email.accepted).toHaveLength(1);
  });

  it('does not send again after a timeout that left it unknown whether the provider accepted', async () => {
    // Prepare: SES accepted the message but the response never came back (socket timeout).
    const { deps, email, request } = await journey();
    const timeout = Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
    email.loseNextResponse(timeout);
    await sendJourneyMessage(request, deps).catch(() => undefined);

    // Act: Step Functions retries the task.
    await sendJourneyMessage(request, deps).catch(() => undefined);

    // Assess
    expect(email.accepted).toHaveLength(1);
  });

  it('sends nothing for a closed case and records the step undeliverable', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      collectionCase: { status: 'closed', closeReason: 'paid', closedAt: '2026-11-02T12:59:00.000Z' },
    });

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'undeliverable',
      duplicate: false,
    });
    expect(email.attempts).toBe(0);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toMatchObject({
      status: 'undeliverable',
      reasons: [...request.plan.reasons, 'case-settled'],
    });
  });

  it('sends nothing when every claim was paid even if the case is not closed yet', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      claims: (claim) => [{ ...claim, status: 'paid', paidAt: '2026-11-02T12:58:00.000Z' }],
    });

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome.status).toBe('undeliverable');
    expect(email.attempts).toBe(0);
  });

  it('sends nothing, records nothing and hands back to the planner when the address vanished since planning', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      customer: ({ email: _email, ...withoutEmail }) => withoutEmail,
    });

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toEqual({
      stepId: 'day-0-payment-failed',
      action: 'send-message',
      status: 'deferred',
      duplicate: false,
      reasons: ['channel-skipped:email:no-address'],
    });
    expect(email.attempts).toBe(0);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toBeUndefined();
  });

  it('contacts nobody who opted out after the step was planned', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      customer: (customer) => ({
        ...customer,
        contactPreferences: { email: { optedOutAt: '2026-11-02T12:59:00Z' } },
      }),
    });

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'deferred', reasons: ['channel-skipped:email:opted-out'] });
    expect(email.attempts).toBe(0);
  });

  it('does not send when the task runs after the window closed, and says why', async () => {
    // Prepare: planned for 20:59:59 in New York, the task runs at 21:00:02.
    const { deps, email, request, clock } = await journey();
    clock.set('2026-11-03T02:00:02.000Z');

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'deferred', reasons: ['deferred:quiet-hours'] });
    expect(email.attempts).toBe(0);
  });

  it('sends nothing to a holdout case', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      collectionCase: { assignment: { ruleId: 'b2c', experimentId: 'x', variant: 'holdout', holdout: true } },
    });

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'deferred', reasons: ['holdout'] });
    expect(email.attempts).toBe(0);
  });

  it('lists only the claims still open in the message', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      claims: (claim) => [
        claim,
        failedClaim({
          invoiceId: `${claim.invoiceId}_paid`,
          customerId: claim.customerId,
          amountMinor: 1500,
          status: 'paid',
          paidAt: '2026-11-02T12:00:00.000Z',
        }),
      ],
    });

    // Act
    await sendJourneyMessage(request, deps);

    // Assess
    expect(email.accepted[0]?.subject).toBe('Your payment of $49.99 did not go through');
    expect(email.accepted[0]?.text).not.toContain('_paid');
  });

  it('fails with CaseNotFoundError for an unknown case and records nothing', async () => {
    // Prepare
    const { deps, email, request } = await journey();
    const unknown = { ...request, caseId: `case_${uniqueSuffix()}` };

    // Act
    const sending = sendJourneyMessage(unknown, deps);

    // Assess
    await expect(sending).rejects.toBeInstanceOf(CaseNotFoundError);
    expect(await embedded.table.getMessage(unknown.caseId, unknown.stepId)).toBeUndefined();
    expect(email.attempts).toBe(0);
  });
});

/** A claim whose provider has no retry of its own scheduled (Smart Retries exhausted). */
function withoutProviderRetry({ nextPaymentAttemptAt: _scheduled, ...claim }: Claim): Claim {
  return claim;
}

const actionsStrategy = parseStrategy({
  id: 'actions',
  version: 1,
  name: 'every action',
  steps: [
    { id: 'retry', timing: { from: 'first-failure' }, action: { type: 'retry-payment' } },
    {
      id: 'agent',
      timing: { from: 'first-failure' },
      action: { type: 'hand-to-agent', queue: 'high-value', priority: 'high', reason: 'Call them.' },
    },
    { id: 'breather', timing: { from: 'first-failure' }, action: { type: 'pause', days: 3 } },
    { id: 'write-off', timing: { from: 'first-failure' }, action: { type: 'write-off' } },
    {
      id: 'cancel',
      timing: { from: 'first-failure' },
      action: { type: 'cancel-subscription', when: 'at-period-end' },
    },
    {
      id: 'sms',
      timing: { from: 'first-failure' },
      action: { type: 'send-message', channels: ['sms', 'email'], template: 'payment-reminder' },
    },
  ],
});

async function actionsJourney(change: Parameters<typeof journey>[0] = {}) {
  const base = await journey({
    ...change,
    collectionCase: { strategyId: 'actions', ...change.collectionCase },
  });
  const strategies = new InMemoryStrategyCatalog([actionsStrategy], shippedRouting);
  const deps: SendDependencies = { ...base.deps, strategies };
  const plan = (stepId: string, fields: Partial<StepPlan> = {}): SendRequest => ({
    caseId: base.request.caseId,
    plan: {
      action: actionsStrategy.steps.find((step) => step.id === stepId)?.action.type ?? 'send-message',
      stepId,
      at: '2026-11-02T13:00:00Z',
      reasons: ['step-due'],
      ...fields,
    },
  });
  return { ...base, deps, plan };
}

describe('actOnJourneyStep, for actions other than messages', () => {
  it('retries the payment once per claim with an idempotency key, and records the outcome', async () => {
    // Prepare: Stripe has no retry of its own scheduled any more.
    const { deps, billing, plan, claim } = await actionsJourney({
      claims: (stored) => [{ ...stored, nextPaymentAttemptAt: '2026-11-01T00:00:00.000Z' }],
    });

    // Act
    const outcome = await sendJourneyMessage(plan('retry'), deps);
    const replay = await sendJourneyMessage(plan('retry'), deps);

    // Assess
    expect(outcome).toMatchObject({ action: 'retry-payment', status: 'done', duplicate: false });
    expect(replay).toMatchObject({ status: 'done', duplicate: true });
    expect(billing.list()).toEqual([
      expect.objectContaining({
        kind: 'retry-payment',
        target: claim.invoiceId,
        idempotencyKey: `${claim.caseId}:retry:${claim.claimId}`,
      }),
    ]);
    expect((await embedded.table.getMessage(String(claim.caseId), 'retry'))?.results).toEqual([
      {
        claimId: claim.claimId,
        at: '2026-11-02T13:00:00.000Z',
        outcome: 'declined',
        detail: 'insufficient_funds',
      },
    ]);
  });

  it('never retries against the provider schedule, on a hard decline or on a disputed claim', async () => {
    // Prepare
    const { deps, billing, plan } = await actionsJourney({
      claims: (stored) => [
        { ...stored, nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z' },
        withoutProviderRetry(
          failedClaim({
            invoiceId: `${stored.invoiceId}_hard`,
            customerId: stored.customerId,
            ...declined('hard'),
          }),
        ),
        failedClaim({
          invoiceId: `${stored.invoiceId}_disputed`,
          customerId: stored.customerId,
          disputeStatus: 'open',
        }),
      ],
    });

    // Act
    const outcome = await sendJourneyMessage(plan('retry'), deps);

    // Assess: the disputed claim is not even considered (a dispute pauses its claim only).
    expect(outcome).toMatchObject({ status: 'skipped' });
    expect(outcome.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/_hard:hard-decline:hard$/),
        expect.stringMatching(/:provider-retry-scheduled$/),
      ]),
    );
    expect(outcome.reasons?.some((reason) => reason.includes('_disputed'))).toBe(false);
    expect(billing.list()).toEqual([]);
  });

  it('completes a payment retry left in flight by a dead attempt, with the same idempotency key', async () => {
    // Prepare: an attempt died after the provider call.
    const { deps, billing, plan } = await actionsJourney({
      claims: (stored) => [withoutProviderRetry(stored)],
    });
    await expect(
      sendJourneyMessage(plan('retry'), { ...deps, messages: dyingAfterProviderCall(deps.messages) }),
    ).rejects.toThrow();

    // Act
    const retry = await sendJourneyMessage(plan('retry'), deps);

    // Assess: the provider saw the same key twice and charged once.
    expect(retry).toMatchObject({ status: 'done', duplicate: false });
    expect(billing.list()).toHaveLength(1);
  });

  it('skips billing actions when no billing provider is configured', async () => {
    // Prepare
    const { deps, plan } = await actionsJourney();
    const { billing: _none, ...withoutBilling } = deps;

    // Act
    const outcome = await sendJourneyMessage(plan('write-off'), withoutBilling);

    // Assess
    expect(outcome).toMatchObject({
      status: 'skipped',
      reasons: ['step-due', 'billing-actions-not-configured'],
    });
  });

  it('skips billing actions when the API key secret is still empty', async () => {
    // Prepare
    const { deps, plan } = await actionsJourney();
    const unconfigured = new SecretKeyedStripeBillingActions(async () => '');

    // Act
    const outcome = await sendJourneyMessage(plan('write-off'), { ...deps, billing: unconfigured });

    // Assess
    expect(outcome).toMatchObject({
      status: 'skipped',
      reasons: ['step-due', 'billing-actions-not-configured'],
    });
  });

  it('hands the case to an agent once, with the open claims', async () => {
    // Prepare
    const { deps, plan, claim } = await actionsJourney();

    // Act
    const outcome = await sendJourneyMessage(plan('agent'), deps);
    await sendJourneyMessage(plan('agent'), deps);
    const tasks = (await embedded.table.listOpenAgentTasks()).filter((task) => task.caseId === claim.caseId);

    // Assess
    expect(outcome).toMatchObject({ action: 'hand-to-agent', status: 'done' });
    expect(tasks).toEqual([
      {
        taskId: `strategy-${claim.caseId}-agent`,
        kind: 'strategy-hand-over',
        source: 'strategy',
        caseId: claim.caseId,
        customerId: claim.customerId,
        channel: 'voice',
        createdAt: '2026-11-02T13:00:00.000Z',
        status: 'open',
        sourceEventId: `${claim.caseId}:agent`,
        stepId: 'agent',
        queue: 'high-value',
        priority: 'high',
        reason: 'Call them.',
        claimIds: [claim.claimId],
      },
    ]);
  });

  it('pauses the case for the configured days, once', async () => {
    // Prepare
    const { deps, plan, claim } = await actionsJourney();

    // Act
    await sendJourneyMessage(plan('breather'), deps);
    await embedded.table.addCasePause(String(claim.caseId), {
      reason: 'strategy',
      from: '2026-11-02T13:00:00.000Z',
      until: '2026-11-05T13:00:00.000Z',
      stepId: 'breather',
    });

    // Assess
    expect((await embedded.table.getCase(String(claim.caseId)))?.pauses).toEqual([
      {
        reason: 'strategy',
        from: '2026-11-02T13:00:00.000Z',
        until: '2026-11-05T13:00:00.000Z',
        stepId: 'breather',
      },
    ]);
  });

  it('marks every open claim uncollectible and cancels each subscription once', async () => {
    // Prepare
    const { deps, plan, billing, claim } = await actionsJourney({
      claims: (stored) => [
        stored,
        failedClaim({ invoiceId: `${stored.invoiceId}_2`, customerId: stored.customerId }),
      ],
    });

    // Act
    const writeOff = await sendJourneyMessage(plan('write-off'), deps);
    const cancel = await sendJourneyMessage(plan('cancel'), deps);

    // Assess
    expect(writeOff).toMatchObject({ status: 'done' });
    expect(cancel).toMatchObject({ status: 'done' });
    expect(billing.list().map(({ kind, target, when }) => ({ kind, target, when }))).toEqual([
      { kind: 'mark-uncollectible', target: claim.invoiceId, when: undefined },
      { kind: 'mark-uncollectible', target: `${claim.invoiceId}_2`, when: undefined },
      { kind: 'cancel-subscription', target: claim.subscriptionId, when: 'at-period-end' },
    ]);
  });

  it('sends a text through the channel adapter when one is wired, with the step variant in the correlation', async () => {
    // Prepare
    const { deps, plan, claim } = await actionsJourney({
      customer: (customer) => ({
        ...customer,
        phone: '+12125550123',
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00Z' } },
      }),
    });
    const channels = new RecordingChannelSenders();
    const withSms: SendDependencies = {
      ...deps,
      delivery: {
        senders: channels.senders,
        consents: embedded.table,
        directory: embedded.table,
        clock: deps.clock,
      },
      consents: embedded.table,
      planOptions: { ...deps.planOptions, deliverableChannels: new Set(['email', 'sms']) },
    };

    // Act
    const outcome = await sendJourneyMessage(
      plan('sms', { channel: 'sms', template: 'payment-reminder', variant: 'short' }),
      withSms,
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'sent' });
    expect(channels.accepted).toEqual([
      expect.objectContaining({
        channel: 'sms',
        to: '+12125550123',
        correlation: { caseId: claim.caseId, stepId: 'sms', variant: 'short' },
      }),
    ]);
    expect(JSON.stringify(channels.accepted[0])).toContain('$49.99');
    // Carriers and Regulation F: every text says how to stop them.
    expect(channels.accepted[0]).toMatchObject({ text: expect.stringMatching(/\nReply STOP to opt out\.$/) });
  });

  it('sends a WhatsApp step outside the 24-hour window as the approved template, in the debtor’s language', async () => {
    // Prepare: a Spanish-speaking debtor who agreed to WhatsApp and never wrote to us.
    const { deps, plan } = await actionsJourney({
      customer: (customer) => ({
        ...customer,
        locale: 'es-ES',
        phone: '+34600111222',
        contactPreferences: { whatsapp: { consentAt: '2026-10-01T00:00:00Z' } },
      }),
    });
    const channels = new RecordingChannelSenders();
    const withWhatsApp: SendDependencies = {
      ...deps,
      delivery: {
        senders: channels.senders,
        consents: embedded.table,
        directory: embedded.table,
        clock: deps.clock,
      },
      consents: embedded.table,
      planOptions: { ...deps.planOptions, deliverableChannels: new Set(['email', 'whatsapp']) },
      portalLinks: async () => 'https://pay.acme.example/portal/l/v1.token',
    };

    // Act
    const outcome = await sendJourneyMessage(
      plan('sms', { channel: 'whatsapp', template: 'payment-reminder' }),
      withWhatsApp,
    );

    // Assess: no free text (outside the window), the registered template with its two values.
    expect(outcome).toMatchObject({ status: 'sent' });
    expect(channels.accepted).toEqual([
      expect.objectContaining({
        channel: 'whatsapp',
        to: '+34600111222',
        template: {
          name: 'collections_payment_reminder',
          languageCode: 'es',
          bodyParameters: [
            expect.stringMatching(/^49,99\s?US\$$/),
            'https://pay.acme.example/portal/l/v1.token',
          ],
        },
      }),
    ]);
    expect(channels.accepted[0]).not.toHaveProperty('text');
  });

  it('records a permanent refusal on a channel and hands the step back so the planner falls back', async () => {
    // Prepare
    const { deps, plan, claim } = await actionsJourney({
      customer: (customer) => ({
        ...customer,
        phone: '+12125550123',
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00Z' } },
      }),
    });
    const channels = new RecordingChannelSenders();
    channels.refuseNext(new PermanentDeliveryError('invalid-address', 'not a mobile number'));
    const withSms: SendDependencies = {
      ...deps,
      delivery: {
        senders: channels.senders,
        consents: embedded.table,
        directory: embedded.table,
        clock: deps.clock,
      },
      planOptions: { ...deps.planOptions, deliverableChannels: new Set(['email', 'sms']) },
    };

    // Act
    const outcome = await sendJourneyMessage(
      plan('sms', { channel: 'sms', template: 'payment-reminder' }),
      withSms,
    );
    const record = await embedded.table.getMessage(String(claim.caseId), 'sms');

    // Assess
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(record).toMatchObject({ status: 'failed', failedChannels: ['sms'] });
    expect(record?.reasons).toContain('delivery-refused:sms:invalid-address');
  });

  it('defers a text on a channel without an adapter so the planner falls back', async () => {
    // Prepare
    const { deps, plan } = await actionsJourney({
      customer: (customer) => ({
        ...customer,
        phone: '+12125550123',
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00Z' } },
      }),
    });

    // Act
    const outcome = await sendJourneyMessage(
      plan('sms', { channel: 'sms', template: 'payment-reminder' }),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'deferred', reasons: ['channel-skipped:sms:not-configured'] });
  });
});

describe('sendJourneyMessage with the debtor portal', () => {
  it('hands the step back to the planner, sending and recording nothing, while contact is paused', async () => {
    const { deps, email, request } = await journey({
      collectionCase: { pausedUntil: '2026-11-05T00:00:00Z', pauseReason: 'promise-to-pay' },
    });
    await expect(sendJourneyMessage(request, deps)).resolves.toEqual({
      stepId: request.stepId,
      action: 'send-message',
      status: 'deferred',
      duplicate: false,
      reasons: ['deferred:pause:promise-to-pay'],
    });
    expect(email.attempts).toBe(0);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toBeUndefined();
  });

  it('carries a freshly signed portal link for the case, beside the invoice links', async () => {
    const { deps, email, request } = await journey();
    const signed: { caseId: string; purpose: string }[] = [];
    const outcome = await sendJourneyMessage(request, {
      ...deps,
      portalLinks: async (link) => {
        signed.push({ caseId: link.caseId, purpose: link.purpose });
        return 'https://pay.example.test/portal/l/v1.token';
      },
    });
    expect(outcome.status).toBe('sent');
    expect(signed).toEqual([{ caseId: request.caseId, purpose: request.stepId }]);
    const [sent] = email.accepted;
    expect(sent?.text).toContain('https://pay.example.test/portal/l/v1.token');
    // Mustache escapes `/` in the HTML part; browsers read the entity back.
    expect(sent?.html).toContain(
      'href="https:&#x2F;&#x2F;pay.example.test&#x2F;portal&#x2F;l&#x2F;v1.token"',
    );
    expect(sent?.text).toContain('https://invoice.stripe.com/');
  });

  it('carries a one-click unsubscribe link for the address it goes to, in the headers and the footer', async () => {
    const { deps, email, request, claim } = await journey();
    const asked: unknown[] = [];
    const outcome = await sendJourneyMessage(request, {
      ...deps,
      unsubscribeLinks: async (unsubscribe) => {
        asked.push(unsubscribe);
        return 'https://pay.example.test/portal/u/u1.sealed';
      },
    });
    expect(outcome.status).toBe('sent');
    expect(asked).toEqual([
      { customerId: claim.customerId, channel: 'email', address: 'jenny.rosen@example.com' },
    ]);
    const [sent] = email.accepted;
    expect(sent?.listUnsubscribe).toEqual({ url: 'https://pay.example.test/portal/u/u1.sealed' });
    expect(sent?.text).toMatch(
      /You can stop emails about your payments at any time: https:\/\/pay\.example\.test\/portal\/u\/u1\.sealed\n$/,
    );
    expect(sent?.html).toContain(
      'href="https:&#x2F;&#x2F;pay.example.test&#x2F;portal&#x2F;u&#x2F;u1.sealed"',
    );
  });

  it('asks for no unsubscribe link when it sends nothing', async () => {
    const { deps, request } = await journey({ customer: ({ email: _email, ...customer }) => customer });
    const asked: unknown[] = [];
    const outcome = await sendJourneyMessage(request, {
      ...deps,
      unsubscribeLinks: async (unsubscribe) => {
        asked.push(unsubscribe);
        return 'https://pay.example.test/portal/u/u1.sealed';
      },
    });
    expect(outcome.status).not.toBe('sent');
    expect(asked).toEqual([]);
  });
});
