import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Claim } from '../../domain/claim.ts';
import type { DeliveryChannel } from '../../domain/delivery-channel.ts';
import { formatMoney } from '../../domain/money.ts';
import type { CaseFlagKind, PaymentPlan, PlanOption, PromiseToPay } from '../../domain/portal/commitments.ts';
import { caseFlagKinds, nextInstalment } from '../../domain/portal/commitments.ts';
import {
  formatPortalDate,
  type PortalLocale,
  type PortalMessageKey,
  portalCatalogs,
  portalLanguages,
  translate,
} from '../../domain/portal/portal-locale.ts';

/**
 * The portal's pages: server-rendered HTML with no script at all, semantic landmarks, a label on
 * every control and a language switcher. Every interpolated value is escaped by `html`.
 */
type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageFrame {
  readonly locale: PortalLocale;
  /** The path of this page, for the language switcher's links (`?lang=`). */
  readonly path: string;
  readonly zone: string;
}

function t(
  frame: PageFrame,
  key: PortalMessageKey,
  values?: Readonly<Record<string, string | number>>,
): string {
  return translate(frame.locale, key, values);
}

function money(frame: PageFrame, amountMinor: number, currency: string): string {
  return formatMoney({ amountMinor, currency }, frame.locale.formatLocale);
}

function date(frame: PageFrame, iso: string): string {
  return formatPortalDate(iso, frame.locale, frame.zone);
}

export function layout(frame: PageFrame, title: string, body: Markup): Markup {
  const languages = portalLanguages.map(
    (language) =>
      html`<li><a href="${frame.path}?lang=${language}" lang="${language}" hreflang="${language}"${
        language === frame.locale.language ? html` aria-current="true"` : ''
      }>${portalCatalogs[language].languageName}</a></li>`,
  );
  return html`<!doctype html>
<html lang="${frame.locale.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · ${t(frame, 'siteTitle')}</title>
<link rel="stylesheet" href="/portal/assets/portal.css">
</head>
<body>
<a class="skip" href="#main">${t(frame, 'skipToContent')}</a>
<header>
<p class="brand">${t(frame, 'siteTitle')}</p>
<nav aria-label="${t(frame, 'languageLabel')}"><ul>${languages}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
<footer><p>${t(frame, 'footer')}</p></footer>
</body>
</html>`;
}

function csrfField(token: string): Markup {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

function backLink(frame: PageFrame): Markup {
  return html`<p><a href="/portal/account">${t(frame, 'back')}</a></p>`;
}

/** Totals per currency, never summed across currencies. */
function totals(frame: PageFrame, claims: readonly Claim[]): string {
  const byCurrency = new Map<string, number>();
  for (const claim of claims)
    byCurrency.set(claim.currency, (byCurrency.get(claim.currency) ?? 0) + claim.amountMinor);
  return [...byCurrency]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => money(frame, amount, currency))
    .join(' + ');
}

export interface AccountView {
  readonly name: string | undefined;
  readonly openClaims: readonly Claim[];
  readonly actionableClaims: readonly Claim[];
  readonly holds: Readonly<Record<string, CaseFlagKind>>;
  readonly promise: PromiseToPay | undefined;
  readonly plan: PaymentPlan | undefined;
  readonly csrf: { readonly pay: string; readonly card: string };
  readonly notice?: PortalMessageKey;
}

function commitmentStatus(frame: PageFrame, view: Pick<AccountView, 'promise' | 'plan'>): Markup {
  const { promise, plan } = view;
  if (plan?.status === 'active') {
    const next = nextInstalment(plan);
    const paid = plan.instalments.filter((one) => one.status === 'paid').length;
    return html`<p class="status ok" role="status">${t(frame, 'planActive', {
      paid,
      count: plan.instalments.length,
      amount: next ? money(frame, next.amountMinor, plan.currency) : '',
      date: next ? date(frame, next.dueAt) : '',
    })}</p>`;
  }
  if (plan?.status === 'broken')
    return html`<p class="status warn" role="status">${t(frame, 'planBroken')}</p>`;
  if (promise?.status === 'active') {
    return html`<p class="status ok" role="status">${t(frame, 'promiseActive', {
      date: formatPortalDate(promise.promisedFor, frame.locale, frame.zone),
    })}</p>`;
  }
  if (promise?.status === 'broken') {
    return html`<p class="status warn" role="status">${t(frame, 'promiseBroken', {
      date: formatPortalDate(promise.promisedFor, frame.locale, frame.zone),
    })}</p>`;
  }
  return '' as unknown as Markup;
}

