import type { BillingEvent } from '../../shared/domain/billing-event.ts';
import { type IngestDependencies, ingestBillingEvent } from '../../shared/use-cases/ingest-billing-event.ts';
import type { BillingEventSink } from './stripe-backfill.ts';

/** Applies events in this process through the ingest core (AWS: the stack's table and state machine). */
export function ingestCoreSink(deps: IngestDependencies): BillingEventSink {
  return {
    apply: async (event) => {
      const outcome = await ingestBillingEvent(event, deps);
      return outcome.status === 'applied'
        ? {
            status: outcome.status,
            caseOpened: outcome.caseOpened,
            ...(outcome.caseId ? { caseId: outcome.caseId } : {}),
          }
        : { status: outcome.status };
    },
  };
}

/** Posts events to a running local runtime (`npm start`), which applies them with its own journeys. */
export function localRuntimeSink(baseUrl: string, fetchImpl: typeof fetch = fetch): BillingEventSink {
  const url = new URL('/local/billing-events', baseUrl);
  return {
    apply: async (event: BillingEvent) => {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
      const body = (await response.json().catch(() => ({}))) as {
        status?: string;
        caseOpened?: boolean;
        caseId?: string;
        error?: string;
      };
      if (!response.ok)
        throw new Error(`the local runtime refused ${event.eventId}: ${response.status} ${body.error ?? ''}`);
      return {
        status: body.status ?? 'applied',
        ...(body.caseOpened === undefined ? {} : { caseOpened: body.caseOpened }),
        ...(body.caseId ? { caseId: body.caseId } : {}),
      };
    },
  };
}
