import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createIngestChargebeeWebhookHandler } from '../../../functions/ingest-chargebee-webhook.ts';
import { createIngestInhouseWebhookHandler } from '../../../functions/ingest-inhouse-webhook.ts';
import { createIngestPaddleWebhookHandler } from '../../../functions/ingest-paddle-webhook.ts';
import { createIngestStripeWebhookHandler } from '../../../functions/ingest-stripe-webhook.ts';
import { ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { maxBodyBytes } from '../../../shared/adapters/http/http-api.ts';
import type { WebhookIngestDependencies } from '../../../shared/adapters/http/webhook-handler.ts';
import { signInhousePayload } from '../../../shared/adapters/inhouse/inhouse-billing-events.ts';
import { signPaddlePayload } from '../../../shared/adapters/paddle/paddle-billing-events.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { capturedLogsPerTest } from '../../support/captured-logs.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { httpApiEvent, lambdaContext } from '../../support/lambda-events.ts';
import {
  chargebeeInvoiceEvent,
  chargebeeRequest,
  inhouseInvoiceEvent,
  paddleTransactionNotification,
  signedInhouseRequest,
  signedPaddleRequest,
  testChargebeeCredentials,
  testInhouseSecret,
  testPaddleSecret,
} from '../../support/provider-events.ts';
import {
  signStripePayload,
  stripeInvoiceEvent,
  stripePayload,
  testWebhookSecret,
} from '../../support/stripe-events.ts';

const embedded = embeddedCollectionsTablePerFile();
const logged = capturedLogsPerTest();

/** 2026-11-02T10:14:09Z: when every delivery below is created and signed. */
const signedAt = 1793614449;
const receivedAt = '2026-11-02T10:14:11.000Z';

interface Delivery {
  readonly payload: string;
  readonly headers: Record<string, string>;
}

/** One provider endpoint as the hostile-input cases see it. */
interface ProviderCase {
  readonly name: string;
  readonly path: string;
  readonly handler: (
    deps: WebhookIngestDependencies,
  ) => (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
  /** A genuine failed-payment delivery of a customer of its own, signed `secondsAfter` the event. */
  valid(suffix: string, options?: { signedAt?: number; livemode?: boolean }): Delivery;
  /** The same body, authenticated with the wrong secret or credentials. */
  forged(suffix: string): Delivery;
  /** Authentication of `body` as is (to sign malformed or oversized bodies). */
  authenticate(body: string, at: number): Record<string, string>;
  readonly authHeader: string;
  /** Status for missing or wrong credentials: 400 for signatures, 401 for Basic auth. */
  readonly unauthenticatedStatus: number;
  readonly signsTimestamps: boolean;
  /** A verified event of a type the product does not handle. */
  unknownType(suffix: string): Delivery;
  /** A delivery whose mode is the other one (live), when the provider says it in the payload. */
  readonly carriesMode: boolean;
}

const providers: readonly ProviderCase[] = [
  {
    name: 'stripe',
    path: '/webhooks/stripe',
    handler: (deps) =>
      createIngestStripeWebhookHandler({ ...deps, webhookSecret: async () => testWebhookSecret }),
    valid: (suffix, options = {}) => {
      const event = stripeInvoiceEvent('invoice.payment_failed', {
        eventId: `evt_${suffix}`,
        invoiceId: `in_${suffix}`,
        customerId: `cus_${suffix}`,
        created: signedAt,
        ...(options.livemode ? { livemode: true } : {}),
      });
      const payload = stripePayload(event);
      return {
        payload,
        headers: {
          'Stripe-Signature': signStripePayload(payload, testWebhookSecret, options.signedAt ?? signedAt),
        },
      };
    },
    forged: (suffix) => {
      const { payload } = providers[0]?.valid(suffix) ?? { payload: '' };
      return {
        payload,
        headers: {
          'Stripe-Signature': signStripePayload(payload, 'whsec_Lq8nW3vZ6yD1cF4hK7mP0rT2xB5eG9jA', signedAt),
        },
      };
    },
    authenticate: (body, at) => ({ 'Stripe-Signature': signStripePayload(body, testWebhookSecret, at) }),
    authHeader: 'stripe-signature',
    unauthenticatedStatus: 400,
    signsTimestamps: true,
    unknownType: (suffix) => {
      const payload = JSON.stringify({
        id: `evt_${suffix}`,
        object: 'event',
        type: 'payout.paid',
        created: signedAt,
        livemode: false,
        data: { object: { id: 'po_1', object: 'payout' } },
      });
      return {
        payload,
        headers: { 'Stripe-Signature': signStripePayload(payload, testWebhookSecret, signedAt) },
      };
    },
    carriesMode: true,
  },
  {
    name: 'paddle',
    path: '/webhooks/paddle',
    handler: (deps) =>
      createIngestPaddleWebhookHandler({ ...deps, webhookSecrets: async () => [testPaddleSecret] }),
    valid: (suffix, options = {}) =>
      signedPaddleRequest(
        paddleTransactionNotification({
          eventId: `evt_${suffix}`,
          transactionId: `txn_${suffix}`,
          customerId: `ctm_${suffix}`,
        }),
        options.signedAt ?? signedAt,
      ),
    forged: (suffix) =>
      signedPaddleRequest(
        paddleTransactionNotification({ eventId: `evt_${suffix}` }),
        signedAt,
        'pdl_ntfset_someone_else',
      ),
    authenticate: (body, at) => ({ 'Paddle-Signature': signPaddlePayload(body, testPaddleSecret, at) }),
    authHeader: 'paddle-signature',
    unauthenticatedStatus: 400,
    signsTimestamps: true,
    unknownType: (suffix) =>
      signedPaddleRequest(
        {
          event_id: `evt_${suffix}`,
          event_type: 'report.created',
          occurred_at: '2026-11-02T10:14:09Z',
          data: { id: 'rep_1' },
        },
        signedAt,
      ),
    carriesMode: false,
  },
  {
    name: 'chargebee',
    path: '/webhooks/chargebee',
    handler: (deps) =>
      createIngestChargebeeWebhookHandler({ ...deps, credentials: async () => [testChargebeeCredentials] }),
    valid: (suffix) =>
      chargebeeRequest(
        chargebeeInvoiceEvent({
          eventId: `ev_${suffix}`,
          invoiceId: `inv_${suffix}`,
          customerId: `cb_${suffix}`,
        }),
      ),
    forged: (suffix) =>
      chargebeeRequest(chargebeeInvoiceEvent({ eventId: `ev_${suffix}` }), 'collections:guessed-password'),
    authenticate: () => chargebeeRequest({}).headers,
    authHeader: 'authorization',
    unauthenticatedStatus: 401,
    signsTimestamps: false,
    unknownType: (suffix) =>
      chargebeeRequest({
        id: `ev_${suffix}`,
        event_type: 'coupon_created',
        occurred_at: signedAt,
        content: { coupon: { id: 'c1' } },
      }),
    carriesMode: false,
  },
  {
    name: 'inhouse',
    path: '/webhooks/inhouse',
    handler: (deps) =>
      createIngestInhouseWebhookHandler({ ...deps, webhookSecrets: async () => [testInhouseSecret] }),
    valid: (suffix, options = {}) =>
      signedInhouseRequest(
        inhouseInvoiceEvent({
          id: `bill_evt_${suffix}`,
          invoiceId: `INV-${suffix}`,
          customerId: `acct-${suffix}`,
          ...(options.livemode ? { livemode: true } : {}),
        }),
        options.signedAt ?? signedAt,
      ),
    forged: (suffix) =>
      signedInhouseRequest(inhouseInvoiceEvent({ id: `bill_evt_${suffix}` }), signedAt, 'someone-else'),
    authenticate: (body, at) => ({
      'Collections-Signature': signInhousePayload(body, testInhouseSecret, at),
    }),
    authHeader: 'collections-signature',
    unauthenticatedStatus: 400,
    signsTimestamps: true,
    unknownType: () => signedInhouseRequest({ ...inhouseInvoiceEvent(), type: 'invoice.exploded' }, signedAt),
    carriesMode: true,
  },
];

function setup(options: { livemode?: boolean } = {}) {
  const { table } = embedded;
  const journeys = new RecordingJourneyStarter();
  const clock = new TestClock(receivedAt);
  const deps: WebhookIngestDependencies = {
    ...ingestStoresOn(table),
    journeys,
    clock,
    strategy: defaultStrategy,
    livemode: options.livemode ?? false,
  };
  return { deps, journeys, clock };
}

function request(
  provider: ProviderCase,
  delivery: Delivery,
  change: { contentType?: string; dropAuth?: boolean } = {},
) {
  const headers: Record<string, string> = { ...delivery.headers };
  if (change.dropAuth) {
    for (const name of Object.keys(headers))
      if (name.toLowerCase() === provider.authHeader) delete headers[name];
  }
  if (change.contentType !== undefined) headers['content-type'] = change.contentType;
  return httpApiEvent({ path: provider.path, headers, body: delivery.payload, at: receivedAt });
}

async function invoke(
  provider: ProviderCase,
  event: APIGatewayProxyEventV2,
  deps: WebhookIngestDependencies,
) {
  const response = await provider.handler(deps)(
    event,
    lambdaContext(`collections-ingest-${provider.name}-webhook`),
  );
  return {
    status: response.statusCode,
    body: JSON.parse(response.body ?? 'null') as Record<string, unknown>,
  };
}

/** Items other than the ignored-event counters, which a verified unknown event may bump. */
async function writtenItems(): Promise<unknown[]> {
  return (await embedded.scanItems()).filter((item) => item.pk !== 'IGNORED_EVENTS');
}

describe.each(providers)('the $name webhook under hostile input', (provider) => {
  it('applies a genuine delivery (the baseline the other cases depart from)', async () => {
    // Prepare
    const { deps, journeys } = setup();

    // Act
    const response = await invoke(provider, request(provider, provider.valid(uniqueSuffix())), deps);

    // Assess
    expect(response).toMatchObject({
      status: 200,
      body: { received: true, status: 'applied', caseId: expect.stringMatching(/^case_/) },
    });
    expect(journeys.startedCaseIds).toHaveLength(1);
  });

  it('refuses a delivery without credentials and writes nothing', async () => {
    // Prepare
    const { deps, journeys } = setup();
    const before = await writtenItems();

    // Act
    const response = await invoke(
      provider,
      request(provider, provider.valid(uniqueSuffix()), { dropAuth: true }),
      deps,
    );

    // Assess
    expect(response.status).toBe(provider.unauthenticatedStatus);
    expect(response.body.error).toMatch(/SignatureVerificationError|AuthenticationError/);
    expect(await writtenItems()).toEqual(before);
    expect(journeys.startedCaseIds).toEqual([]);
  });

  it('refuses a forged signature or wrong credentials and writes nothing', async () => {
    // Prepare
    const { deps } = setup();
    const before = await writtenItems();

    // Act
    const response = await invoke(provider, request(provider, provider.forged(uniqueSuffix())), deps);

    // Assess
    expect(response.status).toBe(provider.unauthenticatedStatus);
    expect(await writtenItems()).toEqual(before);
  });

  // Chargebee signs nothing and sends no timestamp: a replay is caught by its event id alone.
  if (provider.signsTimestamps)
    it('refuses a signature older than 300 s and writes nothing', async () => {
      // Prepare
      const { deps } = setup();
      const before = await writtenItems();

      // Act
      const response = await invoke(
        provider,
        request(provider, provider.valid(uniqueSuffix(), { signedAt: signedAt - 301 })),
        deps,
      );

      // Assess
      expect(response.status).toBe(400);
      expect(String(response.body.message)).toMatch(/stale .*timestamp/i);
      expect(await writtenItems()).toEqual(before);
    });

  it('answers a replayed delivery as a duplicate without a second effect', async () => {
    // Prepare
    const { deps, journeys } = setup();
    const delivery = provider.valid(uniqueSuffix());
    await invoke(provider, request(provider, delivery), deps);
    const before = await writtenItems();

    // Act
    const replay = await invoke(provider, request(provider, delivery), deps);

    // Assess
    expect(replay).toMatchObject({ status: 200, body: { received: true, status: 'duplicate' } });
    expect(await writtenItems()).toEqual(before);
    expect(journeys.startedCaseIds).toHaveLength(1);
  });

  it('refuses a correctly authenticated body that is not JSON and writes nothing', async () => {
    // Prepare
    const { deps } = setup();
    const body = '{"id": "evt_1", "type": "invoice.payment_failed", ';
    const before = await writtenItems();

    // Act
    const response = await invoke(
      provider,
      request(provider, { payload: body, headers: provider.authenticate(body, signedAt) }),
      deps,
    );

    // Assess
    expect(response.status).toBe(400);
    expect(String(response.body.message)).toMatch(/JSON|not a|not an/);
    expect(await writtenItems()).toEqual(before);
  });

  it('refuses a body over 1 MiB with 413 before verifying it, and writes nothing', async () => {
    // Prepare
    const { deps } = setup();
    const body = JSON.stringify({ padding: 'x'.repeat(maxBodyBytes) });
    const before = await writtenItems();

    // Act
    const response = await invoke(
      provider,
      request(provider, { payload: body, headers: provider.authenticate(body, signedAt) }),
      deps,
    );

    // Assess
    expect(response).toMatchObject({ status: 413, body: { error: 'PayloadTooLargeError' } });
    expect(await writtenItems()).toEqual(before);
  });

  it('refuses a content type other than JSON with 415 and writes nothing', async () => {
    // Prepare
    const { deps } = setup();
    const before = await writtenItems();

    // Act
    const response = await invoke(
      provider,
      request(provider, provider.valid(uniqueSuffix()), { contentType: 'application/x-www-form-urlencoded' }),
      deps,
    );

    // Assess
    expect(response).toMatchObject({ status: 415, body: { error: 'UnsupportedMediaTypeError' } });
    expect(await writtenItems()).toEqual(before);
  });

  it('acknowledges a verified event of an unknown type with 200, counts it and applies nothing', async () => {
    // Prepare
    const { deps } = setup();
    const before = await writtenItems();
    const countOf = async () =>
      (await embedded.table.listIgnoredEventCounts())
        .filter((one) => one.provider === provider.name)
        .reduce((sum, one) => sum + one.count, 0);
    const countBefore = await countOf();

    // Act
    const response = await invoke(provider, request(provider, provider.unknownType(uniqueSuffix())), deps);

    // Assess
    if (provider.name === 'inhouse') {
      // The in-house format is ours: an undocumented type is a sender bug, refused with its reason.
      expect(response.status).toBe(400);
      expect(await countOf()).toBe(countBefore);
    } else {
      expect(response).toMatchObject({ status: 200, body: { received: true, ignored: expect.any(String) } });
      expect(await countOf()).toBe(countBefore + 1);
    }
    expect(await writtenItems()).toEqual(before);
  });

  // Paddle and Chargebee payloads do not say their mode: the endpoint's credentials belong to one.
  if (provider.carriesMode)
    it('refuses an event of the other mode (live in a test deployment) and writes nothing', async () => {
      // Prepare
      const { deps } = setup({ livemode: false });
      const before = await writtenItems();

      // Act
      const response = await invoke(
        provider,
        request(provider, provider.valid(uniqueSuffix(), { livemode: true })),
        deps,
      );

      // Assess
      expect(response).toMatchObject({ status: 400, body: { error: 'LivemodeMismatchError' } });
      expect(String(response.body.message)).toContain('this deployment is in test mode');
      expect(await writtenItems()).toEqual(before);
    });

  it("logs ids and outcomes, never the debtor's personal data", async () => {
    // Prepare
    const { deps } = setup();

    // Act
    await invoke(provider, request(provider, provider.valid(uniqueSuffix())), deps);
    await invoke(provider, request(provider, provider.forged(uniqueSuffix())), deps);

    // Assess
    const logs = JSON.stringify(logged);
    expect(logs.length).toBeGreaterThan(10);
    expect(logs).not.toContain('jenny.rosen@example.com');
    expect(logs).not.toContain('Jenny');
    expect(logs).not.toContain('Rosen');
  });
});
