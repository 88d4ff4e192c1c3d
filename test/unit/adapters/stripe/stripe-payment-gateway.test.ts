import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PaymentUnavailableError,
  StripePaymentGateway,
  stripeScopeOf,
} from '../../../../shared/adapters/stripe/stripe-payment-gateway.ts';
import type { PayableClaim } from '../../../../shared/ports.ts';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly form: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
}

type Answer = { status: number; body: unknown };

/** A local HTTP server answering like the Stripe API; the stripe client reaches it through host/port/protocol. */
class FakeStripeApi {
  public readonly requests: RecordedRequest[] = [];
  private readonly answers: ((request: RecordedRequest) => Answer | undefined)[] = [];
  private server: Server | undefined;

  public answer(handler: (request: RecordedRequest) => Answer | undefined): void {
    this.answers.unshift(handler);
  }

  public reset(): void {
    this.requests.length = 0;
    this.answers.length = 0;
  }

  public async start(): Promise<number> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const body = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: request.method ?? 'GET',
          path: url.pathname,
          form: new URLSearchParams(request.method === 'GET' ? url.search : body),
          headers: request.headers,
        };
        this.requests.push(recorded);
        const answer = this.answers.map((handler) => handler(recorded)).find((one) => one !== undefined) ?? {
          status: 404,
          body: {
            error: {
              type: 'invalid_request_error',
              message: `no fake for ${recorded.method} ${recorded.path}`,
            },
          },
        };
        response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': 'req_fake' });
        response.end(JSON.stringify(answer.body));
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const claim: PayableClaim = {
  claimId: 'stripe:in_1Q',
  invoiceId: 'in_1Q',
  customerId: 'stripe:cus_Q1',
  amountMinor: 4999,
  currency: 'EUR',
};

