/**
 * What a declined payment means for collection (DOMAIN.md §2). Providers send an issuer decline
 * code, an issuer advice code and a card-network advice code; each is read, and the most
 * restrictive reading wins, so a "soft" decline code never overrides a network "stop".
 */
export type DeclineCategory =
  /** Retry later; the card may work (insufficient funds, generic declines, issuer outages). */
  | 'soft'
  /** The card will not work again: ask for a new one, never retry it. */
  | 'hard'
  /** The debtor must authenticate (3-D Secure): send the link, no blind retry. */
  | 'authentication_required'
  /** Lost, stolen or suspected fraud: never retry, neutral wording, consider a review. */
  | 'fraud'
  /** The debtor or the network revoked the authorization: never retry, route to an agent. */
  | 'stop';

export type RetryTiming =
  /** Time the retry toward payday or the start of the month. */
  | 'toward_payday'
  /** A quick silent retry within hours, then the normal cadence. */
  | 'quick'
  /** The normal cadence, but only a couple of retries. */
  | 'limited'
  /** Not before `retryAfterSeconds` (a network advice code says when). */
  | 'after_delay'
  /** Reconcile with the provider before any new attempt (duplicate transaction). */
  | 'after_reconciliation'
  /** Never retry this payment method. */
  | 'never';

export interface DeclineClassification {
  readonly category: DeclineCategory;
  readonly retry: RetryTiming;
  /** At most this many further retries of the same payment method. */
  readonly maxRetries?: number;
  /** The earliest retry, in seconds after the decline (Mastercard merchant advice codes 24-30). */
  readonly retryAfterSeconds?: number;
  /** Ask the debtor for another payment method (update-card flow). */
  readonly askForNewPaymentMethod: boolean;
  /** Never reveal the reason to the debtor (fraud-like declines). */
  readonly neutralWording: boolean;
  /** Hand the case to an agent. */
  readonly routeToAgent: boolean;
  /** Which code decided: the most restrictive one. */
  readonly decidedBy: 'decline_code' | 'advice_code' | 'network_advice_code' | 'failure_code' | 'default';
  /** That code's value. */
  readonly decidingCode?: string;
}

type Reading = Omit<DeclineClassification, 'decidedBy' | 'decidingCode'>;

const soft = (retry: RetryTiming, extra: Partial<Reading> = {}): Reading => ({
  category: 'soft',
  retry,
  askForNewPaymentMethod: retry !== 'quick',
  neutralWording: false,
  routeToAgent: false,
  ...extra,
});
const hard: Reading = {
  category: 'hard',
  retry: 'never',
  askForNewPaymentMethod: true,
  neutralWording: false,
  routeToAgent: false,
};
const authentication: Reading = {
  category: 'authentication_required',
  retry: 'never',
  askForNewPaymentMethod: false,
  neutralWording: false,
  routeToAgent: false,
};
const fraud: Reading = {
  category: 'fraud',
  retry: 'never',
  askForNewPaymentMethod: true,
  neutralWording: true,
  routeToAgent: true,
};
const stop: Reading = {
  category: 'stop',
  retry: 'never',
  askForNewPaymentMethod: false,
  neutralWording: false,
  routeToAgent: true,
};

function table(rows: readonly [readonly string[], Reading][]): ReadonlyMap<string, Reading> {
  return new Map(rows.flatMap(([codes, reading]) => codes.map((code) => [code, reading] as const)));
}

/** Stripe `decline_code` values (the issuer's reason), DOMAIN.md §2. */
const declineCodes = table([
  [
    ['insufficient_funds', 'withdrawal_count_limit_exceeded', 'card_velocity_exceeded'],
    soft('toward_payday'),
  ],
  [['do_not_honor', 'generic_decline', 'call_issuer', 'no_action_taken'], soft('limited', { maxRetries: 2 })],
  [['try_again_later', 'processing_error', 'issuer_not_available', 'reenter_transaction'], soft('quick')],
  [
    [
      'expired_card',
      'incorrect_number',
      'invalid_number',
      'incorrect_cvc',
      'invalid_cvc',
      'invalid_expiry_month',
      'invalid_expiry_year',
      'incorrect_zip',
      'card_not_supported',
      'currency_not_supported',
      'transaction_not_allowed',
      'invalid_account',
      'new_account_information_available',
    ],
    hard,
  ],
  [['authentication_required', 'approve_with_id'], authentication],
  [
    [
      'lost_card',
      'stolen_card',
      'pickup_card',
      'restricted_card',
      'fraudulent',
      'merchant_blacklist',
      'security_violation',
    ],
    fraud,
  ],
  [
    [
      'revocation_of_authorization',
      'revocation_of_all_authorizations',
      'stop_payment_order',
      'do_not_try_again',
    ],
    stop,
  ],
  [['duplicate_transaction'], soft('after_reconciliation', { askForNewPaymentMethod: false, maxRetries: 0 })],
]);

