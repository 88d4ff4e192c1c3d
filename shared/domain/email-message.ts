import Mustache from 'mustache';
import templates from '../../workflows/templates/email.en.json' with { type: 'json' };
import type { Claim } from './claim.ts';
import { isClaimOpen } from './claim.ts';
import type { Customer } from './customer.ts';
import { formatMoney } from './money.ts';
import type { TemplateId } from './strategy.ts';

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
  links: { readonly portalUrl?: string } = {},
): EmailContent {
  const locale = customer?.locale ?? 'en-US';
  const open = claims.filter(isClaimOpen).sort((a, b) => a.claimId.localeCompare(b.claimId));
  const view = {
    name: customer?.name?.trim() || 'there',
    total: totalsByCurrency(open, locale),
    claims: open.map((claim) => ({
      invoiceId: claim.invoiceId,
      amount: formatMoney(claim, locale),
      payUrl: claim.payUrl ?? '',
    })),
    // The debtor portal (docs/portal.md): one signed link per message, beside the invoice links.
    portalUrl: links.portalUrl ?? '',
  };
  const source = templates[template];
  const raw = { escape: (value: unknown) => String(value) };
  return {
    subject: Mustache.render(source.subject, view, undefined, raw),
    text: Mustache.render(source.text, view, undefined, raw),
    html: Mustache.render(source.html, view),
  };
}
