import { describe, expect, it } from 'vitest';
import { nextRunAfter } from '../../../infra/local/local-scheduler.ts';

describe('nextRunAfter (weekly and monthly schedules)', () => {
  it('fires a weekly schedule on the next Monday at 07:30 local time', () => {
    // Wednesday 4 March 2026, Paris.
    expect(nextRunAfter('cron(30 7 ? * MON *)', 'Europe/Paris', new Date('2026-03-04T12:00:00Z'))).toEqual(
      new Date('2026-03-09T06:30:00Z'),
    );
    // Monday 9 March at 07:30 Paris exactly: the next one is a week later.
    expect(nextRunAfter('cron(30 7 ? * MON *)', 'Europe/Paris', new Date('2026-03-09T06:30:00Z'))).toEqual(
      new Date('2026-03-16T06:30:00Z'),
    );
  });

  it('fires a monthly schedule on the 1st at 08:00 local time, across daylight saving changes', () => {
    expect(nextRunAfter('cron(0 8 1 * ? *)', 'Europe/Paris', new Date('2026-03-15T00:00:00Z'))).toEqual(
      new Date('2026-04-01T06:00:00Z'), // CEST
    );
    expect(nextRunAfter('cron(0 8 1 * ? *)', 'Europe/Paris', new Date('2026-01-01T06:59:00Z'))).toEqual(
      new Date('2026-01-01T07:00:00Z'), // CET
    );
  });

  it('skips months without the day, as EventBridge Scheduler does', () => {
    expect(nextRunAfter('cron(0 8 31 * ? *)', 'UTC', new Date('2026-03-31T09:00:00Z'))).toEqual(
      new Date('2026-05-31T08:00:00Z'),
    );
  });
});
