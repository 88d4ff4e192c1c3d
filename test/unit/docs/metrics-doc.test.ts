import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricDefinitions } from '../../../shared/domain/finance-report.ts';

describe('docs/metrics.md', () => {
  const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  // Table rows as [term, definition], whatever padding the formatter gives the columns.
  const rows = new Map(
    doc
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .map((cells) => [cells[1] ?? '', cells[2] ?? ''] as const),
  );

  it('repeats every definition of the report footer word for word', () => {
    for (const { term, definition } of metricDefinitions) {
      expect(rows.get(term), term).toBe(definition.replace('{window}', 'N (default 7)'));
    }
  });
});
