import { describe, expect, it } from 'vitest';
import { newLinkId, signPortalToken } from '../../../shared/domain/portal/portal-link.ts';
import { signReportToken, verifyReportToken } from '../../../shared/domain/report-link.ts';
import { parseSigningKeys } from '../../../shared/domain/signing-keys.ts';

const keys = { current: 'r'.repeat(40) };
const now = new Date('2026-04-01T08:00:00Z');
const expiry = new Date('2026-05-01T08:00:00Z');

describe('signReportToken / verifyReportToken', () => {
  it('verifies a token it signed until its expiry, then says expired', () => {
    const token = signReportToken('monthly-2026-03', expiry, keys);
    expect(token).toMatch(/^r1\.monthly-2026-03\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyReportToken(token, keys, now)).toEqual({
      status: 'valid',
      reportId: 'monthly-2026-03',
      expiresAt: expiry,
    });
    expect(verifyReportToken(token, keys, new Date(expiry.getTime() - 1000)).status).toBe('valid');
    expect(verifyReportToken(token, keys, expiry)).toEqual({
      status: 'expired',
      reportId: 'monthly-2026-03',
      expiresAt: expiry,
    });
  });

  it('refuses a token whose report, expiry, version or MAC was changed', () => {
    const token = signReportToken('monthly-2026-03', expiry, keys);
    const [version, reportId, expiresAt, mac] = token.split('.');
    const later = (Number.parseInt(expiresAt ?? '', 36) + 86_400).toString(36);
    for (const tampered of [
      `${version}.monthly-2026-02.${expiresAt}.${mac}`,
      `${version}.${reportId}.${later}.${mac}`,
      `r2.${reportId}.${expiresAt}.${mac}`,
      `${version}.${reportId}.${expiresAt}.${mac?.slice(0, -1)}A`,
      `${version}.${reportId}.${expiresAt}`,
      `${token}.extra`,
      '',
      'x'.repeat(500),
    ]) {
      expect(verifyReportToken(tampered, keys, now)).toEqual({ status: 'invalid' });
    }
  });

  it('refuses a token signed with another key, and verifies with a previous key during a rotation', () => {
    const old = { current: 'o'.repeat(40) };
    const token = signReportToken('weekly-2026-W13', expiry, old);
    expect(verifyReportToken(token, keys, now)).toEqual({ status: 'invalid' });
    expect(verifyReportToken(token, { current: keys.current, previous: [old.current] }, now).status).toBe(
      'valid',
    );
  });

  it('never accepts a portal token made with the same secret (keys are derived per use)', () => {
    const portalToken = signPortalToken(newLinkId(), expiry, keys);
    const [, linkId, expiresAt, mac] = portalToken.split('.');
    expect(verifyReportToken(`r1.${linkId}.${expiresAt}.${mac}`, keys, now)).toEqual({ status: 'invalid' });
    expect(verifyReportToken(portalToken, keys, now)).toEqual({ status: 'invalid' });
  });

  it('signs only report ids, so the token keeps its four parts', () => {
    expect(() => signReportToken('monthly.2026', expiry, keys)).toThrow(RangeError);
    expect(() => signReportToken('../etc', expiry, keys)).toThrow(RangeError);
    expect(signReportToken('adhoc-2026-03-01_2026-03-10', expiry, keys).split('.')).toHaveLength(4);
  });
});

describe('parseSigningKeys', () => {
  it('reads a plain key or a rotation document, and refuses short keys naming the secret', () => {
    expect(parseSigningKeys(` ${'a'.repeat(32)}\n`, 'the report link signing key')).toEqual({
      current: 'a'.repeat(32),
    });
    expect(
      parseSigningKeys(JSON.stringify({ current: 'b'.repeat(32), previous: ['a'.repeat(32), 7] }), 'x'),
    ).toEqual({ current: 'b'.repeat(32), previous: ['a'.repeat(32)] });
    expect(() => parseSigningKeys('short', 'the report link signing key')).toThrow(
      /the report link signing key must be at least 32 characters/,
    );
    expect(() => parseSigningKeys('{"current": "short"}', 'x')).toThrow(RangeError);
  });
});
