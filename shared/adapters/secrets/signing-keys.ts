import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../../domain/errors.ts';
import { parseSigningKeys, type SigningKeys } from '../../domain/signing-keys.ts';

/**
 * A signing secret's keys from Secrets Manager (cached 5 minutes, so a rotation is picked up
 * without a redeploy), or from the environment locally. `name` says which secret in the errors.
 */
export function signingKeysFrom(source: {
  readonly name: string;
  readonly secretArn?: string | undefined;
  readonly value?: string | undefined;
}): () => Promise<SigningKeys> {
  const { name } = source;
  if (source.value) {
    const keys = parseSigningKeys(source.value, name);
    return async () => keys;
  }
  const { secretArn } = source;
  if (!secretArn) throw new ConfigurationError(`no ${name} configured`);
  return async () => {
    const secret = await getSecret<string>(secretArn, { maxAge: 300 });
    if (!secret) throw new ConfigurationError(`the ${name} secret is empty`);
    return parseSigningKeys(secret, name);
  };
}
