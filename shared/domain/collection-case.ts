import { createHash } from 'node:crypto';
import { type Claim, isClaimOpen } from './claim.ts';
import type { ContactPause, PauseReason } from './contact-pauses.ts';
import type { ExperimentAssignment } from './experiments.ts';
import type { ClaimHold, PaymentPlan, PromiseToPay } from './portal/commitments.ts';

/**
 * A case groups the open claims of one customer and carries one collection journey
 * (one Step Functions execution, named after the case).
 */
export type CaseStatus = 'open' | 'closed';
/** `superseded`: a new claim arrived after the journey had run its course; a new case took over the open claims. */
export type CaseCloseReason = 'paid' | 'voided' | 'written_off' | 'resolved' | 'superseded';

export interface CollectionCase {
  readonly caseId: string;
  readonly customerId: string;
  readonly status: CaseStatus;
  /** When the case opened: the first failure of its first claim (ISO). Strategy timings count from here. */
  readonly openedAt: string;
  readonly closedAt?: string;
  readonly closeReason?: CaseCloseReason;
  readonly claimIds: readonly string[];
  readonly strategyId: string;
  readonly strategyVersion: number;
  /** Pauses of the whole case (promise to pay, payment plan, hardship, strategy or agent pause). */
  readonly pauses?: readonly ContactPause[];
  /** The experiment arm the case was assigned to when it opened (champion, challenger or holdout). */
  readonly assignment?: ExperimentAssignment;
  /**
   * While a promise to pay is pending: contact pauses until this instant (ISO), the start of the
   * day after the promised day in the debtor's zone. Set from a reply (docs/channels.md).
   */
  readonly promisedUntil?: string;
  /** The promised calendar day (`yyyy-MM-dd`, debtor's zone). */
  readonly promisedDate?: string;
  /** Set when the journey ran out of steps while claims were still open (ISO); cleared when it resumes. */
  readonly journeyEndedAt?: string;
  /**
   * Which run of the journey the case is on (absent: the first). A journey that ended resumes as
   * the next run when the debtor gains a way to be reached (docs/strategies.md#when-a-journey-ends);
   * each run is its own execution (`journeyExecutionName`).
   */
  readonly journeyRun?: number;
  /**
   * The event that started the current run (`<provider>:<event id>`, or `<channel>:<message id>`
   * for a START reply), so that its redelivery can finish starting it.
   */
  readonly journeyResumedBy?: string;
  /** When the current run started (ISO): the steps it had left are due from here on (plan-next-action.ts). */
  readonly journeyResumedAt?: string;
  /** The case that took over this one's open claims. */
  readonly supersededBy?: string;
  // Experiment inputs read by the metrics (docs/metrics.md): optional until cases carry them.
  /** Variant of the strategy the case runs (A/B test arm). */
  readonly variant?: string;
  /** Segment the case was planned for (e.g. `smb`, `high-value`). */
  readonly segment?: string;
  /** The case is in the random holdout group: no contact, the baseline for lift. */
  readonly holdout?: boolean;

  // Debtor portal (docs/portal.md). Written only by the portal's use cases, with `portalVersion`
  // as their optimistic lock; the planner and the send read `pausedUntil` through `commitmentPauseOf`.
  /** Contact is paused until this moment (ISO): a promise to pay or a payment plan in good standing. */
  readonly pausedUntil?: string;
  readonly pauseReason?: CasePauseReason;
  /** The newest promise to pay, whatever became of it. */
  readonly promiseToPay?: PromiseToPay;
  /** Promises the debtor did not keep, remembered for the agent and the next offer. */
  readonly brokenPromises?: number;
  /** The newest payment plan, whatever became of it. */
  readonly paymentPlan?: PaymentPlan;
  /** Claims the debtor flagged (dispute, already paid, hardship, contact me): no contact about them meanwhile. */
  readonly claimHolds?: Readonly<Record<string, ClaimHold>>;
  /** Every portal link of the case issued before this moment is revoked (ISO). */
  readonly portalLinksRevokedBefore?: string;
  /** Optimistic-lock version of the portal fields above (absent: 0). */
  readonly portalVersion?: number;
}

/**
 * Why a portal commitment paused contact with a case as a whole: a reason of the contact policy,
 * which reads `pausedUntil` as a `ContactPause` of that reason (commitment-pauses.ts).
 */
export type CasePauseReason = Extract<PauseReason, 'promise-to-pay' | 'payment-plan'>;

/**
 * Case ids are derived from the customer and the claim that opened the case, so a retried
 * delivery computes the same id (and the same execution name). Execution names allow 80
 * characters of [A-Za-z0-9-_].
 */
export function caseIdFor(customerId: string, openingClaimId: string): string {
  const digest = createHash('sha256').update(`${customerId}\u0000${openingClaimId}`).digest('hex');
  return `case_${digest.slice(0, 24)}`;
}

/**
 * The execution name of a run of the case's journey: the case id for the first run (as every
 * journey started before runs existed), `<caseId>-run<n>` after it. Step Functions keeps an
 * execution name for 90 days, so a resumed journey needs a name of its own.
 */
export function journeyExecutionName(caseId: string, run = 1): string {
  return run <= 1 ? caseId : `${caseId}-run${run}`;
}

/** Why a case closes once none of its claims is open, or undefined while one still is. */
export function closeReasonFor(claims: readonly Pick<Claim, 'status'>[]): CaseCloseReason | undefined {
  if (claims.length === 0 || claims.some(isClaimOpen)) return undefined;
  const statuses = new Set(claims.map((claim) => claim.status));
  if (statuses.size > 1) return 'resolved';
  const [only] = statuses;
  return only === 'failed' || only === 'pending' ? undefined : only;
}
