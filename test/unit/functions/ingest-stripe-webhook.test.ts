import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  createIngestStripeWebhookHandler,
  type IngestStripeWebhookDependencies,
} from '../../../functions/ingest-stripe-webhook.ts';
import { CollectionsTable, ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { maxBodyBytes } from '../../../shared/adapters/http/http-api.ts';
import { caseIdFor } from '../../../shared/domain/collection-case.ts';
import { ConfigurationError } from '../../../shared/domain/errors.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { capturedLogsPerTest } from '../../support/captured-logs.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { httpApiEvent, lambdaContext } from '../../support/lambda-events.ts';
import {
  type StripeInvoiceEventOverrides,
  signedStripeRequest,
  stripeInvoiceEvent,
  testWebhookSecret,
} from '../../support/stripe-events.ts';
import { stripeEventOf } from '../../support/stripe-objects.ts';

const embedded = embeddedCollectionsTablePerFile();

/** Everything the handler logs, captured instead of printed. */
const logged = capturedLogsPerTest();

const context = lambdaContext('collections-ingest-stripe-webhook');

function setup(overrides: Partial<IngestStripeWebhookDependencies> = {}) {
  const journeys = new RecordingJourneyStarter();
  const clock = new TestClock('2026-11-02T10:14:11.000Z');
  const { table } = embedded;
  const handler = createIngestStripeWebhookHandler({
    ...ingestStoresOn(table),
    journeys,
    clock,
    strategy: defaultStrategy,
    webhookSecret: async () => testWebhookSecret,
    ...overrides,
  });
  const invoke = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    handler(event, context);
  return { invoke, journeys, clock };
}

/** A payment_failed event of a customer of its own, created 2026-11-02T10:14:09Z. */
function failedEvent(overrides: StripeInvoiceEventOverrides = {}) {
  const suffix = uniqueSuffix();
  return stripeInvoiceEvent('invoice.payment_failed', {
    eventId: `evt_1SQ3kL${suffix}`,
    invoiceId: `in_1SQ3hJ${suffix}`,
    customerId: `cus_TMx8${suffix}`,
    ...overrides,
  });
}

/** The request Stripe posts for `event`, signed one second after the event was created. */
function delivery(event: Stripe.Event, change: { body?: string; signature?: string; base64?: boolean } = {}) {
  const { payload, signature } = signedStripeRequest(event, testWebhookSecret, event.created + 1);
  const body = change.body ?? payload;
  return httpApiEvent({
    path: '/webhooks/stripe',
    headers: { 'Stripe-Signature': change.signature ?? signature },
    body: change.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: change.base64 ?? false,
  });
}

function bodyOf(response: APIGatewayProxyStructuredResultV2): unknown {
  return JSON.parse(response.body ?? 'null');
}

describe('ingestStripeWebhook', () => {
  it('returns 200 with the case and applies a validly signed payment failure', async () => {
    // Prepare
    const { invoke, journeys } = setup();
    const event = failedEvent();
    const customerId = `stripe:${event.data.object.customer}`;
    const caseId = caseIdFor(customerId, `stripe:${event.data.object.id}`);

    // Act
    const response = await invoke(delivery(event));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
    expect(bodyOf(response)).toEqual({ received: true, status: 'applied', caseId });
    expect((await embedded.table.getClaim(`stripe:${event.data.object.id}`))?.claim).toMatchObject({
      status: 'failed',
      amountMinor: 4999,
      currency: 'USD',
      caseId,
    });
    expect(journeys.startedCaseIds).toEqual([caseId]);
  });

  it('returns 400 and writes nothing when the signature is invalid', async () => {
    // Prepare
    const { invoke, journeys } = setup();
    const event = failedEvent();
    const { signature } = signedStripeRequest(
      event,
      'whsec_Lq8nW3vZ6yD1cF4hK7mP0rT2xB5eG9jA',
      event.created + 1,
    );
    const before = await embedded.scanItems();

    // Act
    const response = await invoke(delivery(event, { signature }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      error: 'SignatureVerificationError',
      message: 'invalid Stripe signature',
    });
    expect(await embedded.scanItems()).toEqual(before);
    expect(journeys.startedCaseIds).toEqual([]);
  });

  it('returns 400 and writes nothing when the body was changed after signing', async () => {
    // Prepare
    const { invoke } = setup();
    const event = failedEvent();
    const { payload } = signedStripeRequest(event, testWebhookSecret, event.created + 1);
    const before = await embedded.scanItems();

    // Act
    const response = await invoke(
      delivery(event, { body: payload.replace('"amount_due": 4999', '"amount_due": 1') }),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(await embedded.scanItems()).toEqual(before);
  });

  it('returns 400 and writes nothing without a Stripe-Signature header', async () => {
    // Prepare
    const { invoke } = setup();
    const request = delivery(failedEvent());
    const { 'stripe-signature': _signature, ...headers } = request.headers;
    const before = await embedded.scanItems();

    // Act
    const response = await invoke({ ...request, headers });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      error: 'SignatureVerificationError',
      message: 'missing Stripe-Signature header',
    });
    expect(await embedded.scanItems()).toEqual(before);
  });

  it('returns 400 and writes nothing for a delivery replayed after the signature tolerance', async () => {
    // Prepare: signed at 10:14:10, received more than 5 minutes later by the runtime clock.
    const { invoke, clock } = setup();
    const event = failedEvent();
    clock.set('2026-11-02T10:19:11.000Z');
    const before = await embedded.scanItems();

    // Act
    const response = await invoke(delivery(event));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(await embedded.scanItems()).toEqual(before);
  });

  it('returns 200, counts and ignores an event type it does not handle, once verified', async () => {
    // Prepare
    const { invoke } = setup();
    const payout = stripeEventOf(
      'payout.paid',
      { id: 'po_1SQ3kLLkdIwHu7ix', object: 'payout' },
      {
        id: `evt_payout_${uniqueSuffix()}`,
        created: failedEvent().created,
      },
    );
    const countsBefore = await embedded.table.listIgnoredEventCounts();
    const payoutCount = (counts: { sourceType: string; count: number }[]) =>
      counts.find((one) => one.sourceType === 'payout.paid')?.count ?? 0;

    // Act
    const response = await invoke(delivery(payout));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      received: true,
      ignored: 'payout.paid',
      reason: 'event type payout.paid is not handled',
    });
    expect(payoutCount(await embedded.table.listIgnoredEventCounts())).toBe(payoutCount(countsBefore) + 1);
  });

  it('verifies and applies a base64-encoded body', async () => {
    // Prepare
    const { invoke } = setup();
    const event = failedEvent({ name: 'Zoë Müller', country: 'DE' });

    // Act
    const response = await invoke(delivery(event, { base64: true }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ received: true, status: 'applied' });
    expect(await embedded.table.getCustomer(`stripe:${event.data.object.customer}`)).toMatchObject({
      name: 'Zoë Müller',
      country: 'DE',
    });
  });

  it('returns 413 and writes nothing for an oversized body', async () => {
    // Prepare
    const { invoke } = setup();
    const event = failedEvent();
    const { payload } = signedStripeRequest(event, testWebhookSecret, event.created + 1);
    const oversized = `${payload.slice(0, -2)},\n  "padding": "${'x'.repeat(maxBodyBytes)}"\n}`;
    const before = await embedded.scanItems();

    // Act
    const response = await invoke(delivery(event, { body: oversized }));

    // Assess
    expect(response.statusCode).toBe(413);
    expect(bodyOf(response)).toMatchObject({ error: 'PayloadTooLargeError' });
    expect(await embedded.scanItems()).toEqual(before);
  });

  it('returns 400 for an empty body', async () => {
    // Prepare
    const { invoke } = setup();

    // Act
    const response = await invoke(delivery(failedEvent(), { body: '' }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({ error: 'InvalidRequestError', message: 'empty body' });
  });

  it('returns 200 duplicate for a redelivered event', async () => {
    // Prepare
    const { invoke, journeys } = setup();
    const event = failedEvent();
    await invoke(delivery(event));

    // Act
    const response = await invoke(delivery(event));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ received: true, status: 'duplicate' });
    expect(journeys.startedCaseIds).toHaveLength(1);
  });

  it('returns 500 without internals when the table fails, so Stripe redelivers', async () => {
    // Prepare
    const missingTable = new CollectionsTable(embedded.db.client, 'collections-prod-eu-west-1-missing');
    const { invoke } = setup({
      ledger: missingTable,
      customers: missingTable,
      claims: missingTable,
      cases: missingTable,
    });

    // Act
    const response = await invoke(delivery(failedEvent()));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({ error: 'InternalError', message: 'internal error' });
    expect(response.body).not.toMatch(/collections-prod|ResourceNotFound|dynamo/i);
    expect(logged.some(([level]) => level === 'error')).toBe(true);
  });

  it('returns 500 without internals when the signing secret cannot be read', async () => {
    // Prepare
    const { invoke } = setup({
      webhookSecret: async () => {
        throw new ConfigurationError('the Stripe webhook secret is empty');
      },
    });

    // Act
    const response = await invoke(delivery(failedEvent()));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({ error: 'InternalError', message: 'internal error' });
  });

  it('logs ids and outcomes but no personal data', async () => {
    // Prepare
    const { invoke } = setup();
    const event = failedEvent({ email: 'zoe.mueller@example.de', name: 'Zoë Müller' });

    // Act
    await invoke(delivery(event));

    // Assess
    const logs = JSON.stringify(logged);
    expect(logs).toContain(event.id);
    expect(logs).not.toContain('zoe.mueller@example.de');
    expect(logs).not.toContain('Zoë Müller');
    expect(logs).not.toContain('Bedford Avenue');
  });
});
