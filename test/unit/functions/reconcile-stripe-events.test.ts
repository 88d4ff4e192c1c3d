import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createReconcileStripeEventsHandler } from '../../../functions/reconcile-stripe-events.ts';
import { ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { translateStripeEvent } from '../../../shared/adapters/stripe/stripe-billing-events.ts';
import { ingestBillingEvent } from '../../../shared/use-cases/ingest-billing-event.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { fakeStripeApiPerTest } from '../../support/fake-stripe-api.ts';
import { stripeInvoiceEvent } from '../../support/stripe-events.ts';
import { stripeEventOf, stripePaymentIntent } from '../../support/stripe-objects.ts';

const embedded = embeddedCollectionsTablePerFile();

const api = fakeStripeApiPerTest();

/** 2026-11-02T10:14:09Z. */
const failedAt = 1793614449;

function setup(options: { withKey?: boolean; clock?: string } = {}) {
  const { table } = embedded;
  const journeys = new RecordingJourneyStarter();
  const clock = new TestClock(options.clock ?? '2026-11-02T12:00:00.000Z');
  const stripe = new Stripe('sk_test_reconcile', { ...api.clientOptions, maxNetworkRetries: 0 });
  const deps = {
    ...ingestStoresOn(table),
    cursors: {
      // A cursor per test: tests share the table.
      values: new Map<string, string>(),
      getCursor: async (name: string) => deps.cursors.values.get(name),
      putCursor: async (name: string, value: string) => {
        deps.cursors.values.set(name, value);
      },
    },
    journeys,
    clock,
    strategy: defaultStrategy,
    livemode: false,
  };
  const handler = createReconcileStripeEventsHandler({
    ...deps,
    stripe: async () => (options.withKey === false ? undefined : stripe),
  });
  return { handler, deps, journeys, clock };
}

function scenario() {
  const suffix = uniqueSuffix();
  const ids = { invoiceId: `in_${suffix}`, customerId: `cus_${suffix}` };
  const failed = stripeInvoiceEvent('invoice.payment_failed', {
    ...ids,
    eventId: `evt_${suffix}_1`,
    created: failedAt,
  });
  const declined = stripeEventOf(
    'payment_intent.payment_failed',
    stripePaymentIntent({ id: `pi_${suffix}`, customer: ids.customerId, declineCode: 'insufficient_funds' }),
    { id: `evt_${suffix}_2`, created: failedAt + 1 },
  );
  const payout = stripeEventOf(
    'payout.paid',
    { id: `po_${suffix}`, object: 'payout' },
    { id: `evt_${suffix}_3`, created: failedAt + 2 },
  );
  const paid = stripeInvoiceEvent('invoice.paid', {
    ...ids,
    eventId: `evt_${suffix}_4`,
    created: failedAt + 3600,
  });
  api.linkPayment(`pi_${suffix}`, failed.data.object);
  return { suffix, ids, failed, declined, payout, paid };
}

describe('reconcileStripeEvents', () => {
  it('applies the events the webhook missed through the same core, oldest first, and moves the cursor', async () => {
    // Prepare: the webhook delivered the failure; the decline and the payout never arrived.
    const { ids, failed, declined, payout } = scenario();
    const { handler, deps, journeys } = setup();
    const translated = await translateStripeEvent(failed);
    if (translated.status !== 'translated') throw new Error('not translated');
    await ingestBillingEvent(translated.event, deps);
    api.addEvents(failed, declined, payout);

    // Act
    const report = await handler();

    // Assess
    expect(report).toMatchObject({
      provider: 'stripe',
      listed: 3,
      applied: 1,
      duplicates: 1,
      ignored: 1,
      cursor: '2026-11-02T10:14:11.000Z',
    });
    expect(api.requests.find((request) => request.path === '/v1/events')?.query.get('created[gte]')).toBe(
      String(Math.floor(Date.parse('2026-10-30T12:00:00.000Z') / 1000)),
    );
    const claim = (await embedded.table.getClaim(`stripe:${ids.invoiceId}`))?.claim;
    expect(claim?.lastDecline).toMatchObject({
      declineCode: 'insufficient_funds',
      classification: { category: 'soft' },
    });
    expect(journeys.startedCaseIds.length).toBeGreaterThan(0);
  });

  it('starts the next run at the cursor (less an overlap) and closes a case paid while the webhook was down', async () => {
    // Prepare
    const { ids, failed, declined, paid } = scenario();
    const { handler, clock } = setup();
    api.addEvents(failed, declined);
    await handler();
    api.addEvents(paid);
    clock.advance({ hours: 2 });
    api.requests.length = 0;

    // Act
    const report = await handler();

    // Assess
    expect(api.requests[0]?.query.get('created[gte]')).toBe(String(failedAt + 1 - 300));
    // The overlap re-reads the two events already applied: duplicates, no effect.
    expect(report).toMatchObject({ listed: 3, applied: 1, duplicates: 2 });
    const claim = (await embedded.table.getClaim(`stripe:${ids.invoiceId}`))?.claim;
    expect(claim?.status).toBe('paid');
    expect((await embedded.table.getCase(String(claim?.caseId)))?.status).toBe('closed');
  });

  it('does nothing, and says so, while no Stripe API key is configured', async () => {
    // Prepare
    const { handler } = setup({ withKey: false });

    // Act & Assess
    expect(await handler()).toEqual({ skipped: 'no Stripe API key configured' });
    expect(api.requests).toEqual([]);
  });
});
