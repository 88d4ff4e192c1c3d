import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../../domain/errors.ts';
import { type PortalSigningKeys, parsePortalSigningKeys } from '../../domain/portal/portal-link.ts';

/**
 * The portal signing keys from Secrets Manager (cached 5 minutes, so a rotation is picked up
 * without a redeploy), or from the environment locally.
 */
export function portalSigningKeysFrom(source: {
  readonly secretArn?: string | undefined;
  readonly value?: string | undefined;
}): () => Promise<PortalSigningKeys> {
  if (source.value) {
    const keys = parsePortalSigningKeys(source.value);
    return async () => keys;
  }
  const { secretArn } = source;
  if (!secretArn) throw new ConfigurationError('no portal signing key configured');
  return async () => {
    const secret = await getSecret<string>(secretArn, { maxAge: 300 });
    if (!secret) throw new ConfigurationError('the portal signing key secret is empty');
    return parsePortalSigningKeys(secret);
  };
}
