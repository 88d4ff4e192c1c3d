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
    /** Locally: the signing secret itself (several, comma-separated, while a secret is rolled). */
    STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
    /** The deployment's billing mode: `true` accepts live events only, `false` test events only. */
    BILLING_LIVEMODE: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional(),
    /** Optional: a restricted Stripe key that finds the invoice of a payment, dispute or refund. */
    STRIPE_API_KEY_ARN: z.string().startsWith('arn:').optional(),
    STRIPE_API_KEY: z.string().optional(),
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

/** `true` / `false` as text (environment variables are strings). */
const booleanText = z.enum(['true', 'false']).transform((value) => value === 'true');

/** What every billing ingest function needs besides its provider's secret. */
const billingIngestBase = tableConfig.extend({
  JOURNEY_STATE_MACHINE_ARN: z.string().startsWith('arn:'),
  /** The deployment's billing mode: `true` accepts live events only, `false` test events only. */
  BILLING_LIVEMODE: booleanText.optional(),
});

/**
 * A provider secret comes from Secrets Manager on AWS (`<NAME>_ARN`) or from the environment
 * locally (`<NAME>`); one of the two must be set.
 */
function withSecret<const N extends string>(name: N) {
  return billingIngestBase
    .extend({
      [`${name}_ARN`]: z.string().startsWith('arn:').optional(),
      [name]: z.string().min(1).optional(),
    } as Record<`${N}_ARN` | N, z.ZodOptional<z.ZodString>>)
    .refine((env: Record<string, unknown>) => Boolean(env[`${name}_ARN`] || env[name]), {
      message: `set ${name}_ARN (AWS) or ${name} (local)`,
      path: [`${name}_ARN`],
    });
}

export const chargebeeIngestConfigSchema = withSecret('CHARGEBEE_WEBHOOK_CREDENTIALS');
export const paddleIngestConfigSchema = withSecret('PADDLE_WEBHOOK_SECRET');
export const inhouseIngestConfigSchema = withSecret('INHOUSE_WEBHOOK_SECRET');

export type ProviderIngestConfig<N extends string> = z.infer<typeof billingIngestBase> &
  Partial<Record<N | `${N}_ARN`, string>>;

export function loadProviderIngestConfig<N extends string>(
  name: N,
  env: NodeJS.ProcessEnv = process.env,
): ProviderIngestConfig<N> {
  return readConfig(withSecret(name), env) as unknown as ProviderIngestConfig<N>;
}

/** The Stripe API (backfill, reconciliation, invoice lookups): a restricted key, from Secrets Manager or the environment. */
export const stripeApiConfigSchema = z.object({
  STRIPE_API_KEY_ARN: z.string().startsWith('arn:').optional(),
  STRIPE_API_KEY: z
    .string()
    .regex(/^(sk|rk)_/, 'expected a secret (sk_) or restricted (rk_) key')
    .optional(),
  BILLING_LIVEMODE: booleanText.optional(),
});
export type StripeApiConfig = z.infer<typeof stripeApiConfigSchema>;

export function loadStripeApiConfig(env: NodeJS.ProcessEnv = process.env): StripeApiConfig {
  return readConfig(stripeApiConfigSchema, env);
}

export const reconcileConfigSchema = billingIngestBase
  .extend(stripeApiConfigSchema.shape)
  .refine((env) => env.STRIPE_API_KEY_ARN || env.STRIPE_API_KEY, {
    message: 'set STRIPE_API_KEY_ARN (AWS) or STRIPE_API_KEY (local)',
    path: ['STRIPE_API_KEY_ARN'],
  });
export type ReconcileConfig = z.infer<typeof reconcileConfigSchema>;

export function loadReconcileConfig(env: NodeJS.ProcessEnv = process.env): ReconcileConfig {
  return readConfig(reconcileConfigSchema, env);
}

/** Stripe through EventBridge: no webhook secret; an API key is optional (invoice lookups). */
export const stripeEventBridgeConfigSchema = billingIngestBase.extend(stripeApiConfigSchema.shape);
export type StripeEventBridgeConfig = z.infer<typeof stripeEventBridgeConfigSchema>;

export function loadStripeEventBridgeConfig(env: NodeJS.ProcessEnv = process.env): StripeEventBridgeConfig {
  return readConfig(stripeEventBridgeConfigSchema, env);
}

// Debtor portal (docs/portal.md) ----------------------------------------------------------------

const portalSigningKeyConfig = z.object({
  /** On AWS: the secret holding the portal signing key (generated by the stack). */
  PORTAL_SIGNING_KEY_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Locally: the key itself (at least 32 characters). */
  PORTAL_SIGNING_KEY: z.string().min(32).optional(),
});

export const portalConfigSchema = tableConfig
  .extend({
    /** Public base URL of the portal, e.g. `https://pay.example.com/portal`. */
    PORTAL_BASE_URL: z.url(),
    /** The secret holding the Stripe API key (`sk_...` or a restricted `rk_...`). */
    STRIPE_API_KEY_SECRET_ARN: z.string().startsWith('arn:'),
    SENDER_EMAIL: z.string().min(3),
    SES_CONFIGURATION_SET: z.string().min(1).optional(),
  })
  .extend(portalSigningKeyConfig.shape)
  .refine((env) => env.PORTAL_SIGNING_KEY_SECRET_ARN || env.PORTAL_SIGNING_KEY, {
    message: 'set PORTAL_SIGNING_KEY_SECRET_ARN (AWS) or PORTAL_SIGNING_KEY (local)',
    path: ['PORTAL_SIGNING_KEY_SECRET_ARN'],
  });
export type PortalConfig = z.infer<typeof portalConfigSchema>;

export function loadPortalConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  return readConfig(portalConfigSchema, env);
}

/** The send function signs a portal link per message when the portal is deployed. */
export const sendPortalLinkConfigSchema = portalSigningKeyConfig.extend({
  PORTAL_BASE_URL: z.url().optional(),
});
export type SendPortalLinkConfig = z.infer<typeof sendPortalLinkConfigSchema>;

export function loadSendPortalLinkConfig(env: NodeJS.ProcessEnv = process.env): SendPortalLinkConfig {
  return readConfig(sendPortalLinkConfigSchema, env);
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

/**
 * The channel adapters the act step may use besides email: set by the stack when the channels
 * are configured (`smsOriginationIdentity`, `whatsAppPhoneNumberId`), absent otherwise.
 */
export const journeyChannelAdaptersConfigSchema = z.object({
  SMS_ORIGINATION_IDENTITY: z.string().min(1).optional(),
  SMS_CONFIGURATION_SET: z.string().min(1).optional(),
  WHATSAPP_PHONE_NUMBER_ID: z.string().min(1).optional(),
  WHATSAPP_META_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .optional(),
});
export type JourneyChannelAdaptersConfig = z.infer<typeof journeyChannelAdaptersConfigSchema>;

export function loadJourneyChannelAdapters(
  env: NodeJS.ProcessEnv = process.env,
): JourneyChannelAdaptersConfig {
  return readConfig(journeyChannelAdaptersConfigSchema, env);
}
