import { z } from 'zod';
import { declineClassSchema } from './decline-class.ts';

/**
 * A collection strategy is data: ordered steps, each with a timing, conditions and an action.
 * Files under workflows/strategies/ are validated by this schema when loaded and when published;
 * `npm run strategy -- schema` writes the JSON Schema editors use from it.
 */

/**
 * Every channel a step may name. Which of them can deliver is configuration (an adapter wired in
 * the send function): a step lists channels in order of preference, and the planner falls back
 * to the next one when a channel has no adapter, no consent, an opt-out or no address.
 */
export const channelSchema = z.enum(['email', 'sms', 'voice', 'whatsapp']);
export type Channel = z.infer<typeof channelSchema>;
export const allChannels: readonly Channel[] = channelSchema.options;

export const templateIdSchema = z.enum([
  'payment-failed',
  'payment-failed-short',
  'payment-reminder',
  'card-update-request',
  'payment-plan-offer',
  'final-notice',
]);
export type TemplateId = z.infer<typeof templateIdSchema>;

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'ids are kebab-case, at most 40 characters');
const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, 'currencies are ISO 4217 codes in upper case')
  .describe('ISO 4217 currency code, upper case');

const rangeOf = (unit: string) =>
  z
    .strictObject({
      min: z.number().int().min(0).optional().describe(`inclusive lower bound (${unit})`),
      max: z.number().int().min(0).optional().describe(`inclusive upper bound (${unit})`),
    })
    .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, {
      message: 'min must not exceed max',
    });

/** What a step (or a routing rule) requires of the case; every listed condition must hold. */
export const stepOutcomeSchema = z.enum([
  'sent',
  'uncertain',
  'undeliverable',
  'failed',
  'done',
  'skipped',
  'not-run',
]);
export type StepOutcome = z.infer<typeof stepOutcomeSchema>;

export const engagementSchema = z.enum(['delivered', 'opened', 'clicked', 'replied', 'bounced']);
export type Engagement = z.infer<typeof engagementSchema>;

export const conditionsSchema = z
  .strictObject({
    segments: z.array(slug).min(1).optional().describe("the customer's segment is one of these"),
    declineClasses: z
      .array(declineClassSchema)
      .min(1)
      .optional()
      .describe('the latest decline of some open claim is of one of these classes'),
    currencies: z.array(currencyCode).min(1).optional().describe('some open claim is in one of these'),
    amount: z
      .partialRecord(currencyCode, rangeOf('minor units'))
      .optional()
      .describe(
        'the open amount of the case in some listed currency falls in its range (minor units); a case in another currency does not match',
      ),
    daysPastDue: rangeOf('days')
      .optional()
      .describe('whole days since the first failure (or due date when known) at the step moment'),
    customer: z
      .record(z.string().min(1), z.array(z.string()).min(1))
      .optional()
      .describe(
        'customer attributes (country, locale, or any attribute of the profile) each equal to one of the listed values',
      ),
    previousSteps: z
      .array(
        z.strictObject({
          step: slug,
          outcomes: z.array(stepOutcomeSchema).min(1).optional(),
          engagement: z.array(engagementSchema).min(1).optional(),
        }),
      )
      .min(1)
      .optional()
      .describe('outcomes or engagement of earlier steps of this strategy'),
  })
  .describe('Every listed condition must hold; an empty object always holds.');
export type Conditions = z.infer<typeof conditionsSchema>;

export const timingSchema = z
  .strictObject({
    from: z
      .enum(['first-failure', 'due-date', 'previous-step'])
      .describe(
        'the anchor: the first failed payment of the case, the due date of its oldest claim, or when the previous executed step acted',
      ),
    days: z.number().int().min(0).max(365).default(0),
    hours: z.number().int().min(0).max(23).default(0),
  })
  .describe('When the step is due; the contact policy may move it later, never earlier.');
export type Timing = z.infer<typeof timingSchema>;

const channelList = z
  .array(channelSchema)
  .min(1)
  .refine((channels) => new Set(channels).size === channels.length, { message: 'a channel is listed twice' })
  .describe('channels in order of preference; the next one is used when one cannot deliver');

const messageVariantSchema = z.strictObject({
  id: slug,
  template: templateIdSchema,
  channels: channelList.optional(),
  weight: z.number().int().min(1).max(1000),
});
export type MessageVariant = z.infer<typeof messageVariantSchema>;