export function accountPage(frame: PageFrame, view: AccountView): Markup {
  const greeting = view.name ? t(frame, 'greeting', { name: view.name }) : t(frame, 'greetingAnonymous');
  if (view.openClaims.length === 0) {
    return layout(frame, greeting, html`<p class="status ok" role="status">${t(frame, 'nothingOpen')}</p>`);
  }
  const actionable = new Set(view.actionableClaims.map((claim) => claim.claimId));
  const planActive = view.plan?.status === 'active';
  const claimItems = view.openClaims.map((claim) => {
    const hold = view.holds[claim.claimId];
    const pay =
      actionable.has(claim.claimId) && !planActive
        ? html`<form class="inline" method="post" action="/portal/pay">${csrfField(view.csrf.pay)}<input type="hidden" name="claimId" value="${claim.claimId}"><button type="submit" aria-label="${t(frame, 'payInvoice', { amount: money(frame, claim.amountMinor, claim.currency) })} (${t(frame, 'invoice', { invoiceId: claim.invoiceId })})">${t(frame, 'payInvoice', { amount: money(frame, claim.amountMinor, claim.currency) })}</button></form>`
        : '';
    return html`<li>
<div><strong>${t(frame, 'invoice', { invoiceId: claim.invoiceId })}</strong>${
      claim.firstFailedAt
        ? html`<br><span class="muted">${t(frame, 'dueSince', { date: date(frame, claim.firstFailedAt) })}</span>`
        : ''
    }${hold ? html`<br><span class="muted">${t(frame, 'onHold', { kind: t(frame, `kind.${hold}`) })}</span>` : ''}</div>
<div><span class="amount">${money(frame, claim.amountMinor, claim.currency)}</span> ${pay}</div>
</li>`;
  });
  const canAct = view.actionableClaims.length > 0;
  return layout(
    frame,
    greeting,
    html`${view.notice ? html`<p class="status" role="status">${t(frame, view.notice)}</p>` : ''}
${commitmentStatus(frame, view)}
<p>${t(frame, 'intro')}</p>
<section aria-labelledby="open-invoices">
<h2 id="open-invoices">${t(frame, 'openInvoices')}</h2>
<ul class="claims">${claimItems}</ul>
<p><strong>${t(frame, 'total')}:</strong> <span class="amount">${totals(frame, view.openClaims)}</span></p>
<p class="muted">${t(frame, 'payIntro')}</p>
</section>
${
  canAct && !planActive
    ? html`<section aria-labelledby="card">
<h2 id="card">${t(frame, 'cardHeading')}</h2>
<p>${t(frame, 'cardIntro')}</p>
<form method="post" action="/portal/card">${csrfField(view.csrf.card)}<button type="submit" class="secondary">${t(frame, 'cardAction')}</button></form>
</section>
<section aria-labelledby="plan">
<h2 id="plan">${t(frame, 'planHeading')}</h2>
<p>${t(frame, 'planIntro')}</p>
<p><a class="button secondary" href="/portal/plan">${t(frame, 'planAction')}</a></p>
</section>
<section aria-labelledby="promise">
<h2 id="promise">${t(frame, 'promiseHeading')}</h2>
<p>${t(frame, 'promiseIntro')}</p>
<p><a class="button secondary" href="/portal/promise">${t(frame, 'promiseAction')}</a></p>
</section>`
    : ''
}
<section aria-labelledby="help">
<h2 id="help">${t(frame, 'helpHeading')}</h2>
<p>${t(frame, 'helpIntro')}</p>
<p><a class="button secondary" href="/portal/help">${t(frame, 'helpAction')}</a></p>
</section>`,
  );
}

