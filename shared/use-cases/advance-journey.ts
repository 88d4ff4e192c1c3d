import type { JourneyPlan, StepPlan } from '../domain/plan-next-action.ts';
import { planJourneyStep } from './plan-journey-step.ts';
import { actOnJourneyStep, type SendDependencies, type SendOutcome } from './send-journey-message.ts';

/** The journey's state between steps: keys and the plan, never documents (256 KiB payload limit). */
export interface JourneyState {
  readonly caseId: string;
  readonly plan: JourneyPlan;
  /** What the step just acted on did (absent after a wait, or when the case had closed). */
  readonly lastStep?: SendOutcome;
}

/**
 * One turn of the journey after its Wait: re-read the case, act on the planned step (unless the
 * case closed meanwhile, or the plan was only to look again), then plan the next step. Acting
 * and planning in one task keeps a step at three state transitions (Wait, this task, the
 * IsJourneyOver choice). A retried task acts at most once (the step record) and plans afresh.
 */
export async function advanceJourney(
  request: { readonly caseId: string; readonly plan: StepPlan | Extract<JourneyPlan, { action: 'wait' }> },
  deps: SendDependencies,
): Promise<JourneyState> {
  const collectionCase = await deps.cases.getCase(request.caseId);
  if (collectionCase?.status === 'closed') {
    return { caseId: request.caseId, plan: { action: 'end', reasons: ['case-closed'] } };
  }
  const { plan } = request;
  const lastStep =
    plan.action === 'wait' ? undefined : await actOnJourneyStep({ caseId: request.caseId, plan }, deps);
  const next = await planJourneyStep(request.caseId, deps);
  return { caseId: request.caseId, plan: next, ...(lastStep === undefined ? {} : { lastStep }) };
}
