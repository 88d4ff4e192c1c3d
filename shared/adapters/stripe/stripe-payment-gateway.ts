import Stripe from 'stripe';
import { CollectionsError } from '../../domain/errors.ts';
import type { InstalmentChargeResult, PayableClaim, PaymentGateway } from '../../ports.ts';

/** The invoice can no longer be paid online (already paid, voided): the page says so (409). */
export class PaymentUnavailableError extends CollectionsError {
  public override readonly statusCode = 409;
}

interface StripeScope {
  readonly customer: string;
  readonly options: Stripe.RequestOptions;
}

/**
 * Our customer ids are provider-qualified (`stripe:cus_...`, or `stripe:acct_...:cus_...` for a
 * Connect account, see `translateStripeEvent`); Stripe wants the bare id and the account header.
 */
export function stripeScopeOf(customerId: string): StripeScope {
  const parts = customerId.split(':');
  if (parts[0] !== 'stripe' || parts.length < 2 || parts.length > 3) {
    throw new CollectionsError(`customer ${customerId} is not a Stripe customer`);
  }
  const customer = parts[parts.length - 1] ?? '';
  return parts.length === 3
    ? { customer, options: { stripeAccount: parts[1] ?? '' } }
    : { customer, options: {} };
}

/** Stripe's hosted pages take a language (`de`), not a full locale (`de-CH`). */
function stripeLocale(locale: string): Stripe.BillingPortal.SessionCreateParams.Locale {
  const language = locale.split('-')[0]?.toLowerCase();
  const supported = ['en', 'es', 'de', 'fr', 'it', 'nl', 'pt', 'ja', 'sv', 'da', 'fi', 'nb', 'pl'];
  return (
    language && supported.includes(language) ? language : 'auto'
  ) as Stripe.BillingPortal.SessionCreateParams.Locale;
}

function isStripeError(error: unknown, type: string): boolean {
  return error instanceof Stripe.errors.StripeError && error.type === type;
}

/**
 * The portal's payments on Stripe: the hosted invoice page to pay a claim, a Billing portal session
 * to replace the card, `invoices.pay` to retry at once, off-session PaymentIntents for plan
 * instalments, and `paid_out_of_band` once a plan collected an invoice's amount. Every outcome the
 * product records arrives as a webhook (`invoice.paid`, `invoice.payment_failed`).
 */
export class StripePaymentGateway implements PaymentGateway {
  public constructor(private readonly stripe: Stripe) {}

  public async createPaymentPage(claim: PayableClaim): Promise<{ url: string }> {
    const { options } = stripeScopeOf(claim.customerId);
    // Re-read: the stored link may be stale, and a paid invoice must not be offered again.
    const invoice = await this.stripe.invoices.retrieve(claim.invoiceId, {}, options);
    if (invoice.status !== 'open' || !invoice.hosted_invoice_url) {
      throw new PaymentUnavailableError(`invoice ${claim.invoiceId} is ${invoice.status ?? 'unknown'}`);
    }
    return { url: invoice.hosted_invoice_url };
  }

  public async createCardUpdatePage(
    customerId: string,
    request: { readonly returnUrl: string; readonly locale: string },
  ): Promise<{ url: string }> {
    const { customer, options } = stripeScopeOf(customerId);
    const session = await this.stripe.billingPortal.sessions.create(
      {
        customer,
        return_url: request.returnUrl,
        locale: stripeLocale(request.locale),
        flow_data: {
          type: 'payment_method_update',
          after_completion: { type: 'redirect', redirect: { return_url: request.returnUrl } },
        },
      },
      options,
    );
    return { url: session.url };
  }

  public async retryClaims(claims: readonly PayableClaim[]): Promise<void> {
    for (const claim of claims) {
      const { options } = stripeScopeOf(claim.customerId);
      try {
        await this.stripe.invoices.pay(claim.invoiceId, { off_session: true }, options);
      } catch (error) {
        // A decline is an outcome, and Stripe reports it as `invoice.payment_failed`.
        if (isStripeError(error, 'StripeCardError')) continue;
        if (
          isStripeError(error, 'StripeInvalidRequestError') &&
          /already paid|not open|void/i.test(String((error as Error).message))
        ) {
          continue;
        }
        throw error;
      }
    }
  }

  public async chargeInstalment(request: {
    readonly customerId: string;
    readonly amountMinor: number;
    readonly currency: string;
    readonly idempotencyKey: string;
    readonly description: string;
  }): Promise<InstalmentChargeResult> {
    const { customer, options } = stripeScopeOf(request.customerId);
    const stored = await this.stripe.customers.retrieve(customer, {}, options);
    if (stored.deleted) return { status: 'failed', reason: 'customer_deleted' };
    const paymentMethod = stored.invoice_settings?.default_payment_method;
    const paymentMethodId = typeof paymentMethod === 'string' ? paymentMethod : paymentMethod?.id;
    if (!paymentMethodId) return { status: 'failed', reason: 'no_payment_method' };
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amountMinor,
          currency: request.currency.toLowerCase(),
          customer,
          payment_method: paymentMethodId,
          off_session: true,
          confirm: true,
          description: request.description,
          metadata: { collections_charge: request.idempotencyKey },
        },
        { ...options, idempotencyKey: request.idempotencyKey },
      );
      return intent.status === 'succeeded'
        ? { status: 'succeeded', paymentRef: intent.id }
        : { status: 'failed', reason: intent.status };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        return { status: 'failed', reason: error.decline_code ?? error.code ?? 'card_declined' };
      }
      throw error;
    }
  }

  public async settleClaimsOutOfBand(claims: readonly PayableClaim[], reference: string): Promise<void> {
    for (const claim of claims) {
      const { options } = stripeScopeOf(claim.customerId);
      try {
        await this.stripe.invoices.pay(
          claim.invoiceId,
          { paid_out_of_band: true },
          { ...options, idempotencyKey: `settle-${reference}-${claim.invoiceId}` },
        );
      } catch (error) {
        if (
          isStripeError(error, 'StripeInvalidRequestError') &&
          /already paid/i.test(String((error as Error).message))
        ) {
          continue;
        }
        throw error;
      }
    }
  }
}
