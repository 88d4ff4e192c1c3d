import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { afterEach, beforeEach } from 'vitest';

/**
 * A local HTTP server that answers like the Stripe API for what the product reads: invoice lists,
 * event lists, invoice payments. List endpoints page newest first with `limit`, `starting_after`
 * and `has_more`, as Stripe does; `rateLimitNext` makes the next requests answer 429 like Stripe's
 * rate limiter. Point the `stripe` client at it with `host`, `port` and `protocol: 'http'`.
 */
export class FakeStripeApi {
  public readonly requests: { path: string; query: URLSearchParams; account?: string }[] = [];
  private invoices: Stripe.Invoice[] = [];
  private events: Stripe.Event[] = [];
  private readonly invoiceOfPayment = new Map<string, Stripe.Invoice>();
  private rateLimited = 0;
  private server: Server | undefined;
  public port = 0;

  public addInvoices(...invoices: Stripe.Invoice[]): void {
    this.invoices.push(...invoices);
    this.invoices.sort((a, b) => b.created - a.created || (b.id ?? '').localeCompare(a.id ?? ''));
  }

  public addEvents(...events: Stripe.Event[]): void {
    this.events.push(...events);
    this.events.sort((a, b) => b.created - a.created || b.id.localeCompare(a.id));
  }

  public linkPayment(paymentIntentId: string, invoice: Stripe.Invoice): void {
    this.invoiceOfPayment.set(paymentIntentId, invoice);
  }

  public rateLimitNext(count: number): void {
    this.rateLimited = count;
  }

  /** Listens on a free port, with nothing stored and no request seen yet. */
  public async start(): Promise<this> {
    this.requests.length = 0;
    this.invoices = [];
    this.events = [];
    this.invoiceOfPayment.clear();
    this.rateLimited = 0;
    this.server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Options for `new Stripe(key, options)`. */
  public get clientOptions() {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' as const };
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const account = request.headers['stripe-account'];
    this.requests.push({
      path: url.pathname,
      query: url.searchParams,
      ...(typeof account === 'string' ? { account } : {}),
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        'request-id': 'req_fake',
        ...headers,
      });
      response.end(JSON.stringify(body));
    };
    if (!String(request.headers.authorization ?? '').startsWith('Bearer ')) {
      send(401, {
        error: { type: 'invalid_request_error', message: 'You did not provide an API key.' },
      });
      return;
    }
    if (this.rateLimited > 0) {
      this.rateLimited -= 1;
      send(429, {
        error: {
          type: 'rate_limit_error',
          code: 'rate_limit',
          message: 'Too many requests hit the API too quickly.',
        },
      });
      return;
    }
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 10));
    const page = <T extends { id?: string | null }>(items: readonly T[], listUrl: string) => {
      const after = url.searchParams.get('starting_after');
      const startIndex = after ? items.findIndex((item) => item.id === after) + 1 : 0;
      if (after && startIndex === 0) {
        send(400, { error: { type: 'invalid_request_error', message: `No such object: '${after}'` } });
        return;
      }
      const data = items.slice(startIndex, startIndex + limit);
      send(200, { object: 'list', data, has_more: startIndex + limit < items.length, url: listUrl });
    };
    if (request.method === 'GET' && url.pathname === '/v1/invoices') {
      const status = url.searchParams.get('status');
      page(
        this.invoices.filter((invoice) => status === null || invoice.status === status),
        '/v1/invoices',
      );
      return;
    }
    if (request.method === 'GET' && url.pathname === '/v1/events') {
      const gte = Number(url.searchParams.get('created[gte]') ?? 0);
      page(
        this.events.filter((event) => event.created >= gte),
        '/v1/events',
      );
      return;
    }
    if (request.method === 'GET' && url.pathname === '/v1/invoice_payments') {
      const paymentIntent = url.searchParams.get('payment[payment_intent]') ?? '';
      const invoice = this.invoiceOfPayment.get(paymentIntent);
      const expanded = url.searchParams.getAll('expand[]').includes('data.invoice');
      const data = invoice
        ? [
            {
              id: `inpay_${paymentIntent.slice(3, 15)}`,
              object: 'invoice_payment',
              amount_paid: null,
              amount_requested: invoice.amount_due,
              currency: invoice.currency,
              invoice: expanded ? invoice : invoice.id,
              is_default: true,
              livemode: false,
              payment: { type: 'payment_intent', payment_intent: paymentIntent },
              status: 'open',
            },
          ]
        : [];
      send(200, { object: 'list', data, has_more: false, url: '/v1/invoice_payments' });
      return;
    }
    send(404, {
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${request.method}: ${url.pathname})`,
      },
    });
  }
}

/**
 * One fake Stripe API for the tests of the enclosing file (or `describe`), started empty on a free
 * port before each test and stopped after it.
 */
export function fakeStripeApiPerTest(): FakeStripeApi {
  const api = new FakeStripeApi();
  beforeEach(async () => {
    await api.start();
  });
  afterEach(async () => {
    await api.stop();
  });
  return api;
}
