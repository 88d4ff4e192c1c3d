import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Claim } from './claim.ts';
import type { Customer } from './customer.ts';
import { conditionsSchema, type MessageAction, type MessageVariant } from './strategy.ts';
import { unmetConditions } from './strategy-conditions.ts';

/**
 * Experiments: champion/challenger variants of a strategy (chosen when a case opens) and of a
 * message (chosen when the step acts), and a random holdout that receives no contact, so lift
 * can be measured. Assignment is a hash of customer and experiment: the same debtor always lands
 * in the same arm, on any machine, with no state to keep.
 */

/** Assignment resolution: a bucket is one of 10,000, so percentages take two decimals. */
const buckets = 10_000;

export function bucketOf(customerId: string, experimentId: string): number {
  const digest = createHash('sha256').update(`${experimentId}\u0000${customerId}`).digest();
  return digest.readUInt32BE(0) % buckets;
}

/** The item whose cumulative weight covers `position` (0 ≤ position < 1). */
function pickWeighted<T extends { readonly weight: number }>(items: readonly T[], position: number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let cumulative = 0;
  for (const item of items) {
    cumulative += item.weight / total;
    if (position < cumulative) return item;
  }
  const last = items.at(-1);
  if (last === undefined) throw new RangeError('no items to pick from');
  return last;
}

export interface ExperimentAssignment {
  /** The routing rule that chose the strategy. */
  readonly ruleId: string;
  readonly experimentId?: string;
  /** The arm: a variant id, or `holdout`. */
  readonly variant?: string;
  /** Holdout cases receive no contact: only silent steps (payment retries, pauses, write-offs) run. */
  readonly holdout: boolean;
  /** The hash bucket (0-9999) the arm was read from. */
  readonly bucket?: number;
}

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'ids are kebab-case, at most 40 characters');

const routingConditionsSchema = conditionsSchema.pick({
  segments: true,
  declineClasses: true,
  currencies: true,
  amount: true,
  customer: true,
});

const experimentSchema = z.strictObject({
  id: slug,
  holdoutPercent: z.number().min(0).max(50).default(0).describe('share of debtors who receive no contact'),
  variants: z
    .array(z.strictObject({ id: slug, strategy: slug, weight: z.number().int().min(1).max(1000) }))
    .min(1),
});

export const routingRuleSchema = z
  .strictObject({
    id: slug,
    when: routingConditionsSchema.optional(),
    strategy: slug.optional(),
    experiment: experimentSchema.optional(),
  })
  .refine((rule) => (rule.strategy === undefined) !== (rule.experiment === undefined), {
    message: 'a rule names either a strategy or an experiment',
  });

/**
 * Which strategy a new case takes: the first rule whose conditions hold. The last rule has no
 * conditions, so every case gets one.
 */
export const strategyRoutingSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.number().int().min(1),
    rules: z.array(routingRuleSchema).min(1),
  })
  .superRefine((routing, ctx) => {
    const last = routing.rules.at(-1);
    if (last?.when !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', routing.rules.length - 1, 'when'],
        message: 'the last rule must have no conditions (it is the default)',
      });
    }
    const ids = new Set<string>();
    routing.rules.forEach((rule, index) => {
      if (ids.has(rule.id))
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: 'duplicate rule id' });
      ids.add(rule.id);
    });
  });
/** A parsed routing; the `$schema` editor hint of its file is dropped. */
export type StrategyRouting = Omit<z.infer<typeof strategyRoutingSchema>, '$schema'>;
export type StrategyRoutingInput = z.input<typeof strategyRoutingSchema>;

export function parseStrategyRouting(data: unknown): StrategyRouting {
  const { $schema: _editorHint, ...routing } = strategyRoutingSchema.parse(data);
  return routing;
}

/** Strategies a routing can send cases to (each must be published). */
export function strategiesOfRouting(routing: StrategyRouting): string[] {
  return [
    ...new Set(
      routing.rules.flatMap((rule) =>
        rule.strategy ? [rule.strategy] : (rule.experiment?.variants ?? []).map((v) => v.strategy),
      ),
    ),
  ];
}

export interface StrategyChoice {
  readonly strategyId: string;
  readonly assignment: ExperimentAssignment;
}

/** Chooses the strategy of a new case from its customer and opening claim. Pure and deterministic. */
export function chooseStrategy(
  routing: StrategyRouting,
  customer: Customer | undefined,
  claim: Claim,
  now: Date,
): StrategyChoice {
  const context = {
    customer,
    claims: [claim],
    at: now,
    pastDueSince: claim.firstFailedAt ?? now.toISOString(),
    outcomeOf: () => ({ outcome: 'not-run' as const, engagement: [] }),
  };
  const rule =
    routing.rules.find((candidate) => unmetConditions(candidate.when, context).length === 0) ??
    routing.rules.at(-1);
  if (rule === undefined) throw new RangeError('a routing has at least one rule');
  if (rule.strategy !== undefined)
    return { strategyId: rule.strategy, assignment: { ruleId: rule.id, holdout: false } };
  const experiment = rule.experiment;
  if (experiment === undefined) throw new RangeError(`rule ${rule.id} names no strategy`);
  const bucket = bucketOf(claim.customerId, experiment.id);
  const holdoutBuckets = Math.round(experiment.holdoutPercent * (buckets / 100));
  const holdout = bucket < holdoutBuckets;
  // Holdout cases still follow the champion (first variant) for their silent steps.
  const variant = holdout
    ? experiment.variants[0]
    : pickWeighted(experiment.variants, (bucket - holdoutBuckets) / (buckets - holdoutBuckets));
  if (variant === undefined) throw new RangeError(`experiment ${experiment.id} has no variants`);
  return {
    strategyId: variant.strategy,
    assignment: {
      ruleId: rule.id,
      experimentId: experiment.id,
      variant: holdout ? 'holdout' : variant.id,
      holdout,
      bucket,
    },
  };
}

export interface MessageChoice {
  readonly template: MessageAction['template'];
  readonly channels: MessageAction['channels'];
  readonly variant?: string;
}

/** The message variant a debtor gets for a step: the experiment is the strategy and step. */
export function chooseMessageVariant(
  action: MessageAction,
  customerId: string,
  experimentId: string,
): MessageChoice {
  const variants: readonly MessageVariant[] | undefined = action.variants;
  if (variants === undefined || variants.length === 0)
    return { template: action.template, channels: action.channels };
  const chosen = pickWeighted(variants, bucketOf(customerId, experimentId) / buckets);
  return { template: chosen.template, channels: chosen.channels ?? action.channels, variant: chosen.id };
}
