import { RecordingBillingActions } from '../../shared/adapters/billing/recording-billing-actions.ts';
import type { CollectionsTable } from '../../shared/adapters/dynamodb/collections-table.ts';
import type { Claim } from '../../shared/domain/claim.ts';
import type { CollectionCase } from '../../shared/domain/collection-case.ts';
import type { Customer } from '../../shared/domain/customer.ts';
import { defaultPaymentRetryLimits } from '../../shared/domain/payment-retry-policy.ts';
import { defaultPlanOptions } from '../../shared/domain/plan-next-action.ts';
import type { SendDependencies } from '../../shared/use-cases/send-journey-message.ts';
import { shippedCatalog } from '../../workflows/strategies/index.ts';
import { customerRecord, failedClaim, openCase } from './billing-records.ts';
import { uniqueSuffix } from './embedded-collections-table.ts';
import { RecordingEmailSender, TestClock } from './fake-ports.ts';

/** What a test changes in the stored debtor, claims and case before its journey runs. */
export interface OpenCaseChange {
  readonly customer?: (customer: Customer) => Customer;
  /** The claims of the case, from its one failed claim. */
  readonly claims?: (claim: Claim) => Claim[];
  readonly collectionCase?: Partial<CollectionCase>;
}

/**
 * Stores an open case (opened 2026-11-02T10:14:09Z, default strategy) with one failed $49.99 claim
 * of a New York customer, as ingestion leaves them, for a customer of its own: the tests of a file
 * share the table.
 */
export async function storeOpenCase(
  table: CollectionsTable,
  change: OpenCaseChange = {},
): Promise<{ customerId: string; caseId: string; claim: Claim }> {
  const suffix = uniqueSuffix();
  const customerId = `stripe:cus_${suffix}`;
  const caseId = `case_${suffix}`;
  const claim = failedClaim({ invoiceId: `in_${suffix}`, customerId, caseId });
  const claims = change.claims?.(claim) ?? [claim];
  const customer = customerRecord({ customerId, timeZone: 'America/New_York' });
  await table.putCustomer(change.customer?.(customer) ?? customer);
  for (const stored of claims) await table.putClaim(stored, 0);
  await table.createCase(
    openCase({
      caseId,
      customerId,
      claimIds: claims.map((stored) => stored.claimId),
      ...change.collectionCase,
    }),
  );
  return { customerId, caseId, claim };
}

/**
 * What a journey step acts through: the table, the shipped strategies and default policies, with
 * a recording email sender, billing actions and a clock at `now` (by default 8:00 in New York).
 */
export function recordingSendDependencies(
  table: CollectionsTable,
  now = '2026-11-02T13:00:00.000Z',
): {
  deps: SendDependencies;
  email: RecordingEmailSender;
  clock: TestClock;
  billing: RecordingBillingActions;
} {
  const email = new RecordingEmailSender();
  const clock = new TestClock(now);
  const billing = new RecordingBillingActions(clock);
  return {
    deps: {
      cases: table,
      claims: table,
      customers: table,
      messages: table,
      agentTasks: table,
      email,
      clock,
      strategies: shippedCatalog,
      planOptions: defaultPlanOptions,
      retryLimits: defaultPaymentRetryLimits,
      billing,
    },
    email,
    clock,
    billing,
  };
}
