import Stripe from 'stripe';
import type { BillingActions, BillingClaimRef, PaymentRetryOutcome } from '../../ports.ts';

/** The parts of the Stripe client the actions use (a test passes a fake with the same shape). */
export type StripeBillingClient = {
  readonly invoices: Pick<Stripe['invoices'], 'retrieve' | 'pay' | 'markUncollectible'>;
  readonly subscriptions: Pick<Stripe['subscriptions'], 'cancel' | 'update'>;
};

/** Invoice statuses after which there is nothing left to collect. */
const settledStatuses = new Set(['paid', 'void', 'uncollectible']);

/**
 * Billing actions on Stripe. Each request carries the idempotency key the journey derived from
 * case, step and claim: a task retried after a timeout replays Stripe's stored answer instead of
 * charging again (Stripe keeps keys for at least 24 hours, and Step Functions retries within
 * minutes). A declined charge is an answer, not a failure: it comes back as `declined`.
 */
export class StripeBillingActions implements BillingActions {
  public constructor(private readonly stripe: StripeBillingClient) {}

  public async retryPayment(claim: BillingClaimRef, idempotencyKey: string): Promise<PaymentRetryOutcome> {
    const invoice = await this.stripe.invoices.retrieve(claim.invoiceId);
    if (settledStatuses.has(invoice.status ?? '')) return { outcome: 'already-settled' };
    try {
      const paid = await this.stripe.invoices.pay(claim.invoiceId, {}, { idempotencyKey });
      return paid.status === 'paid' ? { outcome: 'paid' } : { outcome: 'declined' };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        if (
          error.code === 'invoice_payment_intent_requires_action' ||
          error.decline_code === 'authentication_required'
        ) {
          return { outcome: 'requires-action' };
        }
        return { outcome: 'declined', ...(error.decline_code ? { declineCode: error.decline_code } : {}) };
      }
      throw error;
    }
  }

  public async markUncollectible(claim: BillingClaimRef, idempotencyKey: string): Promise<void> {
    const invoice = await this.stripe.invoices.retrieve(claim.invoiceId);
    if (settledStatuses.has(invoice.status ?? '')) return;
    await this.stripe.invoices.markUncollectible(claim.invoiceId, {}, { idempotencyKey });
  }

  public async cancelSubscription(
    subscription: { readonly provider: string; readonly subscriptionId: string },
    when: 'immediately' | 'at-period-end',
    idempotencyKey: string,
  ): Promise<void> {
    if (when === 'immediately') {
      await this.stripe.subscriptions.cancel(subscription.subscriptionId, {}, { idempotencyKey });
    } else {
      await this.stripe.subscriptions.update(
        subscription.subscriptionId,
        { cancel_at_period_end: true },
        { idempotencyKey },
      );
    }
  }
}
