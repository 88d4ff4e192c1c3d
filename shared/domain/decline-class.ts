import { z } from 'zod';

/**
 * What a declined payment means for collection, from ../shared/DOMAIN.md §2. Strategies branch
 * on these classes (never on raw provider codes), and the payment-retry rules read them:
 * - `insufficient-funds`: soft; retry toward payday, offer a plan if it repeats.
 * - `soft-limited`: soft but limited (do_not_honor, generic_decline): 1-2 retries.
 * - `transient`: issuer or network hiccup: a quick silent retry.
 * - `hard`: the card cannot work (expired, wrong number): never retry the same card; ask for a new one.
 * - `authentication-required`: 3-D Secure needed: no blind retry, send the confirmation link.
 * - `fraud-risk`: lost/stolen/fraudulent: never retry, neutral wording, consider review.
 * - `revoked`: the debtor revoked the mandate or stopped the payment: never retry, route to an agent.
 * - `duplicate`: reconcile before any new attempt.
 * - `unknown`: no code, or one not in the table.
 */
export const declineClassSchema = z.enum([
  'insufficient-funds',
  'soft-limited',
  'transient',
  'hard',
  'authentication-required',
  'fraud-risk',
  'revoked',
  'duplicate',
  'unknown',
]);
export type DeclineClass = z.infer<typeof declineClassSchema>;

/** Classes on which the same card must never be charged again (card-network rules, Visa category 1). */
const neverRetry: ReadonlySet<DeclineClass> = new Set([
  'hard',
  'authentication-required',
  'fraud-risk',
  'revoked',
  'duplicate',
]);

export function isHardDecline(declineClass: DeclineClass | undefined): boolean {
  return declineClass !== undefined && neverRetry.has(declineClass);
}

const classByStripeCode: Readonly<Record<string, DeclineClass>> = {
  insufficient_funds: 'insufficient-funds',
  withdrawal_count_limit_exceeded: 'insufficient-funds',
  card_velocity_exceeded: 'insufficient-funds',
  do_not_honor: 'soft-limited',
  generic_decline: 'soft-limited',
  call_issuer: 'soft-limited',
  no_action_taken: 'soft-limited',
  try_again_later: 'transient',
  processing_error: 'transient',
  issuer_not_available: 'transient',
  reenter_transaction: 'transient',
  expired_card: 'hard',
  incorrect_number: 'hard',
  invalid_number: 'hard',
  incorrect_cvc: 'hard',
  invalid_expiry_year: 'hard',
  incorrect_zip: 'hard',
  card_not_supported: 'hard',
  currency_not_supported: 'hard',
  transaction_not_allowed: 'hard',
  invalid_account: 'hard',
  authentication_required: 'authentication-required',
  lost_card: 'fraud-risk',
  stolen_card: 'fraud-risk',
  pickup_card: 'fraud-risk',
  restricted_card: 'fraud-risk',
  fraudulent: 'fraud-risk',
  merchant_blacklist: 'fraud-risk',
  security_violation: 'fraud-risk',
  revocation_of_authorization: 'revoked',
  revocation_of_all_authorizations: 'revoked',
  stop_payment_order: 'revoked',
  do_not_try_again: 'revoked',
  duplicate_transaction: 'duplicate',
};

/**
 * Classifies a Stripe `decline_code` and `advice_code`. The advice code wins when it forbids a
 * retry (`do_not_try_again`), because the issuer said so for this very attempt.
 */
export function classifyStripeDecline(declineCode?: string, adviceCode?: string): DeclineClass {
  if (adviceCode === 'do_not_try_again') return 'revoked';
  const byCode = declineCode ? classByStripeCode[declineCode] : undefined;
  if (byCode) return byCode;
  if (adviceCode === 'try_again_later') return 'transient';
  if (adviceCode === 'confirm_card_data') return 'hard';
  return 'unknown';
}
