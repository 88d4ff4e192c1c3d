import { describe, expect, it } from 'vitest';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

const day = 24 * 3600;
const debtor = {
  customerId: 'cus_SUPER01',
  invoiceId: 'in_SUPER01',
  email: 'sam@example.com',
  timeZone: 'America/New_York',
  amountDue: 4999,
  currency: 'usd',
} as const;

interface RebuildAnswer {
  readonly result: { readonly equal: boolean; readonly claims: number; readonly mismatchCount: number };
}

describe('finance aggregates when a new case takes claims over', () => {
  // The shipped routing: a small debt joins the B2C experiment, a large one the firm strategy.
  const product = localRuntimePerTest(() => ({ clockStart: new Date('2026-03-02T15:00:00Z') }));

  it('stay equal to a rebuild from the claims after a firm case inherits a B2C claim', async () => {
    // Prepare: the small debt's journey runs its course.
    const first = await product.client.deliverStripeEvent('invoice.payment_failed', debtor);
    await product.client.advance(45 * day);
    const firstCase = await product.runtime.table.getCase(String(first.body.caseId));
    expect(firstCase?.journeyEndedAt).toBeDefined();
    expect(firstCase?.strategyId).not.toBe('firm-high-amount');

    // Act: a large invoice fails; its case supersedes the first and inherits the small claim.
    const second = await product.client.deliverStripeEvent('invoice.payment_failed', {
      ...debtor,
      invoiceId: 'in_SUPER02',
      amountDue: 90000,
    });
    const proof = await fetch(`${product.runtime.url}/local/jobs/rebuild-metric-aggregates/run`, {
      method: 'POST',
    });

    // Assess
    expect(await product.runtime.table.getCase(String(second.body.caseId))).toMatchObject({
      strategyId: 'firm-high-amount',
      claimIds: ['stripe:in_SUPER01', 'stripe:in_SUPER02'],
    });
    expect(((await proof.json()) as RebuildAnswer).result).toMatchObject({
      equal: true,
      claims: 2,
      mismatchCount: 0,
    });
  });
});
