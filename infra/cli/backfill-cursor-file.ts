import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BackfillCursor } from './stripe-backfill.ts';

/** The backfill cursor in a small JSON file, written atomically enough for one process. */
export function fileCursor(path: string): BackfillCursor {
  return {
    load: async () => {
      try {
        const saved = JSON.parse(await readFile(path, 'utf8')) as { lastInvoiceId?: unknown };
        return typeof saved.lastInvoiceId === 'string' ? saved.lastInvoiceId : undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    save: async (lastInvoiceId) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify({ lastInvoiceId, savedAt: new Date().toISOString() }));
    },
    clear: async () => {
      await rm(path, { force: true });
    },
  };
}
