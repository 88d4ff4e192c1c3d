import { randomBytes } from 'node:crypto';
import { html } from 'hono/html';
import type { Claim } from '../../shared/domain/claim.ts';
import { formatMoney } from '../../shared/domain/money.ts';
import type {
  ClaimStore,
  Clock,
  CustomerStore,
  InstalmentChargeResult,
  PayableClaim,
  PaymentGateway,
} from '../../shared/ports.ts';
import {
  type SimulatedInvoiceEventType,
  signStripeBody,
  simulatedInvoiceEvent,
} from './simulated-stripe-events.ts';

/** How the simulated card on file answers a charge. */
export type SimulatedCardBehaviour = 'approve' | 'decline';

type Session =
  | { readonly kind: 'pay'; readonly claim: PayableClaim; readonly returnUrl: string }
  | { readonly kind: 'card'; readonly customerId: string; readonly returnUrl: string };

export interface LocalPageResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Stands in for Stripe locally. Its pages (`/local/pay/<session>`, `/local/card/<session>`) play
 * the hosted invoice page and the Billing portal; whatever the debtor does there reaches the
 * product the way Stripe's would: as signed `invoice.paid` / `invoice.payment_failed` webhooks,
 * delivered to the same ingest endpoint. Charges follow the customer's simulated card
 * (`POST /local/payments/cards` sets it; approve by default).
 */
export class LocalPaymentGateway implements PaymentGateway {
  private readonly sessions = new Map<string, Session>();
  private readonly cards = new Map<string, SimulatedCardBehaviour>();
  private readonly charges = new Map<string, InstalmentChargeResult>();

  public constructor(
    private readonly deps: {
      readonly clock: Clock;
      readonly claims: Pick<ClaimStore, 'getClaim'>;
      readonly customers: Pick<CustomerStore, 'getCustomer'>;
      readonly stripeWebhookSecret: string;
      /** Posts a signed webhook to the product's own ingest endpoint. */
      readonly deliverWebhook: (body: string, signature: string) => Promise<void>;
    },
  ) {}

  public setCard(customerId: string, behaviour: SimulatedCardBehaviour): void {
    this.cards.set(customerId, behaviour);
  }

  public async createPaymentPage(
    claim: PayableClaim,
    options: { readonly returnUrl: string },
  ): Promise<{ url: string }> {
    const id = randomBytes(12).toString('hex');
    this.sessions.set(id, { kind: 'pay', claim, returnUrl: options.returnUrl });
    return { url: `/local/pay/${id}` };
  }

  public async createCardUpdatePage(
    customerId: string,
    options: { readonly returnUrl: string },
  ): Promise<{ url: string }> {
    const id = randomBytes(12).toString('hex');
    this.sessions.set(id, { kind: 'card', customerId, returnUrl: options.returnUrl });
    return { url: `/local/card/${id}` };
  }

  public async retryClaims(claims: readonly PayableClaim[]): Promise<void> {
    for (const claim of claims) {
      const approved = (this.cards.get(claim.customerId) ?? 'approve') === 'approve';
      await this.emit(approved ? 'invoice.paid' : 'invoice.payment_failed', claim);
    }
  }

  public async chargeInstalment(request: {
    readonly customerId: string;
    readonly idempotencyKey: string;
  }): Promise<InstalmentChargeResult> {
    // Like Stripe's idempotency keys: one key, one outcome.
    const earlier = this.charges.get(request.idempotencyKey);
    if (earlier) return earlier;
    const approved = (this.cards.get(request.customerId) ?? 'approve') === 'approve';
    const result: InstalmentChargeResult = approved
      ? { status: 'succeeded', paymentRef: `pi_local_${randomBytes(8).toString('hex')}` }
      : { status: 'failed', reason: 'insufficient_funds' };
    this.charges.set(request.idempotencyKey, result);
    return result;
  }

  public async settleClaimsOutOfBand(claims: readonly PayableClaim[]): Promise<void> {
    for (const claim of claims) await this.emit('invoice.paid', claim, { paidOutOfBand: true });
  }

  /** Serves the simulated provider pages; undefined when the path is not one of them. */
  public async handle(
    method: string,
    path: string,
    form: URLSearchParams,
  ): Promise<LocalPageResult | undefined> {
    const match = /^\/local\/(pay|card)\/([0-9a-f]{24})$/.exec(path);
    if (!match) return undefined;
    const session = this.sessions.get(match[2] ?? '');
    if (!session || session.kind !== match[1])
      return page(
        404,
        'Unknown session',
        html`<p>This simulated session does not exist (the runtime may have restarted).</p>`,
      );
    if (method === 'GET')
      return session.kind === 'pay'
        ? this.payPage(match[2] ?? '', session.claim)
        : this.cardPage(match[2] ?? '');
    if (method !== 'POST') return page(405, 'Method not allowed', html``);
    if (session.kind === 'pay') {
      const outcome = form.get('outcome') === 'decline' ? 'invoice.payment_failed' : 'invoice.paid';
      await this.emit(outcome, session.claim);
    } else {
      this.setCard(session.customerId, form.get('card') === 'decline' ? 'decline' : 'approve');
    }
    this.sessions.delete(match[2] ?? '');
    return { status: 303, headers: { location: session.returnUrl }, body: '' };
  }

  private async payPage(id: string, claim: PayableClaim): Promise<LocalPageResult> {
    const amount = formatMoney(claim, 'en-US');
    return page(
      200,
      'Simulated payment',
      html`<p>Invoice <strong>${claim.invoiceId}</strong>: <strong>${amount}</strong></p>
<p>This page stands in for Stripe's hosted invoice page. Choosing an outcome sends the signed webhook Stripe would send.</p>
<form method="post" action="/local/pay/${id}"><input type="hidden" name="outcome" value="succeed"><button type="submit">Pay ${amount}</button></form>
<form method="post" action="/local/pay/${id}"><input type="hidden" name="outcome" value="decline"><button type="submit">Simulate a declined card</button></form>`,
    );
  }

  private async cardPage(id: string): Promise<LocalPageResult> {
    return page(
      200,
      'Simulated card update',
      html`<p>This page stands in for Stripe's Billing portal.</p>
<form method="post" action="/local/card/${id}"><input type="hidden" name="card" value="approve"><button type="submit">Save a card that works</button></form>
<form method="post" action="/local/card/${id}"><input type="hidden" name="card" value="decline"><button type="submit">Save a card that will be declined</button></form>`,
    );
  }

  private async emit(
    type: SimulatedInvoiceEventType,
    claim: PayableClaim,
    extra: { paidOutOfBand?: boolean } = {},
  ): Promise<void> {
    const [stored, customer] = await Promise.all([
      this.deps.claims.getClaim(claim.claimId),
      this.deps.customers.getCustomer(claim.customerId),
    ]);
    const current: Claim | undefined = stored?.claim;
    const now = this.deps.clock.now();
    const event = simulatedInvoiceEvent(
      type,
      {
        ...claim,
        ...(current ? { attemptCount: current.attemptCount } : {}),
        ...(current?.subscriptionId ? { subscriptionId: current.subscriptionId } : {}),
      },
      customer,
      now,
      extra,
    );
    await this.deps.deliverWebhook(
      event.body,
      signStripeBody(event.body, this.deps.stripeWebhookSecret, now),
    );
  }
}

async function page(status: number, title: string, body: ReturnType<typeof html>): Promise<LocalPageResult> {
  const document = await html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · local Stripe simulator</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    },
    body: String(document),
  };
}
