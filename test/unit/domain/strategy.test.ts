import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  contactsDebtor,
  isMessageAction,
  parseStrategy,
  type StrategyInput,
  stepActionTypeSchema,
  strategyKey,
} from '../../../shared/domain/strategy.ts';

const validStrategy = {
  id: 'gentle-b2c',
  version: 2,
  name: 'Gentle: a day-1 email, a retry, then reminders on day 4 and day 10',
  steps: [
    {
      id: 'day-1-payment-failed',
      timing: { from: 'first-failure', days: 1 },
      action: { type: 'send-message', channels: ['sms', 'email'], template: 'payment-failed' },
    },
    {
      id: 'day-2-retry',
      timing: { from: 'first-failure', days: 2 },
      when: { declineClasses: ['insufficient-funds'] },
      action: { type: 'retry-payment' },
    },
    {
      id: 'day-4-reminder',
      timing: { from: 'previous-step', days: 2, hours: 6 },
      when: { previousSteps: [{ step: 'day-2-retry', outcomes: ['done', 'skipped'] }] },
      action: { type: 'send-message', channels: ['email'], template: 'payment-reminder' },
    },
    {
      id: 'day-10-final-notice',
      timing: { from: 'first-failure', days: 10 },
      action: { type: 'final-notice', channels: ['email'], template: 'final-notice' },
    },
  ],
} satisfies StrategyInput;

function issuesOf(data: unknown): { path: string; message: string }[] {
  try {
    parseStrategy(data);
  } catch (error) {
    if (error instanceof ZodError) {
      return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    }
    throw error;
  }
  return [];
}

function withFirstStep(change: Record<string, unknown>): unknown {
  const [first, ...rest] = validStrategy.steps;
  return { ...validStrategy, steps: [{ ...first, ...change }, ...rest] };
}

