import type Stripe from 'stripe';
import TinyQueue from 'tinyqueue';
import { describe, expect, it } from 'vitest';
import { declineCodeMix } from '../../../../infra/local/simulator/decline-codes.ts';
import { buildPopulation } from '../../../../infra/local/simulator/population.ts';
import { SeededRandom } from '../../../../infra/local/simulator/seeded-random.ts';
import {
  type BillingAction,
  defaultBillingPolicy,
  type EmittedEvent,
  SimulatedBilling,
} from '../../../../infra/local/simulator/simulated-billing.ts';
import { eventPayload, signPayload } from '../../../../infra/local/simulator/stripe-event-factory.ts';
import {
  translateStripeEvent,
  verifyStripeEvent,
} from '../../../../shared/adapters/stripe/stripe-billing-events.ts';

const start = new Date('2026-03-02T00:00:00Z');
const day = 86_400_000;

/** Runs the simulated Stripe account alone (no product) for `days`, returning what it emitted. */
function runBilling(seed: number, customers: number, days: number) {
  const random = new SeededRandom(seed);
  const population = buildPopulation(random.fork('population'), { customers, idTag: 'T' });
  const queue = new TinyQueue<{ at: number; sequence: number; action: BillingAction }>(
    [],
    (a, b) => a.at - b.at || a.sequence - b.sequence,
  );
  let sequence = 0;
  const emitted: EmittedEvent[] = [];
  const scheduled: { at: Date; action: BillingAction }[] = [];
  const billing = new SimulatedBilling(
    population,
    random.fork('billing'),
    defaultBillingPolicy,
    'T',
    (at, action) => {
      scheduled.push({ at, action });
      queue.push({ at: at.getTime(), sequence: sequence++, action });
    },
    (event) => emitted.push(event),
  );
  billing.start(start);
  for (
    let next = queue.pop();
    next !== undefined && next.at <= start.getTime() + days * day;
    next = queue.pop()
  ) {
    billing.handle(next.action, new Date(next.at));
  }
  return { billing, emitted, scheduled, population };
}

function invoiceOf(emitted: EmittedEvent): Stripe.Invoice {
  const object = emitted.event.data.object;
  if (object.object !== 'invoice') throw new Error(`${emitted.event.type} is not an invoice event`);
  return object;
}

