import { randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../../domain/errors.ts';
import {
  makePaymentPlan,
  type PaymentPlan,
  planNextDutyAt,
  planPausedUntil,
} from '../../domain/portal/commitments.ts';
import type { PortalContext } from './load-portal-context.ts';
import type { PortalDependencies } from './portal-dependencies.ts';
import { portalStateOf, updatePortalState } from './update-portal-state.ts';

/**
 * A payment plan over the actionable claims in `instalments` payments, one the policy allows.
 * Contact pauses while it is in good standing; the commitments job reminds, charges and, on a
 * missed instalment, ends the pause so the journey resumes.
 */
export async function createPaymentPlan(
  context: PortalContext,
  instalments: number,
  deps: PortalDependencies,
  language?: string,
): Promise<PaymentPlan> {
  const now = deps.clock.now();
  const { result } = await updatePortalState(context.collectionCase.caseId, deps, (collectionCase) => {
    if (collectionCase.status !== 'open') throw new InvalidRequestError('nothing is open on this account');
    if (collectionCase.paymentPlan?.status === 'active')
      throw new InvalidRequestError('a payment plan is active');
    const plan = makePaymentPlan(
      `plan_${randomUUID()}`,
      context.actionableClaims,
      instalments,
      now,
      deps.policy,
      language,
    );
    const pausedUntil = planPausedUntil(plan, deps.policy);
    const state = { ...portalStateOf(collectionCase), paymentPlan: plan };
    // A plan supersedes an active promise: its schedule is the commitment now.
    const promise = state.promiseToPay;
    return {
      state: {
        ...state,
        ...(promise?.status === 'active'
          ? { promiseToPay: { ...promise, status: 'kept' as const, settledAt: now.toISOString() } }
          : {}),
        ...(pausedUntil === undefined ? {} : { pausedUntil, pauseReason: 'payment-plan' as const }),
      },
      result: plan,
    };
  });
  if (result === undefined) throw new InvalidRequestError('the plan could not be recorded');
  await deps.portal.scheduleCommitmentCheck(
    context.collectionCase.caseId,
    planNextDutyAt(result, deps.policy),
  );
  await deps.portal.recordInteraction({
    caseId: context.collectionCase.caseId,
    at: now.toISOString(),
    kind: 'plan-created',
    detail: { linkId: context.link.linkId, planId: result.planId, instalments },
  });
  return result;
}
