import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import {
  acceptedLanguages,
  formatPortalDate,
  portalCatalogs,
  portalLanguages,
  resolvePortalLocale,
  translate,
} from '../../../../shared/domain/portal/portal-locale.ts';

function placeholders(template: string): string[] {
  return Mustache.parse(template)
    .filter((token) => token[0] === 'name' || token[0] === '&')
    .map((token) => String(token[1]))
    .sort();
}

describe('portal catalogs', () => {
  it('has every English message in every language, with the same placeholders', () => {
    const english = portalCatalogs.en;
    for (const language of portalLanguages) {
      const catalog = portalCatalogs[language];
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(english).sort());
      for (const [key, template] of Object.entries(english)) {
        expect(placeholders(catalog[key as keyof typeof english]), `${language}.${key}`).toEqual(
          placeholders(template),
        );
      }
    }
  });
});

describe('resolvePortalLocale', () => {
  it('prefers the visitor’s choice, then the customer’s locale, then Accept-Language, then English', () => {
    expect(resolvePortalLocale({ chosen: 'fr', customerLocale: 'de-DE', acceptLanguage: 'es' })).toEqual({
      language: 'fr',
      formatLocale: 'fr-FR',
    });
    expect(resolvePortalLocale({ customerLocale: 'de-CH', acceptLanguage: 'es' })).toEqual({
      language: 'de',
      formatLocale: 'de-CH',
    });
    expect(resolvePortalLocale({ acceptLanguage: 'it-IT,it;q=0.9,es-MX;q=0.8,en;q=0.5' })).toEqual({
      language: 'es',
      formatLocale: 'es-MX',
    });
    expect(resolvePortalLocale({ customerLocale: 'ja-JP' })).toEqual({
      language: 'en',
      formatLocale: 'en-US',
    });
  });

  it('orders Accept-Language by quality and ignores q=0 and wildcards', () => {
    expect(acceptedLanguages('en;q=0.2, fr-CA, de;q=0, *;q=0.1, es;q=0.5')).toEqual(['fr-CA', 'es', 'en']);
    expect(acceptedLanguages(undefined)).toEqual([]);
  });
});

describe('translate and formatPortalDate', () => {
  it('fills placeholders and spells dates in the locale and the debtor’s zone', () => {
    const de = resolvePortalLocale({ chosen: 'de' });
    expect(translate(de, 'greeting', { name: 'Jörg' })).toBe('Hallo Jörg');
    // 23:30 UTC on the 5th is already the 6th in Berlin.
    expect(formatPortalDate('2026-03-05T23:30:00Z', de, 'Europe/Berlin')).toBe('6. März 2026');
    expect(formatPortalDate('2026-03-06', resolvePortalLocale({ chosen: 'fr' }), 'Europe/Paris')).toBe(
      '6 mars 2026',
    );
  });
});
