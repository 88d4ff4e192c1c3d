import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../../domain/errors.ts';

/**
 * The stored value of a secret, undefined while it has none: the stack creates provider secrets
 * empty and the operator stores the value after deploy, and until then Secrets Manager answers
 * `ResourceNotFoundException` (no `AWSCURRENT` version), which Powertools wraps.
 */
async function storedValue(arn: string): Promise<string | undefined> {
  try {
    return await getSecret<string>(arn, { maxAge: 300 });
  } catch (error) {
    const cause = (error as { cause?: { name?: string } } | undefined)?.cause;
    if ((error as Error | undefined)?.name === 'ResourceNotFoundException') return undefined;
    if (cause?.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * A secret's values, from the environment locally or from Secrets Manager on AWS, cached for
 * 5 minutes so a rolled secret is picked up without a redeploy. Several values (separated by
 * commas or new lines) are all accepted while a secret is rolled. A secret with no value yet is a
 * `ConfigurationError`, so callers can tell "not configured" from a failing Secrets Manager.
 */
export function secretValues(name: string, local: string | undefined, arn: string | undefined) {
  return async (): Promise<string[]> => {
    const text = local ?? (arn ? await storedValue(arn) : undefined);
    const values = (text ?? '')
      .split(/[\n,]/)
      .map((value) => value.trim())
      .filter((value) => value.length > 0);
    if (values.length === 0) throw new ConfigurationError(`the ${name} secret is empty`);
    return values;
  };
}
