import { describe, expect, it } from 'vitest';
import { withEmailOptOut, withPhoneOptOut } from '../../../shared/domain/opt-out-notice.ts';

const email = { subject: 'Your payment', text: 'Hi Ana,\n\nPlease pay.\n', html: '<p>Hi Ana,</p>' };

describe('withEmailOptOut', () => {
  it('adds the unsubscribe link to both parts and keeps the subject', () => {
    const url = 'https://pay.example.com/portal/u/u1.abc';
    const content = withEmailOptOut(email, 'en', url);
    expect(content.subject).toBe('Your payment');
    expect(content.text).toBe(
      `Hi Ana,\n\nPlease pay.\n\nYou can stop emails about your payments at any time: ${url}\n`,
    );
    // Mustache escapes the URL as it does every link of the templates ("/" as "&#x2F;").
    expect(content.html).toBe(
      `<p>Hi Ana,</p><p><small>You can <a href="${url.replaceAll('/', '&#x2F;')}">stop emails about your payments</a> at any time.</small></p>`,
    );
  });

  it('speaks the debtor’s language, and English for a language it lacks', () => {
    expect(withEmailOptOut(email, 'de', 'https://x/u/1').text).toContain('E-Mails zu Ihren Zahlungen');
    expect(withEmailOptOut(email, 'es', 'https://x/u/1').text).toContain('dejar de recibir correos');
    expect(withEmailOptOut(email, 'fr', 'https://x/u/1').text).toContain('ne plus recevoir');
    expect(withEmailOptOut(email, 'pt', 'https://x/u/1').text).toContain('You can stop emails');
  });

  it('escapes the URL in the HTML part', () => {
    expect(withEmailOptOut(email, 'en', 'https://x/u/a"b').html).toContain('a&quot;b">');
  });
});

describe('withPhoneOptOut', () => {
  it('names the STOP keyword on texts and WhatsApp, in the debtor’s language', () => {
    expect(withPhoneOptOut('Please pay.\n', 'sms', 'en')).toBe('Please pay.\nReply STOP to opt out.');
    expect(withPhoneOptOut('Pague.', 'whatsapp', 'es')).toBe('Pague.\nResponda STOP para darse de baja.');
  });

  it('leaves calls and emails as they are', () => {
    expect(withPhoneOptOut('Please pay.', 'voice', 'en')).toBe('Please pay.');
    expect(withPhoneOptOut('Please pay.', 'email', 'en')).toBe('Please pay.');
  });
});
