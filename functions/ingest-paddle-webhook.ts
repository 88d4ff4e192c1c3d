import { awsIngestDependencies } from '../shared/adapters/billing/aws-ingest-dependencies.ts';
import { header } from '../shared/adapters/http/http-api.ts';
import {
  createProviderWebhookHandler,
  type ProviderWebhook,
  parseVerifiedJson,
  type WebhookIngestDependencies,
} from '../shared/adapters/http/webhook-handler.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import {
  type PaddleNotification,
  parsePaddleNotification,
  translatePaddleNotification,
  verifyPaddleSignature,
} from '../shared/adapters/paddle/paddle-billing-events.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import { loadProviderIngestConfig } from '../shared/config.ts';

export interface IngestPaddleWebhookDependencies extends WebhookIngestDependencies {
  /** The notification destination's secret key(s) (`pdl_ntfset_...`); several while rotating. */
  readonly webhookSecrets: () => Promise<readonly string[]>;
}

export function paddleWebhook(deps: IngestPaddleWebhookDependencies): ProviderWebhook<PaddleNotification> {
  return {
    provider: 'paddle',
    verify: async (body, request, now) => {
      verifyPaddleSignature(body, header(request, 'paddle-signature'), await deps.webhookSecrets(), now);
      const notification = parsePaddleNotification(parseVerifiedJson(body));
      return { eventId: notification.event_id, type: notification.event_type, payload: notification };
    },
    // Paddle's payload does not carry the environment; the endpoint's secret belongs to one.
    translate: async (notification) => translatePaddleNotification(notification, deps.livemode ?? false),
  };
}

/** `POST /webhooks/paddle`: Paddle Billing notifications, `Paddle-Signature` verified on the raw body. */
export function createIngestPaddleWebhookHandler(deps: IngestPaddleWebhookDependencies) {
  return createProviderWebhookHandler(paddleWebhook(deps), deps);
}

export const handler = lazyHandler(() => {
  const config = loadProviderIngestConfig('PADDLE_WEBHOOK_SECRET');
  return createIngestPaddleWebhookHandler({
    ...awsIngestDependencies(config),
    webhookSecrets: secretValues(
      'Paddle webhook',
      config.PADDLE_WEBHOOK_SECRET,
      config.PADDLE_WEBHOOK_SECRET_ARN,
    ),
  });
});
