import { DateTime } from 'luxon';
import Mustache from 'mustache';
import de from '../../../workflows/templates/portal.de.json' with { type: 'json' };
import en from '../../../workflows/templates/portal.en.json' with { type: 'json' };
import es from '../../../workflows/templates/portal.es.json' with { type: 'json' };
import fr from '../../../workflows/templates/portal.fr.json' with { type: 'json' };

/** The portal's languages; every catalog has exactly the English keys (a unit test checks). */
export const portalLanguages = ['en', 'es', 'de', 'fr'] as const;
export type PortalLanguage = (typeof portalLanguages)[number];
export type PortalMessageKey = keyof typeof en;

export const portalCatalogs: Record<PortalLanguage, Record<PortalMessageKey, string>> = { en, es, de, fr };

/** The language of the texts and the locale numbers, amounts and dates are formatted in. */
export interface PortalLocale {
  readonly language: PortalLanguage;
  /** BCP 47, e.g. `de-CH`: the customer's own region when their language matches. */
  readonly formatLocale: string;
}

const defaultRegion: Record<PortalLanguage, string> = { en: 'en-US', es: 'es-ES', de: 'de-DE', fr: 'fr-FR' };

export function isPortalLanguage(value: string | undefined): value is PortalLanguage {
  return value !== undefined && (portalLanguages as readonly string[]).includes(value);
}

function languageOf(tag: string): string {
  return tag.trim().split(/[-_]/)[0]?.toLowerCase() ?? '';
}

function canonicalTag(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.replace('_', '-'))[0];
  } catch {
    return undefined;
  }
}

/** `Accept-Language` tags by preference (q values), best first. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

/**
 * The locale of a portal page: the visitor's explicit choice (the language switcher), else the
 * customer's locale from billing, else the browser's `Accept-Language`, else English.
 */
export function resolvePortalLocale(sources: {
  readonly chosen?: string | undefined;
  readonly customerLocale?: string | undefined;
  readonly acceptLanguage?: string | undefined;
}): PortalLocale {
  const candidates = [
    ...(sources.chosen ? [sources.chosen] : []),
    ...(sources.customerLocale ? [sources.customerLocale] : []),
    ...acceptedLanguages(sources.acceptLanguage),
  ];
  const first = candidates.find((tag) => isPortalLanguage(languageOf(tag)));
  const language: PortalLanguage = first === undefined ? 'en' : (languageOf(first) as PortalLanguage);
  // Format in a full tag of the same language when one is known (de-CH formats differently from de-DE).
  const regional = [sources.customerLocale, ...acceptedLanguages(sources.acceptLanguage)]
    .filter((tag): tag is string => tag !== undefined && languageOf(tag) === language && tag.includes('-'))
    .map(canonicalTag)
    .find((tag) => tag !== undefined);
  return { language, formatLocale: regional ?? defaultRegion[language] };
}

/** A message of the catalog with its `{{placeholders}}` filled in, unescaped (callers escape for HTML). */
export function translate(
  locale: PortalLocale,
  key: PortalMessageKey,
  values: Readonly<Record<string, string | number>> = {},
): string {
  const template = portalCatalogs[locale.language][key];
  return Mustache.render(template, values, undefined, { escape: (value: unknown) => String(value) });
}

/** A date people read, in the debtor's zone and locale, e.g. "12 March 2026" / "12. März 2026". */
export function formatPortalDate(iso: string, locale: PortalLocale, zone: string): string {
  return DateTime.fromISO(iso, { zone }).setLocale(locale.formatLocale).toLocaleString(DateTime.DATE_FULL);
}
