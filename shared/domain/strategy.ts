import { z } from 'zod';

/**
 * A collection strategy is data: ordered steps, each sent a number of days after the case
 * opened, through a channel, with a template. Files under workflows/strategies/ are validated
 * by this schema when loaded.
 */
export const channelSchema = z.enum(['email']);
export type Channel = z.infer<typeof channelSchema>;

export const templateIdSchema = z.enum(['payment-failed', 'payment-reminder', 'final-notice']);
export type TemplateId = z.infer<typeof templateIdSchema>;

export const strategyStepSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'step ids are kebab-case, at most 40 characters'),
  /** Days after the case opened; the contact policy may move it to the next allowed moment. */
  dayOffset: z.number().int().min(0).max(365),
  channel: channelSchema,
  template: templateIdSchema,
});
export type StrategyStep = z.infer<typeof strategyStepSchema>;

export const strategySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
    version: z.number().int().min(1),
    name: z.string().min(1),
    steps: z.array(strategyStepSchema).min(1),
  })
  .superRefine((strategy, ctx) => {
    const ids = new Set<string>();
    strategy.steps.forEach((step, index) => {
      if (ids.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: 'duplicate step id' });
      ids.add(step.id);
      const previous = strategy.steps[index - 1];
      if (previous && step.dayOffset < previous.dayOffset) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'dayOffset'],
          message: 'steps must be in day order',
        });
      }
    });
  });
export type Strategy = z.infer<typeof strategySchema>;

export function parseStrategy(data: unknown): Strategy {
  return strategySchema.parse(data);
}