describe('parseStrategy', () => {
  it('accepts a strategy with timings, conditions and actions, and fills the default offsets', () => {
    // Act
    const strategy = parseStrategy(validStrategy);

    // Assess
    expect(strategy.steps.map((step) => step.timing)).toEqual([
      { from: 'first-failure', days: 1, hours: 0 },
      { from: 'first-failure', days: 2, hours: 0 },
      { from: 'previous-step', days: 2, hours: 6 },
      { from: 'first-failure', days: 10, hours: 0 },
    ]);
    expect(strategy.steps[1]?.when).toEqual({ declineClasses: ['insufficient-funds'] });
  });

  it('accepts every kind of action', () => {
    // Prepare
    const actions = [
      { type: 'send-message', channels: ['email'], template: 'payment-failed' },
      { type: 'request-card-update', channels: ['email', 'sms'], template: 'card-update-request' },
      {
        type: 'offer-payment-plan',
        channels: ['email'],
        template: 'payment-plan-offer',
        plan: { installments: 3, intervalDays: 14 },
      },
      { type: 'final-notice', channels: ['email'], template: 'final-notice' },
      { type: 'retry-payment' },
      { type: 'hand-to-agent', queue: 'high-value', reason: 'call them' },
      { type: 'pause', days: 3 },
      { type: 'write-off' },
      { type: 'cancel-subscription', when: 'at-period-end' },
    ];
    const strategy = {
      ...validStrategy,
      steps: actions.map((action, index) => ({
        id: `step-${index}`,
        timing: { from: 'first-failure' },
        action,
      })),
    };

    // Act
    const parsed = parseStrategy(strategy);

    // Assess
    expect(parsed.steps.map((step) => step.action.type)).toEqual(stepActionTypeSchema.options);
    expect(parsed.steps.find((step) => step.action.type === 'hand-to-agent')?.action).toMatchObject({
      priority: 'normal',
    });
  });

  it('rejects two steps with the same id, naming the second', () => {
    // Prepare
    const [first, second, ...rest] = validStrategy.steps;
    const duplicated = { ...validStrategy, steps: [first, { ...second, id: first?.id }, ...rest] };

    // Act
    const issues = issuesOf(duplicated);

    // Assess
    expect(issues).toContainEqual({ path: 'steps.1.id', message: 'duplicate step id' });
  });

  it('rejects a condition on the outcome of a step that does not come earlier', () => {
    // Prepare
    const invalid = withFirstStep({ when: { previousSteps: [{ step: 'day-4-reminder' }] } });

    // Act
    const issues = issuesOf(invalid);

    // Assess
    expect(issues).toEqual([
      {
        path: 'steps.0.when.previousSteps.0.step',
        message: '"day-4-reminder" is not an earlier step of this strategy',
      },
    ]);
  });

  it('rejects duplicate message variants', () => {
    // Prepare
    const invalid = withFirstStep({
      action: {
        type: 'send-message',
        channels: ['email'],
        template: 'payment-failed',
        variants: [
          { id: 'a', template: 'payment-failed', weight: 1 },
          { id: 'a', template: 'payment-failed-short', weight: 1 },
        ],
      },
    });

    // Act
    const issues = issuesOf(invalid);

    // Assess
    expect(issues).toEqual([{ path: 'steps.0.action.variants.1.id', message: 'duplicate variant id' }]);
  });

  it.each([
    [
      'an unknown channel',
      { action: { type: 'send-message', channels: ['fax'], template: 'payment-failed' } },
      'steps.0.action.channels.0',
    ],
    [
      'a channel listed twice',
      { action: { type: 'send-message', channels: ['email', 'email'], template: 'payment-failed' } },
      'steps.0.action.channels',
    ],
    [
      'no channel',
      { action: { type: 'send-message', channels: [], template: 'payment-failed' } },
      'steps.0.action.channels',
    ],
    [
      'an unknown template',
      { action: { type: 'send-message', channels: ['email'], template: 'payment-threat' } },
      'steps.0.action.template',
    ],
    ['an unknown action', { action: { type: 'sue' } }, 'steps.0.action.type'],
    ['a negative offset', { timing: { from: 'first-failure', days: -1 } }, 'steps.0.timing.days'],
    ['a fractional offset', { timing: { from: 'first-failure', days: 1.5 } }, 'steps.0.timing.days'],
    ['an offset beyond a year', { timing: { from: 'first-failure', days: 366 } }, 'steps.0.timing.days'],
    ['an unknown anchor', { timing: { from: 'birthday' } }, 'steps.0.timing.from'],
    [
      'an amount range with min above max',
      { when: { amount: { USD: { min: 10, max: 5 } } } },
      'steps.0.when.amount.USD',
    ],
    [
      'an amount range in a lower-case currency',
      { when: { amount: { usd: { min: 10 } } } },
      'steps.0.when.amount.usd',
    ],
    ['an unknown decline class', { when: { declineClasses: ['bad-luck'] } }, 'steps.0.when.declineClasses.0'],
    ['a step id that is not kebab-case', { id: 'Day_1' }, 'steps.0.id'],
    ['an unknown key (strict, catches typos)', { delayDays: 3 }, 'steps.0'],
  ])('rejects a step with %s', (_label, change, path) => {
    // Act
    const issues = issuesOf(withFirstStep(change));

    // Assess
    expect(issues.map((issue) => issue.path)).toContain(path);
  });

  it.each([
    ['no steps', { steps: [] }, 'steps'],
    ['version 0', { version: 0 }, 'version'],
    ['an empty name', { name: '' }, 'name'],
    ['an id with spaces', { id: 'gentle b2c' }, 'id'],
  ])('rejects a strategy with %s', (_label, change, path) => {
    // Act
    const issues = issuesOf({ ...validStrategy, ...change });

    // Assess
    expect(issues.map((issue) => issue.path)).toContain(path);
  });
});

describe('contactsDebtor', () => {
  it('counts messages and agent hand-overs as contact, and retries, pauses and write-offs as silent', () => {
    // Prepare
    const strategy = parseStrategy({
      ...validStrategy,
      steps: [
        {
          id: 'a',
          timing: { from: 'first-failure' },
          action: { type: 'final-notice', channels: ['email'], template: 'final-notice' },
        },
        {
          id: 'b',
          timing: { from: 'first-failure' },
          action: { type: 'hand-to-agent', queue: 'q', reason: 'r' },
        },
        { id: 'c', timing: { from: 'first-failure' }, action: { type: 'retry-payment' } },
        { id: 'd', timing: { from: 'first-failure' }, action: { type: 'pause', days: 2 } },
        { id: 'e', timing: { from: 'first-failure' }, action: { type: 'write-off' } },
      ],
    });

    // Act
    const contacts = strategy.steps.map((step) => [
      contactsDebtor(step.action),
      isMessageAction(step.action),
    ]);

    // Assess
    expect(contacts).toEqual([
      [true, true],
      [true, false],
      [false, false],
      [false, false],
      [false, false],
    ]);
  });
});

describe('strategyKey', () => {
  it('names one version of a strategy', () => {
    expect(strategyKey('gentle-b2c', 3)).toBe('gentle-b2c@3');
  });
});
