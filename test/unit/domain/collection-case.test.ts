import { describe, expect, it } from 'vitest';
import type { ClaimStatus } from '../../../shared/domain/claim.ts';
import { caseIdFor, closeReasonFor, journeyExecutionName } from '../../../shared/domain/collection-case.ts';

describe('caseIdFor', () => {
  it('derives the same id for the same customer and opening claim, so a redelivery reuses the case', () => {
    // Act
    const first = caseIdFor('stripe:cus_TMx8qA3nV5bW2k', 'stripe:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');
    const again = caseIdFor('stripe:cus_TMx8qA3nV5bW2k', 'stripe:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');

    // Assess
    expect(again).toBe(first);
  });

  it('is a valid Step Functions execution name (at most 80 characters of [A-Za-z0-9-_])', () => {
    // Act
    const id = caseIdFor(
      'stripe:acct_1PzYxWQv3eRt5uIo:cus_TMx8qA3nV5bW2k',
      'stripe:acct_1PzYxWQv3eRt5uIo:in_1SQ3h',
    );

    // Assess
    expect(id).toMatch(/^case_[0-9a-f]{24}$/);
    expect(id.length).toBeLessThanOrEqual(80);
  });

  it('differs per customer and per opening claim, even when the concatenated ids coincide', () => {
    // Act
    const ids = new Set([
      caseIdFor('stripe:cus_A', 'stripe:in_1'),
      caseIdFor('stripe:cus_A', 'stripe:in_2'),
      caseIdFor('stripe:cus_B', 'stripe:in_1'),
      caseIdFor('stripe:cus_Astripe:', 'in_1'),
    ]);

    // Assess
    expect(ids.size).toBe(4);
  });
});

describe('closeReasonFor', () => {
  const claims = (...statuses: ClaimStatus[]) => statuses.map((status) => ({ status }));

  it.each<[string, ClaimStatus[], string | undefined]>([
    ['no claims', [], undefined],
    ['one claim still failed', ['paid', 'failed'], undefined],
    ['every claim paid', ['paid', 'paid'], 'paid'],
    ['every claim voided', ['voided'], 'voided'],
    ['every claim written off', ['written_off', 'written_off'], 'written_off'],
    ['claims settled in different ways', ['paid', 'voided'], 'resolved'],
    ['a write-off and a payment', ['written_off', 'paid'], 'resolved'],
  ])('with %s gives %s', (_label, statuses, expected) => {
    // Act
    const reason = closeReasonFor(claims(...statuses));

    // Assess
    expect(reason).toBe(expected);
  });
});

describe('journeyExecutionName', () => {
  it('is the case id for the first run and carries the run after it, within the 80 characters allowed', () => {
    // Prepare
    const caseId = caseIdFor('stripe:cus_TMx8qA3nV5bW2k', 'stripe:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc');

    // Act
    const names = [
      journeyExecutionName(caseId),
      journeyExecutionName(caseId, 1),
      journeyExecutionName(caseId, 12),
    ];

    // Assess
    expect(names).toEqual([caseId, caseId, `${caseId}-run12`]);
    expect(names[2]).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
