import TinyQueue from 'tinyqueue';
import { describe, expect, it } from 'vitest';
import { buildPopulation, type Subscriber } from '../../../../infra/local/simulator/population.ts';
import {
  authenticate,
  type ProviderCredentials,
  type ProviderDelivery,
  paddleCustomerCreated,
  productCustomerId,
  providerDelivery,
} from '../../../../infra/local/simulator/provider-event-factory.ts';
import { SeededRandom } from '../../../../infra/local/simulator/seeded-random.ts';
import {
  type BillingAction,
  defaultBillingPolicy,
  type EmittedEvent,
  SimulatedBilling,
} from '../../../../infra/local/simulator/simulated-billing.ts';
import { customerUpdatedEvent } from '../../../../infra/local/simulator/stripe-event-factory.ts';
import {
  parseChargebeeEvent,
  translateChargebeeEvent,
  verifyChargebeeBasicAuth,
} from '../../../../shared/adapters/chargebee/chargebee-billing-events.ts';
import {
  parseInhouseEvent,
  translateInhouseEvent,
  verifyInhouseSignature,
} from '../../../../shared/adapters/inhouse/inhouse-billing-events.ts';
import {
  parsePaddleNotification,
  translatePaddleNotification,
  verifyPaddleSignature,
} from '../../../../shared/adapters/paddle/paddle-billing-events.ts';
import {
  translateStripeEvent,
  verifyStripeEvent,
} from '../../../../shared/adapters/stripe/stripe-billing-events.ts';
import type { BillingTranslation } from '../../../../shared/domain/billing-event.ts';

const start = new Date('2026-03-02T00:00:00Z');
const day = 86_400_000;
const credentials: ProviderCredentials = {
  stripe: 'whsec_provider_factory_test',
  paddle: 'pdl_ntfset_provider_factory_test',
  chargebee: 'collections:provider-factory-test',
  inhouse: 'inhouse_provider_factory_test',
};

/** The simulated billing of a population (every provider) for `days`, with what it emitted. */
function runBilling(seed: number, customers: number, days: number) {
  const random = new SeededRandom(seed);
  const population = buildPopulation(random.fork('population'), { customers, idTag: 'P' });
  const queue = new TinyQueue<{ at: number; sequence: number; action: BillingAction }>(
    [],
    (a, b) => a.at - b.at || a.sequence - b.sequence,
  );
  let sequence = 0;
  const emitted: EmittedEvent[] = [];
  const billing = new SimulatedBilling(
    population,
    random.fork('billing'),
    defaultBillingPolicy,
    'P',
    (at, action) => queue.push({ at: at.getTime(), sequence: sequence++, action }),
    (event) => emitted.push(event),
  );
  billing.start(start);
  for (
    let next = queue.pop();
    next !== undefined && next.at <= start.getTime() + days * day;
    next = queue.pop()
  )
    billing.handle(next.action, new Date(next.at));
  return { population, emitted };
}

/** What the product's own endpoint code makes of a delivery: verify or authenticate, parse, translate. */
async function productReading(delivery: ProviderDelivery, at: Date): Promise<BillingTranslation> {
  const headers = authenticate(delivery, credentials, Math.floor(at.getTime() / 1000));
  switch (delivery.provider) {
    case 'stripe':
      return translateStripeEvent(
        verifyStripeEvent(delivery.payload, headers['stripe-signature'], credentials.stripe, at),
      );
    case 'paddle':
      verifyPaddleSignature(delivery.payload, headers['paddle-signature'], [credentials.paddle], at);
      return translatePaddleNotification(parsePaddleNotification(JSON.parse(delivery.payload)), false);
    case 'chargebee':
      verifyChargebeeBasicAuth(headers.authorization, [credentials.chargebee]);
      return translateChargebeeEvent(parseChargebeeEvent(JSON.parse(delivery.payload)), false);
    case 'inhouse':
      verifyInhouseSignature(delivery.payload, headers['collections-signature'], [credentials.inhouse], at);
      return translateInhouseEvent(parseInhouseEvent(JSON.parse(delivery.payload)));
  }
}

const expectedKind: Record<string, string> = {
  'invoice.payment_failed': 'claim.payment_failed',
  'invoice.paid': 'claim.paid',
  'invoice.voided': 'claim.voided',
  'invoice.marked_uncollectible': 'claim.written_off',
  'customer.subscription.updated': 'subscription.updated',
  'customer.subscription.deleted': 'subscription.updated',
  'payment_method.attached': 'customer.payment_method_updated',
  'payment_method.automatically_updated': 'customer.payment_method_updated',
  'payment_intent.payment_failed': 'claim.payment_failed',
  'customer.updated': 'customer.updated',
};

