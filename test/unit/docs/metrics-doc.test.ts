import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricDefinitions } from '../../../shared/domain/finance-report.ts';

describe('docs/metrics.md', () => {
  const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');

  it('repeats every definition of the report footer word for word', () => {
    for (const { term, definition } of metricDefinitions) {
      expect(doc, term).toContain(`| ${term} | ${definition.replace('{window}', 'N (default 7)')} |`);
    }
  });
});
