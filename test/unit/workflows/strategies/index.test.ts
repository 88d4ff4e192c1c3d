import { describe, expect, it } from 'vitest';
import { strategiesOfRouting } from '../../../../shared/domain/experiments.ts';
import { isMessageAction } from '../../../../shared/domain/strategy.ts';
import { contactPolicy } from '../../../../workflows/policies.ts';
import {
  defaultStrategy,
  shippedCatalog,
  shippedRouting,
  shippedStrategies,
  strategyFor,
} from '../../../../workflows/strategies/index.ts';

describe('defaultStrategy', () => {
  it('emails on day 0, reminds on day 3 and sends a final notice on day 7', () => {
    // Act
    const steps = defaultStrategy.steps.map(({ id, timing, action }) => ({
      id,
      days: timing.days,
      type: action.type,
      channels: isMessageAction(action) ? action.channels : [],
    }));

    // Assess
    expect(defaultStrategy).toMatchObject({ id: 'default', version: 1 });
    expect(steps).toEqual([
      { id: 'day-0-payment-failed', days: 0, type: 'send-message', channels: ['email'] },
      { id: 'day-3-reminder', days: 3, type: 'send-message', channels: ['email'] },
      { id: 'day-7-final-notice', days: 7, type: 'final-notice', channels: ['email'] },
    ]);
  });
});

describe('the shipped strategies', () => {
  it('ship a gentle B2C strategy, its SMS-first challenger and a firm one for high amounts', () => {
    expect(shippedStrategies.map((strategy) => `${strategy.id}@${strategy.version}`)).toEqual([
      'default@1',
      'gentle-b2c@1',
      'gentle-b2c-sms-first@1',
      'firm-high-amount@1',
    ]);
  });

  it('route high amounts to the firm strategy and the rest to an A/B experiment with a holdout', () => {
    // Assess
    expect(strategiesOfRouting(shippedRouting)).toEqual([
      'firm-high-amount',
      'gentle-b2c',
      'gentle-b2c-sms-first',
    ]);
    expect(shippedRouting.rules.at(-1)?.experiment).toMatchObject({ holdoutPercent: 5 });
  });

  it('make the highest shipped version current', async () => {
    expect((await shippedCatalog.getCurrentStrategy('gentle-b2c'))?.version).toBe(1);
  });
});

describe('strategyFor', () => {
  it('finds a shipped strategy by id and version', () => {
    expect(strategyFor('default', 1)).toEqual(defaultStrategy);
  });

  it('finds nothing for a version that was never published', () => {
    expect(strategyFor('default', 2)).toBeUndefined();
    expect(strategyFor('aggressive', 1)).toBeUndefined();
  });
});

describe('contactPolicy', () => {
  it('keeps the Regulation F ceilings: 08:00-21:00, 7 calls in 7 days, 7 quiet days after a conversation', () => {
    expect(contactPolicy.hours).toMatchObject({ start: '08:00', end: '21:00' });
    expect(contactPolicy.caps.byChannel.voice).toEqual([{ max: 7, days: 7 }]);
    expect(contactPolicy.caps.quietDaysAfterConversation.voice).toBe(7);
  });
});
