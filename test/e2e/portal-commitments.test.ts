import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { portalLinkIn, screenshot, seriousAccessibilityViolations } from './support/browser.ts';
import { portalInBrowser } from './support/portal-in-browser.ts';

const day = 24 * 3600;
/** Monday 2 March 2026, 10:00 in Berlin: inside the contact window. */
const clockStart = new Date('2026-03-02T09:00:00Z');

describe('the debtor portal in a browser: plans, promises and flags', () => {
  const portal = portalInBrowser(clockStart);

  /** A failed invoice for a new debtor in Berlin, the first email sent, the portal open in a phone-sized browser. */
  async function debtorOpensPortal(
    customer: string,
    amountDue: number,
    locale: string,
  ): Promise<{ page: Page; caseId: string }> {
    const failed = await portal.client.deliverStripeEvent('invoice.payment_failed', {
      customerId: customer,
      invoiceId: `in_${customer}`,
      email: `${customer.toLowerCase()}@example.com`,
      name: 'Alex',
      timeZone: 'Europe/Berlin',
      amountDue,
      currency: 'eur',
    });
    // The first email goes out at the next moment the contact policy allows (not on Sundays, for one).
    await portal.client.advance(60);
    let message = (await portal.client.outbox()).find((one) => one.customerId === `stripe:${customer}`);
    for (let hours = 0; message === undefined && hours < 72; hours += 1) {
      await portal.client.advance(3600);
      message = (await portal.client.outbox()).find((one) => one.customerId === `stripe:${customer}`);
    }
    const context = await portal.phoneContext(locale);
    const page = await context.newPage();
    await page.goto(portalLinkIn(message?.body ?? ''));
    return { page, caseId: String(failed.body.caseId) };
  }

  async function stepsSent(caseId: string): Promise<string[]> {
    return (await portal.client.outbox())
      .filter((one) => one.caseId === caseId && one.stepId.startsWith('day-'))
      .map((one) => one.stepId);
  }

  it('sets up a payment plan in German, charges the instalments with a reminder before each, and the paid plan closes the case', async () => {
    const { page, caseId } = await debtorOpensPortal('cus_PLAN01', 9000, 'de-DE');
    await page.getByRole('link', { name: 'Ratenpläne ansehen' }).click();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'plan-options-de');
    await page.getByLabel(/^2 Zahlungen zu je 45,00/).check();
    await page.getByRole('button', { name: 'Diesen Plan bestätigen' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Ihr Ratenplan steht');
    await expect(page.locator('td.amount').allTextContents()).resolves.toEqual([
      '45,00\u00a0€',
      '45,00\u00a0€',
    ]);
    await screenshot(page, 'plan-confirmed-de');
    await page.context().close();

    // The hourly job charges the first instalment; the journey stays paused (no day-3 reminder).
    await portal.client.advance(2 * 3600);
    let stored = await portal.runtime.table.getCase(caseId);
    expect(stored?.paymentPlan?.instalments.map((one) => one.status)).toEqual(['paid', 'scheduled']);
    const secondDue = stored?.paymentPlan?.instalments[1]?.dueAt ?? '';
    expect(Date.parse(secondDue) - Date.parse(stored?.paymentPlan?.createdAt ?? '')).toBeGreaterThanOrEqual(
      14 * day * 1000,
    );
    // Two days before the second instalment, one reminder in German.
    await portal.client.advanceTo(
      new Date(Date.parse(secondDue) - 2 * day * 1000 + 2 * 3600 * 1000).toISOString(),
    );
    const reminders = (await portal.client.outbox()).filter((one) => one.template === 'instalment-reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.subject).toMatch(
      /^Erinnerung: 45,00\u00a0€ werden am \d{1,2}\. März 2026 abgebucht$/,
    );
    expect(portalLinkIn(reminders[0]?.body ?? '')).toContain('/portal/l/');
    expect(await stepsSent(caseId)).toEqual(['day-0-payment-failed']);

    // The second instalment completes the plan: the claim is settled out of band and the case closes.
    await portal.client.advanceTo(new Date(Date.parse(secondDue) + 2 * 3600 * 1000).toISOString());
    stored = await portal.runtime.table.getCase(caseId);
    expect(stored?.paymentPlan?.status).toBe('completed');
    expect(stored).toMatchObject({ status: 'closed', closeReason: 'paid' });
    await portal.client.advance(10 * day);
    expect(await stepsSent(caseId)).toEqual(['day-0-payment-failed']);
  });

  it('pauses the journey for a promise to pay in English; the broken promise is remembered and the journey resumes', async () => {
    const { page, caseId } = await debtorOpensPortal('cus_PROM01', 5000, 'en-GB');
    await page.getByRole('link', { name: 'Choose a date' }).click();
    const dateField = page.getByLabel('I will pay by');
    const today = DateTime.fromJSDate(await portal.client.now(), { zone: 'Europe/Berlin' }).startOf('day');
    await expect(dateField.getAttribute('min')).resolves.toBe(today.plus({ days: 1 }).toISODate());
    await expect(dateField.getAttribute('max')).resolves.toBe(today.plus({ days: 14 }).toISODate());
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'promise-form-en');
    const promised = today.plus({ days: 4 });
    await dateField.fill(promised.toISODate() ?? '');
    await page.getByRole('button', { name: 'Confirm my promise' }).click();
    const spelled = `${promised.day} ${promised.setLocale('en-GB').monthLong} ${promised.year}`;
    await expect(page.getByRole('status').textContent()).resolves.toBe(
      `Thank you. We noted your promise to pay €50.00 by ${spelled}.`,
    );
    await screenshot(page, 'promise-confirmed-en');

    // The day-3 reminder falls inside the promise: it waits for the end of the promised day plus 2 days of grace.
    const graceEnds = promised.endOf('day').plus({ days: 2 });
    await portal.client.advanceTo(graceEnds.minus({ hours: 1 }).toUTC().toISO() ?? '');
    expect(await stepsSent(caseId)).toEqual(['day-0-payment-failed']);
    await portal.client.advanceTo(graceEnds.plus({ hours: 10 }).toUTC().toISO() ?? '');
    const stored = await portal.runtime.table.getCase(caseId);
    expect(stored?.promiseToPay).toMatchObject({ status: 'broken', promisedFor: promised.toISODate() });
    expect(stored?.brokenPromises).toBe(1);
    expect(await stepsSent(caseId)).toEqual(['day-0-payment-failed', 'day-3-reminder']);

    // The session ended long ago; the resumed reminder carries a fresh link.
    const reminder = (await portal.client.outbox()).find(
      (one) => one.caseId === caseId && one.stepId === 'day-3-reminder',
    );
    await page.goto(portalLinkIn(reminder?.body ?? ''));
    await expect(page.getByRole('status').first().textContent()).resolves.toBe(
      `Your promise to pay by ${spelled} has passed.`,
    );
    await screenshot(page, 'promise-broken-en');
    await page.context().close();
  });

  it('flags a dispute in French: contact about the claim stops and an agent task is created', async () => {
    const { page, caseId } = await debtorOpensPortal('cus_DISP01', 3000, 'fr-FR');
    await page.getByRole('link', { name: 'Nous le dire' }).click();
    await page.getByLabel('Je conteste ce prélèvement').check();
    await page
      .getByLabel('Quelque chose à ajouter ? (facultatif)')
      .fill('Je n’ai jamais commandé cet abonnement.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'help-form-fr');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'Nous avons suspendu les relances',
    );
    await page.context().close();

    const tasks = (await (await fetch(`${portal.runtime.url}/local/agent-tasks`)).json()) as {
      caseId: string;
      kind: string;
      note?: string;
    }[];
    expect(tasks).toEqual([
      expect.objectContaining({ caseId, kind: 'dispute', note: 'Je n’ai jamais commandé cet abonnement.' }),
    ]);
    await portal.client.advance(10 * day);
    expect(await stepsSent(caseId)).toEqual(['day-0-payment-failed']);
  });

  it('updates the card and retries the failed invoice at once; the webhook closes the case', async () => {
    const { page, caseId } = await debtorOpensPortal('cus_CARD01', 2500, 'en-US');
    await page.getByRole('button', { name: 'Update my card' }).click();
    expect(new URL(page.url()).pathname).toMatch(/^\/local\/card\//);
    await page.getByRole('button', { name: 'Save a card that works' }).click();
    expect(new URL(page.url()).pathname).toBe('/portal/payment/return');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Your payment is confirmed.');
    await page.context().close();
    expect(await portal.runtime.table.getCase(caseId)).toMatchObject({
      status: 'closed',
      closeReason: 'paid',
    });
  });
});
