/**
 * Money is always an integer amount in the currency's minor unit as the billing providers
 * count it (Stripe's convention): cents for USD, yen for JPY (zero-decimal), fils for BHD
 * (three decimals).
 */
export interface Money {
  readonly amountMinor: number;
  /** ISO 4217, upper case. */
  readonly currency: string;
}

/** Stripe's zero-decimal currencies: an amount of 500 JPY is ¥500. */
const zeroDecimalCurrencies = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/** Stripe's three-decimal currencies: an amount of 12345 BHD is 12.345 dinars. */
const threeDecimalCurrencies = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/**
 * Decimal places of a currency's minor unit as amounts arrive. This is Stripe's table, not
 * ISO 4217's: ISK, HUF and TWD are sent in hundredths although they are displayed in whole
 * units, so the two must not be confused (the display digits come from Intl).
 */
export function minorUnitDigits(currency: string): number {
  const code = currency.toUpperCase();
  if (zeroDecimalCurrencies.has(code)) return 0;
  if (threeDecimalCurrencies.has(code)) return 3;
  return 2;
}

/** ISO 4217 codes in use, from the runtime's ICU data (Node ships full ICU, Lambda too). */
const isoCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** Whether a code names a currency (`USD`, `jpy`), as opposed to three letters (`ZZZ`). */
export function isIsoCurrency(code: string): boolean {
  return isoCurrencies.has(code.toUpperCase());
}

const displayDigitsCache = new Map<string, number>();

/** Decimal places people see for a currency (ICU data): 0 for ISK and HUF, 2 for USD. */
function displayDigits(currency: string): number {
  let digits = displayDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
    displayDigitsCache.set(currency, digits);
  }
  return digits;
}

/** Formats a minor-unit amount for people, e.g. 4999 USD → "$49.99", 5000 JPY → "¥5,000". */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const currency = money.currency.toUpperCase();
  const digits = Math.min(displayDigits(currency), minorUnitDigits(currency));
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(money.amountMinor / 10 ** minorUnitDigits(currency));
}
