import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { caseIdFor } from '../../../../shared/domain/collection-case.ts';
import { ConcurrentUpdateError } from '../../../../shared/domain/errors.ts';
import type { MessageRecord } from '../../../../shared/ports.ts';
import { billingEvent, customerRecord, failedClaim, openCase } from '../../../support/billing-records.ts';
import {
  embeddedCollectionsTablePerFile,
  startEmbeddedCollectionsTable,
  uniqueSuffix,
} from '../../../support/embedded-collections-table.ts';

const embedded = embeddedCollectionsTablePerFile();

function ids() {
  const suffix = uniqueSuffix();
  const customerId = `stripe:cus_${suffix}`;
  const claimId = `stripe:in_${suffix}`;
  return { suffix, customerId, claimId, caseId: caseIdFor(customerId, claimId) };
}

function sendingRecord(caseId: string, stepId = 'day-0-payment-failed'): MessageRecord {
  return {
    caseId,
    stepId,
    channel: 'email',
    template: 'payment-failed',
    status: 'sending',
    startedAt: '2026-11-02T13:00:01.000Z',
    reasons: ['step-due', 'time-zone-from-customer'],
  };
}

async function itemsWithPk(pk: string): Promise<Record<string, unknown>[]> {
  return (await embedded.scanItems()).filter((item) => item.pk === pk);
}

