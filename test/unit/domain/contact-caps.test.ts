import { describe, expect, it } from 'vitest';
import {
  type ContactEvent,
  isWithinCap,
  nextMomentAfterConversation,
  nextMomentWithinCap,
} from '../../../shared/domain/contact-caps.ts';

const day = 24 * 3600 * 1000;
const start = Date.parse('2026-11-02T14:00:00Z');

function calls(count: number, everyHours: number): ContactEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    channel: 'voice' as const,
    at: new Date(start + index * everyHours * 3600 * 1000).toISOString(),
    kind: 'attempt' as const,
  }));
}

describe('nextMomentWithinCap', () => {
  it('allows the seventh call attempt in seven days and defers the eighth until the first leaves the window (Reg F)', () => {
    // Prepare
    const six = calls(6, 12);
    const seven = calls(7, 12);
    const limit = { scope: 'voice' as const, cap: { max: 7, days: 7 } };
    const after = new Date(start + 4 * day);

    // Act
    const seventh = nextMomentWithinCap(after, limit, six);
    const eighth = nextMomentWithinCap(after, limit, seven);

    // Assess
    expect(seventh?.toISOString()).toBe(after.toISOString());
    expect(eighth?.toISOString()).toBe(new Date(start + 7 * day).toISOString());
    expect(eighth && isWithinCap(eighth, limit, seven)).toBe(true);
    expect(isWithinCap(new Date(start + 7 * day - 1), limit, seven)).toBe(false);
  });

  it('counts only the capped channel, and every channel for an overall cap', () => {
    // Prepare
    const mixed: ContactEvent[] = [
      { channel: 'email', at: '2026-11-02T14:00:00Z', kind: 'attempt' },
      { channel: 'sms', at: '2026-11-02T15:00:00Z', kind: 'attempt' },
    ];
    const at = new Date('2026-11-02T16:00:00Z');

    // Act
    const email = nextMomentWithinCap(at, { scope: 'email', cap: { max: 1, days: 1 } }, mixed);
    const voice = nextMomentWithinCap(at, { scope: 'voice', cap: { max: 1, days: 1 } }, mixed);
    const overall = nextMomentWithinCap(at, { scope: 'overall', cap: { max: 2, days: 1 } }, mixed);

    // Assess
    expect(email?.toISOString()).toBe('2026-11-03T14:00:00.000Z');
    expect(voice?.toISOString()).toBe(at.toISOString());
    expect(overall?.toISOString()).toBe('2026-11-03T14:00:00.000Z');
  });

  it('does not count conversations as attempts, and never allows a cap of zero', () => {
    // Prepare
    const talked: ContactEvent[] = [{ channel: 'voice', at: '2026-11-02T14:00:00Z', kind: 'conversation' }];
    const at = new Date('2026-11-02T16:00:00Z');

    // Act
    const one = nextMomentWithinCap(at, { scope: 'voice', cap: { max: 1, days: 7 } }, talked);
    const zero = nextMomentWithinCap(at, { scope: 'voice', cap: { max: 0, days: 7 } }, []);

    // Assess
    expect(one?.toISOString()).toBe(at.toISOString());
    expect(zero).toBeUndefined();
  });
});

describe('nextMomentAfterConversation', () => {
  it('keeps calls away for seven days after a telephone conversation (Reg F)', () => {
    // Prepare
    const talked: ContactEvent[] = [{ channel: 'voice', at: '2026-11-02T14:00:00Z', kind: 'conversation' }];

    // Act
    const voice = nextMomentAfterConversation(new Date('2026-11-05T14:00:00Z'), 'voice', 7, talked);
    const sms = nextMomentAfterConversation(new Date('2026-11-05T14:00:00Z'), 'sms', 7, talked);
    const later = nextMomentAfterConversation(new Date('2026-11-10T14:00:00Z'), 'voice', 7, talked);

    // Assess
    expect(voice.toISOString()).toBe('2026-11-09T14:00:00.000Z');
    expect(sms.toISOString()).toBe('2026-11-05T14:00:00.000Z');
    expect(later.toISOString()).toBe('2026-11-10T14:00:00.000Z');
  });
});
