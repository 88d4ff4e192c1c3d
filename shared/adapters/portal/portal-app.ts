import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { HtmlEscapedString } from 'hono/utils/html';
import { resolveTimeZones } from '../../domain/contact-policy.ts';
import { CollectionsError, InvalidRequestError } from '../../domain/errors.ts';
import { formatMoney } from '../../domain/money.ts';
import {
  type CaseFlagKind,
  caseFlagKinds,
  planCurrency,
  planOptions,
  promiseWindow,
} from '../../domain/portal/commitments.ts';
import {
  csrfTokenFor,
  isCsrfTokenValid,
  type PortalSigningKeys,
  verifyPortalSession,
  verifyPortalToken,
} from '../../domain/portal/portal-link.ts';
import {
  formatPortalDate,
  isPortalLanguage,
  type PortalLocale,
  resolvePortalLocale,
  translate,
} from '../../domain/portal/portal-locale.ts';
import { createPaymentPlan } from '../../use-cases/portal/create-payment-plan.ts';
import { flagClaims } from '../../use-cases/portal/flag-claims.ts';
import { loadPortalContext, type PortalContext } from '../../use-cases/portal/load-portal-context.ts';
import { makePromise } from '../../use-cases/portal/make-promise-to-pay.ts';
import {
  limitAddress,
  limitLink,
  openPortalLink,
  PortalRateLimitedError,
  renewPortalLink,
} from '../../use-cases/portal/open-portal-link.ts';
import type { PortalDependencies } from '../../use-cases/portal/portal-dependencies.ts';
import { retryAfterCardUpdate, startCardUpdate, startPayment } from '../../use-cases/portal/start-payment.ts';
import { previewUnsubscribe, unsubscribe } from '../../use-cases/portal/unsubscribe.ts';
import { logger } from '../observability/logger.ts';
import {
  accountPage,
  confirmedPage,
  expiredPage,
  helpPage,
  messagePage,
  type PageFrame,
  paymentReturnPage,
  planConfirmedPage,
  planPage,
  promiseConfirmedPage,
  promisePage,
  unsubscribedPage,
  unsubscribePage,
} from './portal-pages.ts';
import { portalStylesheet } from './portal-stylesheet.ts';

export interface PortalAppOptions {
  /** `Secure` on cookies: true behind HTTPS (AWS); the local runtime serves plain HTTP. */
  readonly secureCookies: boolean;
  /** Where the provider's pages may be reached from a form (CSP `form-action` follows redirects). */
  readonly paymentOrigins: readonly string[];
}

const sessionCookie = 'portal_session';
const languageCookie = 'portal_lang';