describe('CollectionsTable', () => {
  describe('event ledger', () => {
    it('knows an event once it is recorded, and recording it again is a no-op', async () => {
      // Prepare
      const eventId = `evt_${uniqueSuffix()}`;
      const event = billingEvent('claim.payment_failed', { eventId });
      const before = await embedded.table.hasEvent('stripe', eventId);

      // Act
      await embedded.table.recordEvent(event, new Date('2026-11-02T10:14:10.000Z'));
      await embedded.table.recordEvent(event, new Date('2026-11-02T10:20:00.000Z'));

      // Assess
      expect(before).toBe(false);
      expect(await embedded.table.hasEvent('stripe', eventId)).toBe(true);
      const [stored, ...others] = await itemsWithPk(`EVENT#stripe#${eventId}`);
      expect(others).toEqual([]);
      expect(stored).toMatchObject({ kind: 'claim.payment_failed', appliedAt: '2026-11-02T10:14:10.000Z' });
    });
  });

  describe('customers', () => {
    it('stores and reads back a customer profile', async () => {
      // Prepare
      const { customerId } = ids();
      const customer = customerRecord({ customerId, timeZone: 'America/New_York', locale: 'en-US' });

      // Act
      await embedded.table.putCustomer(customer);
      const stored = await embedded.table.getCustomer(customerId);

      // Assess
      expect(stored).toEqual(customer);
    });

    it('reads nothing for an unknown customer', async () => {
      // Act
      const stored = await embedded.table.getCustomer(`stripe:cus_${uniqueSuffix()}`);

      // Assess
      expect(stored).toBeUndefined();
    });

    it('never overwrites the open case pointer when the profile is saved', async () => {
      // Prepare
      const { customerId, caseId } = ids();
      await embedded.table.putCustomer(customerRecord({ customerId }));
      await embedded.table.claimOpenCase(customerId, caseId);

      // Act
      await embedded.table.putCustomer(
        customerRecord({ customerId, email: 'new@example.com', openCaseId: 'case_other' }),
      );

      // Assess
      expect(await embedded.table.getCustomer(customerId)).toMatchObject({
        email: 'new@example.com',
        openCaseId: caseId,
      });
    });

    it('saves a profile only over the version it was read at, and counts versions', async () => {
      // Prepare: two writers read version 0; the first saves.
      const { customerId, caseId } = ids();
      await embedded.table.putCustomer(customerRecord({ customerId, name: 'First' }), 0);
      await embedded.table.claimOpenCase(customerId, caseId);

      // Act: the second writes over the version it read, then a writer that read version 1.
      const stale = embedded.table.putCustomer(customerRecord({ customerId, name: 'Stale' }), 0);
      const staleError = await stale.catch((error: unknown) => error);
      await embedded.table.putCustomer(customerRecord({ customerId, name: 'Second' }), 1);
      const secondStale = await embedded.table
        .putCustomer(customerRecord({ customerId, name: 'Late' }), 1)
        .catch((error: unknown) => error);

      // Assess: the stale writes changed nothing; the version is not part of the profile.
      expect(staleError).toBeInstanceOf(ConcurrentUpdateError);
      expect(secondStale).toBeInstanceOf(ConcurrentUpdateError);
      const stored = await embedded.table.getVersionedCustomer(customerId);
      expect(stored?.version).toBe(2);
      expect(stored?.customer).toMatchObject({ name: 'Second', openCaseId: caseId });
      expect(stored?.customer).not.toHaveProperty('profileVersion');
    });

    it('reads a profile saved before versions existed as version 0', async () => {
      // Prepare: an item as an earlier release wrote it (no profileVersion attribute).
      const { customerId } = ids();
      await embedded.table.putCustomer(customerRecord({ customerId }));
      await DynamoDBDocumentClient.from(embedded.db.client).send(
        new UpdateCommand({
          TableName: embedded.db.tableName,
          Key: { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' },
          UpdateExpression: 'REMOVE profileVersion',
        }),
      );

      // Act
      const legacy = await embedded.table.getVersionedCustomer(customerId);
      await embedded.table.putCustomer(customerRecord({ customerId, name: 'Upgraded' }), legacy?.version);

      // Assess
      expect(legacy?.version).toBe(0);
      expect(await embedded.table.getVersionedCustomer(customerId)).toMatchObject({
        version: 1,
        customer: { name: 'Upgraded' },
      });
    });

    it('lets the first case claim the customer and returns it to every later claimant', async () => {
      // Prepare
      const { customerId, caseId } = ids();
      await embedded.table.putCustomer(customerRecord({ customerId }));

      // Act
      const first = await embedded.table.claimOpenCase(customerId, caseId);
      const again = await embedded.table.claimOpenCase(customerId, caseId);
      const other = await embedded.table.claimOpenCase(customerId, 'case_000000000000000000000001');

      // Assess
      expect([first, again, other]).toEqual([caseId, caseId, caseId]);
    });

    it('gives one winner to two cases claiming the customer at the same time', async () => {
      // Prepare
      const { customerId } = ids();
      await embedded.table.putCustomer(customerRecord({ customerId }));

      // Act
      const results = await Promise.all([
        embedded.table.claimOpenCase(customerId, 'case_aaaaaaaaaaaaaaaaaaaaaaaa'),
        embedded.table.claimOpenCase(customerId, 'case_bbbbbbbbbbbbbbbbbbbbbbbb'),
      ]);

      // Assess
      expect(new Set(results).size).toBe(1);
      expect((await embedded.table.getCustomer(customerId))?.openCaseId).toBe(results[0]);
    });

    it('releases the pointer only for the case it points at', async () => {
      // Prepare
      const { customerId, caseId } = ids();
      await embedded.table.putCustomer(customerRecord({ customerId }));
      await embedded.table.claimOpenCase(customerId, caseId);

      // Act
      await embedded.table.releaseOpenCase(customerId, 'case_000000000000000000000001');
      const afterWrongRelease = (await embedded.table.getCustomer(customerId))?.openCaseId;
      await embedded.table.releaseOpenCase(customerId, caseId);
      await embedded.table.releaseOpenCase(customerId, caseId);
      const next = await embedded.table.claimOpenCase(customerId, 'case_000000000000000000000002');

      // Assess
      expect(afterWrongRelease).toBe(caseId);
      expect(next).toBe('case_000000000000000000000002');
    });
  });

  describe('claims', () => {
    it('creates a claim at version 1 and reads it back without storage attributes', async () => {
      // Prepare
      const { suffix } = ids();
      const claim = failedClaim({ invoiceId: `in_${suffix}` });

      // Act
      await embedded.table.putClaim(claim, 0);
      const stored = await embedded.table.getClaim(claim.claimId);

      // Assess
      expect(stored).toEqual({ claim, version: 1 });
    });

    it('refuses a write based on a stale version with ConcurrentUpdateError', async () => {
      // Prepare
      const { suffix } = ids();
      const claim = failedClaim({ invoiceId: `in_${suffix}` });
      await embedded.table.putClaim(claim, 0);
      await embedded.table.putClaim({ ...claim, attemptCount: 2 }, 1);

      // Act
      const createAgain = embedded.table.putClaim(claim, 0);
      const staleUpdate = embedded.table.putClaim({ ...claim, attemptCount: 3 }, 1);

      // Assess
      await expect(createAgain).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(staleUpdate).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await embedded.table.getClaim(claim.claimId)).toEqual({
        claim: { ...claim, attemptCount: 2 },
        version: 2,
      });
    });

    it('lets exactly one of two concurrent read-modify-writes win', async () => {
      // Prepare
      const { suffix } = ids();
      const claim = failedClaim({ invoiceId: `in_${suffix}` });
      await embedded.table.putClaim(claim, 0);
      const read = await embedded.table.getClaim(claim.claimId);
      if (read === undefined) throw new Error('claim not stored');

      // Act
      const outcomes = await Promise.allSettled([
        embedded.table.putClaim({ ...read.claim, status: 'paid' }, read.version),
        embedded.table.putClaim({ ...read.claim, attemptCount: 2 }, read.version),
      ]);

      // Assess
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.status === 'rejected' && rejected[0].reason).toBeInstanceOf(ConcurrentUpdateError);
      expect((await embedded.table.getClaim(claim.claimId))?.version).toBe(2);
    });

    it('reads many claims at once, past the 100-key BatchGetItem limit, sorted and without duplicates', async () => {
      // Prepare
      const { suffix } = ids();
      const claims = Array.from({ length: 130 }, (_, index) =>
        failedClaim({ invoiceId: `in_${suffix}_${String(index).padStart(3, '0')}` }),
      );
      await Promise.all(claims.map((claim) => embedded.table.putClaim(claim, 0)));
      const requested = [
        ...claims.map((claim) => claim.claimId).reverse(),
        claims[0]?.claimId ?? '',
        `stripe:in_${suffix}_missing`,
      ];

      // Act
      const read = await embedded.table.getClaims(requested);

      // Assess
      expect(read.map((claim) => claim.claimId)).toEqual(claims.map((claim) => claim.claimId));
    });

    it('lists the claims of one failure month through the cohort index', async () => {
      // Prepare: the month is taken from each claim's first failure, in UTC.
      const { suffix } = ids();
      const lastOfNovember = failedClaim({
        invoiceId: `in_${suffix}_a`,
        firstFailedAt: '2027-11-30T23:59:59.000Z',
      });
      const firstOfNovember = failedClaim({
        invoiceId: `in_${suffix}_b`,
        firstFailedAt: '2027-11-01T00:00:00.000Z',
      });
      const december = failedClaim({
        invoiceId: `in_${suffix}_c`,
        firstFailedAt: '2027-12-01T00:00:00.000Z',
      });
      const {
        firstFailedAt: _none,
        lastFailedAt: _last,
        ...neverFailed
      } = failedClaim({
        invoiceId: `in_${suffix}_d`,
        status: 'paid',
      });
      for (const claim of [lastOfNovember, firstOfNovember, december, neverFailed]) {
        await embedded.table.putClaim(claim, 0);
      }

      // Act
      const november = await embedded.table.listClaimsByFailureMonth('2027-11');

      // Assess
      expect(november.map((claim) => claim.claimId).sort()).toEqual(
        [lastOfNovember.claimId, firstOfNovember.claimId].sort(),
      );
      expect(november.find((claim) => claim.claimId === lastOfNovember.claimId)).toEqual(lastOfNovember);
    });
  });

  describe('cases', () => {
    it('creates a case once: a second create with the same id changes nothing', async () => {
      // Prepare
      const { customerId, claimId, caseId } = ids();
      const collectionCase = openCase({ caseId, customerId, claimIds: [claimId] });

      // Act
      await embedded.table.createCase(collectionCase);
      await embedded.table.createCase({ ...collectionCase, strategyVersion: 2, claimIds: [] });

      // Assess
      expect(await embedded.table.getCase(caseId)).toEqual(collectionCase);
      expect(await embedded.table.listOpenCaseIds()).toContain(caseId);
    });

    it('adds a claim to a case once', async () => {
      // Prepare
      const { customerId, claimId, caseId } = ids();
      await embedded.table.createCase(openCase({ caseId, customerId, claimIds: [claimId] }));

      // Act
      await embedded.table.addClaimToCase(caseId, 'stripe:in_second');
      await embedded.table.addClaimToCase(caseId, 'stripe:in_second');
      await embedded.table.addClaimToCase(caseId, claimId);

      // Assess
      expect((await embedded.table.getCase(caseId))?.claimIds).toEqual([claimId, 'stripe:in_second']);
    });

    it('does not create a case by adding a claim to one that does not exist', async () => {
      // Prepare
      const { caseId } = ids();

      // Act
      await embedded.table.addClaimToCase(caseId, 'stripe:in_orphan');

      // Assess
      expect(await itemsWithPk(`CASE#${caseId}`)).toEqual([]);
    });

    it('closes a case, records why and when, and drops it from the open cases', async () => {
      // Prepare
      const { customerId, claimId, caseId } = ids();
      await embedded.table.createCase(openCase({ caseId, customerId, claimIds: [claimId] }));

      // Act
      await embedded.table.closeCase(caseId, 'paid', new Date('2026-11-05T10:31:45.000Z'));
      await embedded.table.closeCase(caseId, 'voided', new Date('2026-11-06T09:00:00.000Z'));

      // Assess
      expect(await embedded.table.getCase(caseId)).toMatchObject({
        status: 'closed',
        closeReason: 'paid',
        closedAt: '2026-11-05T10:31:45.000Z',
      });
      expect(await embedded.table.listOpenCaseIds()).not.toContain(caseId);
    });

    it('supersedes an open case, naming the case that took over, and leaves a closed one as it was', async () => {
      // Prepare
      const open = ids();
      const closed = ids();
      await embedded.table.createCase(openCase({ caseId: open.caseId, customerId: open.customerId }));
      await embedded.table.createCase(openCase({ caseId: closed.caseId, customerId: closed.customerId }));
      await embedded.table.closeCase(closed.caseId, 'paid', new Date('2026-11-05T10:31:45.000Z'));

      // Act
      await embedded.table.supersedeCase(open.caseId, 'case_successor', new Date('2026-11-07T08:00:00.000Z'));
      await embedded.table.supersedeCase(
        closed.caseId,
        'case_successor',
        new Date('2026-11-07T08:00:00.000Z'),
      );

      // Assess
      expect(await embedded.table.getCase(open.caseId)).toMatchObject({
        status: 'closed',
        closeReason: 'superseded',
        closedAt: '2026-11-07T08:00:00.000Z',
        supersededBy: 'case_successor',
      });
      expect(await embedded.table.listOpenCaseIds()).not.toContain(open.caseId);
      const stillPaid = await embedded.table.getCase(closed.caseId);
      expect(stillPaid).toMatchObject({ closeReason: 'paid', closedAt: '2026-11-05T10:31:45.000Z' });
      expect(stillPaid).not.toHaveProperty('supersededBy');
    });

    it('does not create a case by closing one that does not exist', async () => {
      // Prepare
      const { caseId } = ids();

      // Act
      await embedded.table.closeCase(caseId, 'paid', new Date('2026-11-05T10:31:45.000Z'));

      // Assess
      expect(await embedded.table.getCase(caseId)).toBeUndefined();
    });
  });

  describe('messages', () => {
    it('begins a step once: a second begin for the same case and step is refused', async () => {
      // Prepare
      const { caseId } = ids();
      const record = sendingRecord(caseId);

      // Act
      const first = await embedded.table.beginMessage(record);
      const second = await embedded.table.beginMessage({ ...record, startedAt: '2026-11-02T13:00:09.000Z' });

      // Assess
      expect([first, second]).toEqual([true, false]);
      expect(await embedded.table.getMessage(caseId, record.stepId)).toEqual(record);
    });

    it('completes a sending record, and refuses to complete it a second time', async () => {
      // Prepare
      const { caseId } = ids();
      const record = sendingRecord(caseId);
      await embedded.table.beginMessage(record);
      const sent: MessageRecord = {
        ...record,
        status: 'sent',
        sentAt: '2026-11-02T13:00:02.000Z',
        to: 'jenny.rosen@example.com',
        subject: 'Your payment of $49.99 did not go through',
        providerMessageId: '0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d000001-000000',
      };

      // Act
      await embedded.table.completeMessage(sent);
      const again = embedded.table.completeMessage({
        ...record,
        status: 'failed',
        reasons: ['provider-refused'],
      });

      // Assess
      await expect(again).rejects.toThrow();
      expect(await embedded.table.getMessage(caseId, record.stepId)).toEqual(sent);
    });

    it('refuses to complete a step that never began, and writes nothing', async () => {
      // Prepare
      const { caseId } = ids();

      // Act
      const completion = embedded.table.completeMessage({ ...sendingRecord(caseId), status: 'sent' });

      // Assess
      await expect(completion).rejects.toThrow();
      expect(await itemsWithPk(`CASE#${caseId}`)).toEqual([]);
    });

    it.each<MessageRecord['status']>(['sent', 'undeliverable', 'uncertain'])(
      'never begins again a step that ended %s',
      async (status) => {
        // Prepare
        const { caseId } = ids();
        const record = sendingRecord(caseId);
        await embedded.table.beginMessage(record);
        await embedded.table.completeMessage({ ...record, status });

        // Act
        const begun = await embedded.table.beginMessage(record);

        // Assess
        expect(begun).toBe(false);
        expect((await embedded.table.getMessage(caseId, record.stepId))?.status).toBe(status);
      },
    );

    it('begins again a step the provider refused', async () => {
      // Prepare
      const { caseId } = ids();
      const record = sendingRecord(caseId);
      await embedded.table.beginMessage(record);
      await embedded.table.completeMessage({ ...record, status: 'failed', reasons: ['provider-refused'] });
      const retry = { ...record, startedAt: '2026-11-02T13:02:00.000Z' };

      // Act
      const begun = await embedded.table.beginMessage(retry);

      // Assess
      expect(begun).toBe(true);
      expect(await embedded.table.getMessage(caseId, record.stepId)).toEqual(retry);
    });

    it('lists the messages of one case only, not the case itself', async () => {
      // Prepare
      const { customerId, claimId, caseId } = ids();
      const other = ids();
      await embedded.table.createCase(openCase({ caseId, customerId, claimIds: [claimId] }));
      await embedded.table.beginMessage(sendingRecord(caseId, 'day-0-payment-failed'));
      await embedded.table.beginMessage(sendingRecord(caseId, 'day-3-reminder'));
      await embedded.table.beginMessage(sendingRecord(other.caseId, 'day-0-payment-failed'));

      // Act
      const messages = await embedded.table.listMessages(caseId);

      // Assess
      expect(messages.map((message) => message.stepId).sort()).toEqual([
        'day-0-payment-failed',
        'day-3-reminder',
      ]);
      expect(messages.every((message) => message.caseId === caseId)).toBe(true);
    });
  });
});

