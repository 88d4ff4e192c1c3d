import type { EventBridgeEvent } from 'aws-lambda';
import type Stripe from 'stripe';
import {
  awsIngestDependencies,
  stripePaymentLocatorFor,
} from '../shared/adapters/billing/aws-ingest-dependencies.ts';
import type { WebhookIngestDependencies } from '../shared/adapters/http/webhook-handler.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import {
  type StripePaymentLocator,
  translateStripeEvent,
} from '../shared/adapters/stripe/stripe-billing-events.ts';
import { loadStripeEventBridgeConfig } from '../shared/config.ts';
import { InvalidRequestError } from '../shared/domain/errors.ts';
import { type IngestOutcome, ingestBillingEvent } from '../shared/use-cases/ingest-billing-event.ts';

export interface IngestStripeEventBridgeDependencies extends WebhookIngestDependencies {
  readonly locatePayment?: StripePaymentLocator;
}

function isStripeEvent(detail: unknown): detail is Stripe.Event {
  if (typeof detail !== 'object' || detail === null) return false;
  const event = detail as { id?: unknown; type?: unknown; object?: unknown; data?: unknown };
  return typeof event.id === 'string' && typeof event.type === 'string' && typeof event.data === 'object';
}

/**
 * Stripe events delivered by Amazon EventBridge (partner event source): no public endpoint and no
 * signature to check, since only Stripe can put events on its partner event bus. The detail is the
 * Stripe event; it goes through the same translation and ingest core as the webhook. A failure is
 * thrown, so EventBridge retries the invocation and finally parks it in the dead-letter queue.
 */
export function createIngestStripeEventBridgeHandler(deps: IngestStripeEventBridgeDependencies) {
  return async (
    event: EventBridgeEvent<string, unknown>,
  ): Promise<IngestOutcome | { status: 'ignored'; reason: string }> => {
    if (!isStripeEvent(event.detail))
      throw new InvalidRequestError('EventBridge detail is not a Stripe event');
    const stripeEvent = event.detail;
    const translation = await translateStripeEvent(
      stripeEvent,
      deps.locatePayment ? { locatePayment: deps.locatePayment } : {},
    );
    if (translation.status === 'ignored') {
      await deps.ignoredEvents.countIgnoredEvent('stripe', stripeEvent.type);
      return translation;
    }
    const outcome = await ingestBillingEvent(translation.event, deps);
    logger.info('billing event ingested', {
      provider: 'stripe',
      via: 'eventbridge',
      eventId: stripeEvent.id,
      type: stripeEvent.type,
      outcome: outcome.status,
      // Customer metadata the adapter left out (a malformed consent date), by key and reason.
      ...(translation.event.dataWarnings ? { dataWarnings: translation.event.dataWarnings } : {}),
    });
    return outcome;
  };
}

export const handler = lazyHandler(() => {
  const config = loadStripeEventBridgeConfig();
  return createIngestStripeEventBridgeHandler({
    ...awsIngestDependencies(config),
    locatePayment: stripePaymentLocatorFor(config),
  });
});
