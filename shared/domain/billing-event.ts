import type { ContactPreferences } from './contact-policy.ts';
import type { DeclineClassification } from './decline-classification.ts';

/**
 * The provider-neutral billing event. Every provider adapter translates into this model and
 * every rule downstream reads only this model.
 */
export type BillingProvider = 'stripe' | 'chargebee' | 'paddle' | 'inhouse';

/** Events about one claim (an invoice, a Paddle transaction): they carry the claim's snapshot. */
export type ClaimEventKind =
  /** The invoice exists and is due or coming due; no payment failed (yet). Keeps the claim in sync. */
  | 'claim.updated'
  /** A payment attempt on the claim failed. */
  | 'claim.payment_failed'
  /** The debtor must authenticate the payment (3-D Secure): send the link, never retry blindly. */
  | 'claim.action_required'
  /** The claim was paid, by any means (retry, portal, out of band). */
  | 'claim.paid'
  /** The claim was cancelled; it leaves every denominator. */
  | 'claim.voided'
  /** The claim was written off in billing (Stripe: marked uncollectible). */
  | 'claim.written_off'
  /** A chargeback on the claim's payment was opened, changed or closed. */
  | 'claim.disputed'
  /** Money went back to the debtor: a refund, or a credit note issued after payment. */
  | 'claim.refunded';

export type CustomerEventKind =
  /** Contact data changed. */
  | 'customer.updated'
  /** The customer was deleted in billing: stop all contact. */
  | 'customer.deleted'
  /** The payment method was added or replaced (by the debtor, or by the card network's updater). */
  | 'customer.payment_method_updated';

export type SubscriptionEventKind = 'subscription.updated';

export type BillingEventKind = ClaimEventKind | CustomerEventKind | SubscriptionEventKind;

