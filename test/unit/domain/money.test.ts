import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnitDigits } from '../../../shared/domain/money.ts';

describe('minorUnitDigits', () => {
  it.each([
    ['USD', 2],
    ['usd', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['CLP', 0],
    ['BHD', 3],
    ['KWD', 3],
  ])('gives %s %i decimal places', (currency, digits) => {
    // Act
    const result = minorUnitDigits(currency);

    // Assess
    expect(result).toBe(digits);
  });
});

describe('formatMoney', () => {
  it.each([
    [{ amountMinor: 4999, currency: 'USD' }, '$49.99'],
    [{ amountMinor: 4999, currency: 'usd' }, '$49.99'],
    [{ amountMinor: 5000, currency: 'JPY' }, '¥5,000'],
    [{ amountMinor: 12345, currency: 'BHD' }, 'BHD\u00a012.345'],
    [{ amountMinor: 100, currency: 'USD' }, '$1.00'],
    [{ amountMinor: 0, currency: 'EUR' }, '€0.00'],
  ])('formats %o as %s in en-US', (money, expected) => {
    // Act
    const text = formatMoney(money);

    // Assess
    expect(text).toBe(expected);
  });

  it('follows the locale for separators and symbol position', () => {
    // Act
    const text = formatMoney({ amountMinor: 123456, currency: 'EUR' }, 'de-DE');

    // Assess
    expect(text).toBe('1.234,56\u00a0€');
  });

  it.each([
    // Stripe: "ISK will remain a two-decimal currency in the Stripe API, and an ISK amount of 100
    // will continue to represent 1 króna". HUF invoices are charged in two decimals as well.
    ['ISK', 500_000, 5_000],
    ['HUF', 1_250_000, 12_500],
  ])(
    'shows %s amounts, which Stripe sends in hundredths, in whole units (%i → %i)',
    (currency, amountMinor, units) => {
      // Prepare
      const expected = new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(units);

      // Act
      const text = formatMoney({ amountMinor, currency });

      // Assess
      expect(text).toBe(expected);
    },
  );
});
