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

  it('says when the next sleeper falls due, and nothing once none waits', async () => {
    const clock = new VirtualClock(start);
    expect(clock.nextWakeUp()).toBeUndefined();
    void clock.track(() => clock.until(new Date('2026-01-01T00:05:00Z')));
    void clock.track(() => clock.until(new Date('2026-01-01T00:02:00Z')));

    expect(clock.nextWakeUp()).toEqual(new Date('2026-01-01T00:02:00Z'));
    await clock.advance(180);
    expect(clock.nextWakeUp()).toEqual(new Date('2026-01-01T00:05:00Z'));
    await clock.advance(180);
    expect(clock.nextWakeUp()).toBeUndefined();
  });

  it('takes quiet steps one after the other and stops after the first step that was not quiet', async () => {
    // Prepare
    const clock = new VirtualClock(start);
    const woke: string[] = [];
    void clock.track(async () => {
      await clock.until(new Date('2026-01-01T00:40:00Z'));
      woke.push(clock.now().toISOString());
    });

    // Act: steps of 15 minutes; a step is quiet while nobody woke.
    const result = await clock.advanceInSteps(900, new Date('2026-01-01T03:00:00Z'), () => woke.length === 0);

    // Assert: 00:15, 00:30, then 00:45 (the wake-up at 00:40 happened in it).
    expect(result).toEqual({ now: new Date('2026-01-01T00:45:00Z'), steps: 3 });
    expect(woke).toEqual(['2026-01-01T00:40:00.000Z']);
  });

  it('ends the last quiet step at the given moment, never past it', async () => {
    const clock = new VirtualClock(start);

    const result = await clock.advanceInSteps(900, new Date('2026-01-01T00:40:00Z'), () => true);

    expect(result).toEqual({ now: new Date('2026-01-01T00:40:00Z'), steps: 3 });
  });

  it('lands where the same advances asked one by one from the time read in between would', async () => {
    // Prepare: steps of 1.001 s are no whole number of milliseconds in binary; near the epoch the
    // remainder shows (later times round it away), and a caller reads the time in whole milliseconds.
    const epoch = new Date(0);
    const stepped = new VirtualClock(epoch);
    const oneByOne = new VirtualClock(epoch);
    const until = 5_000;

    // Act
    const result = await stepped.advanceInSteps(1.001, new Date(until), () => true);
    let steps = 0;
    for (let now = 0; now < until; now = oneByOne.now().getTime()) {
      await oneByOne.advance((Math.min(until, now + 1_001) - now) / 1000);
      steps += 1;
    }

    // Assert
    expect(result).toEqual({ now: oneByOne.now(), steps });
    expect(steps).toBe(5);
  });

  it('refuses steps of no time, which would never reach the end', async () => {
    const clock = new VirtualClock(start);
    await expect(clock.advanceInSteps(0, new Date('2026-01-02T00:00:00Z'), () => true)).rejects.toThrow(
      RangeError,
    );
    expect(clock.now()).toEqual(start);
  });
});
