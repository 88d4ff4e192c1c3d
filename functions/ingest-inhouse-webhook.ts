import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
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
import {
  type InhouseBillingEvent,
  inhouseSignatureHeader,
  parseInhouseEvent,
  translateInhouseEvent,
  verifyInhouseSignature,
} from '../shared/adapters/inhouse/inhouse-billing-events.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { secretValues } from '../shared/adapters/secrets/secret-values.ts';
import { loadProviderIngestConfig } from '../shared/config.ts';
import { strategyCatalogOn } from '../workflows/strategies/catalog.ts';
import { defaultStrategy } from '../workflows/strategies/index.ts';

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
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  return createIngestInhouseWebhookHandler({
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
    webhookSecrets: secretValues(
      'in-house webhook',
      config.INHOUSE_WEBHOOK_SECRET,
      config.INHOUSE_WEBHOOK_SECRET_ARN,
    ),
  });
});
