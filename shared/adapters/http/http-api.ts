import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CollectionsError, InvalidRequestError } from '../../domain/errors.ts';
import { logger } from '../observability/logger.ts';

/**
 * Webhook bodies are JSON documents well under this (a Stripe invoice with many lines is tens of
 * KiB); anything larger is refused with 413 before it is verified or parsed.
 */
export const maxBodyBytes = 1024 * 1024;

export class PayloadTooLargeError extends CollectionsError {
  public override readonly statusCode = 413;
}

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** The body exactly as the client sent it (signatures are computed over these bytes). */
export function rawBody(event: APIGatewayProxyEventV2): string {
  const body = event.body ?? '';
  const raw = event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(raw, 'utf8') > maxBodyBytes)
    throw new PayloadTooLargeError(`body larger than ${maxBodyBytes} bytes`);
  if (raw.length === 0) throw new InvalidRequestError('empty body');
  return raw;
}

/** HTTP API lower-cases header names in payload format 2.0. */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

/**
 * Maps errors to responses, Middy style: errors below 500 are exposed with their message;
 * anything else is logged and replaced by a generic message without internals.
 */
export function httpErrorResponses(): MiddlewareObj<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof CollectionsError && error.expose) {
        logger.warn('request rejected', { error: error.name, reason: error.message });
        request.response = jsonResponse(error.statusCode, { error: error.name, message: error.message });
        return;
      }
      logger.error('request failed', { error: error instanceof Error ? error : String(error) });
      request.response = jsonResponse(500, { error: 'InternalError', message: 'internal error' });
    },
  };
}
