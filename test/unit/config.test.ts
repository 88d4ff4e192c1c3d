import { describe, expect, it } from 'vitest';
import { loadIngestConfig, loadSendConfig, loadTableConfig } from '../../shared/config.ts';
import { ConfigurationError } from '../../shared/domain/errors.ts';
import { errorThrownBy } from '../support/thrown-error.ts';

const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:CollectionJourney';
const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:collections/stripe-webhook-a1B2c3';

describe('loadIngestConfig', () => {
  it('reads the table, the state machine and the secret ARN on AWS', () => {
    // Act
    const config = loadIngestConfig({
      TABLE_NAME: 'collections',
      JOURNEY_STATE_MACHINE_ARN: stateMachineArn,
      STRIPE_WEBHOOK_SECRET_ARN: secretArn,
      AWS_REGION: 'eu-west-1',
    });

    // Assess
    expect(config).toEqual({
      TABLE_NAME: 'collections',
      JOURNEY_STATE_MACHINE_ARN: stateMachineArn,
      STRIPE_WEBHOOK_SECRET_ARN: secretArn,
    });
  });

  it('accepts the signing secret itself locally', () => {
    // Act
    const config = loadIngestConfig({
      TABLE_NAME: 'collections',
      JOURNEY_STATE_MACHINE_ARN: stateMachineArn,
      STRIPE_WEBHOOK_SECRET: 'whsec_5mQ3tV8yB1nR4wK7zC0fH2jL6pS9uX3a',
    });

    // Assess
    expect(config.STRIPE_WEBHOOK_SECRET).toBe('whsec_5mQ3tV8yB1nR4wK7zC0fH2jL6pS9uX3a');
  });

  it('fails at cold start naming the variable when neither secret source is set', () => {
    // Act
    const error = errorThrownBy(() =>
      loadIngestConfig({ TABLE_NAME: 'collections', JOURNEY_STATE_MACHINE_ARN: stateMachineArn }),
    );

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('STRIPE_WEBHOOK_SECRET_ARN');
  });

  it('names every missing or malformed variable', () => {
    // Act
    const error = errorThrownBy(() =>
      loadIngestConfig({
        JOURNEY_STATE_MACHINE_ARN: 'CollectionJourney',
        STRIPE_WEBHOOK_SECRET: 'sk_live_oops',
      }),
    );

    // Assess
    expect(error.message).toMatch(/TABLE_NAME/);
    expect(error.message).toMatch(/JOURNEY_STATE_MACHINE_ARN/);
    expect(error.message).toMatch(/STRIPE_WEBHOOK_SECRET/);
  });
});

describe('loadSendConfig', () => {
  it('reads the sender and the optional configuration set', () => {
    // Act
    const withSet = loadSendConfig({
      TABLE_NAME: 'collections',
      SENDER_EMAIL: 'billing@acme.example',
      SES_CONFIGURATION_SET: 'collections-events',
    });
    const withoutSet = loadSendConfig({ TABLE_NAME: 'collections', SENDER_EMAIL: 'billing@acme.example' });

    // Assess
    expect(withSet.SES_CONFIGURATION_SET).toBe('collections-events');
    expect(withoutSet).not.toHaveProperty('SES_CONFIGURATION_SET');
  });

  it('fails without a sender address', () => {
    // Act
    const error = errorThrownBy(() => loadSendConfig({ TABLE_NAME: 'collections' }));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('SENDER_EMAIL');
  });
});

describe('loadTableConfig', () => {
  it('fails on an empty table name', () => {
    // Act
    const error = errorThrownBy(() => loadTableConfig({ TABLE_NAME: '' }));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('TABLE_NAME');
  });
});
