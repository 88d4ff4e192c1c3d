import type { CustomerSnapshot } from './billing-event.ts';

/** What we know about a debtor, merged from every billing event that mentions them. */
export interface Customer extends CustomerSnapshot {
  /** The customer's open case, if any: new failed claims join it. */
  readonly openCaseId?: string;
}

/** Newer non-empty values win; fields the snapshot lacks keep what we knew. */
export function mergeCustomer(existing: Customer | undefined, snapshot: CustomerSnapshot): Customer {
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(snapshot)) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  return merged as unknown as Customer;
}
