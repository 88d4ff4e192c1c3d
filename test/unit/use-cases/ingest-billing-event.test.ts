import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { InMemoryStrategyCatalog } from '../../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import type {
  ClaimBillingEvent as BillingEvent,
  ClaimEventKind as BillingEventKind,
  CustomerBillingEvent,
  CustomerSnapshot,
} from '../../../shared/domain/billing-event.ts';
import { applyBillingEventToClaim, type Claim, isClaimOpen } from '../../../shared/domain/claim.ts';
import { caseIdFor, closeReasonFor } from '../../../shared/domain/collection-case.ts';
import { chooseStrategy, parseStrategyRouting } from '../../../shared/domain/experiments.ts';
import {
  type IngestDependencies,
  ingestBillingEvent,
} from '../../../shared/use-cases/ingest-billing-event.ts';
import {
  defaultStrategy,
  shippedCatalog,
  shippedRouting,
  shippedStrategies,
} from '../../../workflows/strategies/index.ts';
import { billingEvent, failedClaim } from '../../support/billing-records.ts';
import {
  type EmbeddedCollectionsTable,
  startEmbeddedCollectionsTable,
  uniqueSuffix,
} from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';

let embedded: EmbeddedCollectionsTable;

beforeAll(async () => {
  embedded = await startEmbeddedCollectionsTable();
});

afterAll(async () => {
  await embedded.stop();
});

interface Scenario {
  readonly deps: IngestDependencies;
  readonly journeys: RecordingJourneyStarter;
  readonly clock: TestClock;
  readonly customerId: string;
  /** A billing event for one of this scenario's invoices (`a`, `b`, ...). */
  event(
    kind: BillingEventKind,
    invoice: string,
    occurredAt: string,
    claim?: Partial<BillingEvent['claim']>,
  ): BillingEvent;
  claimIdOf(invoice: string): string;
}

/** A customer of its own (tests share the table) with recording fakes around the real table. */
function scenario(): Scenario {
  const suffix = uniqueSuffix();
  const customerId = `stripe:cus_${suffix}`;
  const journeys = new RecordingJourneyStarter();
  const clock = new TestClock('2026-11-02T10:14:10.000Z');
  const { table } = embedded;
  let sequence = 0;
  return {
    deps: {
      ...ingestStoresOn(table),
      journeys,
      clock,
      strategy: defaultStrategy,
    },
    journeys,
    clock,
    customerId,
    event: (kind, invoice, occurredAt, claim = {}) => {
      sequence += 1;
      return billingEvent(kind, {
        eventId: `evt_${suffix}_${sequence}`,
        occurredAt,
        customer: { customerId },
        claim: { invoiceId: `in_${suffix}_${invoice}`, ...claim },
      });
    },
    claimIdOf: (invoice) => `stripe:in_${suffix}_${invoice}`,
  };
}