const messageFields = {
  channels: channelList,
  template: templateIdSchema,
  variants: z
    .array(messageVariantSchema)
    .min(2)
    .optional()
    .describe(
      'champion/challenger variants of this message; each debtor gets one, by a hash of customer and step',
    ),
};

export const stepActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('send-message'), ...messageFields }),
  z.strictObject({ type: z.literal('request-card-update'), ...messageFields }),
  z.strictObject({
    type: z.literal('offer-payment-plan'),
    ...messageFields,
    plan: z.strictObject({
      installments: z.number().int().min(2).max(24),
      intervalDays: z.number().int().min(7).max(31),
    }),
  }),
  z.strictObject({ type: z.literal('final-notice'), ...messageFields }),
  z.strictObject({
    type: z.literal('retry-payment'),
    description: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('hand-to-agent'),
    queue: slug,
    priority: z.enum(['low', 'normal', 'high']).default('normal'),
    reason: z.string().min(1).max(200),
  }),
  z.strictObject({
    type: z.literal('pause'),
    days: z.number().int().min(1).max(90),
  }),
  z.strictObject({ type: z.literal('write-off') }),
  z.strictObject({
    type: z.literal('cancel-subscription'),
    when: z.enum(['immediately', 'at-period-end']),
  }),
]);
export type StepAction = z.infer<typeof stepActionSchema>;
export type StepActionType = StepAction['type'];

export const stepActionTypeSchema = z.enum([
  'send-message',
  'request-card-update',
  'offer-payment-plan',
  'final-notice',
  'retry-payment',
  'hand-to-agent',
  'pause',
  'write-off',
  'cancel-subscription',
] as const satisfies readonly StepActionType[]);
export type MessageAction = Extract<StepAction, { channels: readonly Channel[] }>;

const messageActionTypes: ReadonlySet<StepActionType> = new Set([
  'send-message',
  'request-card-update',
  'offer-payment-plan',
  'final-notice',
]);

export function isMessageAction(action: StepAction): action is MessageAction {
  return messageActionTypes.has(action.type);
}

/** Actions that reach the debtor: a holdout case receives none of them. */
export function contactsDebtor(action: StepAction): boolean {
  return isMessageAction(action) || action.type === 'hand-to-agent';
}

export const strategyStepSchema = z.strictObject({
  id: slug,
  description: z.string().optional(),
  timing: timingSchema,
  when: conditionsSchema.optional(),
  action: stepActionSchema,
});
export type StrategyStep = z.infer<typeof strategyStepSchema>;

export const strategySchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: slug,
    version: z.number().int().min(1),
    name: z.string().min(1),
    description: z.string().optional(),
    steps: z.array(strategyStepSchema).min(1).max(50),
  })
  .superRefine((strategy, ctx) => {
    const seen = new Set<string>();
    strategy.steps.forEach((step, index) => {
      if (seen.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: 'duplicate step id' });
      for (const [position, reference] of (step.when?.previousSteps ?? []).entries()) {
        if (!seen.has(reference.step)) {
          ctx.addIssue({
            code: 'custom',
            path: ['steps', index, 'when', 'previousSteps', position, 'step'],
            message: `"${reference.step}" is not an earlier step of this strategy`,
          });
        }
      }
      if (isMessageAction(step.action)) {
        const variantIds = new Set<string>();
        for (const [position, variant] of (step.action.variants ?? []).entries()) {
          if (variantIds.has(variant.id)) {
            ctx.addIssue({
              code: 'custom',
              path: ['steps', index, 'action', 'variants', position, 'id'],
              message: 'duplicate variant id',
            });
          }
          variantIds.add(variant.id);
        }
      }
      seen.add(step.id);
    });
  });
/** A parsed strategy; the `$schema` editor hint of its file is dropped. */
export type Strategy = Omit<z.infer<typeof strategySchema>, '$schema'>;
/** What strategy files hold before defaults are filled in. */
export type StrategyInput = z.input<typeof strategySchema>;

export function parseStrategy(data: unknown): Strategy {
  const { $schema: _editorHint, ...strategy } = strategySchema.parse(data);
  return strategy;
}

/** The key of one immutable strategy version: a case records it and keeps it for its whole journey. */
export function strategyKey(id: string, version: number): string {
  return `${id}@${version}`;
}