describe('CollectionsTable agent tasks', () => {
  it('keeps one queue for replies, strategy hand-overs and portal flags, most urgent first, each task once', async () => {
    // Prepare: a fresh table, so the queue holds only these tasks.
    const own = await startEmbeddedCollectionsTable();
    try {
      const { customerId, caseId } = ids();
      const base = { customerId, caseId, status: 'open' as const };
      const reply = {
        ...base,
        taskId: 'call-me:sms-1',
        kind: 'call-me' as const,
        source: 'reply' as const,
        channel: 'sms' as const,
        createdAt: '2026-03-02T09:00:00.000Z',
        sourceEventId: 'sms-1',
      };
      const handOver = {
        ...base,
        taskId: `strategy-${caseId}-day-4-agent`,
        kind: 'strategy-hand-over' as const,
        source: 'strategy' as const,
        channel: 'voice' as const,
        createdAt: '2026-03-03T09:00:00.000Z',
        sourceEventId: `${caseId}:day-4-agent`,
        queue: 'high-value',
        priority: 'normal' as const,
      };
      const flag = {
        ...base,
        taskId: 'task_portal_1',
        kind: 'dispute' as const,
        source: 'portal' as const,
        createdAt: '2026-03-04T09:00:00.000Z',
        sourceEventId: 'portal-link:abc',
        claimIds: ['stripe:in_1'],
        note: 'I never ordered this.',
      };

      // Act
      const created = [
        await own.table.createAgentTask(reply),
        await own.table.createAgentTask(handOver),
        await own.table.createAgentTask(flag),
        await own.table.createAgentTask({ ...reply, createdAt: '2026-03-05T00:00:00.000Z' }),
      ];

      // Assess
      expect(created).toEqual([true, true, true, false]);
      expect(await own.table.listOpenAgentTasks()).toEqual([flag, reply, handOver]);
      expect((await own.table.listAgentTasks(customerId)).map((task) => task.taskId).sort()).toEqual(
        [reply.taskId, handOver.taskId, flag.taskId].sort(),
      );
    } finally {
      await own.stop();
    }
  });
});
