import Stripe from 'stripe';
import type { BillingTranslation } from '../../domain/billing-event.ts';
import type { BillingEventSource } from '../../use-cases/reconcile-billing-events.ts';
import type { StripePaymentLocator } from './stripe-billing-events.ts';

export interface StripeApiOptions {
  /** A restricted key with read access to invoices, invoice payments and events. */
  readonly apiKey: string;
  /**
   * Where the API lives; tests point it at a local server that answers like Stripe.
   * @default - api.stripe.com over HTTPS
   */
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /**
   * Retries of 429 and 5xx answers and network errors, with Stripe's backoff (honouring Retry-After).
   * @default 5
   */
  readonly maxNetworkRetries?: number;
}

/** One Stripe client per container, with retries on rate limits: the backfill and reconciliation share it. */
export function createStripeApiClient(options: StripeApiOptions): Stripe {
  return new Stripe(options.apiKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 5,
    timeout: 20_000,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
    appInfo: { name: 'collections-platform' },
  });
}

/** Finds a PaymentIntent's invoice with the invoice payments API (API versions from 2025-03-31 on). */
export function stripeApiPaymentLocator(stripe: Stripe): StripePaymentLocator {
  return async ({ paymentIntentId, account }) => {
    const page = await stripe.invoicePayments.list(
      {
        payment: { type: 'payment_intent', payment_intent: paymentIntentId },
        limit: 1,
        expand: ['data.invoice'],
      },
      account ? { stripeAccount: account } : undefined,
    );
    const [payment] = page.data;
    if (!payment) return undefined;
    const invoice = payment.invoice;
    if (typeof invoice === 'string') return { invoiceId: invoice };
    const customerId = 'customer' in invoice ? invoice.customer : undefined;
    const customer = typeof customerId === 'string' ? customerId : customerId?.id;
    return { invoiceId: invoice.id ?? '', ...(customer ? { customerId: customer } : {}) };
  };
}

/** Stripe's events API as a source for reconciliation (it keeps 30 days of events). */
export function stripeEventSource(
  stripe: Stripe,
  translate: (event: Stripe.Event) => Promise<BillingTranslation>,
): BillingEventSource {
  return {
    provider: 'stripe',
    listSince: async function* (sinceUnix) {
      // Auto-pagination follows `has_more`; the client retries 429s and 5xx with backoff.
      for await (const event of stripe.events.list({ created: { gte: sinceUnix }, limit: 100 })) {
        yield { id: event.id, type: event.type, created: event.created, translate: () => translate(event) };
      }
    },
  };
}
