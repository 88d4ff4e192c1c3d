import type { CustomerSnapshot } from './billing-event.ts';
import type { ContactPreferences } from './contact-policy.ts';

/** What we know about a debtor, merged from every billing event that mentions them. */
export interface Customer extends CustomerSnapshot {
  /** The customer's open case, if any: new failed claims join it. */
  readonly openCaseId?: string;
  /** When the newest snapshot merged into the profile was taken (ISO). */
  readonly profileAt?: string;
  /** E.164 phone number (SMS, voice, WhatsApp); its calling code also locates the debtor. */
  readonly phone?: string;
  /** The segment strategies and routing rules select on (e.g. `b2c`, `smb`, `enterprise`). */
  readonly segment?: string;
  /** Further attributes strategy conditions may match (`when.customer`), e.g. `plan: pro`. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Consent and opt-out per channel, maintained by inbound replies, the portal and agents. */
  readonly contactPreferences?: ContactPreferences;
}

/**
 * Merges a snapshot of the customer taken at `observedAt`. A newer snapshot's non-empty values
 * win; an older one (a late delivery, or an invoice whose `customer_email` Stripe froze at
 * finalization) only fills fields we do not know yet, so a stale address never comes back.
 * Without `observedAt` the snapshot is taken as the newest.
 */
export function mergeCustomer(
  existing: Customer | undefined,
  snapshot: CustomerSnapshot,
  observedAt?: string,
): Customer {
  const isNewer =
    observedAt === undefined || existing?.profileAt === undefined || observedAt >= existing.profileAt;
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(snapshot)) {
    if (value === undefined || value === '') continue;
    if (isNewer || merged[key] === undefined) merged[key] = value;
  }
  if (observedAt !== undefined && isNewer) merged.profileAt = observedAt;
  return merged as unknown as Customer;
}
