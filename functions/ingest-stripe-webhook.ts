import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type Stripe from 'stripe';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { tableMetricsRefresher } from '../shared/adapters/dynamodb/table-metrics-refresher.ts';
import { header } from '../shared/adapters/http/http-api.ts';
import {
  createProviderWebhookHandler,
  type ProviderWebhook,
  type WebhookIngestDependencies,
} from '../shared/adapters/http/webhook-handler.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import { createStripeApiClient, stripeApiPaymentLocator } from '../shared/adapters/stripe/stripe-api.ts';
import {
  type StripePaymentLocator,
  translateStripeEvent,
  verifyStripeEvent,
} from '../shared/adapters/stripe/stripe-billing-events.ts';
import { loadIngestConfig } from '../shared/config.ts';
import { strategyCatalogOn } from '../workflows/strategies/catalog.ts';
import { defaultStrategy } from '../workflows/strategies/index.ts';

export interface IngestStripeWebhookDependencies extends WebhookIngestDependencies {
  /** The `whsec_...` signing secret(s) (cached by the caller); several while a secret is rolled. */
  readonly webhookSecret: () => Promise<string | readonly string[]>;
  /** Finds the invoice of a payment, dispute or refund when the event does not carry it. */
  readonly locatePayment?: StripePaymentLocator;
}

export function stripeWebhook(
  deps: Pick<IngestStripeWebhookDependencies, 'webhookSecret' | 'locatePayment'>,
): ProviderWebhook<Stripe.Event> {
  return {
    provider: 'stripe',
    verify: async (body, request, now) => {
      const event = verifyStripeEvent(
        body,
        header(request, 'stripe-signature'),
        await deps.webhookSecret(),
        now,
      );
      return { eventId: event.id, type: event.type, payload: event };
    },
    translate: (event) =>
      translateStripeEvent(event, deps.locatePayment ? { locatePayment: deps.locatePayment } : {}),
  };
}

/**
 * `POST /webhooks/stripe`: verify the signature on the raw body, translate, apply, answer.
 * Event types we do not handle are acknowledged (2xx) so Stripe stops retrying them.
 */
export function createIngestStripeWebhookHandler(deps: IngestStripeWebhookDependencies) {
  return createProviderWebhookHandler(stripeWebhook(deps), deps);
}

export const handler = lazyHandler(() => {
  const config = loadIngestConfig();
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  const journeys = new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN);
  const webhookSecret = secretValues(
    'Stripe webhook',
    config.STRIPE_WEBHOOK_SECRET,
    config.STRIPE_WEBHOOK_SECRET_ARN,
  );
  const apiKey =
    config.STRIPE_API_KEY || config.STRIPE_API_KEY_ARN
      ? secretValues('Stripe API key', config.STRIPE_API_KEY, config.STRIPE_API_KEY_ARN)
      : undefined;
  let locator: StripePaymentLocator | undefined;
  const locatePayment: StripePaymentLocator | undefined = apiKey
    ? async (payment) => {
        if (locator === undefined) {
          const [key = ''] = await apiKey();
          locator = stripeApiPaymentLocator(createStripeApiClient({ apiKey: key }));
        }
        return locator(payment);
      }
    : undefined;
  return createIngestStripeWebhookHandler({
    ledger: table,
    customers: table,
    claims: table,
    cases: table,
    subscriptions: table,
    ignoredEvents: table,
    journeys,
    clock: systemClock,
    strategy: defaultStrategy,
    metrics: tableMetricsRefresher(client, config.TABLE_NAME, table, systemClock),
    // New cases take the current version of the strategy their routing chooses (published or shipped).
    strategies: strategyCatalogOn(client, config.TABLE_NAME),
    ...(config.BILLING_LIVEMODE === undefined ? {} : { livemode: config.BILLING_LIVEMODE }),
    webhookSecret,
    ...(locatePayment ? { locatePayment } : {}),
  });
});
