import { describe, expect, it } from 'vitest';
import { portalLinkIn, screenshot, seriousAccessibilityViolations } from './support/browser.ts';
import { portalInBrowser } from './support/portal-in-browser.ts';

const day = 24 * 3600;
/** Monday 2 March 2026, 10:00 in Madrid: inside the contact window. */
const clockStart = new Date('2026-03-02T09:00:00Z');

describe('the debtor portal in a browser: pay now and expired links', () => {
  const portal = portalInBrowser(clockStart);

  async function firstMessageOf(customerId: string) {
    const message = (await portal.client.outbox()).find((one) => one.customerId === `stripe:${customerId}`);
    if (message === undefined) throw new Error(`no message to ${customerId}`);
    return message;
  }

  it('takes a debtor from the email to a paid case in Spanish, and the journey stops', async () => {
    const failed = await portal.client.deliverStripeEvent('invoice.payment_failed', {
      customerId: 'cus_ES01',
      invoiceId: 'in_ES01',
      email: 'lucia@example.com',
      name: 'Lucía',
      timeZone: 'Europe/Madrid',
      amountDue: 4999,
      currency: 'eur',
    });
    const caseId = String(failed.body.caseId);
    await portal.client.advance(60);
    const message = await firstMessageOf('cus_ES01');
    const link = portalLinkIn(message.body);
    expect(link).not.toContain('cus_ES01');
    expect(link).not.toContain('in_ES01');
    expect(link).not.toContain(caseId);

    const browserContext = await portal.phoneContext('es-ES');
    const page = await browserContext.newPage();
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/portal/account');
    await expect(page.locator('h1').textContent()).resolves.toBe('Hola, Lucía');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('es');
    await expect(page.locator('.amount').first().textContent()).resolves.toBe('49,99\u00a0€');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'account-es');

    await page.getByRole('button', { name: /Pagar 49,99/ }).click();
    expect(new URL(page.url()).pathname).toMatch(/^\/local\/pay\//);
    await screenshot(page, 'simulated-payment');
    await page.getByRole('button', { name: 'Pay €49.99' }).click();

    expect(new URL(page.url()).pathname).toBe('/portal/payment/return');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Su pago está confirmado');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'payment-confirmed-es');
    await browserContext.close();

    expect(await portal.runtime.table.getCase(caseId)).toMatchObject({
      status: 'closed',
      closeReason: 'paid',
    });
    const interactions = (await portal.runtime.portal.listInteractions(caseId)).map((one) => one.kind);
    expect(interactions).toEqual(expect.arrayContaining(['portal-opened', 'payment-started']));

    await portal.client.advance(10 * day);
    const sent = (await portal.client.outbox()).filter((one) => one.caseId === caseId);
    expect(sent.map((one) => one.stepId)).toEqual(['day-0-payment-failed']);
    expect(portal.runtime.journeys.get(caseId)?.status).toBe('SUCCEEDED');
  });

  it('shows an expired link, sends a fresh one to the address on file, and the fresh one opens the account', async () => {
    await portal.client.deliverStripeEvent('invoice.payment_failed', {
      customerId: 'cus_FR01',
      invoiceId: 'in_FR01',
      email: 'camille@example.com',
      name: 'Camille',
      timeZone: 'Europe/Paris',
      amountDue: 12000,
      currency: 'eur',
    });
    await portal.client.advance(60);
    const link = portalLinkIn((await firstMessageOf('cus_FR01')).body);
    await portal.client.advance(15 * day);

    const browserContext = await portal.phoneContext('fr-FR');
    const page = await browserContext.newPage();
    const response = await page.goto(link);
    expect(response?.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('Ce lien a expiré');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'expired-link-fr');

    await page.getByRole('button', { name: 'M’envoyer un nouveau lien' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('un nouveau lien est en route');
    const fresh = (await portal.client.outbox()).filter((one) => one.template === 'portal-fresh-link');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({
      to: 'camille@example.com',
      subject: 'Votre nouveau lien vers votre compte',
    });

    await page.goto(portalLinkIn(fresh[0]?.body ?? ''));
    await expect(page.locator('h1').textContent()).resolves.toBe('Bonjour Camille');
    await expect(page.locator('.amount').first().textContent()).resolves.toBe('120,00\u00a0€');
    await browserContext.close();
  });

  it('refuses a tampered link and a form without its CSRF token', async () => {
    const link = portalLinkIn((await firstMessageOf('cus_FR01')).body);
    const tampered = `${link.slice(0, -3)}${link.endsWith('A') ? 'B' : 'A'}AA`;
    const browserContext = await portal.phoneContext('en-US');
    const page = await browserContext.newPage();
    const response = await page.goto(tampered);
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link does not work');
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await screenshot(page, 'invalid-link-en');
    await browserContext.close();

    const forged = await fetch(`${portal.runtime.url}/portal/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'claimId=stripe%3Ain_FR01&csrf=forged',
    });
    expect(forged.status).toBe(401);
  });
});
