import { describe, expect, it } from 'vitest';
import { type ContactConsent, consentAllows, supersedes } from '../../../shared/domain/contact-consent.ts';
import { isWhatsAppSessionOpen, normalizeAddress, toE164 } from '../../../shared/domain/delivery-channel.ts';
import { keywordReplyText } from '../../../shared/domain/keyword-replies.ts';

const consent = (overrides: Partial<ContactConsent>): ContactConsent => ({
  customerId: 'stripe:cus_1',
  channel: 'sms',
  status: 'opted-out',
  address: '+14255550156',
  reason: 'stop-keyword',
  decidedAt: '2026-03-11T09:00:00.000Z',
  sourceEventId: 'sms:1',
  ...overrides,
});

describe('consentAllows', () => {
  it('allows contact when nothing is recorded or the debtor opted back in', () => {
    expect(consentAllows(undefined, '+14255550156')).toBe(true);
    expect(consentAllows(consent({ status: 'opted-in' }), '+14255550156')).toBe(true);
  });

  it('blocks the whole channel after an opt-out, whatever the address', () => {
    expect(consentAllows(consent({}), '+14255550199')).toBe(false);
  });

  it.each(['suppressed', 'invalid'] as const)('blocks only the %s address', (status) => {
    expect(consentAllows(consent({ status }), '+14255550156')).toBe(false);
    expect(consentAllows(consent({ status }), '+14255550199')).toBe(true);
  });
});

describe('supersedes', () => {
  it('lets the later decision win, whatever arrives first', () => {
    const stop = consent({ decidedAt: '2026-03-11T09:00:00.000Z' });
    const start = consent({ status: 'opted-in', decidedAt: '2026-03-11T09:05:00.000Z' });
    expect(supersedes(start, stop)).toBe(true);
    expect(supersedes(stop, start)).toBe(false);
  });

  it('lets the stricter status win a tie', () => {
    const stop = consent({});
    const start = consent({ status: 'opted-in' });
    expect(supersedes(stop, start)).toBe(true);
    expect(supersedes(start, stop)).toBe(false);
  });
});

describe('toE164 and normalizeAddress', () => {
  it.each([
    ['+1 (425) 555-0156', '+14255550156'],
    ['0034 600 111 222', '+34600111222'],
    ['+44 20 7946 0958', '+442079460958'],
    ['425-555-0156', undefined],
    ['+0123456789', undefined],
  ])('reads %j as %j', (raw, expected) => {
    expect(toE164(raw)).toBe(expected);
  });

  it('lower-cases emails and reads WhatsApp ids (digits without plus) as numbers', () => {
    expect(normalizeAddress('email', ' Ana@Example.COM ')).toBe('ana@example.com');
    expect(normalizeAddress('whatsapp', '34600111222')).toBe('+34600111222');
    expect(normalizeAddress('email', 'not-an-address')).toBeUndefined();
  });
});

describe('isWhatsAppSessionOpen', () => {
  it('is open for 24 hours after the debtor’s last message, and never without one', () => {
    const last = '2026-03-10T10:00:00.000Z';
    expect(isWhatsAppSessionOpen(last, new Date('2026-03-11T09:59:59.999Z'))).toBe(true);
    expect(isWhatsAppSessionOpen(last, new Date('2026-03-11T10:00:00.000Z'))).toBe(false);
    expect(isWhatsAppSessionOpen(undefined, new Date(last))).toBe(false);
  });
});

describe('keywordReplyText', () => {
  const settings = { supportContact: 'help@acme.example', senderName: 'Acme' };

  it.each([
    [
      'en-US',
      'You will no longer receive text messages from Acme. Reply START to opt back in. Help: help@acme.example',
    ],
    [
      'es-MX',
      'Ya no recibirá mensajes de texto de Acme. Responda START para volver a recibirlos. Ayuda: help@acme.example',
    ],
    [
      'de-DE',
      'Sie erhalten keine SMS mehr von Acme. Antworten Sie START, um sie wieder zu erhalten. Hilfe: help@acme.example',
    ],
    [
      'fr-FR',
      'Vous ne recevrez plus de SMS de Acme. Répondez START pour les recevoir à nouveau. Aide : help@acme.example',
    ],
    [
      'it-IT',
      'You will no longer receive text messages from Acme. Reply START to opt back in. Help: help@acme.example',
    ],
  ])('confirms an SMS opt-out in %s', (locale, text) => {
    expect(keywordReplyText('opted-out', 'sms', locale, settings)).toBe(text);
  });

  it('names calls when the debtor asked to stop calls', () => {
    expect(keywordReplyText('opted-out', 'voice', 'en', settings)).toContain('no longer receive calls');
  });
});