describe('StripePaymentGateway', () => {
  const api = new FakeStripeApi();
  let gateway: StripePaymentGateway;

  beforeAll(async () => {
    const port = await api.start();
    gateway = new StripePaymentGateway(
      new Stripe('sk_test_fake', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 }),
    );
  });
  afterAll(() => api.stop());
  beforeEach(() => api.reset());

  it('sends the debtor to the open invoice’s hosted page, read fresh from Stripe', async () => {
    api.answer((request) =>
      request.method === 'GET' && request.path === '/v1/invoices/in_1Q'
        ? {
            status: 200,
            body: {
              id: 'in_1Q',
              object: 'invoice',
              status: 'open',
              hosted_invoice_url: 'https://invoice.stripe.com/i/fresh',
            },
          }
        : undefined,
    );
    await expect(gateway.createPaymentPage(claim)).resolves.toEqual({
      url: 'https://invoice.stripe.com/i/fresh',
    });
  });

  it('refuses to offer an invoice that is already paid', async () => {
    api.answer(() => ({
      status: 200,
      body: { id: 'in_1Q', object: 'invoice', status: 'paid', hosted_invoice_url: 'https://x' },
    }));
    await expect(gateway.createPaymentPage(claim)).rejects.toBeInstanceOf(PaymentUnavailableError);
  });

  it('opens a Billing portal session on the card-update flow, returning to the portal, in the debtor’s language', async () => {
    api.answer((request) =>
      request.path === '/v1/billing_portal/sessions'
        ? {
            status: 200,
            body: {
              id: 'bps_1',
              object: 'billing_portal.session',
              url: 'https://billing.stripe.com/p/session/x',
            },
          }
        : undefined,
    );
    const page = await gateway.createCardUpdatePage('stripe:cus_Q1', {
      returnUrl: 'https://pay.example.test/portal/card/return',
      locale: 'de-CH',
    });
    expect(page.url).toBe('https://billing.stripe.com/p/session/x');
    const [request] = api.requests;
    expect(request?.method).toBe('POST');
    expect(Object.fromEntries(request?.form ?? [])).toMatchObject({
      customer: 'cus_Q1',
      return_url: 'https://pay.example.test/portal/card/return',
      locale: 'de',
      'flow_data[type]': 'payment_method_update',
      'flow_data[after_completion][type]': 'redirect',
      'flow_data[after_completion][redirect][return_url]': 'https://pay.example.test/portal/card/return',
    });
  });

  it('retries each failed invoice off-session and leaves a decline to the webhook', async () => {
    api.answer((request) =>
      request.path === '/v1/invoices/in_2Q/pay'
        ? {
            status: 402,
            body: {
              error: {
                type: 'card_error',
                code: 'card_declined',
                decline_code: 'insufficient_funds',
                message: 'declined',
              },
            },
          }
        : request.path === '/v1/invoices/in_1Q/pay'
          ? { status: 200, body: { id: 'in_1Q', object: 'invoice', status: 'paid' } }
          : undefined,
    );
    await gateway.retryClaims([claim, { ...claim, claimId: 'stripe:in_2Q', invoiceId: 'in_2Q' }]);
    expect(
      api.requests.map((request) => `${request.method} ${request.path} ${request.form.get('off_session')}`),
    ).toEqual(['POST /v1/invoices/in_1Q/pay true', 'POST /v1/invoices/in_2Q/pay true']);
  });

  it('charges an instalment off-session on the default card, with the idempotency key, on the Connect account', async () => {
    api.answer((request) =>
      request.path === '/v1/customers/cus_C1'
        ? {
            status: 200,
            body: {
              id: 'cus_C1',
              object: 'customer',
              invoice_settings: { default_payment_method: 'pm_card_1' },
            },
          }
        : request.path === '/v1/payment_intents'
          ? { status: 200, body: { id: 'pi_1', object: 'payment_intent', status: 'succeeded' } }
          : undefined,
    );
    const result = await gateway.chargeInstalment({
      customerId: 'stripe:acct_C:cus_C1',
      amountMinor: 3000,
      currency: 'EUR',
      idempotencyKey: 'plan_1-1-1',
      description: 'Payment plan instalment 1 of 3',
    });
    expect(result).toEqual({ status: 'succeeded', paymentRef: 'pi_1' });
    const charge = api.requests.find((request) => request.path === '/v1/payment_intents');
    expect(Object.fromEntries(charge?.form ?? [])).toMatchObject({
      amount: '3000',
      currency: 'eur',
      customer: 'cus_C1',
      payment_method: 'pm_card_1',
      off_session: 'true',
      confirm: 'true',
    });
    expect(charge?.headers['idempotency-key']).toBe('plan_1-1-1');
    expect(charge?.headers['stripe-account']).toBe('acct_C');
  });

  it('reports a declined instalment, and a customer without a saved card, as failed charges', async () => {
    api.answer((request) =>
      request.path === '/v1/customers/cus_Q1'
        ? {
            status: 200,
            body: { id: 'cus_Q1', object: 'customer', invoice_settings: { default_payment_method: 'pm_2' } },
          }
        : request.path === '/v1/payment_intents'
          ? {
              status: 402,
              body: {
                error: {
                  type: 'card_error',
                  code: 'card_declined',
                  decline_code: 'insufficient_funds',
                  message: 'no',
                },
              },
            }
          : undefined,
    );
    const request = {
      customerId: 'stripe:cus_Q1',
      amountMinor: 1,
      currency: 'EUR',
      idempotencyKey: 'k',
      description: 'd',
    };
    await expect(gateway.chargeInstalment(request)).resolves.toEqual({
      status: 'failed',
      reason: 'insufficient_funds',
    });
    api.answer((request) =>
      request.path === '/v1/customers/cus_Q1'
        ? {
            status: 200,
            body: { id: 'cus_Q1', object: 'customer', invoice_settings: { default_payment_method: null } },
          }
        : undefined,
    );
    await expect(gateway.chargeInstalment(request)).resolves.toEqual({
      status: 'failed',
      reason: 'no_payment_method',
    });
  });

  it('marks the plan’s invoices paid out of band, once per invoice and plan', async () => {
    api.answer((request) =>
      request.path === '/v1/invoices/in_1Q/pay'
        ? { status: 200, body: { id: 'in_1Q', object: 'invoice', status: 'paid' } }
        : undefined,
    );
    await gateway.settleClaimsOutOfBand([claim], 'plan_9');
    const [request] = api.requests;
    expect(request?.form.get('paid_out_of_band')).toBe('true');
    expect(request?.headers['idempotency-key']).toBe('settle-plan_9-in_1Q');
  });

  it('surfaces errors that are not a decline (the caller retries)', async () => {
    api.answer(() => ({ status: 500, body: { error: { type: 'api_error', message: 'boom' } } }));
    await expect(gateway.retryClaims([claim])).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
  });
});

describe('stripeScopeOf', () => {
  it('reads platform and Connect customer ids, and refuses others', () => {
    expect(stripeScopeOf('stripe:cus_1')).toEqual({ customer: 'cus_1', options: {} });
    expect(stripeScopeOf('stripe:acct_9:cus_1')).toEqual({
      customer: 'cus_1',
      options: { stripeAccount: 'acct_9' },
    });
    expect(() => stripeScopeOf('paddle:ctm_1')).toThrow();
  });
});
