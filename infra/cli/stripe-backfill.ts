import type Stripe from 'stripe';
import { billingEventFromInvoice } from '../../shared/adapters/stripe/stripe-billing-events.ts';
import type { BillingEvent } from '../../shared/domain/billing-event.ts';

/** Where imported billing events go: the ingest core, directly or through the local runtime. */
export interface BillingEventSink {
  apply(event: BillingEvent): Promise<{ status: string; caseId?: string; caseOpened?: boolean }>;
}

/** The resumable position of a backfill: the last invoice fully applied. */
export interface BackfillCursor {
  load(): Promise<string | undefined>;
  save(lastInvoiceId: string): Promise<void>;
  /** The backfill finished: the next run starts from the beginning. */
  clear(): Promise<void>;
}

export interface BackfillProgress {
  /** Invoices known so far (grows page by page: Stripe lists do not say their total). */
  total(known: number): void;
  tick(done: number, detail: { readonly invoiceId: string; readonly outcome: string }): void;
}

export interface StripeBackfillOptions {
  readonly stripe: Stripe;
  readonly sink: BillingEventSink;
  readonly cursor: BackfillCursor;
  readonly progress?: BackfillProgress;
  /** Count what would happen without writing anything. */
  readonly dryRun?: boolean;
  /** Connect: the connected account to import from. */
  readonly account?: string;
  readonly livemode: boolean;
  readonly now: () => Date;
  /** Waits between retries of a rate-limited listing (tests pass a short one). @default exponential from 1 s */
  readonly backoff?: (attempt: number) => Promise<void>;
  /** @default 6 */
  readonly maxRateLimitRetries?: number;
  /** @default 100 (Stripe's largest page) */
  readonly pageSize?: number;
}

export interface StripeBackfillReport {
  readonly dryRun: boolean;
  readonly resumedAfter?: string;
  readonly listed: number;
  /** Open invoices with failed attempts: arrears that open or join a case. */
  readonly arrears: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly casesOpened: number;
  /** Arrears by currency, minor units (never summed across currencies). */
  readonly arrearsByCurrency: Readonly<Record<string, number>>;
  readonly rateLimitRetries: number;
}

function isRateLimit(error: unknown): boolean {
  const type = (error as { type?: unknown } | undefined)?.type;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return type === 'StripeRateLimitError' || status === 429;
}

const defaultBackoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** (attempt - 1))));

/**
 * Imports a Stripe account's open invoices (open, including past due) through the ingest core, so a
 * company that deploys today starts with its existing arrears. Pages with Stripe's auto-pagination;
 * after each invoice the cursor is saved, so an interrupted run (Ctrl-C, a crash, a rate limit that
 * outlasts the retries) resumes where it stopped. Importing twice applies once: the synthetic event
 * ids are stable per invoice state.
 */
export async function backfillStripeInvoices(options: StripeBackfillOptions): Promise<StripeBackfillReport> {
  const pageSize = options.pageSize ?? 100;
  const backoff = options.backoff ?? defaultBackoff;
  const maxRetries = options.maxRateLimitRetries ?? 6;
  const resumedAfter = await options.cursor.load();
  const arrearsByCurrency: Record<string, number> = {};
  let after = resumedAfter;
  let listed = 0;
  let arrears = 0;
  let applied = 0;
  let duplicates = 0;
  let casesOpened = 0;
  let rateLimitRetries = 0;
  let known = 0;
  let attempt = 0;

  for (;;) {
    try {
      const list = options.stripe.invoices.list(
        { status: 'open', limit: pageSize, ...(after ? { starting_after: after } : {}) },
        options.account ? { stripeAccount: options.account } : undefined,
      );
      for await (const invoice of list) {
        attempt = 0;
        listed += 1;
        if (listed > known) {
          // One page ahead: the bar's total grows as Stripe reveals pages.
          known = listed + pageSize - 1;
          options.progress?.total(known);
        }
        const event = billingEventFromInvoice(invoice, options.now(), {
          livemode: options.livemode,
          ...(options.account ? { account: options.account } : {}),
        });
        let outcome = 'skipped';
        if (event !== undefined) {
          const isArrear = event.kind === 'claim.payment_failed';
          if (isArrear && 'claim' in event) {
            arrears += 1;
            const { currency } = event.claim;
            arrearsByCurrency[currency] =
              (arrearsByCurrency[currency] ?? 0) +
              (event.claim.amountRemainingMinor ?? event.claim.amountMinor);
          }
          if (options.dryRun) {
            outcome = isArrear ? 'would open or join a case' : 'would record';
          } else {
            const result = await options.sink.apply(event);
            outcome = result.status;
            if (result.status === 'duplicate') duplicates += 1;
            else applied += 1;
            if (result.caseOpened) casesOpened += 1;
          }
        }
        if (invoice.id) {
          after = invoice.id;
          if (!options.dryRun) await options.cursor.save(invoice.id);
        }
        options.progress?.tick(listed, { invoiceId: invoice.id ?? '', outcome });
      }
      break;
    } catch (error) {
      if (!isRateLimit(error) || attempt >= maxRetries) throw error;
      attempt += 1;
      rateLimitRetries += 1;
      // Resume the listing after the last invoice applied.
      await backoff(attempt);
    }
  }
  options.progress?.total(listed);
  if (!options.dryRun) await options.cursor.clear();
  return {
    dryRun: options.dryRun ?? false,
    ...(resumedAfter ? { resumedAfter } : {}),
    listed,
    arrears,
    applied,
    duplicates,
    casesOpened,
    arrearsByCurrency,
    rateLimitRetries,
  };
}
