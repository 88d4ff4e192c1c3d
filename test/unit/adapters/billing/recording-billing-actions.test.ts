import { describe, expect, it } from 'vitest';
import { RecordingBillingActions } from '../../../../shared/adapters/billing/recording-billing-actions.ts';
import { TestClock } from '../../../support/fake-ports.ts';

describe('RecordingBillingActions', () => {
  it('records each request once per idempotency key and answers a replay as before', async () => {
    // Prepare
    const clock = new TestClock('2026-11-02T13:00:00.000Z');
    const billing = new RecordingBillingActions(clock);
    const claim = { claimId: 'stripe:in_1', invoiceId: 'in_1', provider: 'stripe' };

    // Act
    const first = await billing.retryPayment(claim, 'k');
    billing.answerRetriesWith({ outcome: 'paid' });
    const replay = await billing.retryPayment(claim, 'k');
    const other = await billing.retryPayment(claim, 'k2');

    // Assess
    expect(first).toEqual({ outcome: 'declined', declineCode: 'insufficient_funds' });
    expect(replay).toEqual(first);
    expect(other).toEqual({ outcome: 'paid' });
    expect(billing.list()).toHaveLength(2);
  });
});
