import type { BillingTranslation } from '../domain/billing-event.ts';
import type { CursorStore, IgnoredEventCounter } from '../ports.ts';
import { type IngestDependencies, ingestBillingEvent } from './ingest-billing-event.ts';

/** One event read back from a provider's API. */
export interface ListedBillingEvent {
  readonly id: string;
  readonly type: string;
  /** Unix seconds. */
  readonly created: number;
  translate(): Promise<BillingTranslation>;
}

export interface BillingEventSource {
  readonly provider: string;
  /** Events created at or after `sinceUnix`, in any order. */
  listSince(sinceUnix: number): AsyncIterable<ListedBillingEvent>;
}

export interface ReconcileDependencies extends IngestDependencies {
  readonly cursors: CursorStore;
  readonly ignoredEvents: IgnoredEventCounter;
}

export interface ReconcileOptions {
  /**
   * Where to start without a cursor: how far back to look.
   * @default 3 days (how long Stripe retries a webhook)
   */
  readonly initialLookbackSeconds?: number;
  /**
   * Events of the same second can be listed after the cursor moved past them: re-read this much
   * before the cursor (the ledger makes the overlap free of effects).
   * @default 300
   */
  readonly overlapSeconds?: number;
  /** At most this many events per run; the cursor then stops at the last applied one. @default 5000 */
  readonly maxEvents?: number;
}

export interface ReconcileReport {
  readonly provider: string;
  readonly since: string;
  readonly listed: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly cursor?: string;
}

/**
 * Applies the events a provider's API lists since the last one seen, through the same ingest core
 * as the webhooks, oldest first. Events the webhook already delivered are duplicates in the ledger
 * and change nothing; the cursor only moves past events that were applied.
 */
export async function reconcileBillingEvents(
  source: BillingEventSource,
  deps: ReconcileDependencies,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const cursorName = `reconcile:${source.provider}`;
  const stored = await deps.cursors.getCursor(cursorName);
  const nowUnix = Math.floor(deps.clock.now().getTime() / 1000);
  const sinceUnix =
    stored === undefined
      ? nowUnix - (options.initialLookbackSeconds ?? 3 * 86_400)
      : Number(stored) - (options.overlapSeconds ?? 300);
  const maxEvents = options.maxEvents ?? 5000;

  const listed: ListedBillingEvent[] = [];
  for await (const event of source.listSince(sinceUnix)) listed.push(event);
  listed.sort((a, b) => a.created - b.created || a.id.localeCompare(b.id));
  const batch = listed.slice(0, maxEvents);

  let applied = 0;
  let duplicates = 0;
  let ignored = 0;
  let newest = stored === undefined ? undefined : Number(stored);
  for (const event of batch) {
    const translation = await event.translate();
    if (translation.status === 'ignored') {
      ignored += 1;
    } else {
      const outcome = await ingestBillingEvent(translation.event, deps);
      if (outcome.status === 'duplicate') duplicates += 1;
      else applied += 1;
    }
    newest = Math.max(newest ?? 0, event.created);
  }
  if (newest !== undefined) await deps.cursors.putCursor(cursorName, String(newest));
  return {
    provider: source.provider,
    since: new Date(sinceUnix * 1000).toISOString(),
    listed: listed.length,
    applied,
    duplicates,
    ignored,
    ...(newest === undefined ? {} : { cursor: new Date(newest * 1000).toISOString() }),
  };
}
