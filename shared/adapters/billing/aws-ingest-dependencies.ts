import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type Stripe from 'stripe';
import { strategyCatalogOn } from '../../../workflows/strategies/catalog.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { ConfigurationError } from '../../domain/errors.ts';
import { systemClock } from '../clock/system-clock.ts';
import { CollectionsTable, ingestStoresOn } from '../dynamodb/collections-table.ts';
import { tableMetricsRefresher } from '../dynamodb/table-metrics-refresher.ts';
import type { WebhookIngestDependencies } from '../http/webhook-handler.ts';
import { StepFunctionsJourneyStarter } from '../journeys/step-functions-journey-starter.ts';
import { secretValues } from '../secrets/secret-values.ts';
import { createStripeApiClient, stripeApiPaymentLocator } from '../stripe/stripe-api.ts';
import type { StripePaymentLocator } from '../stripe/stripe-billing-events.ts';

export interface AwsIngestConfig {
  readonly TABLE_NAME: string;
  readonly JOURNEY_STATE_MACHINE_ARN: string;
  readonly BILLING_LIVEMODE?: boolean | undefined;
}

/**
 * What every billing ingest function runs on in AWS (the webhooks of each provider, Stripe through
 * EventBridge, the reconciliation): the table, the journeys, the strategies and the metrics.
 */
export function awsIngestDependencies(config: AwsIngestConfig): WebhookIngestDependencies & {
  readonly table: CollectionsTable;
} {
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  return {
    table,
    ...ingestStoresOn(table),
    journeys: new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN),
    clock: systemClock,
    strategy: defaultStrategy,
    metrics: tableMetricsRefresher(client, config.TABLE_NAME, table, systemClock),
    strategies: strategyCatalogOn(client, config.TABLE_NAME),
    ...(config.BILLING_LIVEMODE === undefined ? {} : { livemode: config.BILLING_LIVEMODE }),
  };
}

export interface StripeApiKeyConfig {
  readonly STRIPE_API_KEY?: string | undefined;
  readonly STRIPE_API_KEY_ARN?: string | undefined;
}

/**
 * The Stripe API client, made on first use with the key from the environment or Secrets Manager;
 * undefined while no key is stored (the secret is created empty), so callers skip what needs it.
 */
export function lazyStripeApiClient(config: StripeApiKeyConfig): () => Promise<Stripe | undefined> {
  if (!config.STRIPE_API_KEY && !config.STRIPE_API_KEY_ARN) return async () => undefined;
  const apiKey = secretValues('Stripe API key', config.STRIPE_API_KEY, config.STRIPE_API_KEY_ARN);
  let client: Stripe | undefined;
  return async () => {
    if (client) return client;
    try {
      const [key] = await apiKey();
      if (key === undefined) return undefined;
      client = createStripeApiClient({ apiKey: key });
      return client;
    } catch (error) {
      if (error instanceof ConfigurationError) return undefined;
      throw error;
    }
  };
}

/**
 * Finds the invoice of a payment, dispute or refund that does not name it (Stripe API 2025-03-31
 * and later), through the API. Without a key the payment is "not linked": the webhook acknowledges
 * it and the hourly reconciliation, once a key is stored, applies it.
 */
export function stripePaymentLocatorFor(config: StripeApiKeyConfig): StripePaymentLocator {
  const stripe = lazyStripeApiClient(config);
  let locator: StripePaymentLocator | undefined;
  return async (payment) => {
    if (locator === undefined) {
      const client = await stripe();
      if (client === undefined) return undefined;
      locator = stripeApiPaymentLocator(client);
    }
    return locator(payment);
  };
}
