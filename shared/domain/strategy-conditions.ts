import type { Claim } from './claim.ts';
import type { Customer } from './customer.ts';
import { declineClassOf } from './decline-class.ts';
import type { Conditions, Engagement, StepOutcome } from './strategy.ts';

export interface ConditionContext {
  readonly customer: Customer | undefined;
  /** The claims the step acts on: open and not disputed. */
  readonly claims: readonly Claim[];
  /** The moment the step would act: days past due count up to it. */
  readonly at: Date;
  /** What days past due count from (ISO): the oldest due date, else the first failure. */
  readonly pastDueSince: string;
  readonly outcomeOf: (stepId: string) => { outcome: StepOutcome; engagement: readonly Engagement[] };
}

const dayMs = 24 * 3600 * 1000;

/** The open amount per currency, in minor units. */
export function amountsByCurrency(claims: readonly Claim[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const claim of claims)
    totals.set(claim.currency, (totals.get(claim.currency) ?? 0) + claim.amountMinor);
  return totals;
}

function inRange(value: number, range: { min?: number | undefined; max?: number | undefined }): boolean {
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

function attributeOf(customer: Customer | undefined, name: string): string | undefined {
  if (customer === undefined) return undefined;
  const own = customer.attributes?.[name];
  if (own !== undefined) return own;
  const known: Record<string, string | undefined> = {
    country: customer.country,
    locale: customer.locale,
    segment: customer.segment,
  };
  return known[name];
}

/**
 * The names of the conditions that do not hold (empty: the step applies). Conditions are
 * explained, never just true or false, so a skipped step says why.
 */
export function unmetConditions(conditions: Conditions | undefined, context: ConditionContext): string[] {
  if (conditions === undefined) return [];
  const unmet: string[] = [];
  const { customer, claims } = context;
  if (conditions.segments && !conditions.segments.includes(customer?.segment ?? '')) unmet.push('segment');
  if (
    conditions.declineClasses &&
    !claims.some(
      // A claim whose decline was never classified counts as `unknown`.
      (claim) => conditions.declineClasses?.includes(declineClassOf(claim)),
    )
  ) {
    unmet.push('decline-class');
  }
  if (conditions.currencies && !claims.some((claim) => conditions.currencies?.includes(claim.currency)))
    unmet.push('currency');
  if (conditions.amount) {
    const ranges = conditions.amount;
    const matches = [...amountsByCurrency(claims)].some(([currency, total]) => {
      const range = ranges[currency];
      return range !== undefined && inRange(total, range);
    });
    if (!matches) unmet.push('amount');
  }
  if (conditions.daysPastDue) {
    const days = Math.floor((context.at.getTime() - Date.parse(context.pastDueSince)) / dayMs);
    if (!inRange(days, conditions.daysPastDue)) unmet.push('days-past-due');
  }
  for (const [name, values] of Object.entries(conditions.customer ?? {})) {
    const value = attributeOf(customer, name);
    if (value === undefined || !values.includes(value)) unmet.push(`customer.${name}`);
  }
  for (const reference of conditions.previousSteps ?? []) {
    const { outcome, engagement } = context.outcomeOf(reference.step);
    const outcomeOk = reference.outcomes === undefined || reference.outcomes.includes(outcome);
    const engagementOk =
      reference.engagement === undefined || reference.engagement.some((event) => engagement.includes(event));
    if (!outcomeOk || !engagementOk) unmet.push(`previous-step.${reference.step}`);
  }
  return unmet;
}
