import type Stripe from 'stripe';
import {
  awsIngestDependencies,
  lazyStripeApiClient,
} from '../shared/adapters/billing/aws-ingest-dependencies.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { stripeApiPaymentLocator, stripeEventSource } from '../shared/adapters/stripe/stripe-api.ts';
import { translateStripeEvent } from '../shared/adapters/stripe/stripe-billing-events.ts';
import { loadReconcileConfig } from '../shared/config.ts';
import {
  type ReconcileDependencies,
  type ReconcileReport,
  reconcileBillingEvents,
} from '../shared/use-cases/reconcile-billing-events.ts';

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
  const ingest = awsIngestDependencies(config);
  const run = createReconcileStripeEventsHandler({
    ...ingest,
    cursors: ingest.table,
    stripe: lazyStripeApiClient(config),
  });
  return async () => run();
});
