import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  type ChargebeeEvent,
  parseChargebeeEvent,
  translateChargebeeEvent,
  verifyChargebeeBasicAuth,
} from '../shared/adapters/chargebee/chargebee-billing-events.ts';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { tableMetricsRefresher } from '../shared/adapters/dynamodb/table-metrics-refresher.ts';
import { header } from '../shared/adapters/http/http-api.ts';
import {
  createProviderWebhookHandler,
  type ProviderWebhook,
  parseVerifiedJson,
  type WebhookIngestDependencies,
} from '../shared/adapters/http/webhook-handler.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import { loadProviderIngestConfig } from '../shared/config.ts';
import { strategyCatalogOn } from '../workflows/strategies/catalog.ts';
import { defaultStrategy } from '../workflows/strategies/index.ts';

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
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  return createIngestChargebeeWebhookHandler({
    ledger: table,
    customers: table,
    claims: table,
    cases: table,
    subscriptions: table,
    ignoredEvents: table,
    journeys: new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN),
    clock: systemClock,
    strategy: defaultStrategy,
    metrics: tableMetricsRefresher(client, config.TABLE_NAME, table, systemClock),
    strategies: strategyCatalogOn(client, config.TABLE_NAME),
    ...(config.BILLING_LIVEMODE === undefined ? {} : { livemode: config.BILLING_LIVEMODE }),
    credentials: secretValues(
      'Chargebee webhook credentials',
      config.CHARGEBEE_WEBHOOK_CREDENTIALS,
      config.CHARGEBEE_WEBHOOK_CREDENTIALS_ARN,
    ),
  });
});
