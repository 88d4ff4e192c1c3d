import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import type { ReportArchive } from '../../ports.ts';

/**
 * The report archive in a local folder (S3 stands-in for the local runtime, the tests and the
 * benchmark). Links point at the local runtime's `GET /local/reports/...` route, which serves the
 * folder; they do not expire.
 */
export class FolderReportArchive implements ReportArchive {
  public constructor(
    private readonly folder: string,
    /** e.g. `http://127.0.0.1:3000/local/` (keys start with `reports/`). */
    private readonly baseUrl: () => string,
  ) {}

  /** The file of a key, refusing keys that would leave the folder. */
  public pathOf(key: string): string {
    const path = normalize(join(this.folder, key));
    const inside = relative(this.folder, path);
    if (inside.startsWith('..') || inside.startsWith(sep) || inside === '') {
      throw new RangeError(`archive key ${key} leaves the archive folder`);
    }
    return path;
  }

  public async put(key: string, body: Uint8Array, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }

  public async linkTo(key: string, _expiresInSeconds: number): Promise<string> {
    this.pathOf(key);
    return `${this.baseUrl()}${key}`;
  }

  public read(key: string): Buffer {
    return readFileSync(this.pathOf(key));
  }
}
