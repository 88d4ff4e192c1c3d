import Stripe from 'stripe';
import { BillingNotConfiguredError } from '../../domain/errors.ts';
import type { BillingActions, BillingClaimRef, PaymentRetryOutcome } from '../../ports.ts';
import { StripeBillingActions } from './stripe-billing-actions.ts';

/**
 * Stripe billing actions with the API key read from a secret at call time (cached by the
 * reader), so a key set or rolled after deploy is picked up without a redeploy. While the secret
 * is empty every action throws BillingNotConfiguredError and the journey skips the step.
 */
export class SecretKeyedStripeBillingActions implements BillingActions {
  private cached: { key: string; actions: StripeBillingActions } | undefined;

  public constructor(private readonly readKey: () => Promise<string | undefined>) {}

  public async retryPayment(claim: BillingClaimRef, idempotencyKey: string): Promise<PaymentRetryOutcome> {
    return (await this.actions()).retryPayment(claim, idempotencyKey);
  }

  public async markUncollectible(claim: BillingClaimRef, idempotencyKey: string): Promise<void> {
    return (await this.actions()).markUncollectible(claim, idempotencyKey);
  }

  public async cancelSubscription(
    subscription: { readonly provider: string; readonly subscriptionId: string },
    when: 'immediately' | 'at-period-end',
    idempotencyKey: string,
  ): Promise<void> {
    return (await this.actions()).cancelSubscription(subscription, when, idempotencyKey);
  }

  private async actions(): Promise<StripeBillingActions> {
    const key = (await this.readKey())?.trim();
    if (!key) throw new BillingNotConfiguredError('the Stripe API key secret is empty');
    if (this.cached?.key !== key) {
      // Step Functions retries the task; the client retries network errors with the same idempotency key.
      this.cached = { key, actions: new StripeBillingActions(new Stripe(key, { maxNetworkRetries: 2 })) };
    }
    return this.cached.actions;
  }
}
