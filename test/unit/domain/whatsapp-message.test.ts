import { describe, expect, it } from 'vitest';
import { emailLanguageOf } from '../../../shared/domain/email-message.ts';
import { templateIdSchema } from '../../../shared/domain/strategy.ts';
import {
  journeyTemplateOfWhatsApp,
  whatsAppTemplateBody,
  whatsAppTemplateCatalog,
  whatsAppTemplateFor,
} from '../../../shared/domain/whatsapp-message.ts';
import { customerRecord, failedClaim } from '../../support/billing-records.ts';

const portalUrl = 'https://pay.acme.example/portal/l/v1.abc';
const emailLanguages = ['en', 'es', 'de', 'fr'];

describe('the WhatsApp templates of journey steps', () => {
  it('name a template for every journey template, with a body in every language the emails have', () => {
    for (const template of templateIdSchema.options) {
      const entry = whatsAppTemplateCatalog.templates[template];
      expect(entry, template).toBeDefined();
      expect(Object.keys(entry?.body ?? {}).sort(), template).toEqual([...emailLanguages].sort());
      for (const language of emailLanguages) {
        expect(emailLanguageOf(language)).toBe(language);
        expect(whatsAppTemplateCatalog.languageCodes[language], language).toBeDefined();
      }
    }
  });

  it('keep to what Meta approves: numbered placeholders for every parameter, none at either end, none side by side', () => {
    for (const [template, entry] of Object.entries(whatsAppTemplateCatalog.templates)) {
      for (const [language, body] of Object.entries(entry?.body ?? {})) {
        const where = `${template} (${language})`;
        const numbers = [...body.matchAll(/\{\{(\d+)\}\}/g)].map((match) => Number(match[1]));
        expect(numbers, where).toEqual(entry?.parameters.map((_parameter, index) => index + 1));
        expect(body, where).not.toMatch(/^\s*\{\{|\}\}\s*$/);
        expect(body, where).not.toMatch(/\}\}\s*\{\{/);
        // Every message says how to stop it, as the texts do.
        expect(body, where).toContain('STOP');
      }
    }
  });

  it('fills the template in the debtor’s language from what the email shows: the total and the portal link', () => {
    // Prepare
    const customer = customerRecord({ locale: 'de-DE' });
    const claims = [failedClaim({ amountMinor: 4999, currency: 'EUR' })];

    // Act
    const template = whatsAppTemplateFor('final-notice', customer, claims, { portalUrl });

    // Assert
    expect(template).toEqual({
      name: 'collections_final_notice',
      languageCode: 'de',
      bodyParameters: [expect.stringMatching(/^49,99\s€$/), portalUrl],
    });
  });

  it('offers the plan with its instalments and interval, and sends the invoice link when there is no portal', () => {
    // Prepare
    const claims = [failedClaim({ amountMinor: 12000, currency: 'USD' })];

    // Act
    const template = whatsAppTemplateFor('payment-plan-offer', customerRecord(), claims, {
      offer: { installments: 3, intervalDays: 14 },
    });

    // Assert
    expect(template).toEqual({
      name: 'collections_payment_plan_offer',
      languageCode: 'en_US',
      bodyParameters: ['$120.00', '3', '14', claims[0]?.payUrl],
    });
  });

  it('gives no template when there is no link to send: the step falls back to its next channel', () => {
    const { payUrl: _payUrl, ...withoutLink } = failedClaim();
    expect(whatsAppTemplateFor('payment-reminder', customerRecord(), [withoutLink])).toBeUndefined();
  });

  it('reads back as the debtor sees it, and names the journey template it stands for', () => {
    // Prepare
    const template = whatsAppTemplateFor(
      'payment-failed-short',
      customerRecord({ locale: 'es-MX' }),
      [failedClaim()],
      {
        portalUrl,
      },
    );
    if (template === undefined) throw new Error('no template');

    // Act
    const body = whatsAppTemplateBody(template);

    // Assert
    expect(body).toMatch(
      /^Su pago de USD\s49\.99 no se ha podido completar\. Pagar ahora: https:\/\/pay\.acme/,
    );
    expect(body).not.toContain('{{');
    expect(journeyTemplateOfWhatsApp('collections_payment_failed_short')).toBe('payment-failed-short');
    expect(journeyTemplateOfWhatsApp('someone_elses_template')).toBeUndefined();
  });
});
