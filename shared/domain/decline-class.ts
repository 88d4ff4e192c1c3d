import { z } from 'zod';
import type { Claim } from './claim.ts';
import type { DeclineClassification } from './decline-classification.ts';

/**
 * The decline vocabulary strategies branch on (`when.declineClasses`), read from the claim's
 * latest decline as billing ingest classified it (decline-classification.ts, DOMAIN.md §2):
 * - `insufficient-funds`: soft; retry toward payday, offer a plan if it repeats.
 * - `soft-limited`: soft but limited (do_not_honor, generic_decline, unknown codes): 1-2 retries.
 * - `transient`: issuer or network hiccup: a quick silent retry.
 * - `hard`: the card cannot work (expired, wrong number): never retry it; ask for a new one.
 * - `authentication-required`: 3-D Secure needed: no blind retry, send the confirmation link.
 * - `fraud-risk`: lost/stolen/fraudulent: never retry, neutral wording, consider review.
 * - `revoked`: the debtor or the network revoked the authorization: never retry, route to an agent.
 * - `duplicate`: reconcile before any new attempt.
 * - `unknown`: no decline recorded (no payment method, or a provider that sends no codes).
 */
export const declineClassSchema = z.enum([
  'insufficient-funds',
  'soft-limited',
  'transient',
  'hard',
  'authentication-required',
  'fraud-risk',
  'revoked',
  'duplicate',
  'unknown',
]);
export type DeclineClass = z.infer<typeof declineClassSchema>;

/** Classes on which the same card must never be charged again (card-network rules, Visa category 1). */
const neverRetry: ReadonlySet<DeclineClass> = new Set([
  'hard',
  'authentication-required',
  'fraud-risk',
  'revoked',
  'duplicate',
]);

export function isHardDecline(declineClass: DeclineClass | undefined): boolean {
  return declineClass !== undefined && neverRetry.has(declineClass);
}

/** The strategy class of one decline classification. */
export function declineClassOfClassification(classification: DeclineClassification): DeclineClass {
  switch (classification.category) {
    case 'hard':
      return 'hard';
    case 'authentication_required':
      return 'authentication-required';
    case 'fraud':
      return 'fraud-risk';
    case 'stop':
      return 'revoked';
    case 'soft':
      switch (classification.retry) {
        case 'toward_payday':
          return 'insufficient-funds';
        case 'quick':
          return 'transient';
        case 'after_reconciliation':
          return 'duplicate';
        case 'never':
          return 'hard';
        default:
          return 'soft-limited';
      }
  }
}

/** The class of a claim's latest decline; `unknown` when none was recorded. */
export function declineClassOf(claim: Pick<Claim, 'lastDecline'>): DeclineClass {
  return claim.lastDecline ? declineClassOfClassification(claim.lastDecline.classification) : 'unknown';
}
