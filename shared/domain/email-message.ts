import Mustache from 'mustache';
import germanTemplates from '../../workflows/templates/email.de.json' with { type: 'json' };
import englishTemplates from '../../workflows/templates/email.en.json' with { type: 'json' };
import spanishTemplates from '../../workflows/templates/email.es.json' with { type: 'json' };
import frenchTemplates from '../../workflows/templates/email.fr.json' with { type: 'json' };
import type { Claim } from './claim.ts';
import { isClaimOpen } from './claim.ts';
import type { Customer } from './customer.ts';
import { formatMoney } from './money.ts';
import type { TemplateId } from './strategy.ts';

type TemplateSet = Record<TemplateId, { subject: string; text: string; html: string }>;

/** Journey emails by language; a debtor whose language has none gets English. */
const templatesByLanguage: Readonly<Record<string, TemplateSet>> = {
  en: englishTemplates,
  es: spanishTemplates,
  de: germanTemplates,
  fr: frenchTemplates,
};

/** The templates of the debtor's locale (`es-MX` → Spanish), English when there are none. */
export function emailLanguageOf(locale: string | undefined): string {
  const language = (locale ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  return language in templatesByLanguage ? language : 'en';
}

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The amount due per currency, e.g. "$49.99 + €20.00": never summed across currencies. */
function totalsByCurrency(claims: readonly Claim[], locale: string): string {
  const totals = new Map<string, number>();
  for (const claim of claims)
    totals.set(claim.currency, (totals.get(claim.currency) ?? 0) + claim.amountMinor);
  return [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amountMinor]) => formatMoney({ amountMinor, currency }, locale))
    .join(' + ');
}

/**
 * Renders one message listing every open claim of the case with its amount (formatted for its
 * currency) and its pay link, and the case's portal link when there is one. Mustache escapes values in the HTML part; the text part is raw.
 */
export function renderEmail(
  template: TemplateId,
  customer: Customer | undefined,
  claims: readonly Claim[],
  extras: MessageExtras = {},
): EmailContent {
  const { language, view } = messageView(customer, claims, extras);
  const source = (templatesByLanguage[language] ?? englishTemplates)[template];
  const raw = { escape: (value: unknown) => String(value) };
  return {
    subject: Mustache.render(source.subject, view, undefined, raw),
    text: Mustache.render(source.text, view, undefined, raw),
    html: Mustache.render(source.html, view),
  };
}

/** What a journey message says, whatever its channel: the values its templates fill in. */
export interface MessageExtras {
  /** The debtor portal (docs/portal.md): one signed link per message, beside the invoice links. */
  readonly portalUrl?: string;
  /** The plan a `payment-plan-offer` proposes. */
  readonly offer?: { readonly installments: number; readonly intervalDays: number };
}

/**
 * The values of a journey message in the debtor's language: name, total due per currency, each
 * open claim with its amount and pay link, the plan offered and the portal link. Email templates
 * render them with Mustache; WhatsApp templates take them as parameters (whatsapp-message.ts).
 */
export function messageView(
  customer: Customer | undefined,
  claims: readonly Claim[],
  extras: MessageExtras = {},
) {
  const locale = customer?.locale ?? 'en-US';
  const language = emailLanguageOf(customer?.locale);
  const open = claims.filter(isClaimOpen).sort((a, b) => a.claimId.localeCompare(b.claimId));
  const view = {
    // English greets "Hi there"; the other languages greet without a name ("Hallo,").
    name: customer?.name?.trim() || (language === 'en' ? 'there' : ''),
    total: totalsByCurrency(open, locale),
    claims: open.map((claim) => ({
      invoiceId: claim.invoiceId,
      amount: formatMoney(claim, locale),
      payUrl: claim.payUrl ?? '',
    })),
    planInstallments: extras.offer?.installments ?? '',
    planIntervalDays: extras.offer?.intervalDays ?? '',
    // The debtor portal (docs/portal.md): one signed link per message, beside the invoice links.
    portalUrl: extras.portalUrl ?? '',
  };
  return { language, view };
}
