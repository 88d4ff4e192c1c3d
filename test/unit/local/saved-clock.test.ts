import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SavedClock } from '../../../infra/local/saved-clock.ts';

describe('SavedClock', () => {
  const folder = mkdtempSync(join(tmpdir(), 'saved-clock-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('keeps the last time saved, overwritten in place, and reads it back after a restart', () => {
    // Prepare: a file left by an earlier run, longer than what will be saved.
    const file = join(folder, 'clock.json');
    writeFileSync(file, `${JSON.stringify({ now: '2026-01-01T00:00:00.000Z' })}\n\n`);
    const clock = new SavedClock(file);

    // Act
    expect(clock.read()).toEqual(new Date('2026-01-01T00:00:00.000Z'));
    clock.save(new Date('2026-03-02T00:00:00Z'));
    clock.save(new Date('2026-03-02T00:15:00Z'));
    clock.close();

    // Assert
    expect(readFileSync(file, 'utf8')).toBe('{"now":"2026-03-02T00:15:00.000Z"}');
    expect(new SavedClock(file).read()).toEqual(new Date('2026-03-02T00:15:00Z'));
  });

  it('reads nothing from a missing or unreadable file, and creates the file on the first save', () => {
    const missing = join(folder, 'missing.json');
    const garbled = join(folder, 'garbled.json');
    writeFileSync(garbled, '{"now":"yesterday"}');

    expect(new SavedClock(missing).read()).toBeUndefined();
    expect(new SavedClock(garbled).read()).toBeUndefined();
    const clock = new SavedClock(missing);
    clock.save(new Date('2026-03-02T00:00:00Z'));
    clock.close();
    expect(new SavedClock(missing).read()).toEqual(new Date('2026-03-02T00:00:00Z'));
  });
});
