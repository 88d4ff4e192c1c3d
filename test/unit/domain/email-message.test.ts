import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../shared/domain/email-message.ts';
import { templateIdSchema } from '../../../shared/domain/strategy.ts';
import { customerRecord, failedClaim } from '../../support/billing-records.ts';

const usdClaim = failedClaim({
  invoiceId: 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc',
  amountMinor: 4999,
  currency: 'USD',
  payUrl: 'https://invoice.stripe.com/i/acct_1NqLkdIwHu7ixq3W/test_YWNjdF8xTnFM?s=ap',
});
const jpyClaim = failedClaim({
  invoiceId: 'in_1SQ5bTLkdIwHu7ixJp9nY2Kx',
  amountMinor: 5000,
  currency: 'JPY',
  payUrl: 'https://invoice.stripe.com/i/acct_1NqLkdIwHu7ixq3W/test_YWNjdF8yUXJT?s=ap',
});
const bhdClaim = failedClaim({
  invoiceId: 'in_1SQ6cULkdIwHu7ixBh4rT8Mw',
  amountMinor: 12345,
  currency: 'BHD',
  payUrl: 'https://invoice.stripe.com/i/acct_1NqLkdIwHu7ixq3W/test_YWNjdF8zVkxN?s=ap',
});

/** The value of every href in an HTML fragment, with character references decoded as a browser would. */
function hrefs(html: string): string[] {
  const decode = (value: string) =>
    value
      .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
      .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => decode(match[1] ?? ''));
}

describe('renderEmail', () => {
  it('lists every open claim with its amount formatted for its own currency and its pay link', () => {
    // Act
    const email = renderEmail('payment-failed', customerRecord(), [usdClaim, jpyClaim, bhdClaim]);

    // Assess
    expect(email.subject).toBe('Your payment of BHD\u00a012.345 + ¥5,000 + $49.99 did not go through');
    expect(email.text).toContain('Hi Jenny Rosen,');
    expect(email.text).toContain(
      `- Invoice in_1SQ3hJLkdIwHu7ixQm4nZ8Yc: $49.99\n  Pay now: ${usdClaim.payUrl}`,
    );
    expect(email.text).toContain(
      `- Invoice in_1SQ5bTLkdIwHu7ixJp9nY2Kx: ¥5,000\n  Pay now: ${jpyClaim.payUrl}`,
    );
    expect(email.text).toContain(
      `- Invoice in_1SQ6cULkdIwHu7ixBh4rT8Mw: BHD\u00a012.345\n  Pay now: ${bhdClaim.payUrl}`,
    );
    expect(hrefs(email.html)).toEqual([usdClaim.payUrl, jpyClaim.payUrl, bhdClaim.payUrl]);
  });

  it('adds up claims per currency and never across currencies', () => {
    // Prepare
    const secondUsd = failedClaim({ invoiceId: 'in_1SQ7dVLkdIwHu7ixCq5sU9Nx', amountMinor: 1001 });

    // Act
    const email = renderEmail('payment-reminder', customerRecord(), [usdClaim, secondUsd, jpyClaim]);

    // Assess
    expect(email.subject).toBe('Reminder: ¥5,000 + $60.00 is still outstanding');
  });

  it('leaves out claims that are no longer open', () => {
    // Prepare
    const paid = { ...jpyClaim, status: 'paid' as const, paidAt: '2026-11-05T10:31:42.000Z' };

    // Act
    const email = renderEmail('final-notice', customerRecord(), [usdClaim, paid]);

    // Assess
    expect(email.subject).toBe('Final notice: $49.99 is overdue');
    expect(email.text).not.toContain('in_1SQ5bTLkdIwHu7ixJp9nY2Kx');
    expect(email.html).not.toContain('in_1SQ5bTLkdIwHu7ixJp9nY2Kx');
  });

  it('escapes customer data in the HTML part and keeps it verbatim in the text part', () => {
    // Prepare
    const customer = customerRecord({ name: `Tom & Jerry's <b>Cafe</b>` });

    // Act
    const email = renderEmail('payment-failed', customer, [usdClaim]);

    // Assess
    expect(email.text).toContain(`Hi Tom & Jerry's <b>Cafe</b>,`);
    expect(email.html).not.toContain('<b>Cafe</b>');
    expect(email.html).toContain('Tom &amp; Jerry&#39;s &lt;b&gt;Cafe&lt;&#x2F;b&gt;');
  });

  it('formats amounts in the customer locale, in the customer language', () => {
    // Prepare
    const customer = customerRecord({ name: 'Jonas Weber', locale: 'de-DE' });
    const eurClaim = failedClaim({ amountMinor: 123456, currency: 'EUR' });

    // Act
    const email = renderEmail('payment-failed', customer, [eurClaim]);

    // Assess
    expect(email.subject).toBe('Ihre Zahlung über 1.234,56\u00a0€ ist fehlgeschlagen');
  });

  it('greets the customer neutrally when the billing data has no name', () => {
    // Act
    const withoutName = renderEmail('payment-failed', customerRecord({ name: '   ' }), [usdClaim]);
    const withoutCustomer = renderEmail('payment-failed', undefined, [usdClaim]);

    // Assess
    expect(withoutName.text.startsWith('Hi there,')).toBe(true);
    expect(withoutCustomer.html.startsWith('<p>Hi there,</p>')).toBe(true);
  });

  it.each(templateIdSchema.options)(
    'renders the %s template with every pay link in both parts',
    (template) => {
      // Act
      const email = renderEmail(template, customerRecord(), [usdClaim, jpyClaim]);

      // Assess
      expect(email.subject).toContain('¥5,000 + $49.99');
      expect(email.text).toContain(`Pay now: ${usdClaim.payUrl}`);
      expect(email.text).toContain(`Pay now: ${jpyClaim.payUrl}`);
      expect(hrefs(email.html)).toEqual([usdClaim.payUrl, jpyClaim.payUrl]);
    },
  );
});

