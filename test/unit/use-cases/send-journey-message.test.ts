import { MessageRejected } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claim } from '../../../shared/domain/claim.ts';
import type { CollectionCase } from '../../../shared/domain/collection-case.ts';
import type { Customer } from '../../../shared/domain/customer.ts';
import { CaseNotFoundError } from '../../../shared/domain/errors.ts';
import type { MessageStore } from '../../../shared/ports.ts';
import {
  type SendDependencies,
  type SendRequest,
  sendJourneyMessage,
} from '../../../shared/use-cases/send-journey-message.ts';
import { customerRecord, failedClaim, openCase } from '../../support/billing-records.ts';
import {
  type EmbeddedCollectionsTable,
  startEmbeddedCollectionsTable,
  uniqueSuffix,
} from '../../support/embedded-collections-table.ts';
import { RecordingEmailSender, TestClock } from '../../support/fake-ports.ts';

let embedded: EmbeddedCollectionsTable;

beforeAll(async () => {
  embedded = await startEmbeddedCollectionsTable();
});

afterAll(async () => {
  await embedded.stop();
});

interface Journey {
  readonly deps: SendDependencies;
  readonly email: RecordingEmailSender;
  readonly clock: TestClock;
  readonly request: SendRequest;
  readonly claim: Claim;
}

/** Stores a case with one failed $49.99 claim for a customer of its own, as ingestion leaves it. */
async function journey(
  change: {
    readonly customer?: (customer: Customer) => Customer;
    readonly claims?: (claim: Claim) => Claim[];
    readonly collectionCase?: Partial<CollectionCase>;
  } = {},
): Promise<Journey> {
  const suffix = uniqueSuffix();
  const customerId = `stripe:cus_${suffix}`;
  const caseId = `case_${suffix}`;
  const claim = failedClaim({ invoiceId: `in_${suffix}`, customerId, caseId });
  const claims = change.claims?.(claim) ?? [claim];
  const { table } = embedded;
  await table.putCustomer(
    change.customer?.(customerRecord({ customerId })) ?? customerRecord({ customerId }),
  );
  for (const stored of claims) await table.putClaim(stored, 0);
  await table.createCase(
    openCase({
      caseId,
      customerId,
      claimIds: claims.map((stored) => stored.claimId),
      ...change.collectionCase,
    }),
  );
  const email = new RecordingEmailSender();
  const clock = new TestClock('2026-11-02T13:00:00.000Z');
  return {
    deps: { cases: table, claims: table, customers: table, messages: table, email, clock },
    email,
    clock,
    claim,
    request: {
      caseId,
      stepId: 'day-0-payment-failed',
      channel: 'email',
      template: 'payment-failed',
      reasons: ['step-due', 'time-zone-from-customer', 'deferred-to-contact-window'],
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
    expect(outcome).toEqual({ stepId: 'day-0-payment-failed', status: 'sent', duplicate: false });
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
      channel: 'email',
      template: 'payment-failed',
      status: 'sent',
      startedAt: '2026-11-02T13:00:01.000Z',
      sentAt: '2026-11-02T13:00:01.000Z',
      to: 'jenny.rosen@example.com',
      subject: 'Your payment of $49.99 did not go through',
      providerMessageId: '0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d000001-000000',
      reasons: request.reasons,
    });
  });

  it('does not send again when the task is retried after a successful send', async () => {
    // Prepare
    const { deps, email, request } = await journey();
    await sendJourneyMessage(request, deps);

    // Act
    const retry = await sendJourneyMessage(request, deps);

    // Assess
    expect(retry).toEqual({ stepId: 'day-0-payment-failed', status: 'sent', duplicate: true });
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
    expect(retry).toEqual({ stepId: 'day-0-payment-failed', status: 'uncertain', duplicate: true });
    expect(laterRetry).toEqual({ stepId: 'day-0-payment-failed', status: 'uncertain', duplicate: true });
    expect(email.accepted).toHaveLength(1);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toMatchObject({
      status: 'uncertain',
      reasons: [...request.reasons, 'attempt-died-mid-send'],
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
      reasons: [...request.reasons, 'provider-refused'],
    });
    expect(retry).toEqual({ stepId: 'day-0-payment-failed', status: 'sent', duplicate: false });
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
    expect(outcome).toEqual({ stepId: 'day-0-payment-failed', status: 'undeliverable', duplicate: false });
    expect(email.attempts).toBe(0);
    expect(await embedded.table.getMessage(request.caseId, request.stepId)).toMatchObject({
      status: 'undeliverable',
      reasons: [...request.reasons, 'case-settled'],
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

  it('sends nothing to a customer without an email address and records why', async () => {
    // Prepare
    const { deps, email, request } = await journey({
      customer: ({ email: _email, ...withoutEmail }) => withoutEmail,
    });

    // Act
    const outcome = await sendJourneyMessage(request, deps);

    // Assess
    expect(outcome).toEqual({ stepId: 'day-0-payment-failed', status: 'undeliverable', duplicate: false });
    expect(email.attempts).toBe(0);
    expect((await embedded.table.getMessage(request.caseId, request.stepId))?.reasons).toContain(
      'no-email-address',
    );
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

describe('sendJourneyMessage with the debtor portal', () => {
  it('hands the step back to the planner, sending and recording nothing, while contact is paused', async () => {
    const { deps, email, request } = await journey({
      collectionCase: { pausedUntil: '2026-11-05T00:00:00Z', pauseReason: 'promise-to-pay' },
    });
    await expect(sendJourneyMessage(request, deps)).resolves.toEqual({
      stepId: request.stepId,
      status: 'paused',
      duplicate: false,
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
});
