import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  lazyStripeApiClient,
  stripePaymentLocatorFor,
} from '../../../../shared/adapters/billing/aws-ingest-dependencies.ts';

const secretsManager = mockClient(SecretsManagerClient);
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;

afterEach(() => {
  secretsManager.reset();
});

describe('lazyStripeApiClient', () => {
  it('has no client without a key, or while the key secret has no value yet', async () => {
    await expect(lazyStripeApiClient({})()).resolves.toBeUndefined();
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'no AWSCURRENT', $metadata: {} }));
    await expect(lazyStripeApiClient({ STRIPE_API_KEY_ARN: arn('empty-key') })()).resolves.toBeUndefined();
  });

  it('makes the client once, from the stored key', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'rk_test_stored' });
    const stripe = lazyStripeApiClient({ STRIPE_API_KEY_ARN: arn('stored-key') });
    const client = await stripe();
    expect(client).toBeDefined();
    expect(await stripe()).toBe(client);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});

describe('stripePaymentLocatorFor', () => {
  it('leaves a payment unlinked while no key is stored, instead of failing the delivery', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'no AWSCURRENT', $metadata: {} }));
    const locate = stripePaymentLocatorFor({ STRIPE_API_KEY_ARN: arn('locator-empty') });
    await expect(locate({ paymentIntentId: 'pi_1' })).resolves.toBeUndefined();
  });
});
