import { describe, expect, it } from 'vitest';
import {
  openUnsubscribeToken,
  sealUnsubscribeToken,
  unsubscribeUrl,
} from '../../../../shared/domain/portal/unsubscribe-token.ts';

const keys = { current: 'k'.repeat(40) };
const request = { customerId: 'stripe:cus_ANA', channel: 'email' as const, address: 'ana@example.com' };

function flipCharacter(token: string, index: number): string {
  const character = token[index] === 'A' ? 'B' : 'A';
  return `${token.slice(0, index)}${character}${token.slice(index + 1)}`;
}

describe('sealUnsubscribeToken / openUnsubscribeToken', () => {
  it('opens a token it sealed to the same customer, channel and address', () => {
    expect(openUnsubscribeToken(sealUnsubscribeToken(request, keys), keys)).toEqual(request);
  });

  it('keeps the customer id and the address out of the URL', () => {
    const token = sealUnsubscribeToken(request, keys);
    expect(token).toMatch(/^u1\.[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('cus_ANA');
    expect(Buffer.from(token.slice(3), 'base64url').toString('latin1')).not.toContain('ana@example.com');
    // A fresh IV each time: two links for the same address cannot be matched to each other.
    expect(sealUnsubscribeToken(request, keys)).not.toBe(token);
  });

  it('refuses a token with any character changed, cut short, or sealed under another key', () => {
    const token = sealUnsubscribeToken(request, keys);
    for (const index of [3, 10, Math.floor(token.length / 2), token.length - 1]) {
      expect(openUnsubscribeToken(flipCharacter(token, index), keys)).toBeUndefined();
    }
    expect(openUnsubscribeToken(token.slice(0, -4), keys)).toBeUndefined();
    expect(openUnsubscribeToken(token, { current: 'o'.repeat(40) })).toBeUndefined();
    expect(openUnsubscribeToken('u1.', keys)).toBeUndefined();
    expect(openUnsubscribeToken('v1.abc.def.ghi', keys)).toBeUndefined();
    expect(openUnsubscribeToken(`u1.${'A'.repeat(700)}`, keys)).toBeUndefined();
    expect(openUnsubscribeToken('u1.!!!not-base64!!!', keys)).toBeUndefined();
  });

  it('still opens tokens sealed with the previous key during a rotation', () => {
    const old = { current: 'o'.repeat(40) };
    const token = sealUnsubscribeToken(request, old);
    expect(openUnsubscribeToken(token, { current: keys.current, previous: [old.current] })).toEqual(request);
  });

  it('is not opened by a key derived for another portal purpose', () => {
    // Same secret, but the portal's link MACs use a different derived key: a token of one kind
    // can never pass as the other.
    const token = sealUnsubscribeToken(request, keys);
    expect(token.startsWith('v1.')).toBe(false);
    expect(openUnsubscribeToken(token.replace(/^u1\./, 'v1.'), keys)).toBeUndefined();
  });
});

describe('unsubscribeUrl', () => {
  it('puts the token under the portal’s /u/ path, whatever the trailing slashes', () => {
    expect(unsubscribeUrl('https://pay.example.com/portal/', 'u1.abc')).toBe(
      'https://pay.example.com/portal/u/u1.abc',
    );
  });
});
