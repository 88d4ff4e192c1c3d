/**
 * Money is always an integer amount in the currency's minor unit (Stripe's convention):
 * cents for USD, yen for JPY (zero-decimal), fils for BHD (three decimals).
 */
export interface Money {
  readonly amountMinor: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
}

const fractionDigitsCache = new Map<string, number>();

/** Number of decimal places of a currency's minor unit, from the ICU data in Intl. */
export function minorUnitDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = fractionDigitsCache.get(code);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits as number;
    fractionDigitsCache.set(code, digits);
  }
  return digits;
}

/** Formats a minor-unit amount for people, e.g. 4999 USD → "$49.99", 5000 JPY → "¥5,000". */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const currency = money.currency.toUpperCase();
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(money.amountMinor / 10 ** digits);
}