/** No script, no inline style, nothing framed, forms only to us and the payment provider. */
function contentSecurityPolicy(paymentOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action 'self' ${paymentOrigins.join(' ')}`.trim(),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type PortalEnv = { Variables: { locale: PortalLocale; keys: PortalSigningKeys } };

/**
 * The debtor portal: one Hono app behind `ANY /portal/{proxy+}`, the same in Lambda and locally.
 * Routes read like a table of contents; rules live in the use cases.
 */
export function createPortalApp(deps: PortalDependencies, options: PortalAppOptions): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>().basePath('/portal');
  const csp = contentSecurityPolicy(options.paymentOrigins);

  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', csp);
    c.header('x-content-type-options', 'nosniff');
    // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form posts.
    c.header('referrer-policy', 'same-origin');
    c.header('x-frame-options', 'DENY');
    c.header('cross-origin-opener-policy', 'same-origin');
    c.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (options.secureCookies) c.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

  app.get('/assets/portal.css', (c) => {
    c.header('cache-control', 'public, max-age=3600');
    return c.body(portalStylesheet, 200, { 'content-type': 'text/css; charset=utf-8' });
  });

  // Every other request: per-address budget, cross-site POST refusal, locale.
  app.use('*', async (c, next) => {
    c.set('keys', await deps.keys());
    await limitAddress(sourceIp(c), deps);
    // One-click unsubscribe (RFC 8058) is posted by the mail provider, from anywhere: the sealed
    // token is its authority, and the only thing it can do is stop messages.
    if (c.req.method === 'POST' && !isSameOrigin(c) && !c.req.path.startsWith('/portal/u/')) {
      throw new ForbiddenRequestError('cross-site form');
    }
    const chosen = c.req.query('lang');
    if (isPortalLanguage(chosen)) {
      setCookie(c, languageCookie, chosen, cookieOptions(options, 365 * 86_400));
    }
    c.set(
      'locale',
      resolvePortalLocale({
        chosen: isPortalLanguage(chosen) ? chosen : getCookie(c, languageCookie),
        acceptLanguage: c.req.header('accept-language'),
      }),
    );
    await next();
  });

  app.get('/l/:token', async (c) => {
    const token = c.req.param('token');
    const outcome = await openPortalLink(token, deps);
    if (outcome.status === 'invalid')
      return render(c, 404, messagePage(frame(c), 'invalidTitle', 'invalidIntro', 'warn'));
    if (outcome.status === 'expired') {
      const csrf = csrfTokenFor(outcome.linkId, 'renew', c.get('keys'));
      return render(c, 410, expiredPage(frame(c), { token, csrf }));
    }
    setCookie(c, sessionCookie, outcome.session, {
      ...cookieOptions(
        options,
        Math.floor((outcome.sessionExpiresAt.getTime() - deps.clock.now().getTime()) / 1000),
      ),
    });
    return c.redirect('/portal/account', 303);
  });

  app.get('/u/:token', async (c) => {
    const outcome = await previewUnsubscribe(c.req.param('token'), deps);
    if (outcome.status === 'invalid')
      return render(c, 404, messagePage(frame(c), 'invalidTitle', 'invalidIntro', 'warn'));
    const page = customerFrame(c, (await deps.customers.getCustomer(outcome.customerId))?.locale, 'UTC');
    return render(c, 200, unsubscribePage(page, { action: c.req.path, channel: outcome.channel }));
  });

  // The page's button and mail clients' one-click POST (`List-Unsubscribe=One-Click`) alike: a 200
  // page, never a redirect (RFC 8058), and the same answer however often it is posted.
  app.post('/u/:token', async (c) => {
    const outcome = await unsubscribe(c.req.param('token'), deps);
    if (outcome.status === 'invalid')
      return render(c, 404, messagePage(frame(c), 'invalidTitle', 'invalidIntro', 'warn'));
    const page = customerFrame(c, (await deps.customers.getCustomer(outcome.customerId))?.locale, 'UTC');
    return render(c, 200, unsubscribedPage(page, outcome.channel));
  });

  app.post('/renew', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token : '';
    const check = verifyPortalToken(token, c.get('keys'), deps.clock.now());
    if (
      check.status === 'invalid' ||
      !isCsrfTokenValid(field(form, 'csrf'), check.linkId, 'renew', c.get('keys'))
    ) {
      throw new ForbiddenRequestError('invalid renewal form');
    }
    if (check.status === 'valid') return c.redirect(`/portal/l/${token}`, 303);
    await limitLink(check.linkId, deps);
    await renewPortalLink(check.linkId, deps, c.get('locale').language);
    return render(c, 200, messagePage(frame(c), 'expiredTitle', 'expiredSent', 'ok'));
  });

  app.get('/account', async (c) => {
    const context = await session(c);
    const keys = c.get('keys');
    const holds: Record<string, CaseFlagKind> = {};
    for (const [claimId, hold] of Object.entries(context.collectionCase.claimHolds ?? {})) {
      if (Date.parse(hold.until) > deps.clock.now().getTime()) holds[claimId] = hold.kind;
    }
    return render(
      c,
      200,
      accountPage(frame(c, context), {
        name: context.customer?.name?.trim() || undefined,
        openClaims: context.collectionCase.status === 'open' ? context.openClaims : [],
        actionableClaims: context.actionableClaims,
        holds,
        promise: context.collectionCase.promiseToPay,
        plan: context.collectionCase.paymentPlan,
        csrf: {
          pay: csrfTokenFor(context.link.linkId, 'pay', keys),
          card: csrfTokenFor(context.link.linkId, 'card', keys),
        },
      }),
    );
  });

  app.post('/pay', async (c) => {
    const context = await session(c);
    const form = await verifiedForm(c, context, 'pay');
    const url = await startPayment(context, field(form, 'claimId') ?? '', c.get('locale').formatLocale, deps);
    return c.redirect(url, 303);
  });

  // Back from the provider's page. The redirect proves nothing: the page shows what the webhooks recorded.
  app.get('/payment/return', async (c) => {
    const context = await session(c);
    // Which claim the debtor went to pay: the newest `payment-started` interaction of this link.
    const started = (await deps.portal.listInteractions(context.collectionCase.caseId))
      .filter((one) => one.kind === 'payment-started' && one.detail?.linkId === context.link.linkId)
      .at(-1);
    const startedClaim = context.claims.find((claim) => claim.claimId === started?.detail?.claimId);
    const allSettled = context.collectionCase.status === 'closed' || context.openClaims.length === 0;
    return render(
      c,
      200,
      paymentReturnPage(frame(c, context), {
        openClaims: context.openClaims,
        confirmed: allSettled || startedClaim?.status === 'paid',
        allSettled,
        pendingKey: c.req.query('after') === 'card' ? 'cardReturnPending' : 'returnPending',
        refreshPath:
          c.req.query('after') === 'card' ? '/portal/payment/return?after=card' : '/portal/payment/return',
      }),
    );
  });

  app.post('/card', async (c) => {
    const context = await session(c);
    await verifiedForm(c, context, 'card');
    return c.redirect(await startCardUpdate(context, c.get('locale').formatLocale, deps), 303);
  });

  app.get('/card/return', async (c) => {
    const context = await session(c);
    await retryAfterCardUpdate(context, deps);
    return c.redirect('/portal/payment/return?after=card', 303);
  });

  app.get('/plan', async (c) => {
    const context = await session(c);
    return render(c, 200, planPage(frame(c, context), planView(context, c.get('keys'))));
  });

  app.post('/plan', async (c) => {
    const context = await session(c);
    const form = await verifiedForm(c, context, 'plan');
    const instalments = Number.parseInt(field(form, 'instalments') ?? '', 10);
    if (!Number.isSafeInteger(instalments)) throw new InvalidRequestError('choose a plan');
    const plan = await createPaymentPlan(context, instalments, deps, c.get('locale').language);
    return render(
      c,
      200,
      planConfirmedPage(
        frame(c, context, '/portal/account'),
        plan,
        deps.policy.paymentPlan.reminderDaysBefore,
      ),
    );
  });

  app.get('/promise', async (c) => {
    const context = await session(c);
    return render(c, 200, promisePage(frame(c, context), promiseView(context, c.get('keys'))));
  });

  app.post('/promise', async (c) => {
    const context = await session(c);
    const form = await verifiedForm(c, context, 'promise');
    const promisedFor = field(form, 'promisedFor') ?? '';
    const pageFrame = frame(c, context, '/portal/promise');
    try {
      const promise = await makePromise(context, promisedFor, deps);
      const covered = context.actionableClaims.filter((claim) => promise.claimIds.includes(claim.claimId));
      const amount = totalsOf(covered, pageFrame.locale.formatLocale);
      return render(c, 200, promiseConfirmedPage(pageFrame, promise, amount));
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      const view = promiseView(context, c.get('keys'));
      const hint = translate(pageFrame.locale, 'promiseHint', {
        min: formatPortalDate(view.min, pageFrame.locale, pageFrame.zone),
        max: formatPortalDate(view.max, pageFrame.locale, pageFrame.zone),
      });
      const message = translate(pageFrame.locale, 'formInvalid', { reason: hint });
      return render(c, 400, promisePage(pageFrame, { ...view, error: message }));
    }
  });

  app.get('/help', async (c) => {
    const context = await session(c);
    return render(
      c,
      200,
      helpPage(frame(c, context), {
        openClaims: context.openClaims,
        csrf: csrfTokenFor(context.link.linkId, 'help', c.get('keys')),
      }),
    );
  });

  app.post('/help', async (c) => {
    const context = await session(c);
    const form = await verifiedForm(c, context, 'help', { all: true });
    const kind = field(form, 'kind');
    const claimIds = ([] as unknown[])
      .concat(form.claimId ?? form['claimId[]'] ?? [])
      .filter((value): value is string => typeof value === 'string');
    const pageFrame = frame(c, context, '/portal/help');
    if (!caseFlagKinds.includes(kind as CaseFlagKind))
      throw new InvalidRequestError('choose what it is about');
    if (claimIds.length === 0) {
      return render(
        c,
        400,
        helpPage(pageFrame, {
          openClaims: context.openClaims,
          csrf: csrfTokenFor(context.link.linkId, 'help', c.get('keys')),
          error: translate(pageFrame.locale, 'chooseInvoice'),
        }),
      );
    }
    const note = field(form, 'note');
    await flagClaims(context, { kind: kind as CaseFlagKind, claimIds, ...(note ? { note } : {}) }, deps);
    return render(c, 200, confirmedPage(frame(c, context, '/portal/account'), 'helpTitle', 'helpConfirmed'));
  });

  app.notFound((c) => render(c, 404, messagePage(frameOrDefault(c), 'invalidTitle', 'invalidIntro', 'warn')));

  app.onError((error, c) => {
    const pageFrame = frameOrDefault(c);
    if (error instanceof SessionRequiredError) {
      return render(c, 401, messagePage(pageFrame, 'invalidTitle', 'sessionEnded', 'warn'));
    }
    if (error instanceof PortalRateLimitedError) {
      c.header('retry-after', '3600');
      return render(c, 429, messagePage(pageFrame, 'errorTitle', 'rateLimited', 'warn'));
    }
    if (error instanceof CollectionsError && error.expose) {
      logger.warn('portal request refused', { error: error.name, route: routeOf(c) });
      const title = error.statusCode === 410 ? 'invalidTitle' : 'errorTitle';
      const message = error.statusCode === 410 ? 'invalidIntro' : 'errorIntro';
      return render(c, error.statusCode, messagePage(pageFrame, title, message, 'warn'));
    }
    logger.error('portal request failed', {
      route: routeOf(c),
      error: error instanceof Error ? error : String(error),
    });
    return render(c, 500, messagePage(pageFrame, 'errorTitle', 'errorIntro', 'warn'));
  });

  /** The session's context: signed cookie → link → case; each request counts against the link's budget. */
  async function session(c: Context<PortalEnv>): Promise<PortalContext> {
    const value = getCookie(c, sessionCookie);
    const verified = value ? verifyPortalSession(value, c.get('keys'), deps.clock.now()) : undefined;
    if (verified === undefined) throw new SessionRequiredError('no portal session');
    await limitLink(verified.linkId, deps);
    return loadPortalContext(verified.linkId, deps);
  }

  async function verifiedForm(
    c: Context<PortalEnv>,
    context: PortalContext,
    form: string,
    parse: { all?: boolean } = {},
  ): Promise<Record<string, string | File | (string | File)[]>> {
    const body = await c.req.parseBody(parse.all ? { all: true } : {});
    if (!isCsrfTokenValid(field(body, 'csrf'), context.link.linkId, form, c.get('keys'))) {
      throw new ForbiddenRequestError('invalid form token');
    }
    return body;
  }

  function planView(context: PortalContext, keys: PortalSigningKeys) {
    const csrf = csrfTokenFor(context.link.linkId, 'plan', keys);
    const intervalDays = deps.policy.paymentPlan.intervalDays;
    if (context.collectionCase.paymentPlan?.status === 'active') {
      return { options: [], currency: undefined, intervalDays, unavailable: 'planExists' as const, csrf };
    }
    const currency = planCurrency(context.actionableClaims);
    if (currency === undefined) {
      return {
        options: [],
        currency,
        intervalDays,
        csrf,
        ...(context.actionableClaims.length > 0
          ? { unavailable: 'planMixedCurrencies' as const }
          : { unavailable: 'nothingOpen' as const }),
      };
    }
    const total = context.actionableClaims.reduce((sum, claim) => sum + claim.amountMinor, 0);
    return { options: planOptions(total, currency, deps.policy), currency, intervalDays, csrf };
  }

  function promiseView(context: PortalContext, keys: PortalSigningKeys) {
    const zone = zoneOf(context);
    const window = promiseWindow(deps.clock.now(), zone, deps.policy);
    return {
      ...window,
      csrf: csrfTokenFor(context.link.linkId, 'promise', keys),
      ...(context.collectionCase.paymentPlan?.status === 'active' || context.actionableClaims.length === 0
        ? { unavailable: true }
        : {}),
    };
  }

  return app;
}

class SessionRequiredError extends CollectionsError {
  public override readonly statusCode = 401;
}

class ForbiddenRequestError extends CollectionsError {
  public override readonly statusCode = 403;
}

function render(c: Context<PortalEnv>, status: number, page: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return c.html(page, status as 200);
}

function cookieOptions(options: PortalAppOptions, maxAge: number) {
  return {
    path: '/portal',
    httpOnly: true,
    secure: options.secureCookies,
    sameSite: 'Lax' as const,
    maxAge: Math.max(0, maxAge),
  };
}

function field(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** API Gateway's view of the client address (payload format 2.0); never logged or stored as such. */
function sourceIp(c: Context<PortalEnv>): string {
  const event = (c.env as { event?: { requestContext?: { http?: { sourceIp?: string } } } } | undefined)
    ?.event;
  return (
    event?.requestContext?.http?.sourceIp ??
    c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ??
    'unknown'
  );
}

/** A form post must come from the portal's own pages (checked in addition to the CSRF token). */
function isSameOrigin(c: Context<PortalEnv>): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}

function zoneOf(context: PortalContext): string {
  return resolveTimeZones(context.customer ?? {}).zones[0] ?? 'UTC';
}

function frame(c: Context<PortalEnv>, context?: PortalContext, path?: string): PageFrame {
  return customerFrame(c, context?.customer?.locale, context ? zoneOf(context) : 'UTC', path);
}

/** A page in the language the visitor chose, else the customer's, else the browser's. */
function customerFrame(
  c: Context<PortalEnv>,
  customerLocale: string | undefined,
  zone: string,
  path?: string,
): PageFrame {
  const chosen = c.req.query('lang') ?? getCookie(c, languageCookie);
  const locale = resolvePortalLocale({
    chosen: isPortalLanguage(chosen) ? chosen : undefined,
    customerLocale,
    acceptLanguage: c.req.header('accept-language'),
  });
  return { locale, path: path ?? c.req.path, zone };
}

function frameOrDefault(c: Context<PortalEnv>): PageFrame {
  const locale = c.get('locale') ?? resolvePortalLocale({ acceptLanguage: c.req.header('accept-language') });
  return { locale, path: '/portal/account', zone: 'UTC' };
}

function routeOf(c: Context<PortalEnv>): string {
  // The path may hold a link token: log the route pattern, never the path.
  return `${c.req.method} ${c.req.routePath}`;
}

function totalsOf(claims: readonly { amountMinor: number; currency: string }[], locale: string): string {
  const byCurrency = new Map<string, number>();
  for (const claim of claims)
    byCurrency.set(claim.currency, (byCurrency.get(claim.currency) ?? 0) + claim.amountMinor);
  return [...byCurrency]
    .map(([currency, amountMinor]) => formatMoney({ amountMinor, currency }, locale))
    .join(' + ');
}