describe('ingestBillingEvent', () => {
  it('opens a case for a first failed payment and starts its journey', async () => {
    // Prepare
    const { deps, journeys, customerId, event, claimIdOf } = scenario();
    const failed = event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z');
    const caseId = caseIdFor(customerId, claimIdOf('a'));

    // Act
    const outcome = await ingestBillingEvent(failed, deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'applied', caseId, caseOpened: true, caseClosed: false });
    expect(await embedded.table.getCase(caseId)).toEqual({
      caseId,
      customerId,
      status: 'open',
      openedAt: '2026-11-02T10:14:09.000Z',
      claimIds: [claimIdOf('a')],
      strategyId: 'default',
      strategyVersion: 1,
    });
    expect((await embedded.table.getClaim(claimIdOf('a')))?.claim).toMatchObject({
      status: 'failed',
      caseId,
    });
    expect(await embedded.table.getCustomer(customerId)).toMatchObject({
      email: 'jenny.rosen@example.com',
      openCaseId: caseId,
    });
    expect(journeys.startedCaseIds).toEqual([caseId]);
    expect(await embedded.table.hasEvent('stripe', failed.eventId)).toBe(true);
  });

  it('adds a second failed invoice of the same customer to the open case', async () => {
    // Prepare
    const { deps, journeys, customerId, event, claimIdOf } = scenario();
    const caseId = caseIdFor(customerId, claimIdOf('a'));
    await ingestBillingEvent(event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), deps);

    // Act
    const outcome = await ingestBillingEvent(
      event('claim.payment_failed', 'b', '2026-11-09T10:14:09.000Z'),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'applied', caseId, caseOpened: false });
    expect((await embedded.table.getCase(caseId))?.claimIds).toEqual([claimIdOf('a'), claimIdOf('b')]);
    expect((await embedded.table.getClaim(claimIdOf('b')))?.claim.caseId).toBe(caseId);
    expect(journeys.startedCaseIds).toEqual([caseId, caseId]);
  });

  it('closes the case as paid and releases the customer once its only claim is paid', async () => {
    // Prepare
    const { deps, clock, customerId, event, claimIdOf } = scenario();
    const caseId = caseIdFor(customerId, claimIdOf('a'));
    await ingestBillingEvent(event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), deps);
    clock.set('2026-11-05T10:31:45.000Z');

    // Act
    const outcome = await ingestBillingEvent(
      event('claim.paid', 'a', '2026-11-05T10:31:44.000Z', {
        attemptCount: 2,
        paidAt: '2026-11-05T10:31:42.000Z',
      }),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({ status: 'applied', caseId, caseOpened: false, caseClosed: true });
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      status: 'closed',
      closeReason: 'paid',
      closedAt: '2026-11-05T10:31:45.000Z',
    });
    expect((await embedded.table.getCustomer(customerId))?.openCaseId).toBeUndefined();
    expect(await embedded.table.listOpenCaseIds()).not.toContain(caseId);
  });

  it('gives a case closed as written off the reason paid once its invoice is paid after all', async () => {
    // Prepare
    const { deps, clock, customerId, event, claimIdOf } = scenario();
    const caseId = caseIdFor(customerId, claimIdOf('a'));
    await ingestBillingEvent(event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), deps);
    clock.set('2026-11-20T09:00:00.000Z');
    await ingestBillingEvent(event('claim.written_off', 'a', '2026-11-20T08:59:59.000Z'), deps);
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      status: 'closed',
      closeReason: 'written_off',
    });
    clock.set('2026-11-27T14:00:00.000Z');

    // Act
    const outcome = await ingestBillingEvent(
      event('claim.paid', 'a', '2026-11-27T13:59:58.000Z', { paidAt: '2026-11-27T13:59:57.000Z' }),
      deps,
    );

    // Assess: closed when it was written off, for the reason its claim says now.
    expect(outcome).toMatchObject({ status: 'applied', caseId, caseClosed: false });
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      status: 'closed',
      closeReason: 'paid',
      closedAt: '2026-11-20T09:00:00.000Z',
    });
    expect((await embedded.table.getCustomer(customerId))?.openCaseId).toBeUndefined();
  });

  it('keeps the case open while another of its claims is unpaid, then closes it as resolved', async () => {
    // Prepare
    const { deps, customerId, event, claimIdOf } = scenario();
    const caseId = caseIdFor(customerId, claimIdOf('a'));
    await ingestBillingEvent(event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), deps);
    await ingestBillingEvent(event('claim.payment_failed', 'b', '2026-11-09T10:14:09.000Z'), deps);

    // Act
    const paidA = await ingestBillingEvent(event('claim.paid', 'a', '2026-11-10T08:00:00.000Z'), deps);
    const stillOpen = await embedded.table.getCase(caseId);
    const voidedB = await ingestBillingEvent(event('claim.voided', 'b', '2026-11-11T08:00:00.000Z'), deps);

    // Assess
    expect(paidA).toMatchObject({ caseClosed: false });
    expect(stillOpen?.status).toBe('open');
    expect(voidedB).toMatchObject({ caseClosed: true });
    expect(await embedded.table.getCase(caseId)).toMatchObject({ status: 'closed', closeReason: 'resolved' });
  });

  it.each<[BillingEventKind, string]>([
    ['claim.voided', 'voided'],
    ['claim.written_off', 'written_off'],
  ])('closes the case when its claim is %s', async (kind, reason) => {
    // Prepare
    const { deps, customerId, event, claimIdOf } = scenario();
    await ingestBillingEvent(event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), deps);

    // Act
    await ingestBillingEvent(event(kind, 'a', '2026-11-16T10:14:10.000Z'), deps);

    // Assess
    expect(await embedded.table.getCase(caseIdFor(customerId, claimIdOf('a')))).toMatchObject({
      status: 'closed',
      closeReason: reason,
    });
  });

  it('opens a new case for a failure after the previous case closed', async () => {
    // Prepare
    const { deps, journeys, customerId, event, claimIdOf } = scenario();
    await ingestBillingEvent(event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), deps);
    await ingestBillingEvent(event('claim.paid', 'a', '2026-11-05T10:31:44.000Z'), deps);

    // Act
    const outcome = await ingestBillingEvent(
      event('claim.payment_failed', 'b', '2026-12-02T10:14:09.000Z'),
      deps,
    );

    // Assess
    const secondCase = caseIdFor(customerId, claimIdOf('b'));
    expect(outcome).toMatchObject({ caseId: secondCase, caseOpened: true });
    expect(secondCase).not.toBe(caseIdFor(customerId, claimIdOf('a')));
    expect((await embedded.table.getCustomer(customerId))?.openCaseId).toBe(secondCase);
    expect(journeys.startedCaseIds).toEqual([caseIdFor(customerId, claimIdOf('a')), secondCase]);
  });

  it('answers duplicate for a redelivered event and changes nothing', async () => {
    // Prepare
    const { deps, journeys, event } = scenario();
    const failed = event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z');
    await ingestBillingEvent(failed, deps);
    const before = await embedded.scanItems();

    // Act
    const outcome = await ingestBillingEvent(failed, deps);

    // Assess
    expect(outcome).toEqual({ status: 'duplicate' });
    expect(await embedded.scanItems()).toEqual(before);
    expect(journeys.startedCaseIds).toHaveLength(1);
  });

  it('keeps both events’ customer fields when two events of one customer are applied at once', async () => {
    // Prepare: event A reads the profile, then event B of the same customer saves it before A writes.
    const { deps, customerId, event } = scenario();
    const withPhone = event('claim.payment_failed', 'a', '2026-11-02T10:14:01.000Z');
    const withSegment = event('claim.payment_failed', 'b', '2026-11-02T10:14:02.000Z');
    // Consent lives in one map attribute: a blind write of A's profile would drop B's WhatsApp consent.
    const a = {
      ...withPhone,
      customer: {
        customerId,
        phone: '+14155550134',
        contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00.000Z' } },
      },
    };
    const b = {
      ...withSegment,
      customer: {
        customerId,
        segment: 'smb',
        contactPreferences: { whatsapp: { consentAt: '2026-10-02T00:00:00.000Z' } },
      },
    };
    let readsByA = 0;
    let releaseA: () => void = () => undefined;
    const aMayWrite = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const customers = deps.customers;
    const gated: IngestDependencies = {
      ...deps,
      customers: {
        getCustomer: (id) => customers.getCustomer(id),
        putCustomer: (customer, version) => customers.putCustomer(customer, version),
        claimOpenCase: (id, caseId) => customers.claimOpenCase(id, caseId),
        releaseOpenCase: (id, caseId) => customers.releaseOpenCase(id, caseId),
        getVersionedCustomer: async (id) => {
          const read = await customers.getVersionedCustomer(id);
          readsByA += 1;
          if (readsByA === 1) await aMayWrite;
          return read;
        },
      },
    };

    // Act
    const applyingA = ingestBillingEvent(a, gated);
    await vi.waitFor(() => expect(readsByA).toBe(1));
    await ingestBillingEvent(b, deps);
    releaseA();
    await applyingA;

    // Assess: A's write met B's, read the profile again and merged into it.
    expect(readsByA).toBe(2);
    expect(await embedded.table.getCustomer(customerId)).toMatchObject({
      phone: '+14155550134',
      segment: 'smb',
      contactPreferences: {
        sms: { consentAt: '2026-10-01T00:00:00.000Z' },
        whatsapp: { consentAt: '2026-10-02T00:00:00.000Z' },
      },
      fieldStamps: { phone: expect.anything(), segment: expect.anything() },
    });
    expect((await embedded.table.getVersionedCustomer(customerId))?.version).toBe(2);
  });

  it('opens no case when the payment arrives before the failure it settled', async () => {
    // Prepare
    const { deps, journeys, customerId, event, claimIdOf } = scenario();
    const paid = event('claim.paid', 'a', '2026-11-05T10:31:44.000Z', { attemptCount: 2 });
    const failed = event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z');

    // Act
    await ingestBillingEvent(paid, deps);
    const outcome = await ingestBillingEvent(failed, deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'applied', caseOpened: false, caseClosed: false });
    expect(outcome).not.toHaveProperty('caseId');
    expect((await embedded.table.getClaim(claimIdOf('a')))?.claim).toMatchObject({
      status: 'paid',
      firstFailedAt: '2026-11-02T10:14:09.000Z',
    });
    expect((await embedded.table.getCustomer(customerId))?.openCaseId).toBeUndefined();
    expect(await embedded.table.getCase(caseIdFor(customerId, claimIdOf('a')))).toBeUndefined();
    expect(journeys.startedCaseIds).toEqual([]);
  });

  it('leaves a closed case closed when a stale failure of its paid claim arrives late', async () => {
    // Prepare
    const { deps, journeys, customerId, event, claimIdOf } = scenario();
    const caseId = caseIdFor(customerId, claimIdOf('a'));
    await ingestBillingEvent(
      event('claim.payment_failed', 'a', '2026-11-05T10:14:09.000Z', { attemptCount: 2 }),
      deps,
    );
    await ingestBillingEvent(event('claim.paid', 'a', '2026-11-05T10:31:44.000Z', { attemptCount: 2 }), deps);

    // Act
    const outcome = await ingestBillingEvent(
      event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({ caseOpened: false, caseClosed: false, caseId });
    expect(await embedded.table.getCase(caseId)).toMatchObject({ status: 'closed', closeReason: 'paid' });
    expect((await embedded.table.getClaim(claimIdOf('a')))?.claim).toMatchObject({
      status: 'paid',
      firstFailedAt: '2026-11-02T10:14:09.000Z',
    });
    expect(journeys.startedCaseIds).toEqual([caseId]);
  });

  it('reaches the same claims and case state for any delivery order, with duplicates', async () => {
    /** Two invoices of one customer over a month; every event at its own second. */
    const timeline: readonly [BillingEventKind, string, string, number][] = [
      ['claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z', 1],
      ['claim.payment_failed', 'a', '2026-11-05T10:14:08.000Z', 2],
      ['claim.payment_failed', 'b', '2026-11-09T07:00:03.000Z', 1],
      ['claim.paid', 'a', '2026-11-10T18:22:41.000Z', 3],
      ['claim.payment_failed', 'b', '2026-11-12T07:00:05.000Z', 2],
      ['claim.written_off', 'b', '2026-11-23T07:00:06.000Z', 4],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc
          .subarray([...timeline.keys()], { minLength: 1 })
          .chain((chosen) =>
            fc.shuffledSubarray(chosen, { minLength: chosen.length, maxLength: chosen.length }),
          ),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (order, duplicates) => {
          // Prepare
          const { deps, journeys, customerId, event, claimIdOf } = scenario();
          const events = order.map((index) => {
            const [kind, invoice, at, attemptCount] = timeline[index] ?? [];
            if (kind === undefined || invoice === undefined || at === undefined)
              throw new Error('bad timeline');
            return event(kind, invoice, at, { attemptCount: attemptCount ?? 1 });
          });
          const redelivered = duplicates.flatMap((pick) => events[pick % events.length] ?? []);
          const deliveries = [...events, ...redelivered];

          // Act
          const outcomes = [];
          for (const delivery of deliveries) outcomes.push(await ingestBillingEvent(delivery, deps));

          // Assess: every claim is the join of its events, whatever the order.
          const invoices = [...new Set(order.map((index) => timeline[index]?.[1] ?? ''))];
          const claims: Claim[] = [];
          for (const invoice of invoices) {
            const stored = (await embedded.table.getClaim(claimIdOf(invoice)))?.claim;
            if (stored === undefined) throw new Error(`claim ${invoice} missing`);
            const expected = events
              .filter((e) => e.claim.claimId === claimIdOf(invoice))
              .reduce<Claim | undefined>((claim, e) => applyBillingEventToClaim(claim, e), undefined);
            const { caseId: _caseId, ...withoutCase } = stored;
            expect(withoutCase).toEqual(expected);
            claims.push(stored);
          }
          expect(outcomes.slice(events.length).every((outcome) => outcome.status === 'duplicate')).toBe(true);

          // Assess: the case state follows from the claims.
          const customer = await embedded.table.getCustomer(customerId);
          const openClaims = claims.filter(isClaimOpen);
          const caseIds = [...new Set(claims.flatMap((claim) => (claim.caseId ? [claim.caseId] : [])))];
          const cases = await Promise.all(caseIds.map((caseId) => embedded.table.getCase(caseId)));
          if (openClaims.length > 0) {
            expect(customer?.openCaseId).toBeDefined();
            expect(openClaims.every((claim) => claim.caseId === customer?.openCaseId)).toBe(true);
            const openCase = cases.find((c) => c?.caseId === customer?.openCaseId);
            expect(openCase?.status).toBe('open');
            expect(openCase?.claimIds).toEqual(
              expect.arrayContaining(openClaims.map((claim) => claim.claimId)),
            );
          } else {
            expect(customer?.openCaseId).toBeUndefined();
          }
          for (const collectionCase of cases) {
            if (collectionCase === undefined) throw new Error('a claim points at a missing case');
            const members = await embedded.table.getClaims(collectionCase.claimIds);
            const reason = closeReasonFor(members);
            expect(collectionCase.status).toBe(reason === undefined ? 'open' : 'closed');
            if (reason !== undefined) expect(collectionCase.closeReason).toBe(reason);
            expect(journeys.startedCaseIds).toContain(collectionCase.caseId);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('ingestBillingEvent when a debtor nobody could reach becomes reachable', () => {
  /** A debtor without email whose failed invoice opened a case; its journey ended, nobody contacted. */
  async function endedUncontacted() {
    const base = scenario();
    const caseId = caseIdFor(base.customerId, base.claimIdOf('a'));
    await ingestBillingEvent(base.event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'), base.deps);
    // The profile as billing knew it: no email address, no phone.
    await embedded.table.putCustomer({ customerId: base.customerId, country: 'US' });
    await embedded.table.markJourneyEnded(caseId, new Date('2026-11-02T10:14:12.000Z'));
    let sequence = 0;
    const customerEvent = (customer: Partial<CustomerSnapshot>): CustomerBillingEvent => {
      sequence += 1;
      return {
        provider: 'stripe',
        eventId: `evt_customer_${base.customerId.slice(-12)}_${sequence}`,
        kind: 'customer.updated',
        occurredAt: '2026-11-20T09:00:00.000Z',
        livemode: false,
        customer: { customerId: base.customerId, ...customer },
      };
    };
    return { ...base, caseId, customerEvent };
  }

  it('resumes the ended journey as its next run when a customer event brings an email address', async () => {
    // Prepare
    const { deps, journeys, clock, caseId, customerEvent } = await endedUncontacted();
    const updated = customerEvent({ email: 'late@example.com' });

    // Act
    const outcome = await ingestBillingEvent(updated, deps);

    // Assess
    expect(outcome).toEqual({ status: 'recorded' });
    expect(journeys.starts.at(-1)).toEqual({ caseId, run: 2 });
    const resumed = await embedded.table.getCase(caseId);
    expect(resumed).toMatchObject({
      status: 'open',
      journeyRun: 2,
      journeyResumedBy: `stripe:${updated.eventId}`,
      journeyResumedAt: clock.now().toISOString(),
    });
    expect(resumed?.journeyEndedAt).toBeUndefined();
  });

  it('finishes starting the run on the redelivery of an event whose journey start failed, and only once', async () => {
    // Prepare
    const { deps, journeys, caseId, customerEvent } = await endedUncontacted();
    const updated = customerEvent({
      phone: '+14155550123',
      contactPreferences: { sms: { consentAt: '2026-11-19T00:00:00.000Z' } },
    });
    journeys.failNext();

    // Act
    await expect(ingestBillingEvent(updated, deps)).rejects.toThrow('Rate exceeded');
    const recordedAfterFailure = await embedded.table.hasEvent('stripe', updated.eventId);
    const redelivered = await ingestBillingEvent(updated, deps);
    const again = await ingestBillingEvent(updated, deps);

    // Assess
    expect(recordedAfterFailure).toBe(false);
    expect(redelivered).toEqual({ status: 'recorded' });
    expect(again).toEqual({ status: 'duplicate' });
    expect(journeys.starts.filter((start) => start.run === 2)).toEqual([{ caseId, run: 2 }]);
  });

  it('leaves the journey alone when nothing that reaches the debtor changed, the customer was deleted, or it has not ended', async () => {
    // Prepare
    const ended = await endedUncontacted();
    const running = scenario();
    await ingestBillingEvent(
      running.event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'),
      running.deps,
    );
    const runningCaseId = caseIdFor(running.customerId, running.claimIdOf('a'));
    const startsBefore = ended.journeys.starts.length;

    // Act
    await ingestBillingEvent(ended.customerEvent({ name: 'Jenny R.', country: 'GB' }), ended.deps);
    await ingestBillingEvent(
      { ...ended.customerEvent({ email: 'deleted@example.com' }), kind: 'customer.deleted' },
      ended.deps,
    );
    await ingestBillingEvent(
      {
        provider: 'stripe',
        eventId: `evt_running_${running.customerId.slice(-12)}`,
        kind: 'customer.updated',
        occurredAt: '2026-11-20T09:00:00.000Z',
        livemode: false,
        customer: { customerId: running.customerId, email: 'second@example.com' },
      },
      running.deps,
    );

    // Assess
    expect(ended.journeys.starts).toHaveLength(startsBefore);
    expect((await embedded.table.getCase(ended.caseId))?.journeyEndedAt).toBeDefined();
    expect(running.journeys.starts).toEqual([{ caseId: runningCaseId, run: 1 }]);
    expect((await embedded.table.getCase(runningCaseId))?.journeyRun).toBeUndefined();
  });

  it('resumes a run that ended again as the run after it, once per event', async () => {
    // Prepare: run 2 started on an email address, then ended too (the address bounced for good).
    const { deps, journeys, caseId, customerEvent } = await endedUncontacted();
    await ingestBillingEvent(customerEvent({ email: 'late@example.com' }), deps);
    await embedded.table.markJourneyEnded(caseId, new Date('2026-11-25T09:00:00.000Z'));
    const newAddress = customerEvent({ email: 'right@example.com' });

    // Act: the event, then a second event with the same address (nothing gained any more).
    await ingestBillingEvent(newAddress, deps);
    await ingestBillingEvent(customerEvent({ email: 'right@example.com' }), deps);

    // Assess
    expect(journeys.starts.slice(1)).toEqual([
      { caseId, run: 2 },
      { caseId, run: 3 },
    ]);
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      journeyRun: 3,
      journeyResumedBy: `stripe:${newAddress.eventId}`,
    });
  });
});

describe('ingestBillingEvent with published strategies', () => {
  it('opens a case on the current version of the strategy its routing chooses, and records the assignment', async () => {
    // Prepare: a high amount goes to the firm strategy; version 2 of it is current.
    const base = scenario();
    const firm = shippedStrategies.find((strategy) => strategy.id === 'firm-high-amount');
    if (firm === undefined) throw new Error('firm-high-amount is shipped');
    const catalog = new InMemoryStrategyCatalog(
      [...shippedStrategies, { ...firm, version: 2 }],
      shippedRouting,
    );
    const deps = { ...base.deps, strategies: catalog };

    // Act
    const big = await ingestBillingEvent(
      base.event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z', { amountMinor: 90000 }),
      deps,
    );

    // Assess
    expect(big.status).toBe('applied');
    const caseId = big.status === 'applied' ? String(big.caseId) : '';
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      strategyId: 'firm-high-amount',
      strategyVersion: 2,
      assignment: { ruleId: 'high-amount', holdout: false },
    });
  });

  it('puts an ordinary debt into the B2C experiment arm of its customer, deterministically', async () => {
    // Prepare
    const base = scenario();
    const deps = { ...base.deps, strategies: shippedCatalog };
    const expected = chooseStrategy(
      shippedRouting,
      undefined,
      failedClaim({ customerId: base.customerId }),
      new Date('2026-11-02T10:14:10.000Z'),
    );

    // Act
    const outcome = await ingestBillingEvent(
      base.event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'),
      deps,
    );

    // Assess
    const caseId = outcome.status === 'applied' ? String(outcome.caseId) : '';
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      strategyId: expected.strategyId,
      assignment: expected.assignment,
    });
  });

  it('refreshes the finance contributions of the claims a superseding case inherits, also after a crash', async () => {
    // Prepare: a small debt in the B2C experiment whose journey ran its course; then a large one
    // fails, so the new case (firm strategy) takes the small claim over.
    const base = scenario();
    const refreshed: string[] = [];
    const metrics = {
      refreshClaim: async (claimId: string) => {
        refreshed.push(claimId);
      },
      refreshSubscription: async () => {},
    };
    const deps = { ...base.deps, strategies: shippedCatalog, metrics };
    const first = await ingestBillingEvent(
      base.event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'),
      deps,
    );
    const firstCaseId = first.status === 'applied' ? String(first.caseId) : '';
    await embedded.table.markJourneyEnded(firstCaseId, new Date('2026-11-20T10:00:00.000Z'));
    refreshed.length = 0;
    const large = base.event('claim.payment_failed', 'b', '2026-11-21T10:14:09.000Z', { amountMinor: 90000 });

    // Act
    const second = await ingestBillingEvent(large, deps);

    // Assess: the inherited claim now belongs to a case of another strategy, and was refreshed.
    const secondCaseId = second.status === 'applied' ? String(second.caseId) : '';
    expect(await embedded.table.getCase(secondCaseId)).toMatchObject({ strategyId: 'firm-high-amount' });
    expect((await embedded.table.getClaim(base.claimIdOf('a')))?.claim.caseId).toBe(secondCaseId);
    expect([...refreshed].sort()).toEqual([base.claimIdOf('a'), base.claimIdOf('b')].sort());

    // Had it crashed before refreshing, the next event of the case (a redelivery, or the next
    // retry's failure) refreshes the inherited claim as well.
    refreshed.length = 0;
    const retry = base.event('claim.payment_failed', 'b', '2026-11-24T10:14:09.000Z', { amountMinor: 90000 });
    const next = await ingestBillingEvent(retry, deps);
    expect(next).toMatchObject({ status: 'applied', caseId: secondCaseId, caseOpened: false });
    expect([...refreshed].sort()).toEqual([base.claimIdOf('a'), base.claimIdOf('b')].sort());
  });

  it('fails and opens no case when the routing names a strategy that is not published', async () => {
    // Prepare
    const base = scenario();
    const broken = new InMemoryStrategyCatalog(
      shippedStrategies,
      parseStrategyRouting({ version: 9, rules: [{ id: 'all', strategy: 'vanished' }] }),
    );

    // Act
    const ingesting = ingestBillingEvent(
      base.event('claim.payment_failed', 'a', '2026-11-02T10:14:09.000Z'),
      {
        ...base.deps,
        strategies: broken,
      },
    );

    // Assess: the event is not recorded, so Stripe's redelivery retries it once the strategy is published.
    await expect(ingesting).rejects.toThrow('routing rule all names unpublished strategy vanished');
    expect(await embedded.table.hasEvent('stripe', `evt_${base.customerId.slice(11)}_1`)).toBe(false);
  });
});
