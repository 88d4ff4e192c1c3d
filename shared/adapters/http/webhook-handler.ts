import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { BillingProvider, BillingTranslation } from '../../domain/billing-event.ts';
import { InvalidRequestError, UnsupportedMediaTypeError } from '../../domain/errors.ts';
import type { IgnoredEventCounter } from '../../ports.ts';
import { type IngestDependencies, ingestBillingEvent } from '../../use-cases/ingest-billing-event.ts';
import { logger } from '../observability/logger.ts';
import { header, httpErrorResponses, jsonResponse, rawBody } from './http-api.ts';

export type { BillingTranslation };

export interface VerifiedDelivery<T> {
  /** The provider's event id, for logs (ids only, never personal data). */
  readonly eventId: string;
  /** The provider's event type, counted when ignored. */
  readonly type: string;
  readonly payload: T;
}

export interface WebhookIngestDependencies extends IngestDependencies {
  readonly ignoredEvents: IgnoredEventCounter;
}

export interface ProviderWebhook<T> {
  readonly provider: BillingProvider;
  /**
   * Authenticates the delivery on its raw bytes (signature, Basic auth) and only then parses it.
   * Throws a 4xx `CollectionsError` for anything that is not a genuine delivery.
   */
  verify(body: string, request: APIGatewayProxyEventV2, now: Date): Promise<VerifiedDelivery<T>>;
  translate(payload: T): Promise<BillingTranslation>;
}

/** `application/json`, with or without parameters (`; charset=utf-8`), as every provider sends. */
export function assertJsonContentType(request: APIGatewayProxyEventV2): void {
  const contentType = header(request, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`content type must be application/json, got ${mediaType ?? 'none'}`);
  }
}

/** Parses a body that was already authenticated; malformed JSON is a 400 that writes nothing. */
export function parseVerifiedJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidRequestError('body is not valid JSON');
  }
}

/**
 * One webhook endpoint: check the content type and size, authenticate the raw body, translate,
 * apply through the one ingest core, answer fast. Event types the product does not handle are
 * acknowledged with 200 (so the provider stops retrying them) and counted.
 */
export function createProviderWebhookHandler<T>(
  webhook: ProviderWebhook<T>,
  deps: WebhookIngestDependencies,
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponses())
    .handler(async (request) => {
      assertJsonContentType(request);
      const body = rawBody(request);
      const delivery = await webhook.verify(body, request, deps.clock.now());
      const translation = await webhook.translate(delivery.payload);
      if (translation.status === 'ignored') {
        await deps.ignoredEvents.countIgnoredEvent(webhook.provider, delivery.type);
        logger.info('billing event ignored', {
          provider: webhook.provider,
          eventId: delivery.eventId,
          type: delivery.type,
          reason: translation.reason,
        });
        return jsonResponse(200, { received: true, ignored: delivery.type, reason: translation.reason });
      }
      const outcome = await ingestBillingEvent(translation.event, deps);
      logger.info('billing event ingested', {
        provider: webhook.provider,
        eventId: delivery.eventId,
        type: delivery.type,
        outcome: outcome.status,
        // Customer metadata the adapter left out (a malformed consent date), by key and reason.
        ...(translation.event.dataWarnings ? { dataWarnings: translation.event.dataWarnings } : {}),
      });
      return jsonResponse(200, {
        received: true,
        status: outcome.status,
        ...(outcome.status === 'applied' && outcome.caseId ? { caseId: outcome.caseId } : {}),
      });
    });
}