describe('providerDelivery', () => {
  it('bills a share of the population through each provider', () => {
    const { population } = runBilling(4, 1000, 1);
    const count = (provider: Subscriber['provider']) =>
      population.filter((subscriber) => subscriber.provider === provider).length;

    expect(count('stripe')).toBeGreaterThan(700);
    for (const provider of ['paddle', 'chargebee', 'inhouse'] as const)
      expect(count(provider)).toBeGreaterThan(30);
  });

  it('writes every event as its provider sends it, and the product reads the same meaning, ids and amounts', async () => {
    // Prepare
    const { emitted } = runBilling(4, 1500, 45);
    const seen = new Set<string>();

    // Act + Assess: each delivery goes through the product's own authentication and translation.
    for (const entry of emitted) {
      const subscriber = entry.billedAs;
      expect(subscriber.index).toBe(entry.subscriber);
      const delivery = providerDelivery(entry.event, subscriber, entry.invoiceId);
      if (delivery === undefined) {
        // Only what the provider has no event for is withheld.
        expect(`${subscriber.provider} ${entry.event.type}`).toMatch(
          /^(chargebee customer\.subscription\.updated|paddle invoice\.marked_uncollectible)$/,
        );
        continue;
      }
      seen.add(`${delivery.provider} ${delivery.providerType}`);
      const translation = await productReading(delivery, entry.at);
      if (translation.status !== 'translated')
        throw new Error(`${delivery.providerType}: ${translation.reason}`);
      const { event } = translation;
      expect(event.provider).toBe(subscriber.provider);
      expect(event.eventId).toBe(entry.event.id);
      expect(event.kind).toBe(expectedKind[entry.event.type]);
      expect(event.customer.customerId).toBe(productCustomerId(subscriber));
      if ('claim' in event && delivery.invoiceId !== undefined) {
        expect(event.claim.claimId).toBe(`${subscriber.provider}:${delivery.invoiceId}`);
        expect(event.claim.amountMinor).toBe(subscriber.amountMinor);
        expect(event.claim.currency).toBe(subscriber.market.currency);
      }
      // The decline travels in each other provider's own vocabulary, and in Stripe's payment intent
      // (the product reads Stripe's declines from the payment attempt events, not from the invoice).
      const declined =
        entry.event.type === 'invoice.payment_failed' &&
        entry.event.data.object.last_finalization_error?.decline_code;
      if (declined && delivery.provider !== 'stripe' && 'claim' in event)
        expect(event.paymentAttempt?.classification).toBeDefined();
      if (entry.event.type === 'payment_intent.payment_failed' && 'claim' in event) {
        expect(event.paymentAttempt?.declineCode).toBe(
          entry.event.data.object.last_payment_error?.decline_code,
        );
        expect(event.paymentAttempt?.classification?.category).toMatch(
          /^(soft|hard|authentication_required|fraud|stop)$/,
        );
      }
    }
    for (const expected of [
      'paddle transaction.payment_failed',
      'paddle transaction.completed',
      'paddle subscription.updated',
      'chargebee payment_failed',
      'chargebee payment_succeeded',
      'inhouse invoice.payment_failed',
      'inhouse invoice.paid',
      'inhouse subscription.updated',
      'stripe invoice.payment_failed',
      'stripe payment_intent.payment_failed',
    ])
      expect(seen).toContain(expected);
  });

  it('tells the product of an email added late in each provider’s own customer event', async () => {
    // Prepare: a subscriber billing holds no email for, billed by each provider in turn.
    const { population } = runBilling(4, 400, 0);
    const base = population.find((subscriber) => subscriber.email === undefined);
    if (base === undefined) throw new Error('expected a subscriber without an email');
    const at = new Date(start.getTime() + 20 * day);
    const readings = [];

    // Act
    for (const provider of ['stripe', 'paddle', 'chargebee', 'inhouse'] as const) {
      const subscriber = { ...base, provider, email: 'late.address@example.com' };
      const event = customerUpdatedEvent(subscriber, {
        eventId: `evt_late_${provider}`,
        created: Math.floor(at.getTime() / 1000),
        requestId: null,
      });
      const delivery = providerDelivery(event, subscriber);
      if (delivery === undefined) throw new Error(`${provider} has no customer event`);
      readings.push([delivery.providerType, await productReading(delivery, at)] as const);
    }

    // Assess
    expect(readings.map(([type]) => type)).toEqual([
      'customer.updated',
      'customer.updated',
      'customer_changed',
      'customer.updated',
    ]);
    for (const [, reading] of readings) {
      expect(reading).toMatchObject({
        status: 'translated',
        event: { kind: 'customer.updated', customer: { email: 'late.address@example.com' } },
      });
    }
  });

  it("introduces a Paddle customer with the contact details Paddle's transactions lack", async () => {
    const { population } = runBilling(4, 300, 0);
    const paddler = population.find((subscriber) => subscriber.provider === 'paddle' && subscriber.email);
    if (paddler === undefined) throw new Error('expected a Paddle subscriber with an email');

    const translation = await productReading(paddleCustomerCreated(paddler, 'evt_Pintro', start), start);

    expect(translation).toMatchObject({
      status: 'translated',
      event: {
        kind: 'customer.updated',
        customer: { customerId: productCustomerId(paddler), email: paddler.email, locale: paddler.locale },
      },
    });
  });
});
