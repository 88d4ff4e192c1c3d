import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { ingestCoreSink } from '../../../infra/cli/billing-event-sinks.ts';
import {
  type BackfillCursor,
  type BillingEventSink,
  backfillStripeInvoices,
} from '../../../infra/cli/stripe-backfill.ts';
import { ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { fakeStripeApiPerTest } from '../../support/fake-stripe-api.ts';
import { stripeInvoiceEvent } from '../../support/stripe-events.ts';

const embedded = embeddedCollectionsTablePerFile();

const api = fakeStripeApiPerTest();

function memoryCursor(): BackfillCursor & { value: string | undefined; saves: number } {
  const cursor = {
    value: undefined as string | undefined,
    saves: 0,
    load: async () => cursor.value,
    save: async (id: string) => {
      cursor.value = id;
      cursor.saves += 1;
    },
    clear: async () => {
      cursor.value = undefined;
    },
  };
  return cursor;
}

const created = 1793614449;

/**
 * `count` open invoices of `customers` customers, newest first as Stripe lists them: two in three
 * have failed attempts (arrears), one in three was never attempted yet (due later).
 */
function openInvoices(count: number, options: { customers?: number; currency?: string } = {}) {
  const suffix = uniqueSuffix();
  const customers = options.customers ?? count;
  return Array.from({ length: count }, (_, index) => {
    const invoice = stripeInvoiceEvent('invoice.payment_failed', {
      invoiceId: `in_${suffix}_${index.toString().padStart(4, '0')}`,
      customerId: `cus_${suffix}_${index % customers}`,
      created: created - index * 60,
      amountDue: 1000 + index,
      ...(options.currency ? { currency: options.currency } : {}),
      attemptCount: index % 3 === 2 ? 0 : 1 + (index % 2),
    }).data.object;
    if (invoice.attempt_count === 0) invoice.attempted = false;
    return invoice;
  });
}

function setup() {
  const { table } = embedded;
  const journeys = new RecordingJourneyStarter();
  const sink = ingestCoreSink({
    ...ingestStoresOn(table),
    journeys,
    clock: new TestClock('2026-11-20T09:00:00.000Z'),
    strategy: defaultStrategy,
    livemode: false,
  });
  const stripe = new Stripe('sk_test_backfill', { ...api.clientOptions, maxNetworkRetries: 0 });
  return { sink, journeys, stripe, cursor: memoryCursor() };
}

const noWait = async () => {};
const now = () => new Date('2026-11-20T09:00:00.000Z');

describe('backfillStripeInvoices', () => {
  it('pages through every open invoice and opens a case per customer in arrears', async () => {
    // Prepare: 45 invoices (3 pages of 20), 2 in 3 with failed attempts.
    const invoices = openInvoices(45);
    api.addInvoices(...invoices);
    const { sink, journeys, stripe, cursor } = setup();
    const ticks: number[] = [];
    const totals: number[] = [];

    // Act
    const report = await backfillStripeInvoices({
      stripe,
      sink,
      cursor,
      livemode: false,
      now,
      pageSize: 20,
      progress: { total: (known) => totals.push(known), tick: (done) => ticks.push(done) },
    });

    // Assess
    const arrears = invoices.filter((invoice) => invoice.attempt_count > 0);
    expect(report).toMatchObject({
      listed: 45,
      arrears: arrears.length,
      applied: 45,
      duplicates: 0,
      casesOpened: arrears.length,
    });
    expect(api.requests.filter((request) => request.path === '/v1/invoices')).toHaveLength(3);
    expect(api.requests[0]?.query.get('status')).toBe('open');
    expect(journeys.startedCaseIds).toHaveLength(arrears.length);
    expect(ticks).toHaveLength(45);
    expect(totals.at(-1)).toBe(45);
    const [notYetAttempted] = invoices.filter((invoice) => invoice.attempt_count === 0);
    expect((await embedded.table.getClaim(`stripe:${notYetAttempted?.id}`))?.claim.status).toBe('pending');
    expect(cursor.value).toBeUndefined();
  });

  it('puts several open invoices of one customer into one case', async () => {
    // Prepare
    const invoices = openInvoices(6, { customers: 1 });
    api.addInvoices(...invoices);
    const { sink, stripe, cursor } = setup();

    // Act
    const report = await backfillStripeInvoices({ stripe, sink, cursor, livemode: false, now });

    // Assess
    expect(report.casesOpened).toBe(1);
    const customer = await embedded.table.getCustomer(`stripe:${invoices[0]?.customer}`);
    const openCase = await embedded.table.getCase(String(customer?.openCaseId));
    expect(openCase?.claimIds).toHaveLength(invoices.filter((invoice) => invoice.attempt_count > 0).length);
  });

  it('counts arrears per currency in minor units, zero- and three-decimal currencies included', async () => {
    // Prepare
    api.addInvoices(...openInvoices(3, { currency: 'jpy' }), ...openInvoices(3, { currency: 'bhd' }));
    const { sink, stripe, cursor } = setup();

    // Act
    const report = await backfillStripeInvoices({ stripe, sink, cursor, livemode: false, now, dryRun: true });

    // Assess: indexes 0 and 1 of each batch are arrears (1000 + 1001).
    expect(report.arrearsByCurrency).toEqual({ JPY: 2001, BHD: 2001 });
  });

  it('writes nothing on a dry run', async () => {
    // Prepare
    api.addInvoices(...openInvoices(30));
    const { sink, journeys, stripe, cursor } = setup();
    const before = await embedded.scanItems();

    // Act
    const report = await backfillStripeInvoices({ stripe, sink, cursor, livemode: false, now, dryRun: true });

    // Assess
    expect(report).toMatchObject({ dryRun: true, listed: 30, arrears: 20, applied: 0 });
    expect(await embedded.scanItems()).toEqual(before);
    expect(journeys.startedCaseIds).toEqual([]);
    expect(cursor.saves).toBe(0);
  });

  it('resumes after the last applied invoice when a run stops half-way', async () => {
    // Prepare: the sink dies at the 30th invoice (a crash, a Ctrl-C).
    const invoices = openInvoices(50);
    api.addInvoices(...invoices);
    const { sink, stripe, cursor } = setup();
    let applied = 0;
    const crashing: BillingEventSink = {
      apply: async (event) => {
        if (applied === 29) throw new Error('connection reset');
        applied += 1;
        return sink.apply(event);
      },
    };
    const firstRun = backfillStripeInvoices({
      stripe,
      sink: crashing,
      cursor,
      livemode: false,
      now,
      pageSize: 20,
    });
    await expect(firstRun).rejects.toThrow('connection reset');
    const stoppedAfter = cursor.value;
    api.requests.length = 0;

    // Act
    const report = await backfillStripeInvoices({ stripe, sink, cursor, livemode: false, now, pageSize: 20 });

    // Assess
    expect(stoppedAfter).toBe(invoices[28]?.id);
    expect(api.requests[0]?.query.get('starting_after')).toBe(stoppedAfter);
    expect(report).toMatchObject({ resumedAfter: stoppedAfter, listed: 21, applied: 21, duplicates: 0 });
  });

  it('applies nothing twice when the same invoices are imported again', async () => {
    // Prepare
    api.addInvoices(...openInvoices(20));
    const { sink, journeys, stripe, cursor } = setup();
    await backfillStripeInvoices({ stripe, sink, cursor, livemode: false, now });
    const started = journeys.startedCaseIds.length;

    // Act
    const again = await backfillStripeInvoices({ stripe, sink, cursor, livemode: false, now });

    // Assess
    expect(again).toMatchObject({ listed: 20, applied: 0, duplicates: 20, casesOpened: 0 });
    expect(journeys.startedCaseIds).toHaveLength(started);
  });

  it('waits and resumes when Stripe rate-limits the listing', async () => {
    // Prepare
    api.addInvoices(...openInvoices(30));
    const { sink, stripe, cursor } = setup();
    const waits: number[] = [];
    api.rateLimitNext(2);

    // Act
    const report = await backfillStripeInvoices({
      stripe,
      sink,
      cursor,
      livemode: false,
      now,
      pageSize: 10,
      backoff: async (attempt) => {
        waits.push(attempt);
        await noWait();
      },
    });

    // Assess
    expect(report).toMatchObject({ listed: 30, applied: 30, rateLimitRetries: 2 });
    expect(waits).toEqual([1, 2]);
  });

  it('gives up after the configured number of rate-limited retries', async () => {
    // Prepare
    api.addInvoices(...openInvoices(5));
    const { sink, stripe, cursor } = setup();
    api.rateLimitNext(10);

    // Act
    const run = backfillStripeInvoices({
      stripe,
      sink,
      cursor,
      livemode: false,
      now,
      backoff: noWait,
      maxRateLimitRetries: 3,
    });

    // Assess
    await expect(run).rejects.toMatchObject({ type: 'StripeRateLimitError' });
  });

  it('imports a connected account with the Stripe-Account header and scoped ids', async () => {
    // Prepare
    const [invoice] = openInvoices(1);
    if (!invoice) throw new Error('no invoice');
    api.addInvoices(invoice);
    const { sink, stripe, cursor } = setup();

    // Act
    await backfillStripeInvoices({
      stripe,
      sink,
      cursor,
      livemode: false,
      now,
      account: 'acct_1PzYxWQv3eRt5uIo',
    });

    // Assess
    expect(api.requests[0]?.account).toBe('acct_1PzYxWQv3eRt5uIo');
    expect(await embedded.table.getClaim(`stripe:acct_1PzYxWQv3eRt5uIo:${invoice.id}`)).toBeDefined();
  });
});
