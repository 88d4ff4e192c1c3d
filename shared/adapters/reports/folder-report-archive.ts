import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize, relative, sep } from 'node:path';
import type { ArchivedReportFile, ReportArchive, ReportArchiveReader } from '../../ports.ts';

/** The folder keeps no metadata: content types come from the file names the report writes. */
const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
};

/**
 * The report archive in a local folder (S3 stands-in for the local runtime, the tests and the
 * benchmark). Links point at the local runtime's `GET /local/reports/...` route, which serves the
 * folder; they do not expire.
 */
export class FolderReportArchive implements ReportArchive, ReportArchiveReader {
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

  public async get(key: string): Promise<ArchivedReportFile | undefined> {
    if (!(await this.has(key))) return undefined;
    return {
      body: new Uint8Array(this.read(key)),
      contentType: contentTypes[extname(key)] ?? 'application/octet-stream',
    };
  }

  public async has(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    return existsSync(path) && statSync(path).isFile();
  }
}
