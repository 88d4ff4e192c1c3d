import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  bucketOf,
  chooseMessageVariant,
  chooseStrategy,
  parseStrategyRouting,
  strategiesOfRouting,
} from '../../../shared/domain/experiments.ts';
import { customerRecord, failedClaim } from '../../support/billing-records.ts';

const routing = parseStrategyRouting({
  version: 3,
  rules: [
    { id: 'high-amount', when: { amount: { USD: { min: 50000 } } }, strategy: 'firm' },
    { id: 'enterprise', when: { segments: ['enterprise'] }, strategy: 'white-glove' },
    {
      id: 'b2c',
      experiment: {
        id: 'cadence-test',
        holdoutPercent: 10,
        variants: [
          { id: 'champion', strategy: 'gentle', weight: 1 },
          { id: 'challenger', strategy: 'gentle-sms', weight: 1 },
        ],
      },
    },
  ],
});
const now = new Date('2026-11-02T10:14:09.000Z');

function choose(customerId: string, amountMinor = 4999, segment?: string) {
  return chooseStrategy(
    routing,
    customerRecord({ customerId, ...(segment ? { segment } : {}) }),
    failedClaim({ customerId, amountMinor }),
    now,
  );
}

describe('chooseStrategy', () => {
  it('takes the first rule whose conditions hold', () => {
    // Act & Assess
    expect(choose('stripe:cus_1', 75000)).toEqual({
      strategyId: 'firm',
      assignment: { ruleId: 'high-amount', holdout: false },
    });
    expect(choose('stripe:cus_1', 4999, 'enterprise').strategyId).toBe('white-glove');
  });

  it('splits the rest into holdout, champion and challenger by a hash of customer and experiment', () => {
    // Act
    const choices = Array.from({ length: 4000 }, (_, index) => choose(`stripe:cus_${index}`));
    const share = (variant: string) =>
      choices.filter((choice) => choice.assignment.variant === variant).length / choices.length;

    // Assess: 10% holdout, the rest halved.
    expect(share('holdout')).toBeGreaterThan(0.08);
    expect(share('holdout')).toBeLessThan(0.12);
    expect(share('champion')).toBeGreaterThan(0.42);
    expect(share('challenger')).toBeGreaterThan(0.42);
    expect(
      choices.filter((choice) => choice.assignment.holdout).every((choice) => choice.strategyId === 'gentle'),
    ).toBe(true);
  });

  it('assigns the same debtor to the same arm every time, recording experiment, arm and bucket', () => {
    // Act
    const first = choose('stripe:cus_TMx8qA3nV5bW2k');
    const again = choose('stripe:cus_TMx8qA3nV5bW2k');

    // Assess
    expect(again).toEqual(first);
    expect(first.assignment).toEqual({
      ruleId: 'b2c',
      experimentId: 'cadence-test',
      variant: expect.stringMatching(/^(holdout|champion|challenger)$/),
      holdout: first.assignment.variant === 'holdout',
      bucket: bucketOf('stripe:cus_TMx8qA3nV5bW2k', 'cadence-test'),
    });
  });

  it('assigns independently across experiments', () => {
    // Act: buckets of the same customers in two experiments.
    const customers = Array.from({ length: 1000 }, (_, index) => `stripe:cus_${index}`);
    const bothLow = customers.filter((id) => bucketOf(id, 'one') < 5000 && bucketOf(id, 'two') < 5000).length;

    // Assess: about a quarter, not a half (which correlated assignment would give).
    expect(bothLow / customers.length).toBeGreaterThan(0.2);
    expect(bothLow / customers.length).toBeLessThan(0.3);
  });
});

describe('chooseMessageVariant', () => {
  it('uses the step template and channels when the step has no variants', () => {
    expect(
      chooseMessageVariant(
        { type: 'send-message', channels: ['email'], template: 'payment-failed' },
        'stripe:cus_1',
        's:x',
      ),
    ).toEqual({ template: 'payment-failed', channels: ['email'] });
  });

  it('lets a variant override the channels', () => {
    // Prepare
    const action = {
      type: 'send-message' as const,
      channels: ['email' as const],
      template: 'payment-failed' as const,
      variants: [
        { id: 'sms', template: 'payment-failed-short' as const, channels: ['sms' as const], weight: 1 },
        { id: 'never', template: 'payment-failed' as const, weight: 1 },
      ],
    };
    const customer = Array.from({ length: 100 }, (_, index) => `stripe:cus_${index}`).find(
      (id) => chooseMessageVariant(action, id, 's:x').variant === 'sms',
    );

    // Act
    const choice = chooseMessageVariant(action, String(customer), 's:x');

    // Assess
    expect(choice).toEqual({ template: 'payment-failed-short', channels: ['sms'], variant: 'sms' });
  });
});

describe('parseStrategyRouting', () => {
  it('lists the strategies a routing can choose', () => {
    expect(strategiesOfRouting(routing)).toEqual(['firm', 'white-glove', 'gentle', 'gentle-sms']);
  });

  it.each([
    [
      'a last rule with conditions',
      { version: 1, rules: [{ id: 'a', when: { segments: ['b2c'] }, strategy: 's' }] },
    ],
    [
      'a rule with both a strategy and an experiment',
      {
        version: 1,
        rules: [
          {
            id: 'a',
            strategy: 's',
            experiment: { id: 'e', variants: [{ id: 'v', strategy: 's', weight: 1 }] },
          },
        ],
      },
    ],
    ['a rule with neither', { version: 1, rules: [{ id: 'a' }] }],
    [
      'a holdout above 50%',
      {
        version: 1,
        rules: [
          {
            id: 'a',
            experiment: { id: 'e', holdoutPercent: 60, variants: [{ id: 'v', strategy: 's', weight: 1 }] },
          },
        ],
      },
    ],
    [
      'duplicate rule ids',
      {
        version: 1,
        rules: [
          { id: 'a', when: { segments: ['x'] }, strategy: 's' },
          { id: 'a', strategy: 't' },
        ],
      },
    ],
  ])('rejects %s', (_label, data) => {
    expect(() => parseStrategyRouting(data)).toThrow(ZodError);
  });
});
