import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../../domain/errors.ts';

/**
 * A secret's values, from the environment locally or from Secrets Manager on AWS, cached for
 * 5 minutes so a rolled secret is picked up without a redeploy. Several values (separated by
 * commas or new lines) are all accepted while a secret is rolled.
 */
export function secretValues(name: string, local: string | undefined, arn: string | undefined) {
  return async (): Promise<string[]> => {
    const text = local ?? (arn ? await getSecret<string>(arn, { maxAge: 300 }) : undefined);
    const values = (text ?? '')
      .split(/[\n,]/)
      .map((value) => value.trim())
      .filter((value) => value.length > 0);
    if (values.length === 0) throw new ConfigurationError(`the ${name} secret is empty`);
    return values;
  };
}