export interface CustomerSnapshot {
  /** Provider-qualified id, e.g. `stripe:cus_123`. */
  readonly customerId: string;
  readonly email?: string;
  readonly name?: string;
  /** E.164 when the provider has one. */
  readonly phone?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: string;
  /** IANA time zone when the billing data carries one. */
  readonly timeZone?: string;
  /** BCP 47 locale the customer prefers. */
  readonly locale?: string;
  /**
   * Consent and opt-out per channel (ISO), as billing knows them (provider metadata, the in-house
   * format's fields; docs/billing-ingest.md). STOP replies and complaints are kept apart, as
   * consent records (contact-consent.ts), and win over these (docs/contact-policy.md).
   */
  readonly contactPreferences?: ContactPreferences;
  /** The segment strategies and routing rules select on (e.g. `b2c`, `smb`, `enterprise`). */
  readonly segment?: string;
  /** Further attributes strategy conditions may match (`when.customer`), e.g. `plan: pro`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * Where a claim snapshot comes from. An invoice (or transaction) object is authoritative for the
 * claim's amounts; a payment object (a PaymentIntent, a dispute) only tells them when nothing
 * better is known, whatever the order of arrival.
 */
export type ClaimSnapshotSource = 'invoice' | 'payment';

export interface ClaimSnapshot {
  /** Provider-qualified id, e.g. `stripe:in_123`. */
  readonly claimId: string;
  /** The provider's own invoice id. */
  readonly invoiceId: string;
  /** The amount billed, in the currency's minor unit. */
  readonly amountMinor: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
  /** What is still owed (after partial payments and pre-payment credit notes), when the provider says. */
  readonly amountRemainingMinor?: number;
  /** @default 'invoice' */
  readonly source?: ClaimSnapshotSource;
  /** Page where the debtor can pay this claim. */
  readonly payUrl?: string;
  /** Payment attempts so far, as the provider counts them. @default 0 */
  readonly attemptCount?: number;
  /** When the provider will retry by itself (ISO), if it will. Journeys wait for it instead of competing. */
  readonly nextPaymentAttemptAt?: string;
  /** When the claim is or was due (ISO). */
  readonly dueAt?: string;
  /** When the provider says it was paid (ISO). */
  readonly paidAt?: string;
  readonly subscriptionId?: string;
  /** The provider's own dunning: Chargebee's `dunning_status`. */
  readonly dunningStatus?: 'in_progress' | 'exhausted' | 'stopped';
  /** When the invoice was issued (finalized, billed), ISO, when the provider says: the day it is billed in the metrics. */
  readonly issuedAt?: string;
  /** Whether it bills a subscription's recurring charges (not a one-off), when the provider says. */
  readonly recurring?: boolean;
}

/** One failed payment attempt and what the decline means for collection. */
export interface PaymentAttempt {
  /** The provider's payment id (PaymentIntent, charge, transaction), when known. */
  readonly paymentId?: string;
  /** The issuer's decline reason (Stripe `decline_code`). */
  readonly declineCode?: string;
  /** The provider's error code when there is no issuer decline (Stripe `code`, Paddle `error_code`). */
  readonly failureCode?: string;
  /** The issuer's advice (Stripe `advice_code`: `try_again_later`, `do_not_try_again`, `confirm_card_data`). */
  readonly adviceCode?: string;
  /** The card network's advice (Mastercard merchant advice code, e.g. `03`, `24`). */
  readonly networkAdviceCode?: string;
  readonly networkDeclineCode?: string;
  readonly classification: DeclineClassification;
}

/** Stripe's dispute statuses, provider-neutral enough for the others. */
export type DisputeState =
  | 'warning_needs_response'
  | 'warning_under_review'
  | 'warning_closed'
  | 'needs_response'
  | 'under_review'
  | 'won'
  | 'lost'
  | 'prevented';

export interface DisputeSnapshot {
  /** Provider-qualified dispute id. */
  readonly disputeId: string;
  readonly state: DisputeState;
  readonly amountMinor: number;
  readonly currency: string;
  /** The network reason (`fraudulent`, `product_not_received`, ...). Not shown to debtors. */
  readonly reason?: string;
}

export interface CreditSnapshot {
  /** Provider-qualified id of the refunded payment or the credit note: the unit that is summed. */
  readonly creditId: string;
  readonly type: 'refund' | 'credit_note';
  /** Total given back under this id so far (Stripe's `amount_refunded` is cumulative per charge). */
  readonly amountMinor: number;
  readonly currency: string;
  /** A voided credit note gives nothing back. */
  readonly voided?: boolean;
}

export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'unpaid'
  | 'paused'
  | 'canceled';

/** Why a subscription ended: `payment_failed` and `payment_disputed` are involuntary churn. */
export type CancellationReason = 'payment_failed' | 'payment_disputed' | 'cancellation_requested' | 'other';

export interface SubscriptionSnapshot {
  /** Provider-qualified id, e.g. `stripe:sub_123`. */
  readonly subscriptionId: string;
  readonly status: SubscriptionStatus;
  /** Monthly recurring revenue in the currency's minor unit (see `monthlyRecurringAmount`). */
  readonly mrrMinor?: number;
  readonly currency?: string;
  readonly canceledAt?: string;
  readonly cancellationReason?: CancellationReason;
  readonly currentPeriodEnd?: string;
}

interface BillingEventBase {
  readonly provider: BillingProvider;
  /** The provider's event id; the unit of idempotency. */
  readonly eventId: string;
  /** When the provider says the event happened (ISO). */
  readonly occurredAt: string;
  /** Whether the event comes from live billing (not a test or sandbox). */
  readonly livemode: boolean;
  /** The provider's raw event type, for counting and logs. */
  readonly sourceType?: string;
  /**
   * Provider data the adapter left out, and why (a malformed consent date in metadata): logged by
   * the ingest entry points, never fatal, because the rest of the event is still true.
   */
  readonly dataWarnings?: readonly string[];
}

export interface ClaimBillingEvent extends BillingEventBase {
  readonly kind: ClaimEventKind;
  readonly customer: CustomerSnapshot;
  readonly claim: ClaimSnapshot;
  /** On `claim.payment_failed` when the provider says why. */
  readonly paymentAttempt?: PaymentAttempt;
  /** On `claim.disputed`. */
  readonly dispute?: DisputeSnapshot;
  /** On `claim.refunded`. */
  readonly credit?: CreditSnapshot;
}

export interface CustomerBillingEvent extends BillingEventBase {
  readonly kind: CustomerEventKind;
  readonly customer: CustomerSnapshot;
  /** On `customer.payment_method_updated`: the card network's account updater did it, not the debtor. */
  readonly automatic?: boolean;
}

export interface SubscriptionBillingEvent extends BillingEventBase {
  readonly kind: SubscriptionEventKind;
  readonly customer: CustomerSnapshot;
  readonly subscription: SubscriptionSnapshot;
}

export type BillingEvent = ClaimBillingEvent | CustomerBillingEvent | SubscriptionBillingEvent;

const claimEventKinds: ReadonlySet<string> = new Set<ClaimEventKind>([
  'claim.updated',
  'claim.payment_failed',
  'claim.action_required',
  'claim.paid',
  'claim.voided',
  'claim.written_off',
  'claim.disputed',
  'claim.refunded',
]);

export function isClaimEvent(event: BillingEvent): event is ClaimBillingEvent {
  return claimEventKinds.has(event.kind);
}

export function isSubscriptionEvent(event: BillingEvent): event is SubscriptionBillingEvent {
  return event.kind === 'subscription.updated';
}

/** What a provider adapter makes of one verified provider event. */
export type BillingTranslation =
  | { readonly status: 'translated'; readonly event: BillingEvent }
  | { readonly status: 'ignored'; readonly reason: string };
