import {
  GetSecretValueCommand,
  InternalServiceError,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { secretValues } from '../../../../shared/adapters/secrets/secret-values.ts';
import { ConfigurationError } from '../../../../shared/domain/errors.ts';

const secretsManager = mockClient(SecretsManagerClient);
let arnSequence = 0;
/** A new ARN per test: Powertools caches values per name for 5 minutes. */
function freshArn(): string {
  arnSequence += 1;
  return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:test-${arnSequence}`;
}

afterEach(() => {
  secretsManager.reset();
});

describe('secretValues', () => {
  it('reads every value of a secret being rolled, from the environment first', async () => {
    await expect(secretValues('Stripe webhook', 'whsec_new, whsec_old\n', undefined)()).resolves.toEqual([
      'whsec_new',
      'whsec_old',
    ]);
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'whsec_stored' });
    await expect(secretValues('Stripe webhook', undefined, freshArn())()).resolves.toEqual(['whsec_stored']);
  });

  it('says "not configured" for an empty secret and for one created without a value yet', async () => {
    await expect(secretValues('Paddle webhook', ' , ', undefined)()).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        $metadata: {},
      }),
    );
    await expect(secretValues('Stripe API key', undefined, freshArn())()).rejects.toThrow(
      new ConfigurationError('the Stripe API key secret is empty'),
    );
  });

  it('lets a failing Secrets Manager fail, so the delivery is retried', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new InternalServiceError({ message: 'boom', $metadata: {} }));
    const read = secretValues('Stripe API key', undefined, freshArn())();
    await expect(read).rejects.toThrow('boom');
    await expect(read).rejects.not.toBeInstanceOf(ConfigurationError);
  });
});
