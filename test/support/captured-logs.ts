import { afterEach, beforeEach, vi } from 'vitest';
import { logger } from '../../shared/adapters/observability/logger.ts';

/**
 * Everything the product logs during each test of the enclosing file (or `describe`), captured
 * instead of printed, one `[level, ...arguments]` entry a call; emptied before each test and the
 * logger restored after it. Tests read it to check what a handler logs, and what it never logs.
 */
export function capturedLogsPerTest(): readonly (readonly unknown[])[] {
  const logged: unknown[][] = [];
  beforeEach(() => {
    logged.length = 0;
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
        logged.push([level, ...args]);
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return logged;
}
