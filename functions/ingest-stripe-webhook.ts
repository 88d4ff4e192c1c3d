import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { StrategyTable } from '../shared/adapters/dynamodb/strategy-table.ts';
import { header, httpErrorResponses, jsonResponse, rawBody } from '../shared/adapters/http/http-api.ts';
import { StepFunctionsJourneyStarter } from '../shared/adapters/journeys/step-functions-journey-starter.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { logger } from '../shared/adapters/observability/logger.ts';
import { LayeredStrategyCatalog } from '../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import {
  isSupportedStripeEvent,
  translateStripeEvent,
  verifyStripeEvent,
} from '../shared/adapters/stripe/stripe-billing-events.ts';
import { loadIngestConfig } from '../shared/config.ts';
import { ConfigurationError } from '../shared/domain/errors.ts';
import { type IngestDependencies, ingestBillingEvent } from '../shared/use-cases/ingest-billing-event.ts';
import { defaultStrategy, shippedCatalog } from '../workflows/strategies/index.ts';

export interface IngestStripeWebhookDependencies extends IngestDependencies {
  /** The `whsec_...` signing secret (cached by the caller). */
  readonly webhookSecret: () => Promise<string>;
}

/**
 * `POST /webhooks/stripe`: verify the signature on the raw body, translate, apply, answer.
 * Event types we do not handle are acknowledged (2xx) so Stripe stops retrying them.
 */
export function createIngestStripeWebhookHandler(deps: IngestStripeWebhookDependencies) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponses())
    .handler(async (event) => {
      const body = rawBody(event);
      const stripeEvent = verifyStripeEvent(
        body,
        header(event, 'stripe-signature'),
        await deps.webhookSecret(),
        deps.clock.now(),
      );
      if (!isSupportedStripeEvent(stripeEvent.type)) {
        return jsonResponse(200, { received: true, ignored: stripeEvent.type });
      }
      const outcome = await ingestBillingEvent(translateStripeEvent(stripeEvent), deps);
      logger.info('billing event ingested', {
        eventId: stripeEvent.id,
        type: stripeEvent.type,
        outcome: outcome.status,
      });
      return jsonResponse(200, {
        received: true,
        status: outcome.status,
        ...(outcome.status === 'applied' && outcome.caseId ? { caseId: outcome.caseId } : {}),
      });
    });
}

export const handler = lazyHandler(() => {
  const config = loadIngestConfig();
  const client = new DynamoDBClient({});
  const table = new CollectionsTable(client, config.TABLE_NAME);
  const journeys = new StepFunctionsJourneyStarter(new SFNClient({}), config.JOURNEY_STATE_MACHINE_ARN);
  const { STRIPE_WEBHOOK_SECRET: localSecret, STRIPE_WEBHOOK_SECRET_ARN: secretArn } = config;
  const webhookSecret = async (): Promise<string> => {
    if (localSecret) return localSecret;
    // Cached for 5 minutes: a rotated secret is picked up without a redeploy.
    const secret = secretArn ? await getSecret<string>(secretArn, { maxAge: 300 }) : undefined;
    if (!secret) throw new ConfigurationError('the Stripe webhook secret is empty');
    return secret.trim();
  };
  return createIngestStripeWebhookHandler({
    ledger: table,
    customers: table,
    claims: table,
    cases: table,
    journeys,
    clock: systemClock,
    strategy: defaultStrategy,
    // New cases take the current version of the strategy their routing chooses (published or shipped).
    strategies: new LayeredStrategyCatalog(new StrategyTable(client, config.TABLE_NAME), shippedCatalog),
    webhookSecret,
  });
});
