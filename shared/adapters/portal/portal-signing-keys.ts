import type { PortalSigningKeys } from '../../domain/portal/portal-link.ts';
import { signingKeysFrom } from '../secrets/signing-keys.ts';

/**
 * The portal signing keys from Secrets Manager (cached 5 minutes, so a rotation is picked up
 * without a redeploy), or from the environment locally.
 */
export function portalSigningKeysFrom(source: {
  readonly secretArn?: string | undefined;
  readonly value?: string | undefined;
}): () => Promise<PortalSigningKeys> {
  return signingKeysFrom({ ...source, name: 'portal signing key' });
}
