import { describe, expect, it } from 'vitest';
import { LocalScheduler, nextRunAfter } from '../../../infra/local/local-scheduler.ts';
import { VirtualClock } from '../../../infra/local/virtual-clock.ts';

describe('nextRunAfter', () => {
  it('fires a daily cron later the same day, or the next day once the time has passed', () => {
    expect(nextRunAfter('cron(15 2 * * ? *)', 'UTC', new Date('2026-03-02T01:00:00Z')).toISOString()).toBe(
      '2026-03-02T02:15:00.000Z',
    );
    expect(nextRunAfter('cron(15 2 * * ? *)', 'UTC', new Date('2026-03-02T02:15:00Z')).toISOString()).toBe(
      '2026-03-03T02:15:00.000Z',
    );
  });

  it('reads the time in the schedule time zone, across a daylight-saving change', () => {
    // 06:00 in New York is 11:00 UTC in winter and 10:00 UTC after 8 March 2026.
    expect(
      nextRunAfter('cron(0 6 * * ? *)', 'America/New_York', new Date('2026-03-07T12:00:00Z')).toISOString(),
    ).toBe('2026-03-08T10:00:00.000Z');
  });

  it('supports rate() and refuses expressions it cannot honour', () => {
    expect(nextRunAfter('rate(2 hours)', 'UTC', new Date('2026-03-02T00:00:00Z')).toISOString()).toBe(
      '2026-03-02T02:00:00.000Z',
    );
    expect(() => nextRunAfter('cron(0 12 ? * MON-FRI *)', 'UTC', new Date())).toThrow(/does not support/);
  });
});

describe('LocalScheduler', () => {
  it('runs a job at each due moment of virtual time and keeps going after a failure', async () => {
    const clock = new VirtualClock(new Date('2026-03-01T00:00:00Z'));
    const runs: string[] = [];
    const errors: string[] = [];
    const scheduler = new LocalScheduler(clock, (job) => errors.push(job));
    scheduler.start([
      {
        name: 'daily',
        expression: 'cron(15 2 * * ? *)',
        timeZone: 'UTC',
        run: async () => {
          runs.push(clock.now().toISOString());
          if (runs.length === 1) throw new Error('first run fails');
        },
      },
    ]);

    await clock.advance(3 * 24 * 3600);
    scheduler.stop();

    expect(runs).toEqual([
      '2026-03-01T02:15:00.000Z',
      '2026-03-02T02:15:00.000Z',
      '2026-03-03T02:15:00.000Z',
    ]);
    expect(errors).toEqual(['daily']);
  });
});
