import { describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../infra/local/outbox.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

const day = 24 * 3600;
/** 14:00 UTC on Monday 2 March 2026: 09:00 in New York, inside the contact window. */
const clockStart = new Date('2026-03-02T14:00:00Z');
const customerId = 'stripe:cus_UNSUB';

/** The link of the email's unsubscribe footer. */
function unsubscribeUrlOf(message: OutboxMessage): string {
  const url = /You can stop emails about your payments at any time: (\S+)\n$/.exec(message.body)?.[1];
  if (url === undefined) throw new Error('the email has no unsubscribe footer');
  return url;
}

describe('unsubscribing from collection emails on the local runtime', () => {
  const product = localRuntimePerTest(() => ({ clockStart }));

  async function firstEmail(): Promise<OutboxMessage> {
    const delivered = await product.client.deliverStripeEvent('invoice.payment_failed', {
      customerId: 'cus_UNSUB',
      invoiceId: 'in_UNSUB',
      email: 'sam@example.com',
      timeZone: 'America/New_York',
      amountDue: 2900,
      currency: 'usd',
    });
    expect(delivered.status).toBe(200);
    await product.client.advance(3600);
    const [email] = (await product.client.outbox()).filter((message) => message.customerId === customerId);
    if (email === undefined) throw new Error('the first journey email was not sent');
    return email;
  }

  it('stops every later email after a one-click POST, with no further contact by email', async () => {
    const email = await firstEmail();
    const url = unsubscribeUrlOf(email);
    // The local runtime serves plain http, which RFC 8058 does not allow in the headers; on AWS the
    // portal is https and the same URL goes into List-Unsubscribe and List-Unsubscribe-Post.
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/portal\/u\/u1\.[A-Za-z0-9_-]+$/);

    // Opening the link (a mail scanner does it) only shows the confirmation: nothing changes.
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Stop these messages?');
    expect(html).toMatch(/<form method="post" action="\/portal\/u\/u1\.[A-Za-z0-9_-]+">/);
    expect(await product.runtime.table.getConsent(customerId, 'email')).toBeUndefined();

    // The mail provider's one-click POST: no cookie, no Origin of ours, RFC 8058's body.
    const oneClick = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.example.net' },
      body: 'List-Unsubscribe=One-Click',
      redirect: 'manual' as const,
    };
    const posted = await fetch(url, oneClick);
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('We will no longer contact you by email about your payments.');
    expect(await product.runtime.table.getConsent(customerId, 'email')).toMatchObject({
      status: 'opted-out',
      reason: 'unsubscribe-link',
      address: 'sam@example.com',
    });
    // Posting again (the page's button after the mail client's) answers the same.
    expect((await fetch(url, oneClick)).status).toBe(200);

    const sentBefore = (await product.client.outbox()).length;
    await product.client.advance(15 * day);
    const later = (await product.client.outbox())
      .slice(sentBefore)
      .filter((message) => message.customerId === customerId && message.channel === 'email');
    expect(later).toEqual([]);
  });

  it('answers a tampered or foreign token with the invalid-link page and changes nothing', async () => {
    const email = await firstEmail();
    const url = unsubscribeUrlOf(email);
    const tampered = `${url.slice(0, -2)}${url.endsWith('AA') ? 'BB' : 'AA'}`;
    const posted = await fetch(tampered, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(posted.status).toBe(404);
    expect(await posted.text()).toContain('This link does not work');
    expect((await fetch(`${product.runtime.url}/portal/u/v1.not-a-token`)).status).toBe(404);
    expect(await product.runtime.table.getConsent(customerId, 'email')).toBeUndefined();
  });
});
