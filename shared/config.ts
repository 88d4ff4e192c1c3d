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

/** What the automatic keyword answers say (HELP must name a support contact: carrier rules). */
const replySettingsConfig = z.object({
  SUPPORT_CONTACT: z.string().min(3),
  SENDER_NAME: z.string().min(1).default('Billing'),
});

export const inboundSmsConfigSchema = tableConfig.merge(replySettingsConfig).extend({
  /** Phone number, pool or their ARN the answers are sent from. */
  SMS_ORIGINATION_IDENTITY: z.string().min(1),
  SMS_CONFIGURATION_SET: z.string().min(1).optional(),
});
export type InboundSmsConfig = z.infer<typeof inboundSmsConfigSchema>;

export const whatsAppEventsConfigSchema = tableConfig.merge(replySettingsConfig).extend({
  /** End User Messaging Social phone number id (`phone-number-id-...`). */
  WHATSAPP_PHONE_NUMBER_ID: z.string().min(1),
  WHATSAPP_META_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .optional(),
});
export type WhatsAppEventsConfig = z.infer<typeof whatsAppEventsConfigSchema>;

export function loadInboundSmsConfig(env: NodeJS.ProcessEnv = process.env): InboundSmsConfig {
  return readConfig(inboundSmsConfigSchema, env);
}

export function loadWhatsAppEventsConfig(env: NodeJS.ProcessEnv = process.env): WhatsAppEventsConfig {
  return readConfig(whatsAppEventsConfigSchema, env);
}
