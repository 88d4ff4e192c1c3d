/**
 * The provider-neutral billing event. Every provider adapter translates into this model and
 * every rule downstream reads only this model.
 */
export type BillingProvider = 'stripe';

export type BillingEventKind =
  /** A payment attempt on the claim failed. */
  | 'claim.payment_failed'
  /** The claim was paid, by any means (retry, portal, out of band). */
  | 'claim.paid'
  /** The claim was cancelled; it leaves every denominator. */
  | 'claim.voided'
  /** The claim was written off in billing (Stripe: marked uncollectible). */
  | 'claim.written_off';

export interface CustomerSnapshot {
  /** Provider-qualified id, e.g. `stripe:cus_123`. */
  readonly customerId: string;
  readonly email?: string;
  readonly name?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: string;
  /** IANA time zone when the billing data carries one. */
  readonly timeZone?: string;
  /** BCP 47 locale the customer prefers. */
  readonly locale?: string;
}

export interface ClaimSnapshot {
  /** Provider-qualified id, e.g. `stripe:in_123`. */
  readonly claimId: string;
  /** The provider's own invoice id. */
  readonly invoiceId: string;
  readonly amountMinor: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
  /** Page where the debtor can pay this claim. */
  readonly payUrl?: string;
  /** Payment attempts so far, as the provider counts them. */
  readonly attemptCount: number;
  /** When the provider will retry by itself (ISO), if it will. */
  readonly nextPaymentAttemptAt?: string;
  /** When the provider says it was paid (ISO). */
  readonly paidAt?: string;
  readonly subscriptionId?: string;
}

export interface BillingEvent {
  readonly provider: BillingProvider;
  /** The provider's event id; the unit of idempotency. */
  readonly eventId: string;
  readonly kind: BillingEventKind;
  /** When the provider says the event happened (ISO). */
  readonly occurredAt: string;
  readonly livemode: boolean;
  readonly customer: CustomerSnapshot;
  readonly claim: ClaimSnapshot;
}
