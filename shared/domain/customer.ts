import type { CustomerSnapshot } from './billing-event.ts';
import type { ContactPreferences } from './contact-policy.ts';
import { isNewer, maxIso, minIso, type Stamp } from './stamp.ts';
import { allChannels } from './strategy.ts';

/** What we know about a debtor, merged from every billing event that mentions them. */
export interface Customer extends CustomerSnapshot {
  /** The customer's open case, if any: new failed claims join it. */
  readonly openCaseId?: string;
  /** When the newest snapshot merged into the profile was taken (ISO). */
  readonly profileAt?: string;
  /** Deleted in billing (ISO): stop all contact. */
  readonly deletedAt?: string;
  /** Latest change of the payment method (ISO): retry now, stop asking for a new card. */
  readonly paymentMethodUpdatedAt?: string;
  /** Latest change made by the card network's account updater rather than the debtor. */
  readonly paymentMethodAutoUpdatedAt?: string;
  /** Per contact field, the stamp of the snapshot its value came from. */
  readonly fieldStamps?: Readonly<Record<string, Stamp>>;
}

/** Facts a customer event adds beside the snapshot. */
export interface CustomerFacts {
  readonly deletedAt?: string;
  readonly paymentMethodUpdatedAt?: string;
  readonly paymentMethodAutoUpdatedAt?: string;
}

const profileFields = ['email', 'name', 'phone', 'country', 'timeZone', 'locale', 'segment'] as const;

/** The stamp key of one attribute in `fieldStamps` (contact fields use their own name). */
const attributeStampKey = (name: string): string => `attributes.${name}`;

/**
 * Consent from billing: each timestamp is a max register, so the profile holds the latest consent
 * and the latest opt-out billing ever told, whatever the order (contact-policy.ts reads the later
 * of the two). Stamps play no part: a consent date is itself the fact's time.
 */
function mergeContactPreferences(
  existing: ContactPreferences | undefined,
  incoming: ContactPreferences | undefined,
): ContactPreferences | undefined {
  if (incoming === undefined) return existing;
  const merged: Partial<Record<string, { consentAt?: string; optedOutAt?: string }>> = { ...existing };
  for (const channel of allChannels) {
    const next = incoming[channel];
    if (next === undefined) continue;
    const current = existing?.[channel];
    const consentAt = maxIso(current?.consentAt, next.consentAt);
    const optedOutAt = maxIso(current?.optedOutAt, next.optedOutAt);
    merged[channel] = {
      ...(consentAt !== undefined ? { consentAt } : {}),
      ...(optedOutAt !== undefined ? { optedOutAt } : {}),
    };
  }
  return merged as ContactPreferences;
}

/**
 * Merges a snapshot of the customer ordered by `stamp` (see `stampOf`). Each contact field is a
 * last-writer-wins register of the newest snapshot that carried a value for it, so a late, stale
 * delivery never brings back an old address, and any order of the same snapshots gives the same
 * profile. Without a stamp the snapshot is taken as the newest.
 */
export function mergeCustomer(
  existing: Customer | undefined,
  snapshot: CustomerSnapshot,
  stamp?: Stamp,
  facts: CustomerFacts = {},
): Customer {
  const fieldStamps: Record<string, Stamp> = { ...existing?.fieldStamps };
  const merged: Record<string, unknown> = { ...existing, customerId: snapshot.customerId };
  for (const field of profileFields) {
    const value = snapshot[field];
    if (value === undefined || value === '') continue;
    if (stamp === undefined) {
      merged[field] = value;
      delete fieldStamps[field];
    } else if (merged[field] === undefined || isNewer(stamp, fieldStamps[field])) {
      merged[field] = value;
      fieldStamps[field] = stamp;
    }
  }
  // Each attribute is its own last-writer-wins register: an invoice's metadata may carry only
  // some of the customer's, and must not erase the others.
  const attributes: Record<string, string> = { ...existing?.attributes };
  for (const [name, value] of Object.entries(snapshot.attributes ?? {})) {
    if (value === '') continue;
    const key = attributeStampKey(name);
    if (stamp === undefined) {
      attributes[name] = value;
      delete fieldStamps[key];
    } else if (attributes[name] === undefined || isNewer(stamp, fieldStamps[key])) {
      attributes[name] = value;
      fieldStamps[key] = stamp;
    }
  }
  if (Object.keys(attributes).length > 0) merged.attributes = attributes;
  const contactPreferences = mergeContactPreferences(
    existing?.contactPreferences,
    snapshot.contactPreferences,
  );
  if (contactPreferences !== undefined) merged.contactPreferences = contactPreferences;
  if (Object.keys(fieldStamps).length > 0) merged.fieldStamps = fieldStamps;
  else delete merged.fieldStamps;
  const observedAt = stamp?.split('|')[1];
  if (observedAt !== undefined) merged.profileAt = maxIso(existing?.profileAt, observedAt);
  const setFact = (name: keyof CustomerFacts, value: string | undefined): void => {
    if (value !== undefined) merged[name] = value;
  };
  // Deletion is the first one seen; payment method changes are the latest.
  setFact('deletedAt', facts.deletedAt ? minIso(existing?.deletedAt, facts.deletedAt) : undefined);
  setFact(
    'paymentMethodUpdatedAt',
    facts.paymentMethodUpdatedAt
      ? maxIso(existing?.paymentMethodUpdatedAt, facts.paymentMethodUpdatedAt)
      : undefined,
  );
  setFact(
    'paymentMethodAutoUpdatedAt',
    facts.paymentMethodAutoUpdatedAt
      ? maxIso(existing?.paymentMethodAutoUpdatedAt, facts.paymentMethodAutoUpdatedAt)
      : undefined,
  );
  return merged as unknown as Customer;
}

/**
 * Whether `after` gives the debtor a way to be reached that `before` did not: an email address or
 * a phone number where there was none or another one, or a consent on a channel given after the
 * one known before. A journey that ended for want of a usable channel resumes on it (ingest).
 * Opt-outs and removals never count: they only take ways away.
 */
export function gainedContactRoute(before: Customer | undefined, after: Customer): boolean {
  const changed = (field: 'email' | 'phone'): boolean =>
    after[field] !== undefined && after[field] !== '' && after[field] !== before?.[field];
  if (changed('email') || changed('phone')) return true;
  return allChannels.some((channel) => {
    const consentAt = after.contactPreferences?.[channel]?.consentAt;
    const earlier = before?.contactPreferences?.[channel]?.consentAt;
    return consentAt !== undefined && (earlier === undefined || consentAt > earlier);
  });
}
