import { describe, expect, it } from 'vitest';
import {
  header,
  jsonResponse,
  maxBodyBytes,
  PayloadTooLargeError,
  rawBody,
} from '../../../../shared/adapters/http/http-api.ts';
import { InvalidRequestError } from '../../../../shared/domain/errors.ts';
import { httpApiEvent } from '../../../support/lambda-events.ts';
import { errorThrownBy } from '../../../support/thrown-error.ts';

describe('rawBody', () => {
  it('returns the body exactly as sent', () => {
    // Prepare
    const body = '{\n  "id": "evt_1SQ3kLLkdIwHu7ixTq9fV2Wb",\n  "object": "event"\n}';

    // Act
    const raw = rawBody(httpApiEvent({ path: '/webhooks/stripe', body }));

    // Assess
    expect(raw).toBe(body);
  });

  it('decodes a base64-encoded body to the original UTF-8 bytes', () => {
    // Prepare
    const body = '{"customer_name":"Zoë Müller"}';

    // Act
    const raw = rawBody(
      httpApiEvent({
        path: '/webhooks/stripe',
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
      }),
    );

    // Assess
    expect(raw).toBe(body);
  });

  it('accepts a body of exactly the limit and refuses one byte more, counting bytes not characters', () => {
    // Prepare: "é" is two bytes in UTF-8.
    const atLimit = 'a'.repeat(maxBodyBytes);
    const overLimit = `${'a'.repeat(maxBodyBytes - 1)}é`;

    // Act
    const accepted = rawBody(httpApiEvent({ path: '/webhooks/stripe', body: atLimit }));
    const refused = errorThrownBy(() => rawBody(httpApiEvent({ path: '/webhooks/stripe', body: overLimit })));

    // Assess
    expect(accepted).toHaveLength(maxBodyBytes);
    expect(overLimit).toHaveLength(maxBodyBytes);
    expect(refused).toBeInstanceOf(PayloadTooLargeError);
    expect(refused).toMatchObject({ statusCode: 413, expose: true });
  });

  it('refuses an empty or missing body', () => {
    // Act
    const empty = errorThrownBy(() => rawBody(httpApiEvent({ path: '/webhooks/stripe', body: '' })));
    const missing = errorThrownBy(() => rawBody(httpApiEvent({ path: '/webhooks/stripe' })));

    // Assess
    expect(empty).toBeInstanceOf(InvalidRequestError);
    expect(missing).toBeInstanceOf(InvalidRequestError);
  });
});

describe('header', () => {
  it('reads a header whatever the case of the requested name (HTTP API lower-cases them)', () => {
    // Prepare
    const event = httpApiEvent({ path: '/webhooks/stripe', headers: { 'Stripe-Signature': 't=1,v1=abc' } });

    // Act
    const value = header(event, 'Stripe-Signature');

    // Assess
    expect(value).toBe('t=1,v1=abc');
    expect(header(event, 'x-missing')).toBeUndefined();
  });
});

describe('jsonResponse', () => {
  it('serialises the body as uncached JSON', () => {
    // Act
    const response = jsonResponse(200, { received: true });

    // Assess
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: '{"received":true}',
    });
  });
});
