import { awsIngestDependencies } from '../shared/adapters/billing/aws-ingest-dependencies.ts';
import { header } from '../shared/adapters/http/http-api.ts';
import {
  createProviderWebhookHandler,
  type ProviderWebhook,
  parseVerifiedJson,
  type WebhookIngestDependencies,
} from '../shared/adapters/http/webhook-handler.ts';
import {
  type InhouseBillingEvent,
  inhouseSignatureHeader,
  parseInhouseEvent,
  translateInhouseEvent,
  verifyInhouseSignature,
} from '../shared/adapters/inhouse/inhouse-billing-events.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import { loadProviderIngestConfig } from '../shared/config.ts';

export interface IngestInhouseWebhookDependencies extends WebhookIngestDependencies {
  /** The shared signing secret(s); several while rotating. */
  readonly webhookSecrets: () => Promise<readonly string[]>;
}

export function inhouseWebhook(deps: IngestInhouseWebhookDependencies): ProviderWebhook<InhouseBillingEvent> {
  return {
    provider: 'inhouse',
    verify: async (body, request, now) => {
      verifyInhouseSignature(body, header(request, inhouseSignatureHeader), await deps.webhookSecrets(), now);
      const event = parseInhouseEvent(parseVerifiedJson(body));
      return { eventId: event.id, type: event.type, payload: event };
    },
    translate: async (event) => translateInhouseEvent(event),
  };
}

/** `POST /webhooks/inhouse`: the documented in-house format (docs/billing-ingest.md), HMAC-signed. */
export function createIngestInhouseWebhookHandler(deps: IngestInhouseWebhookDependencies) {
  return createProviderWebhookHandler(inhouseWebhook(deps), deps);
}

export const handler = lazyHandler(() => {
  const config = loadProviderIngestConfig('INHOUSE_WEBHOOK_SECRET');
  return createIngestInhouseWebhookHandler({
    ...awsIngestDependencies(config),
    webhookSecrets: secretValues(
      'in-house webhook',
      config.INHOUSE_WEBHOOK_SECRET,
      config.INHOUSE_WEBHOOK_SECRET_ARN,
    ),
  });
});
