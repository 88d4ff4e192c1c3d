import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Where the virtual clock is kept between runs (`<data dir>/clock.json`). The runtime saves the
 * time after every advance that moved it, thousands of times in a simulation: the file stays open
 * and is overwritten in place (one write, where opening, truncating and closing cost forty times
 * as much), and never left empty in between.
 */
export class SavedClock {
  private descriptor: number | undefined;
  private saved = '';

  public constructor(private readonly file: string) {}

  /** The saved time, if the file holds one. */
  public read(): Date | undefined {
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as { now?: string };
      const at = saved.now ? new Date(saved.now) : undefined;
      return at && !Number.isNaN(at.getTime()) ? at : undefined;
    } catch {
      return undefined;
    }
  }

  /** Saves `now`, unless it is what the file already says. */
  public save(now: Date): void {
    const text = JSON.stringify({ now: now.toISOString() });
    if (text === this.saved) return;
    // Read and write, created if missing, neither truncated nor appended to: writes go to offset 0.
    this.descriptor ??= openSync(this.file, constants.O_RDWR | constants.O_CREAT);
    writeSync(this.descriptor, text, 0);
    // Shorter than what was there (never, for four-digit years): cut the rest off.
    if (text.length < this.saved.length || this.saved === '') ftruncateSync(this.descriptor, text.length);
    this.saved = text;
  }

  public close(): void {
    if (this.descriptor !== undefined) closeSync(this.descriptor);
    this.descriptor = undefined;
  }
}
