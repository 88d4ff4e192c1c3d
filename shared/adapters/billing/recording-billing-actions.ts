import type { BillingActions, BillingClaimRef, Clock, PaymentRetryOutcome } from '../../ports.ts';

export interface RecordedBillingAction {
  readonly kind: 'retry-payment' | 'mark-uncollectible' | 'cancel-subscription';
  readonly target: string;
  readonly idempotencyKey: string;
  readonly at: string;
  readonly outcome?: PaymentRetryOutcome;
  readonly when?: 'immediately' | 'at-period-end';
}

/**
 * The billing provider of the local runtime: it records what the journeys asked for (visible at
 * `GET /local/billing-actions`) and changes nothing, since no real provider is reachable. A payment
 * retry answers `declined` by default (the realistic outcome of retrying a failed card), or what
 * the operator set. Requests with an idempotency key seen before are answered as before, as the
 * real provider does.
 */
export class RecordingBillingActions implements BillingActions {
  private readonly recorded: RecordedBillingAction[] = [];
  private readonly answers = new Map<string, RecordedBillingAction>();

  public constructor(
    private readonly clock: Clock,
    private retryOutcome: PaymentRetryOutcome = { outcome: 'declined', declineCode: 'insufficient_funds' },
  ) {}

  public answerRetriesWith(outcome: PaymentRetryOutcome): void {
    this.retryOutcome = outcome;
  }

  public list(): RecordedBillingAction[] {
    return [...this.recorded];
  }

  public async retryPayment(claim: BillingClaimRef, idempotencyKey: string): Promise<PaymentRetryOutcome> {
    const recorded = this.record({
      kind: 'retry-payment',
      target: claim.invoiceId,
      idempotencyKey,
      outcome: this.retryOutcome,
    });
    return recorded.outcome ?? this.retryOutcome;
  }

  public async markUncollectible(claim: BillingClaimRef, idempotencyKey: string): Promise<void> {
    this.record({ kind: 'mark-uncollectible', target: claim.invoiceId, idempotencyKey });
  }

  public async cancelSubscription(
    subscription: { readonly provider: string; readonly subscriptionId: string },
    when: 'immediately' | 'at-period-end',
    idempotencyKey: string,
  ): Promise<void> {
    this.record({ kind: 'cancel-subscription', target: subscription.subscriptionId, idempotencyKey, when });
  }

  private record(action: Omit<RecordedBillingAction, 'at'>): RecordedBillingAction {
    const seen = this.answers.get(action.idempotencyKey);
    if (seen) return seen;
    const recorded = { ...action, at: this.clock.now().toISOString() };
    this.recorded.push(recorded);
    this.answers.set(action.idempotencyKey, recorded);
    return recorded;
  }
}