export function paymentReturnPage(
  frame: PageFrame,
  view: {
    readonly openClaims: readonly Claim[];
    /** The webhook recorded the payment the debtor went to make (or nothing is open any more). */
    readonly confirmed: boolean;
    readonly allSettled: boolean;
    readonly pendingKey: PortalMessageKey;
    readonly refreshPath: string;
  },
): Markup {
  const body = view.confirmed
    ? html`<p class="status ok" role="status">${t(frame, 'returnConfirmed')}${
        view.allSettled ? ` ${t(frame, 'allSettled')}` : ''
      }</p>${
        view.allSettled
          ? ''
          : html`<p>${t(frame, 'total')}: <span class="amount">${totals(frame, view.openClaims)}</span></p>`
      }`
    : html`<p class="status" role="status">${t(frame, view.pendingKey)}</p>
<p><a class="button" href="${view.refreshPath}">${t(frame, 'returnRefresh')}</a></p>`;
  return layout(frame, t(frame, 'returnHeading'), html`${body}${backLink(frame)}`);
}

export function planPage(
  frame: PageFrame,
  view: {
    readonly options: readonly PlanOption[];
    readonly currency: string | undefined;
    readonly intervalDays: number;
    readonly unavailable?: PortalMessageKey;
    readonly csrf: string;
  },
): Markup {
  if (view.unavailable || view.currency === undefined || view.options.length === 0) {
    return layout(
      frame,
      t(frame, 'planTitle'),
      html`<p class="status warn" role="status">${t(frame, view.unavailable ?? 'planTooSmall')}</p>${backLink(frame)}`,
    );
  }
  const currency = view.currency;
  const choices = view.options.map((option, index) => {
    const label =
      option.lastInstalmentMinor === option.instalmentMinor
        ? t(frame, 'planOption', {
            count: option.instalments,
            amount: money(frame, option.instalmentMinor, currency),
          })
        : t(frame, 'planOptionUneven', {
            count: option.instalments,
            amount: money(frame, option.instalmentMinor, currency),
            last: money(frame, option.lastInstalmentMinor, currency),
          });
    return html`<div class="choice"><input type="radio" id="plan-${option.instalments}" name="instalments" value="${option.instalments}"${
      index === 0 ? html` checked` : ''
    } required><label for="plan-${option.instalments}">${label}</label></div>`;
  });
  return layout(
    frame,
    t(frame, 'planTitle'),
    html`<form method="post" action="/portal/plan">${csrfField(view.csrf)}
<fieldset><legend>${t(frame, 'planLegend')}</legend>${choices}</fieldset>
<p class="hint">${t(frame, 'planEvery', { days: view.intervalDays })}</p>
<button type="submit">${t(frame, 'planSubmit')}</button>
</form>${backLink(frame)}`,
  );
}

export function planConfirmedPage(frame: PageFrame, plan: PaymentPlan, reminderDays: number): Markup {
  const rows = plan.instalments.map(
    (one) =>
      html`<tr><td>${date(frame, one.dueAt)}</td><td class="amount">${money(frame, one.amountMinor, plan.currency)}</td></tr>`,
  );
  return layout(
    frame,
    t(frame, 'planConfirmed'),
    html`<section aria-labelledby="schedule"><h2 id="schedule">${t(frame, 'planSchedule')}</h2>
<table><tbody>${rows}</tbody></table></section>
<p>${t(frame, 'planReminder', { days: reminderDays })}</p>${backLink(frame)}`,
  );
}

export function promisePage(
  frame: PageFrame,
  view: {
    readonly min: string;
    readonly max: string;
    readonly csrf: string;
    readonly error?: string;
    readonly unavailable?: boolean;
  },
): Markup {
  if (view.unavailable) {
    return layout(
      frame,
      t(frame, 'promiseTitle'),
      html`<p class="status warn" role="status">${t(frame, 'promiseUnavailable')}</p>${backLink(frame)}`,
    );
  }
  const hint = t(frame, 'promiseHint', {
    min: formatPortalDate(view.min, frame.locale, frame.zone),
    max: formatPortalDate(view.max, frame.locale, frame.zone),
  });
  return layout(
    frame,
    t(frame, 'promiseTitle'),
    html`<form method="post" action="/portal/promise">${csrfField(view.csrf)}
${view.error ? html`<p class="error" id="promise-error" role="alert">${view.error}</p>` : ''}
<label for="promisedFor">${t(frame, 'promiseLabel')}</label>
<p class="hint" id="promise-hint">${hint}</p>
<input type="date" id="promisedFor" name="promisedFor" min="${view.min}" max="${view.max}" value="${view.min}" required aria-describedby="promise-hint${view.error ? ' promise-error' : ''}">
<p><button type="submit">${t(frame, 'promiseSubmit')}</button></p>
</form>${backLink(frame)}`,
  );
}

