import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../infra/local/virtual-clock.ts';

const start = new Date('2026-01-01T00:00:00Z');

describe('VirtualClock', () => {
  it('wakes sleepers in time order, each at its own moment, and ends at the target', async () => {
    const clock = new VirtualClock(start);
    const woke: string[] = [];
    const sleeper = (label: string, seconds: number) =>
      clock.track(async () => {
        await clock.until(new Date(start.getTime() + seconds * 1000));
        woke.push(`${label}@${clock.now().toISOString()}`);
      });
    void sleeper('late', 30);
    void sleeper('early', 10);
    void sleeper('never', 90);

    const now = await clock.advance(60);

    expect(now.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(woke).toEqual(['early@2026-01-01T00:00:10.000Z', 'late@2026-01-01T00:00:30.000Z']);
    expect(clock.pendingWakeUps()).toEqual([new Date('2026-01-01T00:01:30Z')]);
  });

  it('lets the work a wake-up starts finish, including new sleeps that fall due, before moving on', async () => {
    const clock = new VirtualClock(start);
    const log: string[] = [];
    void clock.track(async () => {
      for (let step = 1; step <= 3; step += 1) {
        await clock.until(new Date(clock.now().getTime() + 10_000));
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(clock.now().toISOString());
      }
    });

    await clock.advance(25);

    expect(log).toEqual(['2026-01-01T00:00:10.000Z', '2026-01-01T00:00:20.000Z']);
    await clock.advance(5);
    expect(log).toHaveLength(3);
  });

  it('resolves at once for a moment already reached and refuses to go backwards', async () => {
    const clock = new VirtualClock(start);
    await clock.track(() => clock.until(new Date(start.getTime() - 1000)));
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    expect(clock.now()).toEqual(start);
  });

  it('runs concurrent advances one after the other', async () => {
    const clock = new VirtualClock(start);
    const [first, second] = await Promise.all([clock.advance(10), clock.advance(10)]);
    expect(first.toISOString()).toBe('2026-01-01T00:00:10.000Z');
    expect(second.toISOString()).toBe('2026-01-01T00:00:20.000Z');
  });
});
