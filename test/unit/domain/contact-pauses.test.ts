import { describe, expect, it } from 'vitest';
import { isPauseActiveAt, nextMomentOutsidePauses } from '../../../shared/domain/contact-pauses.ts';

describe('nextMomentOutsidePauses', () => {
  it('moves past chained pauses to the end of the last one, naming each reason once', () => {
    // Prepare
    const pauses = [
      { reason: 'promise-to-pay' as const, from: '2026-11-02T00:00:00Z', until: '2026-11-05T00:00:00Z' },
      { reason: 'hardship' as const, from: '2026-11-04T00:00:00Z', until: '2026-11-09T00:00:00Z' },
    ];

    // Act
    const outcome = nextMomentOutsidePauses(new Date('2026-11-03T10:00:00Z'), pauses);

    // Assess
    expect(outcome).toEqual({
      at: new Date('2026-11-09T00:00:00Z'),
      deferredBy: ['promise-to-pay', 'hardship'],
    });
  });

  it('is blocked by a pause without an end, and unaffected by one that ended or has not begun', () => {
    // Prepare
    const open = [{ reason: 'payment-plan' as const, from: '2026-11-01T00:00:00Z' }];
    const past = [
      { reason: 'strategy' as const, from: '2026-10-01T00:00:00Z', until: '2026-10-04T00:00:00Z' },
    ];
    const future = [
      { reason: 'agent' as const, from: '2026-12-01T00:00:00Z', until: '2026-12-04T00:00:00Z' },
    ];
    const at = new Date('2026-11-03T10:00:00Z');

    // Act & Assess
    expect(nextMomentOutsidePauses(at, open)).toEqual({ blockedBy: 'payment-plan' });
    expect(nextMomentOutsidePauses(at, past)).toEqual({ at, deferredBy: [] });
    expect(nextMomentOutsidePauses(at, future)).toEqual({ at, deferredBy: [] });
  });

  it('treats a pause as ending exclusively at its end', () => {
    // Prepare
    const pause = {
      reason: 'strategy' as const,
      from: '2026-11-01T00:00:00Z',
      until: '2026-11-04T00:00:00Z',
    };

    // Act & Assess
    expect(isPauseActiveAt(pause, new Date('2026-11-01T00:00:00Z'))).toBe(true);
    expect(isPauseActiveAt(pause, new Date('2026-11-03T23:59:59Z'))).toBe(true);
    expect(isPauseActiveAt(pause, new Date('2026-11-04T00:00:00Z'))).toBe(false);
  });
});
