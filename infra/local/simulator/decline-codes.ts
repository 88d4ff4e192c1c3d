import type { Weighted } from './seeded-random.ts';

/**
 * Card decline codes and how Stripe and the debtor react to them (DOMAIN.md §2). The mix is a
 * plausible one for card-on-file subscriptions: insufficient funds and issuer "do not honor"
 * dominate, expired cards are the largest hard category.
 */
export type DeclineCategory =
  /** insufficient funds and limits: retries timed toward payday work */
  | 'soft'
  /** do_not_honor & co: 1-2 retries, then the debtor must call the bank or use another card */
  | 'soft-limited'
  /** issuer hiccups: a quick silent retry usually succeeds */
  | 'transient'
  /** the card will never work again: only a new card helps */
  | 'hard'
  /** 3DS needed: no retry, the debtor must confirm on the hosted page */
  | 'authentication'
  /** lost/stolen/fraud: never retry, neutral wording */
  | 'fraud'
  /** revoked authorisation: never retry, likely churn or chargeback */
  | 'revocation';

export interface DeclineCode {
  readonly code: string;
  readonly category: DeclineCategory;
  /** Stripe's `advice_code` on the error, when it sends one. */
  readonly adviceCode?: 'try_again_later' | 'do_not_try_again' | 'confirm_card_data';
  /** The card network's raw code (`network_decline_code`), Visa style. */
  readonly networkDeclineCode: string;
  /** Stripe's `code` on the error: `card_declined` for most, a specific one for some. */
  readonly errorCode: string;
  readonly message: string;
}

const declineCodes: readonly (DeclineCode & { readonly weight: number })[] = [
  {
    code: 'insufficient_funds',
    category: 'soft',
    adviceCode: 'try_again_later',
    networkDeclineCode: '51',
    errorCode: 'card_declined',
    message: 'Your card has insufficient funds.',
    weight: 36,
  },
  {
    code: 'withdrawal_count_limit_exceeded',
    category: 'soft',
    adviceCode: 'try_again_later',
    networkDeclineCode: '65',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'card_velocity_exceeded',
    category: 'soft',
    adviceCode: 'try_again_later',
    networkDeclineCode: '61',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 2,
  },
  {
    code: 'do_not_honor',
    category: 'soft-limited',
    networkDeclineCode: '05',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 18,
  },
  {
    code: 'generic_decline',
    category: 'soft-limited',
    networkDeclineCode: '05',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 12,
  },
  {
    code: 'call_issuer',
    category: 'soft-limited',
    networkDeclineCode: '01',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'no_action_taken',
    category: 'soft-limited',
    networkDeclineCode: '05',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'try_again_later',
    category: 'transient',
    adviceCode: 'try_again_later',
    networkDeclineCode: '19',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 2,
  },
  {
    code: 'processing_error',
    category: 'transient',
    adviceCode: 'try_again_later',
    networkDeclineCode: '96',
    errorCode: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
    weight: 2,
  },
  {
    code: 'issuer_not_available',
    category: 'transient',
    adviceCode: 'try_again_later',
    networkDeclineCode: '91',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'expired_card',
    category: 'hard',
    adviceCode: 'confirm_card_data',
    networkDeclineCode: '54',
    errorCode: 'expired_card',
    message: 'Your card has expired.',
    weight: 10,
  },
  {
    code: 'incorrect_number',
    category: 'hard',
    adviceCode: 'confirm_card_data',
    networkDeclineCode: '14',
    errorCode: 'incorrect_number',
    message: 'Your card number is incorrect.',
    weight: 1,
  },
  {
    code: 'incorrect_cvc',
    category: 'hard',
    adviceCode: 'confirm_card_data',
    networkDeclineCode: 'N7',
    errorCode: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
    weight: 1,
  },
  {
    code: 'transaction_not_allowed',
    category: 'hard',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: '57',
    errorCode: 'card_declined',
    message: 'Your card does not support this type of purchase.',
    weight: 2,
  },
  {
    code: 'card_not_supported',
    category: 'hard',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: '57',
    errorCode: 'card_declined',
    message: 'Your card does not support this type of purchase.',
    weight: 1,
  },
  {
    code: 'authentication_required',
    category: 'authentication',
    networkDeclineCode: '1A',
    errorCode: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
    weight: 4,
  },
  {
    code: 'lost_card',
    category: 'fraud',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: '41',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'stolen_card',
    category: 'fraud',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: '43',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'fraudulent',
    category: 'fraud',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: '59',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'revocation_of_authorization',
    category: 'revocation',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: 'R0',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
  {
    code: 'stop_payment_order',
    category: 'revocation',
    adviceCode: 'do_not_try_again',
    networkDeclineCode: 'R1',
    errorCode: 'card_declined',
    message: 'Your card was declined.',
    weight: 1,
  },
];

export const declineCodeMix: readonly Weighted<DeclineCode>[] = declineCodes.map(
  ({ weight, ...declineCode }) => ({ value: declineCode, weight }),
);

/** Whether Stripe's Smart Retries try the same card again after this category (DOMAIN.md §2). */
export function isRetriedByStripe(category: DeclineCategory): boolean {
  return category === 'soft' || category === 'soft-limited' || category === 'transient';
}

/**
 * Chance that one automatic retry of the same card succeeds, by category and retry number
 * (1-based). Insufficient funds clear around payday; "do not honor" rarely changes its mind
 * after the second try; issuer hiccups clear at once.
 */
export function retrySuccessChance(category: DeclineCategory, retry: number): number {
  if (category === 'transient') return retry === 1 ? 0.7 : 0.4;
  if (category === 'soft') return 0.16;
  if (category === 'soft-limited') return retry <= 2 ? 0.12 : 0.03;
  return 0;
}
