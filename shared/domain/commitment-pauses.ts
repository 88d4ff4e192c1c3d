import type { Claim } from './claim.ts';
import { isClaimOpen } from './claim.ts';
import type { CollectionCase } from './collection-case.ts';
import type { ContactPause } from './contact-pauses.ts';

/*
 * The pause the debtor's own commitments put on a case now, as a `ContactPause` of the contact
 * policy (contact-pauses.ts: one type for every pause), beside the strategy and agent pauses the
 * case records. They come from the debtor portal (DOMAIN.md §3: pause all contact during an active
 * promise to pay, a plan in good standing, a dispute or declared hardship):
 * - the case-wide `pausedUntil` (promise to pay or payment plan made in the portal);
 * - `promisedUntil`, set when a reply promised to pay by a date (docs/channels.md);
 * - holds on flagged claims: a message never mentions a held claim, and when every open claim is
 *   held there is nothing left to write about, so the case pauses until the first hold ends.
 *
 * The planner moves a planned send to the pause end; the send re-checks (the pause may have begun
 * while the journey waited) and hands the step back to the planner instead of sending.
 */

/** The open claims a message may mention now: those not on hold. */
export function contactableClaims(
  collectionCase: Pick<CollectionCase, 'claimHolds'>,
  claims: readonly Claim[],
  now: Date,
): Claim[] {
  return claims.filter((claim) => {
    if (!isClaimOpen(claim)) return false;
    const hold = collectionCase.claimHolds?.[claim.claimId];
    return hold === undefined || Date.parse(hold.until) <= now.getTime();
  });
}

/** The commitment pause in force at `now` (the one ending last when several apply), from `now` until it ends. */
export function commitmentPauseOf(
  collectionCase: Pick<CollectionCase, 'pausedUntil' | 'pauseReason' | 'claimHolds' | 'promisedUntil'>,
  claims: readonly Claim[],
  now: Date,
): ContactPause | undefined {
  const from = now.toISOString();
  const pauses: ContactPause[] = [];
  if (
    collectionCase.promisedUntil !== undefined &&
    Date.parse(collectionCase.promisedUntil) > now.getTime()
  ) {
    pauses.push({ reason: 'promise-to-pay', from, until: collectionCase.promisedUntil });
  }
  if (collectionCase.pausedUntil !== undefined && Date.parse(collectionCase.pausedUntil) > now.getTime()) {
    pauses.push({
      reason: collectionCase.pauseReason ?? 'promise-to-pay',
      from,
      until: collectionCase.pausedUntil,
    });
  }
  const open = claims.filter(isClaimOpen);
  if (open.length > 0 && contactableClaims(collectionCase, open, now).length === 0) {
    const ends = open
      .map((claim) => collectionCase.claimHolds?.[claim.claimId]?.until)
      .filter((until): until is string => until !== undefined && Date.parse(until) > now.getTime())
      .sort((a, b) => Date.parse(a) - Date.parse(b));
    const [first] = ends;
    if (first !== undefined) pauses.push({ reason: 'claims-on-hold', from, until: first });
  }
  // Both apply: contact resumes when the later one ends (every pause here has an end).
  return pauses.sort((a, b) => Date.parse(b.until ?? from) - Date.parse(a.until ?? from))[0];
}