describe('SimulatedBilling', () => {
  it('fails a realistic share of renewals with the decline codes of DOMAIN.md §2', () => {
    const { billing } = runBilling(7, 2000, 35);

    const rate = billing.tallies.firstAttemptFailures / billing.tallies.renewals;
    expect(billing.tallies.renewals).toBeGreaterThan(1800);
    expect(rate).toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.15);
    const known = new Set(declineCodeMix.map((option) => option.value.code));
    expect(Object.keys(billing.tallies.declineCodes).every((code) => known.has(code))).toBe(true);
    expect(billing.tallies.declineCodes.insufficient_funds).toBeGreaterThan(
      billing.tallies.declineCodes.expired_card ?? 0,
    );
  });

  it('emits events that pass the product’s signature check and translation, decline code included', async () => {
    const { emitted } = runBilling(3, 300, 40);
    const failures = emitted.filter((event) => event.event.type === 'invoice.payment_failed');
    expect(failures.length).toBeGreaterThan(10);

    for (const failure of failures) {
      const payload = eventPayload(failure.event);
      const at = failure.at.getTime() / 1000;
      const verified = verifyStripeEvent(
        payload,
        signPayload(payload, 'whsec_test', at),
        'whsec_test',
        failure.at,
      );
      const translation = await translateStripeEvent(verified);
      const invoice = invoiceOf(failure);

      expect(translation).toMatchObject({
        status: 'translated',
        event: { kind: 'claim.payment_failed', claim: { amountMinor: invoice.amount_due } },
      });
      expect(invoice.last_finalization_error).toEqual(
        expect.objectContaining({
          type: 'card_error',
          decline_code: expect.any(String),
          charge: expect.stringMatching(/^ch_/),
        }),
      );
      expect(invoice.attempt_count).toBeGreaterThanOrEqual(1);
    }
  });

  it('adds the email billing lacked some days after the first failure: a customer event, and later invoices carry it', async () => {
    // Prepare
    const { billing, emitted, population } = runBilling(7, 4000, 60);
    const updates = emitted.filter((entry) => entry.event.type === 'customer.updated');
    const lateComers = population.filter((subscriber) => subscriber.lateEmail !== undefined);

    // Assess: each update is the late address of a subscriber without one, once, on its day.
    expect(lateComers.length).toBeGreaterThan(10);
    expect(lateComers.every((subscriber) => subscriber.email === undefined)).toBe(true);
    expect(updates.length).toBeGreaterThan(0);
    expect(billing.tallies.emailsAddedLate).toBe(updates.length);
    expect(new Set(updates.map((entry) => entry.subscriber)).size).toBe(updates.length);
    for (const update of updates) {
      const subscriber = population[update.subscriber];
      const late = subscriber?.lateEmail;
      if (late === undefined) throw new Error('a customer event for a subscriber with an email');
      const own = emitted.filter((entry) => entry.subscriber === update.subscriber);
      const firstFailure = own.find((entry) => entry.event.type === 'invoice.payment_failed');
      expect(update.at.getTime()).toBe(
        Math.ceil(((firstFailure?.at.getTime() ?? 0) + late.afterFirstFailureDays * day) / 1000) * 1000,
      );
      expect(update.billedAs.email).toBe(late.email);
      const payload = eventPayload(update.event);
      const at = update.at.getTime() / 1000;
      const translation = await translateStripeEvent(
        verifyStripeEvent(payload, signPayload(payload, 'whsec_test', at), 'whsec_test', update.at),
      );
      expect(translation).toMatchObject({
        status: 'translated',
        event: { kind: 'customer.updated', customer: { email: late.email } },
      });
      for (const entry of own.filter((one) => one.event.data.object.object === 'invoice')) {
        const invoice = invoiceOf(entry);
        expect(invoice.customer_email).toBe(invoice.created >= at ? late.email : null);
      }
    }
  });

  it('lets Stripe retry soft declines but never retries a hard one', () => {
    const { emitted, billing } = runBilling(11, 1500, 40);
    const firstFailures = emitted.filter(
      (event) => event.event.type === 'invoice.payment_failed' && invoiceOf(event).attempt_count === 1,
    );
    const hard = firstFailures.filter((event) => {
      const code = invoiceOf(event).last_finalization_error?.decline_code;
      return code === 'expired_card' || code === 'stolen_card' || code === 'lost_card';
    });
    const soft = firstFailures.filter(
      (event) => invoiceOf(event).last_finalization_error?.decline_code === 'insufficient_funds',
    );

    expect(hard.length).toBeGreaterThan(0);
    expect(hard.every((event) => invoiceOf(event).next_payment_attempt === null)).toBe(true);
    expect(
      soft.every((event) => (invoiceOf(event).next_payment_attempt ?? 0) > invoiceOf(event).created),
    ).toBe(true);
    expect(billing.tallies.smartRetrySuccesses).toBeGreaterThan(0);
    expect(billing.tallies.recoveredBy['stripe-retry']).toBe(billing.tallies.smartRetrySuccesses);
  });

  it('ends dunning by writing off, cancelling or leaving invoices past due, and voids a few', () => {
    const { billing, emitted } = runBilling(5, 2000, 60);

    expect(billing.tallies.markedUncollectible).toBeGreaterThan(0);
    expect(billing.tallies.subscriptionsCanceled).toBeGreaterThanOrEqual(billing.tallies.markedUncollectible);
    expect(billing.tallies.voided).toBeGreaterThan(0);
    const types = new Set(emitted.map((event) => event.event.type));
    expect(types).toEqual(
      new Set([
        'invoice.paid',
        'invoice.payment_failed',
        'invoice.marked_uncollectible',
        'invoice.voided',
        'payment_intent.payment_failed',
        'payment_method.automatically_updated',
        'customer.subscription.updated',
        'customer.subscription.deleted',
      ]),
    );
  });

  it('moves subscriptions past due on a failure, back to active once paid, and deletes them for non-payment', async () => {
    // Prepare
    const { billing, emitted } = runBilling(5, 2000, 60);
    const subscriptionEvents = emitted.filter((event) =>
      event.event.type.startsWith('customer.subscription.'),
    );

    // Act
    const translations = await Promise.all(
      subscriptionEvents.map((event) => translateStripeEvent(event.event as unknown as Stripe.Event)),
    );

    // Assess: each one a subscription.updated the product reads, churn flagged as non-payment.
    const statuses = translations.map((translation) =>
      translation.status === 'translated' && translation.event.kind === 'subscription.updated'
        ? translation.event.subscription.status
        : 'untranslated',
    );
    expect(new Set(statuses)).toEqual(new Set(['past_due', 'active', 'unpaid', 'canceled']));
    expect(statuses.filter((status) => status === 'canceled')).toHaveLength(
      billing.tallies.subscriptionsCanceled,
    );
    for (const translation of translations) {
      if (translation.status !== 'translated' || translation.event.kind !== 'subscription.updated') continue;
      expect(translation.event.subscription.mrrMinor).toBeGreaterThan(0);
      if (translation.event.subscription.status === 'canceled')
        expect(translation.event.subscription.cancellationReason).toBe('payment_failed');
    }
    // Once per stretch in arrears: a failure while already past due changes nothing.
    expect(billing.tallies.subscriptionEvents.past_due).toBeGreaterThan(0);
    expect(billing.tallies.subscriptionEvents.past_due).toBeLessThanOrEqual(
      billing.tallies.firstAttemptFailures,
    );
  });

  it('disputes the charge of an unpaid invoice: the product reads a claim.disputed, and Stripe stops retrying', async () => {
    // Prepare
    const { billing, emitted, scheduled, population } = runBilling(13, 400, 3);
    const debtor = population.find((subscriber) =>
      billing.unpaidInvoices(subscriber.index).some((record) => record.state.nextPaymentAttempt !== null),
    );
    if (debtor === undefined) throw new Error('expected a debtor Stripe still retries');
    const before = emitted.length;

    // Act
    const invoiceId = billing.debtorDisputes(debtor.index, new Date(start.getTime() + 3 * day));
    const retry = scheduled.find(
      (entry) => entry.action.kind === 'smart-retry' && entry.action.invoiceId === invoiceId,
    );
    if (retry === undefined) throw new Error('expected a scheduled retry');
    billing.handle(retry.action, retry.at);

    // Assess
    const [dispute] = emitted.slice(before);
    if (dispute === undefined) throw new Error('expected a dispute event');
    expect(dispute.event.type).toBe('charge.dispute.created');
    expect(await translateStripeEvent(dispute.event as unknown as Stripe.Event)).toMatchObject({
      status: 'translated',
      event: { kind: 'claim.disputed', claim: { invoiceId }, dispute: { state: 'needs_response' } },
    });
    expect(emitted.slice(before + 1)).toEqual([]);
    expect(billing.tallies.disputes).toBe(1);
  });

  it('settles the invoices of a kept payment plan out of band, once', () => {
    const { billing, emitted, population } = runBilling(13, 400, 20);
    const debtor = population.find((subscriber) => billing.unpaidInvoices(subscriber.index).length > 0);
    if (debtor === undefined) throw new Error('expected a debtor');
    const invoiceIds = billing.unpaidInvoices(debtor.index).map((record) => record.state.invoiceId);
    const before = emitted.length;
    const now = new Date(start.getTime() + 21 * day);

    expect(billing.settleByPlan(invoiceIds, now)).toBe(invoiceIds.length);
    expect(billing.settleByPlan(invoiceIds, now)).toBe(0);

    const paid = emitted.slice(before).filter((event) => event.event.type === 'invoice.paid');
    expect(paid.map((event) => event.invoiceId)).toEqual(invoiceIds);
    expect(billing.tallies.recoveredBy['payment-plan']).toBe(invoiceIds.length);
  });

  it('pays every unpaid invoice of a debtor who pays, and retries them on a new card', () => {
    const { billing, population, scheduled } = runBilling(13, 400, 20);
    const unpaidOf = (index: number) =>
      billing
        .allInvoices()
        .filter((record) => record.subscriber.index === index)
        .filter((record) => record.state.status === 'open' || record.state.status === 'uncollectible');
    const debtors = population.filter((subscriber) => unpaidOf(subscriber.index).length > 0);
    const [payer, updater] = debtors;
    if (payer === undefined || updater === undefined) throw new Error('expected two debtors');
    const owedByPayer = unpaidOf(payer.index);
    const owedByUpdater = unpaidOf(updater.index).map((record) => record.state.invoiceId);
    const now = new Date(start.getTime() + 21 * day);

    expect(billing.debtorPays(payer.index, now)).toBe(true);
    expect(billing.debtorUpdatesCard(updater.index, now)).toBe(true);

    // Each invoice was attempted once more: paid, or (7% of the time) declined again.
    for (const record of owedByPayer) {
      expect(record.state.status === 'paid' || record.state.lastDecline !== null).toBe(true);
    }
    expect(billing.tallies.debtorPayments).toBe(owedByPayer.length);
    const retries = scheduled.filter((entry) => entry.action.kind === 'new-card-retry' && entry.at > now);
    expect(
      retries.map((entry) => (entry.action.kind === 'new-card-retry' ? entry.action.invoiceId : '')),
    ).toEqual(owedByUpdater);
    const settled = population.find((subscriber) => unpaidOf(subscriber.index).length === 0);
    if (settled === undefined) throw new Error('expected a subscriber who owes nothing');
    expect(billing.debtorPays(settled.index, now)).toBe(false);
    expect(billing.tallies.actionsOnSettledInvoices).toBe(1);
  });

  it('is deterministic: the same seed emits the same events', () => {
    const ids = (seed: number) => runBilling(seed, 200, 30).emitted.map((event) => event.event.id);

    expect(ids(21)).toEqual(ids(21));
    expect(ids(21)).not.toEqual(ids(22));
  });
});
