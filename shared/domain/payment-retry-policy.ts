import { z } from 'zod';
import { type Claim, isClaimOpen } from './claim.ts';
import { declineClassOf, isHardDecline } from './decline-class.ts';

/**
 * When we may ask the billing provider to charge a failed invoice again (../shared/DOMAIN.md §2).
 * Card networks limit reattempts: Visa allows none on category 1 (hard) declines and 15 in 30
 * days otherwise (newer sources say 20); Mastercard about 10 declines a day and 35 in 30 days.
 * The conservative values are the defaults.
 */
export const paymentRetryLimitsSchema = z.strictObject({
  $schema: z.string().optional(),
  maxAttemptsPer30Days: z.number().int().min(0).max(35).default(15),
  maxAttemptsPerDay: z.number().int().min(0).max(10).default(10),
});
export type PaymentRetryLimits = z.infer<typeof paymentRetryLimitsSchema>;
export const defaultPaymentRetryLimits: PaymentRetryLimits = paymentRetryLimitsSchema.parse({});

export type RetryDecision = { readonly retry: true } | { readonly retry: false; readonly reason: string };

const dayMs = 24 * 3600 * 1000;

/**
 * Whether to retry one claim now. Never on a settled or disputed claim, never on a hard decline
 * of the card still on file (a payment method changed since the decline may be tried), never
 * before the network's advised delay or beyond the retries the decline allows, never while the
 * provider has its own retry scheduled (we do not compete with Smart Retries), never beyond the
 * card-network limits. `ourAttempts` are the moments we retried this claim before.
 * The provider's attempt count covers every attempt since the first failure, so within the first
 * 30 days it is exact; later only our own attempts and the latest failure are known to be recent.
 */
export function decidePaymentRetry(
  claim: Claim,
  now: Date,
  limits: PaymentRetryLimits,
  ourAttempts: readonly string[],
  paymentMethodUpdatedAt?: string,
): RetryDecision {
  if (!isClaimOpen(claim)) return { retry: false, reason: 'claim-settled' };
  if (claim.disputeStatus === 'open') return { retry: false, reason: 'claim-disputed' };
  const decline = claim.lastDecline;
  const newCardSinceDecline =
    decline !== undefined &&
    paymentMethodUpdatedAt !== undefined &&
    paymentMethodUpdatedAt > decline.declinedAt;
  if (decline !== undefined && !newCardSinceDecline) {
    const declineClass = declineClassOf(claim);
    if (isHardDecline(declineClass)) return { retry: false, reason: `hard-decline:${declineClass}` };
    const { retryAfterSeconds, maxRetries } = decline.classification;
    if (
      retryAfterSeconds !== undefined &&
      now.getTime() < Date.parse(decline.declinedAt) + retryAfterSeconds * 1000
    ) {
      return { retry: false, reason: 'network-advice-retry-later' };
    }
    const oursSinceDecline = ourAttempts.filter((at) => at > decline.declinedAt).length;
    if (maxRetries !== undefined && oursSinceDecline >= maxRetries) {
      return { retry: false, reason: 'decline-retry-limit' };
    }
  }
  if (claim.nextPaymentAttemptAt !== undefined && Date.parse(claim.nextPaymentAttemptAt) > now.getTime()) {
    return { retry: false, reason: 'provider-retry-scheduled' };
  }
  const time = now.getTime();
  const ours = ourAttempts.map((at) => Date.parse(at)).filter((at) => at <= time);
  const ourLastDay = ours.filter((at) => at > time - dayMs).length;
  const firstFailed = claim.firstFailedAt ? Date.parse(claim.firstFailedAt) : time;
  const lastFailedRecently =
    claim.lastFailedAt !== undefined && Date.parse(claim.lastFailedAt) > time - 30 * dayMs;
  const inLast30Days =
    firstFailed > time - 30 * dayMs
      ? Math.max(claim.attemptCount, ours.length)
      : ours.filter((at) => at > time - 30 * dayMs).length + (lastFailedRecently ? 1 : 0);
  if (inLast30Days >= limits.maxAttemptsPer30Days) return { retry: false, reason: 'network-limit-30-days' };
  if (ourLastDay >= limits.maxAttemptsPerDay) return { retry: false, reason: 'network-limit-per-day' };
  return { retry: true };
}
