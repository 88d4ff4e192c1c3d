import { z } from 'zod';
import { ConfigurationError } from './domain/errors.ts';

/**
 * Configuration is read and validated once per container, at cold start, so a missing
 * variable fails the first invocation with a message naming it instead of failing mid-journey.
 */
function readConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new ConfigurationError(`Invalid environment: ${problems}`);
  }
  return result.data;
}

const tableConfig = z.object({ TABLE_NAME: z.string().min(1) });

export const ingestConfigSchema = tableConfig
  .extend({
    JOURNEY_STATE_MACHINE_ARN: z.string().startsWith('arn:'),
    /** On AWS: the secret holding the Stripe signing secret (`whsec_...`). */
    STRIPE_WEBHOOK_SECRET_ARN: z.string().startsWith('arn:').optional(),
    /** Locally: the signing secret itself. */
    STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  })
  .refine((env) => env.STRIPE_WEBHOOK_SECRET_ARN || env.STRIPE_WEBHOOK_SECRET, {
    message: 'set STRIPE_WEBHOOK_SECRET_ARN (AWS) or STRIPE_WEBHOOK_SECRET (local)',
    path: ['STRIPE_WEBHOOK_SECRET_ARN'],
  });
export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export const sendConfigSchema = tableConfig.extend({
  SENDER_EMAIL: z.string().min(3),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** The secret holding the Stripe API key (restricted key with invoice and subscription write). */
  STRIPE_API_KEY_SECRET_ARN: z.string().startsWith('arn:').optional(),
});
export type SendConfig = z.infer<typeof sendConfigSchema>;

export const tableOnlyConfigSchema = tableConfig;
export type TableOnlyConfig = z.infer<typeof tableOnlyConfigSchema>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return readConfig(ingestConfigSchema, env);
}

export function loadSendConfig(env: NodeJS.ProcessEnv = process.env): SendConfig {
  return readConfig(sendConfigSchema, env);
}

export function loadTableConfig(env: NodeJS.ProcessEnv = process.env): TableOnlyConfig {
  return readConfig(tableOnlyConfigSchema, env);
}

/**
 * Channels with an adapter in this deployment (`JOURNEY_CHANNELS`, comma-separated; default
 * email): the planner skips the others with a reason and falls back to the next channel of a step.
 */
export const journeyChannelsSchema = z.object({
  JOURNEY_CHANNELS: z
    .string()
    .default('email')
    .transform((value) =>
      value
        .split(',')
        .map((channel) => channel.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['email', 'sms', 'voice', 'whatsapp'])).min(1)),
});

export function loadJourneyChannels(
  env: NodeJS.ProcessEnv = process.env,
): ReadonlySet<'email' | 'sms' | 'voice' | 'whatsapp'> {
  return new Set(readConfig(journeyChannelsSchema, env).JOURNEY_CHANNELS);
}
