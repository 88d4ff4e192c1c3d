import type Stripe from 'stripe';
import {
  awsIngestDependencies,
  stripePaymentLocatorFor,
} from '../shared/adapters/billing/aws-ingest-dependencies.ts';
import { header } from '../shared/adapters/http/http-api.ts';
import {
  createProviderWebhookHandler,
  type ProviderWebhook,
  type WebhookIngestDependencies,
} from '../shared/adapters/http/webhook-handler.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import {
  type StripePaymentLocator,
  translateStripeEvent,
  verifyStripeEvent,
} from '../shared/adapters/stripe/stripe-billing-events.ts';
import { loadIngestConfig } from '../shared/config.ts';

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
  return createIngestStripeWebhookHandler({
    ...awsIngestDependencies(config),
    webhookSecret: secretValues(
      'Stripe webhook',
      config.STRIPE_WEBHOOK_SECRET,
      config.STRIPE_WEBHOOK_SECRET_ARN,
    ),
    locatePayment: stripePaymentLocatorFor(config),
  });
});
