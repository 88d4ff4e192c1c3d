import type { CollectionCase } from '../domain/collection-case.ts';
import type { CaseStore, Clock, JourneyStarter } from '../ports.ts';

export interface ResumeJourneyDependencies {
  readonly cases: Pick<CaseStore, 'resumeJourney'>;
  readonly journeys: JourneyStarter;
  readonly clock: Clock;
}

/**
 * Resumes the ended journey of an open case as its next run, on behalf of `resumedBy`: the event
 * that made the debtor reachable again (a billing event with a new address, a START reply). A
 * journey ends when its strategy has nothing left it can do, often because nobody could be
 * reached; the next run takes up the steps it had left (docs/strategies.md#when-a-journey-ends).
 *
 * The run is recorded on the case, with the event and the moment, before its execution starts:
 * after a crash in between, the event's redelivery finds itself on the case and starts the run
 * again (the execution name makes that idempotent). True when a run was started for the event.
 */
export async function resumeEndedJourney(
  collectionCase: CollectionCase,
  resumedBy: string,
  deps: ResumeJourneyDependencies,
): Promise<boolean> {
  if (collectionCase.status !== 'open') return false;
  const { caseId } = collectionCase;
  const run = collectionCase.journeyRun ?? 1;
  if (collectionCase.journeyResumedBy === resumedBy) {
    await deps.journeys.startJourney(caseId, run);
    return true;
  }
  if (collectionCase.journeyEndedAt === undefined) return false;
  if (!(await deps.cases.resumeJourney(caseId, run + 1, resumedBy, deps.clock.now()))) return false;
  await deps.journeys.startJourney(caseId, run + 1);
  return true;
}