describe('renderEmail in the debtor language', () => {
  const euroClaim = failedClaim({ amountMinor: 4999, currency: 'EUR' });

  it.each([
    ['de-DE', 'Ihre Zahlung über 49,99 € ist fehlgeschlagen', 'Jetzt bezahlen: '],
    ['es-MX', 'No se pudo completar su pago de EUR 49.99', 'Pagar ahora: '],
    ['fr-CA', "Votre paiement de 49,99 € n'a pas abouti", 'Payer maintenant: '],
    ['en-GB', 'Your payment of €49.99 did not go through', 'Pay now: '],
  ])(
    'writes to a %s debtor in their language, with amounts formatted for that locale',
    (locale, subject, payLine) => {
      // Act
      const email = renderEmail('payment-failed', customerRecord({ locale, name: 'Alex' }), [euroClaim]);

      // Assess
      expect(email.subject.replace(/\u00a0|\u202f/g, ' ')).toBe(subject);
      expect(email.text.replace(/\u00a0|\u202f/g, ' ')).toContain(`${payLine}${euroClaim.payUrl}`);
    },
  );

  it('falls back to English for a language without templates, and greets without a name when there is none', () => {
    // Act
    const japanese = renderEmail('payment-reminder', customerRecord({ locale: 'ja-JP' }), [euroClaim]);
    const { name: _name, ...anonymous } = customerRecord({ locale: 'de-AT' });
    const german = renderEmail('payment-reminder', anonymous, [euroClaim]);

    // Assess
    expect(japanese.subject).toContain('Reminder:');
    expect(german.text.startsWith('Hallo,\n')).toBe(true);
  });

  it.each(['de', 'es', 'fr'])(
    'has every journey template in %s, each with the claims, pay links and portal link',
    (language) => {
      for (const template of templateIdSchema.options) {
        // Act
        const email = renderEmail(template, customerRecord({ locale: language, name: 'Alex' }), [euroClaim], {
          portalUrl: 'https://pay.example.test/portal/l/v1.token',
          offer: { installments: 3, intervalDays: 14 },
        });

        // Assess
        expect(email.text, template).toContain(String(euroClaim.payUrl));
        expect(email.text, template).toContain('https://pay.example.test/portal/l/v1.token');
        expect(email.text, template).toContain(euroClaim.invoiceId);
        expect(email.subject, template).not.toContain('{{');
        expect(email.html, template).toContain('<a href=');
      }
    },
  );
});
