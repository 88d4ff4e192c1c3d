import { describe, expect, it } from 'vitest';
import { defaultStrategy, strategyFor } from '../../../../workflows/strategies/index.ts';

describe('defaultStrategy', () => {
  it('emails on day 0, reminds on day 3 and sends a final notice on day 7', () => {
    // Act
    const steps = defaultStrategy.steps.map(({ id, dayOffset, channel, template }) => ({
      id,
      dayOffset,
      channel,
      template,
    }));

    // Assess
    expect(defaultStrategy).toMatchObject({ id: 'default', version: 1 });
    expect(steps).toEqual([
      { id: 'day-0-payment-failed', dayOffset: 0, channel: 'email', template: 'payment-failed' },
      { id: 'day-3-reminder', dayOffset: 3, channel: 'email', template: 'payment-reminder' },
      { id: 'day-7-final-notice', dayOffset: 7, channel: 'email', template: 'final-notice' },
    ]);
  });
});

describe('strategyFor', () => {
  it('finds a published strategy by id and version', () => {
    // Act
    const strategy = strategyFor('default', 1);

    // Assess
    expect(strategy).toBe(defaultStrategy);
  });

  it('finds nothing for a version that was never published', () => {
    // Act
    const unknownVersion = strategyFor('default', 2);
    const unknownId = strategyFor('aggressive', 1);

    // Assess
    expect(unknownVersion).toBeUndefined();
    expect(unknownId).toBeUndefined();
  });
});
