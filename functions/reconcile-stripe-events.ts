import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type Stripe from 'stripe';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { tableMetricsRefresher } from '../shared/adapters/dynamodb/table-metrics-refresher.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import {
  createStripeApiClient,
  stripeApiPaymentLocator,
  stripeEventSource,
} from '../shared/adapters/stripe/stripe-api.ts';
import { translateStripeEvent } from '../shared/adapters/stripe/stripe-billing-events.ts';
import { loadReconcileConfig } from '../shared/config.ts';
import { ConfigurationError } from '../shared/domain/errors.ts';
import {
  type ReconcileDependencies,
  type ReconcileReport,
  reconcileBillingEvents,
} from '../shared/use-cases/reconcile-billing-events.ts';
import { strategyCatalogOn } from '../workflows/strategies/catalog.ts';
import { defaultStrategy } from '../workflows/strategies/index.ts';

export interface ReconcileStripeEventsDependencies extends ReconcileDependencies {
  /** The Stripe API client, or undefined while no API key is configured (the job then skips). */
  readonly stripe: () => Promise<Stripe | undefined>;
}

export type ReconcileStripeEventsResult = ReconcileReport | { readonly skipped: string };

/**
 * Scheduled: applies the Stripe events the webhook missed (endpoint down, deliveries given up
 * after 3 days, events sent before the endpoint existed), since the last one seen, through the
 * same ingest core. Without an API key it does nothing and says so.
 */
export function createReconcileStripeEventsHandler(deps: ReconcileStripeEventsDependencies) {
  return async (): Promise<ReconcileStripeEventsResult> => {
    const stripe = await deps.stripe();
    if (stripe === undefined) {
      logger.info('Stripe reconciliation skipped: no Stripe API key configured');
      return { skipped: 'no Stripe API key configured' };
    }
    const locatePayment = stripeApiPaymentLocator(stripe);
    const report = await reconcileBillingEvents(
      stripeEventSource(stripe, (event) => translateStripeEvent(event, { locatePayment })),
      deps,
    );
    logger.info('Stripe events reconciled', { ...report });
    return report;
  };
}

export const handler = lazyHandler(() => {
  const config = loadReconcileConfig();
  const dynamodb = new DynamoDBClient({});
  const table = new CollectionsTable(dynamodb, config.TABLE_NAME);
  const apiKey = secretValues('Stripe API key', config.STRIPE_API_KEY, config.STRIPE_API_KEY_ARN);
  let client: Stripe | undefined;
  const stripe = async (): Promise<Stripe | undefined> => {
    if (client) return client;
    try {
      const [key] = await apiKey();
      if (key === undefined) return undefined;
      client = createStripeApiClient({ apiKey: key });
      return client;
    } catch (error) {
      // The secret exists empty until the operator stores a key.
      if (error instanceof ConfigurationError) return undefined;
      throw error;
    }
  };
  const run = createReconcileStripeEventsHandler({
    ledger: table,
    customers: table,
    claims: table,
    cases: table,
    subscriptions: table,
    ignoredEvents: table,
    cursors: table,
    journeys: new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN),
    clock: systemClock,
    strategy: defaultStrategy,
    metrics: tableMetricsRefresher(dynamodb, config.TABLE_NAME, table, systemClock),
    strategies: strategyCatalogOn(dynamodb, config.TABLE_NAME),
    ...(config.BILLING_LIVEMODE === undefined ? {} : { livemode: config.BILLING_LIVEMODE }),
    stripe,
  });
  return async () => run();
});
