import { describe, expect, it } from 'vitest';
import { bucketOf } from '../../shared/domain/experiments.ts';
import { localRuntimePerTest } from './support/runtime-per-test.ts';

const day = 24 * 3600;
/** Monday 2 March 2026, 03:00 UTC: Sunday 22:00 in New York. */
const clockStart = new Date('2026-03-02T03:00:00Z');
const experimentId = 'b2c-sms-first-2026-12';

/** A Stripe customer id that the shipped experiment puts in the wanted arm (5% holdout, then 50/50). */
function customerIn(arm: 'holdout' | 'champion' | 'challenger'): string {
  for (let index = 0; ; index += 1) {
    const id = `cus_ARM${index}`;
    const bucket = bucketOf(`stripe:${id}`, experimentId);
    const found =
      arm === 'holdout' ? bucket < 500 : arm === 'champion' ? bucket >= 500 && bucket < 5250 : bucket >= 5250;
    if (found) return id;
  }
}

describe('the shipped strategies, run end to end on the local runtime', () => {
  const product = localRuntimePerTest(() => ({ clockStart }));

  it('runs the B2C experiment: champion and challenger are contacted, the holdout is not, and the arms are recorded', async () => {
    // Prepare: three $49.99 failures, one debtor per arm, all in New York.
    const arms = ['champion', 'challenger', 'holdout'] as const;
    const cases = new Map<(typeof arms)[number], string>();
    for (const arm of arms) {
      const customerId = customerIn(arm);
      const delivered = await product.client.deliverStripeEvent('invoice.payment_failed', {
        customerId,
        invoiceId: `in_${arm}`,
        email: `${arm}@example.com`,
        timeZone: 'America/New_York',
        amountDue: 4999,
        currency: 'usd',
      });
      cases.set(arm, String(delivered.body.caseId));
    }

    // Act: three weeks pass.
    await product.client.advance(21 * day);

    // Assess
    const outbox = await product.client.outbox();
    const templatesOf = (arm: (typeof arms)[number]) =>
      outbox.filter((message) => message.caseId === cases.get(arm)).map((message) => message.template);
    const stored = async (arm: (typeof arms)[number]) =>
      product.runtime.table.getCase(String(cases.get(arm)));

    expect((await stored('champion'))?.assignment).toMatchObject({
      experimentId,
      variant: 'champion',
      holdout: false,
    });
    expect((await stored('champion'))?.strategyId).toBe('gentle-b2c');
    expect(await stored('challenger')).toMatchObject({
      strategyId: 'gentle-b2c-sms-first',
      assignment: { variant: 'challenger' },
    });
    expect((await stored('holdout'))?.assignment).toMatchObject({ variant: 'holdout', holdout: true });

    // The $49.99 debts are below the plan-offer threshold: day 0, day 3, day 10.
    expect(templatesOf('champion')).toEqual([
      expect.stringMatching(/^payment-failed(-short)?$/),
      'payment-reminder',
      'final-notice',
    ]);
    expect(templatesOf('challenger')).toHaveLength(3);
    expect(templatesOf('holdout')).toEqual([]);

    // The challenger prefers SMS and WhatsApp; without consent (and a number) for them, it falls back and says why.
    const challengerSteps = await product.runtime.table.listMessages(String(cases.get('challenger')));
    const firstMessage = challengerSteps.find((record) => record.stepId === 'day-0-payment-failed');
    expect(firstMessage).toMatchObject({ channel: 'email', status: 'sent' });
    expect(firstMessage?.reasons).toContain('channel-skipped:sms:no-consent');
    expect(firstMessage?.variant).toMatch(/^(detailed|short)$/);

    // Silent steps still run for the holdout: Stripe had its own retry scheduled, so ours was skipped,
    // and the subscriptions of all three are set to end at period end on day 14.
    const holdoutSteps = await product.runtime.table.listMessages(String(cases.get('holdout')));
    expect(holdoutSteps.map((record) => [record.stepId, record.status])).toEqual([
      ['day-14-cancel', 'done'],
      ['day-2-retry', 'skipped'],
    ]);
    expect(holdoutSteps.find((record) => record.stepId === 'day-2-retry')?.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/provider-retry-scheduled$/)]),
    );
    expect(
      product.runtime.billing.list().filter((action) => action.kind === 'cancel-subscription'),
    ).toHaveLength(3);
    for (const caseId of cases.values())
      expect(product.runtime.journeys.get(caseId)?.status).toBe('SUCCEEDED');
    // Cost of orchestration: the champion acted five times (day 0, the retry, day 3, day 10, the
    // cancellation) in 2 + 5 × 3 + 1 state transitions.
    expect(product.runtime.journeys.get(String(cases.get('champion')))?.stateTransitions).toBe(18);
  });

  it('runs the firm strategy for a high amount: retry, reminders, an agent task, a pause, a final notice, a write-off', async () => {
    // Prepare: a $750 failure in New York, and Stripe will not retry by itself.
    const delivered = await product.client.deliverStripeEvent('invoice.payment_failed', {
      customerId: 'cus_BIG01',
      invoiceId: 'in_BIG01',
      email: 'finance@bigcustomer.example',
      timeZone: 'America/New_York',
      amountDue: 75000,
      currency: 'usd',
      nextPaymentAttempt: null,
    });
    const caseId = String(delivered.body.caseId);

    // Act
    await product.client.advance(30 * day);

    // Assess
    const collectionCase = await product.runtime.table.getCase(caseId);
    expect(collectionCase).toMatchObject({
      strategyId: 'firm-high-amount',
      strategyVersion: 1,
      assignment: { ruleId: 'high-amount' },
    });
    const sent = (await product.client.outbox()).filter((message) => message.caseId === caseId);
    expect(sent.map((message) => [message.template, message.sentAt])).toEqual([
      ['payment-failed', '2026-03-02T13:00:00.000Z'],
      // Day 2, 08:00 in New York (the SMS preferred by the step has no consent).
      ['payment-reminder', '2026-03-04T13:00:00.000Z'],
      // Day 8 falls after the switch to daylight saving time: 08:00 EDT is 12:00 UTC.
      ['final-notice', '2026-03-10T12:00:00.000Z'],
    ]);
    const tasks = await (await fetch(`${product.runtime.url}/local/agent-tasks?queue=high-value`)).json();
    expect(tasks).toEqual([expect.objectContaining({ caseId, priority: 'high', stepId: 'day-4-agent' })]);
    expect(collectionCase?.pauses).toEqual([
      expect.objectContaining({ reason: 'strategy', stepId: 'agent-grace' }),
    ]);
    expect(product.runtime.billing.list().map((action) => action.kind)).toEqual([
      'retry-payment',
      'cancel-subscription',
      'mark-uncollectible',
    ]);
    // A silent retry contacts nobody, so the contact window does not apply: one day after the failure.
    expect(product.runtime.billing.list()[0]).toMatchObject({
      target: 'in_BIG01',
      at: '2026-03-03T03:00:00.000Z',
    });
    expect(product.runtime.journeys.get(caseId)?.status).toBe('SUCCEEDED');
    // Eight actions: plan and choice, three transitions per action, the final Succeed.
    expect(product.runtime.journeys.get(caseId)?.stateTransitions).toBe(2 + 8 * 3 + 1);
  });
});
