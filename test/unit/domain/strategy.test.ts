import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parseStrategy } from '../../../shared/domain/strategy.ts';

const validStrategy = {
  id: 'gentle-b2c',
  version: 2,
  name: 'Gentle: a day-1 email, then reminders on day 4 and day 10',
  steps: [
    { id: 'day-1-payment-failed', dayOffset: 1, channel: 'email', template: 'payment-failed' },
    { id: 'day-4-reminder', dayOffset: 4, channel: 'email', template: 'payment-reminder' },
    { id: 'day-10-final-notice', dayOffset: 10, channel: 'email', template: 'final-notice' },
  ],
};

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

describe('parseStrategy', () => {
  it('accepts a strategy with ordered, uniquely named steps', () => {
    // Act
    const strategy = parseStrategy(validStrategy);

    // Assess
    expect(strategy).toEqual(validStrategy);
  });

  it('accepts two steps on the same day', () => {
    // Prepare
    const sameDay = {
      ...validStrategy,
      steps: [
        { id: 'day-0-email', dayOffset: 0, channel: 'email', template: 'payment-failed' },
        { id: 'day-0-follow-up', dayOffset: 0, channel: 'email', template: 'payment-reminder' },
      ],
    };

    // Act
    const strategy = parseStrategy(sameDay);

    // Assess
    expect(strategy.steps).toHaveLength(2);
  });

  it('rejects two steps with the same id, naming the second', () => {
    // Prepare
    const [first, second] = validStrategy.steps;
    const duplicated = { ...validStrategy, steps: [first, { ...second, id: first?.id }] };

    // Act
    const issues = issuesOf(duplicated);

    // Assess
    expect(issues).toEqual([{ path: 'steps.1.id', message: 'duplicate step id' }]);
  });

  it('rejects steps out of day order', () => {
    // Prepare
    const [first, second, third] = validStrategy.steps;
    const unordered = { ...validStrategy, steps: [first, third, second] };

    // Act
    const issues = issuesOf(unordered);

    // Assess
    expect(issues).toEqual([{ path: 'steps.2.dayOffset', message: 'steps must be in day order' }]);
  });

  it.each([
    ['an unknown channel', { channel: 'sms' }, 'steps.0.channel'],
    ['an unknown template', { template: 'payment-threat' }, 'steps.0.template'],
    ['a negative day offset', { dayOffset: -1 }, 'steps.0.dayOffset'],
    ['a fractional day offset', { dayOffset: 1.5 }, 'steps.0.dayOffset'],
    ['a day offset beyond a year', { dayOffset: 366 }, 'steps.0.dayOffset'],
    ['a step id that is not kebab-case', { id: 'Day_1' }, 'steps.0.id'],
    ['an unknown key (strict, catches typos)', { delayDays: 3 }, 'steps.0'],
  ])('rejects a step with %s', (_label, change, path) => {
    // Prepare
    const [first, ...rest] = validStrategy.steps;
    const invalid = { ...validStrategy, steps: [{ ...first, ...change }, ...rest] };

    // Act
    const issues = issuesOf(invalid);

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
