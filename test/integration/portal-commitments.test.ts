import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/local-runtime.ts';
import { defaultStrategyOnly } from '../support/strategy-catalogs.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

const day = 24 * 3600;
const clockStart = new Date('2026-03-02T09:00:00Z');

/** A debtor's portal session over plain HTTP: open the link from the outbox, then post forms with their tokens. */
class PortalVisitor {
  private cookie = '';

  public constructor(private readonly runtime: LocalRuntime) {}

  public async open(link: string): Promise<number> {
    const response = await fetch(link, { redirect: 'manual' });
    this.cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return response.status;
  }

  public async page(path: string): Promise<string> {
    const response = await fetch(`${this.runtime.url}${path}`, { headers: { cookie: this.cookie } });
    return response.text();
  }

  public async submit(
    path: string,
    fields: Record<string, string | string[]>,
    pageWithForm: string,
  ): Promise<Response> {
    const csrf =
      new RegExp(`action="${path}">\\s*<input type="hidden" name="csrf" value="([^"]+)"`).exec(
        pageWithForm,
      )?.[1] ?? '';
    const body = new URLSearchParams({ csrf });
    for (const [name, value] of Object.entries(fields))
      for (const one of [value].flat()) body.append(name, one);
    return fetch(`${this.runtime.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: this.cookie,
        origin: this.runtime.url,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
  }
}

function portalLink(text: string): string {
  return /http:\/\/\S+\/portal\/l\/\S+/.exec(text)?.[0] ?? '';
}

describe('portal commitments on the local runtime', () => {
  const product = localRuntimePerTest(() => ({
    clockStart,
    // The portal journeys follow the three-email default strategy; the shipped routing is tested apart.
    strategies: defaultStrategyOnly,
  }));

  async function openCaseWithPortal(customerId: string, invoices: { id: string; amount: number }[]) {
    let caseId = '';
    for (const invoice of invoices) {
      const delivered = await product.client.deliverStripeEvent('invoice.payment_failed', {
        customerId,
        invoiceId: invoice.id,
        email: 'sam@example.com',
        timeZone: 'Europe/London',
        amountDue: invoice.amount,
        currency: 'gbp',
      });
      caseId = String(delivered.body.caseId);
    }
    await product.client.advance(60);
    const message = (await product.client.outbox()).find((one) => one.caseId === caseId);
    const visitor = new PortalVisitor(product.runtime);
    expect(await visitor.open(portalLink(message?.body ?? ''))).toBe(303);
    return { caseId, visitor };
  }

  it('breaks a plan on a missed instalment, remembers it and resumes the journey', async () => {
    const { caseId, visitor } = await openCaseWithPortal('cus_MISS01', [{ id: 'in_MISS01', amount: 6000 }]);
    const planPage = await visitor.page('/portal/plan');
    const created = await visitor.submit('/portal/plan', { instalments: '3' }, planPage);
    expect(created.status).toBe(200);
    await product.client.advance(3600 + 60);
    expect((await product.runtime.table.getCase(caseId))?.paymentPlan?.instalments[0]?.status).toBe('paid');

    // The card starts failing before the second instalment: two attempts a day apart, then the plan breaks.
    const response = await fetch(`${product.runtime.url}/local/payments/cards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'stripe:cus_MISS01', behaviour: 'decline' }),
    });
    expect(response.status).toBe(200);
    await product.client.advance(14 * day + 3600);
    expect((await product.runtime.table.getCase(caseId))?.paymentPlan?.instalments[1]).toMatchObject({
      attempts: 1,
      status: 'scheduled',
    });
    const stepsBefore = (await product.client.outbox()).filter(
      (one) => one.caseId === caseId && one.stepId.startsWith('day-'),
    );
    expect(stepsBefore.map((one) => one.stepId)).toEqual(['day-0-payment-failed']);

    await product.client.advance(day + 3 * 3600);
    const stored = await product.runtime.table.getCase(caseId);
    expect(stored?.paymentPlan).toMatchObject({ status: 'broken' });
    expect(stored?.paymentPlan?.instalments[1]).toMatchObject({ attempts: 2, status: 'missed' });
    expect(stored?.pausedUntil).toBeUndefined();
    const kinds = (await product.runtime.portal.listInteractions(caseId)).map((one) => one.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['plan-created', 'instalment-paid', 'instalment-failed', 'plan-broken']),
    );

    await product.client.advance(day);
    const steps = (await product.client.outbox()).filter(
      (one) => one.caseId === caseId && one.stepId.startsWith('day-'),
    );
    // The steps that fell due during the plan resume now (the planner's catch-up policy is the strategy's business).
    expect(steps.map((one) => one.stepId).slice(0, 2)).toEqual(['day-0-payment-failed', 'day-3-reminder']);
    expect(Date.parse(steps[1]?.sentAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(stored?.paymentPlan?.endedAt ?? ''),
    );
    expect(steps[1]?.body).toContain('£60.00');
  });

  it('holds a disputed claim: later messages leave it out, and an agent task is created', async () => {
    const { caseId, visitor } = await openCaseWithPortal('cus_HOLD01', [
      { id: 'in_HOLD01', amount: 1500 },
      { id: 'in_HOLD02', amount: 2500 },
    ]);
    const helpPage = await visitor.page('/portal/help');
    const flagged = await visitor.submit(
      '/portal/help',
      { kind: 'already-paid', claimId: 'stripe:in_HOLD02' },
      helpPage,
    );
    expect(flagged.status).toBe(200);
    expect(await product.runtime.table.listOpenAgentTasks()).toEqual([
      expect.objectContaining({
        caseId,
        kind: 'already-paid',
        source: 'portal',
        claimIds: ['stripe:in_HOLD02'],
      }),
    ]);

    await product.client.advance(4 * day);
    const reminder = (await product.client.outbox()).find(
      (one) => one.caseId === caseId && one.stepId === 'day-3-reminder',
    );
    expect(reminder?.body).toContain('in_HOLD01');
    expect(reminder?.body).not.toContain('in_HOLD02');
    expect(reminder?.subject).toBe('Reminder: £15.00 is still outstanding');
  });

  it('confirms the one claim paid while another stays open, and refuses links once revoked', async () => {
    const { caseId, visitor } = await openCaseWithPortal('cus_PART01', [
      { id: 'in_PART01', amount: 1500 },
      { id: 'in_PART02', amount: 2500 },
    ]);
    const account = await visitor.page('/portal/account');
    const started = await visitor.submit('/portal/pay', { claimId: 'stripe:in_PART02' }, account);
    expect(started.status).toBe(303);
    const payPage = `${product.runtime.url}${started.headers.get('location')}`;
    const pending = await visitor.page('/portal/payment/return');
    expect(pending).toContain('We are waiting for confirmation of your payment.');
    const paid = await fetch(payPage, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=succeed',
    });
    expect(paid.status).toBe(303);
    const confirmed = await visitor.page('/portal/payment/return');
    expect(confirmed).toContain('Your payment is confirmed.');
    expect(confirmed).not.toContain('Everything is settled');
    expect(confirmed).toContain('£15.00');
    expect((await product.runtime.table.getCase(caseId))?.status).toBe('open');

    await product.runtime.portal.revokeCasePortalLinks(caseId, await product.client.now());
    expect(await visitor.page('/portal/account')).toContain('This link does not work');
    const link = portalLink((await product.client.outbox()).find((one) => one.caseId === caseId)?.body ?? '');
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(410);
  });

  it('refuses a promise outside the window with the form again, and changes nothing', async () => {
    const { caseId, visitor } = await openCaseWithPortal('cus_PTP01', [{ id: 'in_PTP01', amount: 2000 }]);
    const promisePage = await visitor.page('/portal/promise');
    const refused = await visitor.submit('/portal/promise', { promisedFor: '2026-05-01' }, promisePage);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('role="alert"');
    expect((await product.runtime.table.getCase(caseId))?.promiseToPay).toBeUndefined();
    const forged = await visitor.submit('/portal/promise', { promisedFor: '2026-03-05' }, 'no token here');
    expect(forged.status).toBe(403);
    expect((await product.runtime.table.getCase(caseId))?.promiseToPay).toBeUndefined();
  });
});
