import Mustache from 'mustache';
import type { Customer } from '../customer.ts';
import type { EmailContent } from '../email-message.ts';
import {
  formatPortalDate,
  type PortalMessageKey,
  portalCatalogs,
  resolvePortalLocale,
} from './portal-locale.ts';

export type PortalEmailTemplate = 'portal-fresh-link' | 'instalment-reminder';

const parts: Record<PortalEmailTemplate, [PortalMessageKey, PortalMessageKey, PortalMessageKey]> = {
  'portal-fresh-link': ['freshLinkSubject', 'freshLinkText', 'freshLinkHtml'],
  'instalment-reminder': ['reminderSubject', 'reminderText', 'reminderHtml'],
};

/**
 * The portal's own messages, in the customer's language: a fresh link, an instalment reminder.
 * Values are escaped in the HTML part (Mustache), raw in the subject and text.
 */
export function renderPortalEmail(
  template: PortalEmailTemplate,
  customer: Customer | undefined,
  values: {
    readonly portalUrl: string;
    readonly timeZone: string;
    readonly expiresAt?: string;
    readonly amount?: string;
    readonly dueAt?: string;
    readonly number?: number;
    readonly count?: number;
    /** The language the debtor chose on the portal page that asked for this message. */
    readonly chosenLanguage?: string;
  },
): EmailContent {
  const locale = resolvePortalLocale({ chosen: values.chosenLanguage, customerLocale: customer?.locale });
  const catalog = portalCatalogs[locale.language];
  const view = {
    name: customer?.name?.trim() || catalog.customerFallbackName,
    portalUrl: values.portalUrl,
    expires: values.expiresAt ? formatPortalDate(values.expiresAt, locale, values.timeZone) : '',
    amount: values.amount ?? '',
    date: values.dueAt ? formatPortalDate(values.dueAt, locale, values.timeZone) : '',
    number: values.number ?? '',
    count: values.count ?? '',
  };
  const [subject, text, html] = parts[template];
  const raw = { escape: (value: unknown) => String(value) };
  return {
    subject: Mustache.render(catalog[subject], view, undefined, raw),
    text: Mustache.render(catalog[text], view, undefined, raw),
    html: Mustache.render(catalog[html], view),
  };
}
