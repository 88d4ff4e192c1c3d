import { describe, expect, it } from 'vitest';
import {
  addressPseudonym,
  csrfTokenFor,
  isCsrfTokenValid,
  isLinkRevoked,
  newLinkId,
  type PortalLink,
  parsePortalSigningKeys,
  signPortalSession,
  signPortalToken,
  verifyPortalSession,
  verifyPortalToken,
} from '../../../../shared/domain/portal/portal-link.ts';

const keys = { current: 'k'.repeat(40) };
const now = new Date('2026-03-02T10:00:00Z');
const later = new Date('2026-03-16T10:00:00Z');

describe('signPortalToken / verifyPortalToken', () => {
  it('verifies a token it signed, until its expiry', () => {
    const linkId = newLinkId();
    const token = signPortalToken(linkId, later, keys);
    expect(verifyPortalToken(token, keys, now)).toEqual({ status: 'valid', linkId, expiresAt: later });
    expect(verifyPortalToken(token, keys, later)).toEqual({ status: 'expired', linkId, expiresAt: later });
  });

  it('carries nothing but a random link id and the expiry', () => {
    const token = signPortalToken(newLinkId(), later, keys);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(newLinkId()).not.toBe(newLinkId());
  });

  it('refuses a token whose expiry, link id or MAC was changed, or signed with another key', () => {
    const linkId = newLinkId();
    const token = signPortalToken(linkId, later, keys);
    const [version, id, expiry, mac] = token.split('.');
    const extended = `${version}.${id}.${(Number.parseInt(expiry ?? '', 36) + 86_400).toString(36)}.${mac}`;
    expect(verifyPortalToken(extended, keys, now)).toEqual({ status: 'invalid' });
    expect(verifyPortalToken(`${version}.${newLinkId()}.${expiry}.${mac}`, keys, now)).toEqual({
      status: 'invalid',
    });
    expect(verifyPortalToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, keys, now)).toEqual({
      status: 'invalid',
    });
    expect(verifyPortalToken(token, { current: 'o'.repeat(40) }, now)).toEqual({ status: 'invalid' });
    expect(verifyPortalToken('garbage', keys, now)).toEqual({ status: 'invalid' });
    expect(verifyPortalToken('x'.repeat(500), keys, now)).toEqual({ status: 'invalid' });
  });

  it('keeps verifying links of the previous key during a rotation', () => {
    const old = { current: 'o'.repeat(40) };
    const token = signPortalToken(newLinkId(), later, old);
    expect(verifyPortalToken(token, { current: 'n'.repeat(40), previous: [old.current] }, now).status).toBe(
      'valid',
    );
  });
});

describe('portal sessions and CSRF tokens', () => {
  it('verifies a session until it ends and never a link token as a session', () => {
    const linkId = newLinkId();
    const session = signPortalSession(linkId, later, keys);
    expect(verifyPortalSession(session, keys, now)).toEqual({ linkId, expiresAt: later });
    expect(verifyPortalSession(session, keys, later)).toBeUndefined();
    const token = signPortalToken(linkId, later, keys);
    expect(verifyPortalSession(token.split('.').slice(1).join('.'), keys, now)).toBeUndefined();
  });

  it('binds a CSRF token to the session and the form', () => {
    const linkId = newLinkId();
    const token = csrfTokenFor(linkId, 'pay', keys);
    expect(isCsrfTokenValid(token, linkId, 'pay', keys)).toBe(true);
    expect(isCsrfTokenValid(token, linkId, 'plan', keys)).toBe(false);
    expect(isCsrfTokenValid(token, newLinkId(), 'pay', keys)).toBe(false);
    expect(isCsrfTokenValid(undefined, linkId, 'pay', keys)).toBe(false);
  });

  it('pseudonymises addresses with the key, so the counter key reveals no address', () => {
    const pseudonym = addressPseudonym('203.0.113.7', keys);
    expect(pseudonym).not.toContain('203');
    expect(pseudonym).toBe(addressPseudonym('203.0.113.7', keys));
    expect(pseudonym).not.toBe(addressPseudonym('203.0.113.8', keys));
  });
});

describe('isLinkRevoked', () => {
  const link: PortalLink = {
    linkId: newLinkId(),
    caseId: 'case_1',
    customerId: 'stripe:cus_1',
    issuedAt: '2026-03-02T10:00:00.000Z',
    expiresAt: '2026-03-16T10:00:00.000Z',
    purpose: 'day-0',
  };

  it('revokes one link, or every link issued before a case-wide revocation', () => {
    expect(isLinkRevoked(link, undefined)).toBe(false);
    expect(isLinkRevoked({ ...link, revokedAt: '2026-03-03T00:00:00.000Z' }, undefined)).toBe(true);
    expect(isLinkRevoked(link, '2026-03-03T00:00:00.000Z')).toBe(true);
    expect(isLinkRevoked(link, '2026-03-01T00:00:00.000Z')).toBe(false);
  });
});

describe('parsePortalSigningKeys', () => {
  it('reads a plain key or a rotation document, and refuses short keys', () => {
    expect(parsePortalSigningKeys(` ${'a'.repeat(32)}\n`)).toEqual({ current: 'a'.repeat(32) });
    expect(
      parsePortalSigningKeys(JSON.stringify({ current: 'b'.repeat(32), previous: ['a'.repeat(32)] })),
    ).toEqual({
      current: 'b'.repeat(32),
      previous: ['a'.repeat(32)],
    });
    expect(() => parsePortalSigningKeys('short')).toThrow(RangeError);
    expect(() => parsePortalSigningKeys('{"current": "short"}')).toThrow(RangeError);
  });
});
