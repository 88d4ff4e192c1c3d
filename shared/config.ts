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

/** Finance metrics: the company's time zone and the attribution window (docs/metrics.md). */
export const metricsConfigSchema = z.object({
  METRICS_TIME_ZONE: z
    .string()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as Europe/Paris'),
  ATTRIBUTION_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(7),
});
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

export function loadMetricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  return readConfig(metricsConfigSchema, env);
}

const recipientList = z
  .string()
  .default('')
  .transform((list) =>
    list
      .split(',')
      .map((address) => address.trim())
      .filter((address) => address.length > 0),
  )
  .pipe(z.array(z.email()));

/** The scheduled finance reports: where they are archived, who receives them, from whom. */
export const financeReportConfigSchema = tableConfig.extend(metricsConfigSchema.shape).extend({
  REPORT_BUCKET_NAME: z.string().min(3),
  SENDER_EMAIL: z.string().min(3),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  REPORT_RECIPIENTS_DAILY: recipientList,
  REPORT_RECIPIENTS_WEEKLY: recipientList,
  REPORT_RECIPIENTS_MONTHLY: recipientList,
  REPORT_LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(604800).default(604800),
});
export type FinanceReportConfig = z.infer<typeof financeReportConfigSchema>;

export function loadFinanceReportConfig(env: NodeJS.ProcessEnv = process.env): FinanceReportConfig {
  return readConfig(financeReportConfigSchema, env);
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