/** Stripe `advice_code` values (the issuer's advice). */
const adviceCodes = table([
  [['try_again_later'], soft('quick')],
  [['do_not_try_again'], stop],
  [['confirm_card_data'], hard],
]);

/** Stripe error `code` values when there is no issuer decline (e.g. `card_declined` without a reason). */
const failureCodes = table([
  [['expired_card', 'incorrect_number', 'invalid_number', 'incorrect_cvc', 'invalid_expiry_year'], hard],
  [['authentication_required', 'payment_intent_authentication_failure'], authentication],
  [['insufficient_funds'], soft('toward_payday')],
  [['processing_error'], soft('quick')],
  [['card_declined'], soft('limited', { maxRetries: 2 })],
]);

const hour = 3_600;
const day = 24 * hour;

/**
 * Mastercard merchant advice codes: 03 and 21 stop for good; 24-30 say when a retry may come
 * (after 1 h, 24 h, 2, 4, 6, 8, 10 days); 01 asks for updated account information.
 */
function networkAdvice(code: string): Reading | undefined {
  const delays: Record<string, number> = {
    '24': hour,
    '25': day,
    '26': 2 * day,
    '27': 4 * day,
    '28': 6 * day,
    '29': 8 * day,
    '30': 10 * day,
  };
  if (code === '03' || code === '21') return stop;
  if (code === '01') return hard;
  const delay = delays[code];
  if (delay !== undefined)
    return soft('after_delay', { retryAfterSeconds: delay, askForNewPaymentMethod: false });
  return undefined;
}

/** Higher is more restrictive. */
const severity: Record<DeclineCategory, number> = {
  soft: 0,
  authentication_required: 1,
  hard: 2,
  fraud: 3,
  stop: 4,
};

export interface DeclineCodes {
  readonly declineCode?: string | undefined;
  readonly adviceCode?: string | undefined;
  readonly networkAdviceCode?: string | undefined;
  readonly failureCode?: string | undefined;
}

/**
 * Classifies a decline from every code the provider sent. Unknown codes count as a soft,
 * limited decline: retrying a little is what Stripe's Smart Retries would do too.
 */
export function classifyDecline(codes: DeclineCodes): DeclineClassification {
  const readings: DeclineClassification[] = [];
  const read = (
    decidedBy: DeclineClassification['decidedBy'],
    code: string | undefined,
    lookup: (code: string) => Reading | undefined,
  ): void => {
    const normalized = code?.trim().toLowerCase();
    if (!normalized) return;
    const reading = lookup(normalized);
    if (reading) readings.push({ ...reading, decidedBy, decidingCode: normalized });
  };
  read('network_advice_code', codes.networkAdviceCode, networkAdvice);
  read('advice_code', codes.adviceCode, (code) => adviceCodes.get(code));
  read('decline_code', codes.declineCode, (code) => declineCodes.get(code));
  read('failure_code', codes.failureCode, (code) => failureCodes.get(code));
  const [first, ...rest] = readings;
  if (first === undefined) {
    const unknown = codes.declineCode ?? codes.failureCode;
    return {
      ...soft('limited', { maxRetries: 2 }),
      decidedBy: 'default',
      ...(unknown ? { decidingCode: unknown } : {}),
    };
  }
  // The most restrictive category wins; among equals, the first read (network, then issuer advice).
  let decided = first;
  for (const reading of rest) {
    if (severity[reading.category] > severity[decided.category]) decided = reading;
  }
  // A soft decline keeps the longest delay any code asked for.
  if (decided.category === 'soft') {
    const delays = readings.map((reading) => reading.retryAfterSeconds ?? 0);
    const longest = Math.max(...delays);
    if (longest > 0 && decided.retryAfterSeconds !== longest)
      return { ...decided, retryAfterSeconds: longest };
  }
  return decided;
}

/** Whether the payment method may be charged again automatically. */
export function mayRetrySamePaymentMethod(classification: DeclineClassification): boolean {
  return classification.retry !== 'never' && classification.maxRetries !== 0;
}
