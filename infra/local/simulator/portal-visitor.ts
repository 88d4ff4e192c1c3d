/**
 * A debtor in the portal over plain HTTP, as a browser without script would be: opens the signed
 * link from a message (the session cookie comes back), reads the pages, and posts their forms
 * with the CSRF token each one carries and its own origin. Nothing here knows the portal's
 * internals; it reads what the HTML offers.
 */

export type PortalOutcome =
  /** The form was accepted: a confirmation page, or a redirect to the provider's page. */
  | { readonly status: 'accepted'; readonly location?: string }
  /** The portal answered with a page and no redirect: it refused, and says why. */
  | { readonly status: 'refused'; readonly httpStatus: number; readonly reason: string }
  /** The link no longer opens a session (expired, revoked, the case closed). */
  | { readonly status: 'no-session'; readonly httpStatus: number };

export interface PlanChoice {
  readonly instalments: number;
}

/** The text of the page's alert, if any, without markup: the portal's reason for a refusal. */
function alertText(html: string): string {
  const alert = /role="alert"[^>]*>([\s\S]*?)<\/(?:p|div|section)>/.exec(html)?.[1] ?? '';
  return alert
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function csrfOf(html: string, action: string): string | undefined {
  const form = new RegExp(`<form[^>]*action="${action}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  return form === undefined ? undefined : /name="csrf" value="([^"]+)"/.exec(form)?.[1];
}

export class PortalVisitor {
  private cookie = '';

  /**
   * @param origin scheme, host and port of the portal, sent as `Origin` on every form post.
   * @param ready awaited before each request (the simulator lets the product settle first).
   */
  public constructor(
    private readonly origin: string,
    private readonly ready: () => Promise<void> = async () => undefined,
  ) {}

  /** Opens a signed link; true when a session started. */
  public async open(link: string): Promise<boolean> {
    await this.ready();
    const response = await fetch(this.local(link), { redirect: 'manual' });
    await response.arrayBuffer();
    const cookie = response.headers.get('set-cookie')?.split(';')[0];
    if (response.status >= 400 || cookie === undefined) return false;
    this.cookie = cookie;
    return true;
  }

  public async page(path: string): Promise<{ readonly status: number; readonly html: string }> {
    await this.ready();
    const response = await fetch(`${this.origin}${path}`, {
      headers: { cookie: this.cookie },
      redirect: 'manual',
    });
    return { status: response.status, html: await response.text() };
  }

  /** The claim ids the account page offers to pay. */
  public async payableClaims(): Promise<string[]> {
    const { html } = await this.page('/portal/account');
    return [...html.matchAll(/action="\/portal\/pay">[\s\S]*?name="claimId" value="([^"]+)"/g)].flatMap(
      (match) => (match[1] ? [match[1]] : []),
    );
  }

  /** Pays one claim from the account page: the portal sends the debtor to the provider's payment page. */
  public async pay(claimId: string): Promise<PortalOutcome> {
    return this.submit('/portal/account', '/portal/pay', { claimId });
  }

  /** Asks for the card update page (the provider's own). */
  public async updateCard(): Promise<PortalOutcome> {
    return this.submit('/portal/account', '/portal/card', {});
  }

  /** The promise page's window (`YYYY-MM-DD`), or undefined when it offers none. */
  public async promiseWindow(): Promise<{ readonly min: string; readonly max: string } | undefined> {
    const { status, html } = await this.page('/portal/promise');
    if (status !== 200) return undefined;
    const input = /<input type="date"[^>]*>/.exec(html)?.[0] ?? '';
    const min = /min="(\d{4}-\d{2}-\d{2})"/.exec(input)?.[1];
    const max = /max="(\d{4}-\d{2}-\d{2})"/.exec(input)?.[1];
    return min && max ? { min, max } : undefined;
  }

  public async promise(promisedFor: string): Promise<PortalOutcome> {
    return this.submit('/portal/promise', '/portal/promise', { promisedFor });
  }

  /** The numbers of instalments the plan page offers. */
  public async planChoices(): Promise<number[]> {
    const { status, html } = await this.page('/portal/plan');
    if (status !== 200) return [];
    return [...html.matchAll(/name="instalments" value="(\d+)"/g)].map((match) => Number(match[1]));
  }

  public async plan(instalments: number): Promise<PortalOutcome> {
    return this.submit('/portal/plan', '/portal/plan', { instalments: String(instalments) });
  }

  private async submit(
    pagePath: string,
    action: string,
    fields: Record<string, string>,
  ): Promise<PortalOutcome> {
    const form = await this.page(pagePath);
    if (form.status !== 200) return { status: 'no-session', httpStatus: form.status };
    const csrf = csrfOf(form.html, action);
    if (csrf === undefined)
      return { status: 'refused', httpStatus: form.status, reason: `no ${action} form on ${pagePath}` };
    const body = new URLSearchParams({ csrf, ...fields });
    await this.ready();
    const response = await fetch(`${this.origin}${action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: this.cookie,
        origin: this.origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    const html = await response.text();
    const location = response.headers.get('location');
    if (response.status < 400) return { status: 'accepted', ...(location ? { location } : {}) };
    if (response.status === 401 || response.status === 403 || response.status === 410)
      return { status: 'no-session', httpStatus: response.status };
    return {
      status: 'refused',
      httpStatus: response.status,
      reason: alertText(html) || `HTTP ${response.status}`,
    };
  }

  /** Links carry the product's public address; a simulator may reach it at another (same port). */
  private local(link: string): string {
    const url = new URL(link);
    return `${this.origin}${url.pathname}${url.search}`;
  }
}
