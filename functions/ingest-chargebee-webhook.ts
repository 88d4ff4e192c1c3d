import { awsIngestDependencies } from '../shared/adapters/billing/aws-ingest-dependencies.ts';
import {
  type ChargebeeEvent,
  parseChargebeeEvent,
  translateChargebeeEvent,
  verifyChargebeeBasicAuth,
} from '../shared/adapters/chargebee/chargebee-billing-events.ts';
import { header } from '../shared/adapters/http/http-api.ts';
import {
  createProviderWebhookHandler,
  type ProviderWebhook,
  parseVerifiedJson,
  type WebhookIngestDependencies,
} from '../shared/adapters/http/webhook-handler.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import { loadProviderIngestConfig } from '../shared/config.ts';

export interface IngestChargebeeWebhookDependencies extends WebhookIngestDependencies {
  /** `user:password` pairs configured on the Chargebee webhook; several while rotating. */
  readonly credentials: () => Promise<readonly string[]>;
}

export function chargebeeWebhook(deps: IngestChargebeeWebhookDependencies): ProviderWebhook<ChargebeeEvent> {
  return {
    provider: 'chargebee',
    verify: async (body, request) => {
      verifyChargebeeBasicAuth(header(request, 'authorization'), await deps.credentials());
      const event = parseChargebeeEvent(parseVerifiedJson(body));
      return { eventId: event.id, type: event.event_type, payload: event };
    },
    // Chargebee's payload does not say whether the site is a test site; the credentials belong to one.
    translate: async (event) => translateChargebeeEvent(event, deps.livemode ?? false),
  };
}

/**
 * `POST /webhooks/chargebee`: Chargebee events behind HTTP Basic auth. Chargebee does not sign or
 * timestamp its payloads, so a replay is caught by the event id (deduplicated), not by time.
 */
export function createIngestChargebeeWebhookHandler(deps: IngestChargebeeWebhookDependencies) {
  return createProviderWebhookHandler(chargebeeWebhook(deps), deps);
}

export const handler = lazyHandler(() => {
  const config = loadProviderIngestConfig('CHARGEBEE_WEBHOOK_CREDENTIALS');
  return createIngestChargebeeWebhookHandler({
    ...awsIngestDependencies(config),
    credentials: secretValues(
      'Chargebee webhook credentials',
      config.CHARGEBEE_WEBHOOK_CREDENTIALS,
      config.CHARGEBEE_WEBHOOK_CREDENTIALS_ARN,
    ),
  });
});