export function promiseConfirmedPage(frame: PageFrame, promise: PromiseToPay, amount: string): Markup {
  return layout(
    frame,
    t(frame, 'promiseTitle'),
    html`<p class="status ok" role="status">${t(frame, 'promiseConfirmed', {
      amount,
      date: formatPortalDate(promise.promisedFor, frame.locale, frame.zone),
    })}</p>${backLink(frame)}`,
  );
}

export function helpPage(
  frame: PageFrame,
  view: { readonly openClaims: readonly Claim[]; readonly csrf: string; readonly error?: string },
): Markup {
  const kinds = caseFlagKinds.map(
    (kind, index) =>
      html`<div class="choice"><input type="radio" id="kind-${kind}" name="kind" value="${kind}"${
        index === 0 ? html` checked` : ''
      } required><label for="kind-${kind}">${t(frame, `kind.${kind}`)}</label></div>`,
  );
  const claims = view.openClaims.map(
    (claim) =>
      html`<div class="choice"><input type="checkbox" id="claim-${claim.invoiceId}" name="claimId" value="${claim.claimId}" checked><label for="claim-${claim.invoiceId}">${t(frame, 'invoice', { invoiceId: claim.invoiceId })} · ${money(frame, claim.amountMinor, claim.currency)}</label></div>`,
  );
  return layout(
    frame,
    t(frame, 'helpTitle'),
    html`<form method="post" action="/portal/help">${csrfField(view.csrf)}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<fieldset><legend>${t(frame, 'helpKindLegend')}</legend>${kinds}</fieldset>
<fieldset><legend>${t(frame, 'helpClaimsLegend')}</legend>${claims}</fieldset>
<label for="note">${t(frame, 'helpNote')}</label>
<textarea id="note" name="note" rows="4" maxlength="2000"></textarea>
<p><button type="submit">${t(frame, 'helpSubmit')}</button></p>
</form>${backLink(frame)}`,
  );
}

export function messagePage(
  frame: PageFrame,
  title: PortalMessageKey,
  message: PortalMessageKey,
  tone: 'ok' | 'warn' | '' = '',
): Markup {
  return layout(
    frame,
    t(frame, title),
    html`<p class="status ${tone}" role="status">${t(frame, message)}</p>`,
  );
}

export function confirmedPage(frame: PageFrame, title: PortalMessageKey, message: PortalMessageKey): Markup {
  return layout(
    frame,
    t(frame, title),
    html`<p class="status ok" role="status">${t(frame, message)}</p>${backLink(frame)}`,
  );
}

export function expiredPage(
  frame: PageFrame,
  view: { readonly token: string; readonly csrf: string },
): Markup {
  return layout(
    frame,
    t(frame, 'expiredTitle'),
    html`<p>${t(frame, 'expiredIntro')}</p>
<form method="post" action="/portal/renew">${csrfField(view.csrf)}<input type="hidden" name="token" value="${view.token}">
<button type="submit">${t(frame, 'expiredSubmit')}</button></form>`,
  );
}

const channelNames: Record<DeliveryChannel, PortalMessageKey> = {
  email: 'channelEmail',
  sms: 'channelSms',
  voice: 'channelVoice',
  whatsapp: 'channelWhatsapp',
};

/**
 * The unsubscribe link's page. Opening it changes nothing (mail scanners open every link); the
 * button posts to the same URL, which is also where mail clients send RFC 8058's one-click POST.
 */
export function unsubscribePage(
  frame: PageFrame,
  view: { readonly action: string; readonly channel: DeliveryChannel },
): Markup {
  const channel = t(frame, channelNames[view.channel]);
  return layout(
    frame,
    t(frame, 'unsubscribeTitle'),
    html`<p>${t(frame, 'unsubscribeIntro', { channel })}</p>
<form method="post" action="${view.action}"><button type="submit">${t(frame, 'unsubscribeSubmit', { channel })}</button></form>`,
  );
}

export function unsubscribedPage(frame: PageFrame, channel: DeliveryChannel): Markup {
  return layout(
    frame,
    t(frame, 'unsubscribedTitle'),
    html`<p class="status ok" role="status">${t(frame, 'unsubscribedMessage', {
      channel: t(frame, channelNames[channel]),
    })}</p>`,
  );
}
