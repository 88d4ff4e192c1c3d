import type {
  ClaimBillingEvent,
  ClaimEventKind,
  ClaimSnapshot,
  CustomerSnapshot,
} from '../../shared/domain/billing-event.ts';
import type { Claim } from '../../shared/domain/claim.ts';
import type { CollectionCase } from '../../shared/domain/collection-case.ts';
import type { Customer } from '../../shared/domain/customer.ts';
import type { DeclineClass } from '../../shared/domain/decline-class.ts';
import { classifyDecline } from '../../shared/domain/decline-classification.ts';
import { stampOf } from '../../shared/domain/stamp.ts';

/**
 * Typed builders for the provider-neutral records, with realistic defaults (a $49.99 monthly
 * invoice of a Brooklyn customer that failed on 2 November 2026).
 */

export interface BillingEventOverrides {
  readonly eventId?: string;
  readonly occurredAt?: string;
  readonly livemode?: boolean;
  readonly customer?: Partial<CustomerSnapshot>;
  readonly claim?: Partial<ClaimSnapshot>;
}

export function billingEvent(kind: ClaimEventKind, overrides: BillingEventOverrides = {}): ClaimBillingEvent {
  const customerId = overrides.customer?.customerId ?? 'stripe:cus_TMx8qA3nV5bW2k';
  const invoiceId = overrides.claim?.invoiceId ?? 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc';
  const occurredAt = overrides.occurredAt ?? '2026-11-02T10:14:09.000Z';
  return {
    provider: 'stripe',
    eventId: overrides.eventId ?? 'evt_1SQ3kLLkdIwHu7ixTq9fV2Wb',
    kind,
    occurredAt,
    livemode: overrides.livemode ?? false,
    customer: {
      customerId,
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      country: 'US',
      ...overrides.customer,
    },
    claim: {
      claimId: `stripe:${invoiceId}`,
      invoiceId,
      amountMinor: 4999,
      currency: 'USD',
      payUrl: `https://invoice.stripe.com/i/acct_1NqLkdIwHu7ixq3W/test_${invoiceId}?s=ap`,
      attemptCount: 1,
      subscriptionId: 'sub_1RkVd9LkdIwHu7ixP0eWcG3s',
      ...(kind === 'claim.paid' ? { paidAt: occurredAt } : {}),
      ...overrides.claim,
    },
  };
}

export function failedClaim(overrides: Partial<Claim> = {}): Claim {
  const invoiceId = overrides.invoiceId ?? 'in_1SQ3hJLkdIwHu7ixQm4nZ8Yc';
  return {
    claimId: `stripe:${invoiceId}`,
    invoiceId,
    provider: 'stripe',
    customerId: 'stripe:cus_TMx8qA3nV5bW2k',
    status: 'failed',
    amountMinor: 4999,
    currency: 'USD',
    payUrl: `https://invoice.stripe.com/i/acct_1NqLkdIwHu7ixq3W/test_${invoiceId}?s=ap`,
    subscriptionId: 'sub_1RkVd9LkdIwHu7ixP0eWcG3s',
    attemptCount: 1,
    nextPaymentAttemptAt: '2026-11-05T10:14:07.000Z',
    firstFailedAt: '2026-11-02T10:14:09.000Z',
    lastFailedAt: '2026-11-02T10:14:09.000Z',
    snapshotAt: '2026-11-02T10:14:09.000Z',
    snapshotEventId: 'evt_1SQ3hKLkdIwHu7ixFa2mP7Ud',
    ...overrides,
  };
}

export function customerRecord(overrides: Partial<Customer> = {}): Customer {
  return {
    customerId: 'stripe:cus_TMx8qA3nV5bW2k',
    email: 'jenny.rosen@example.com',
    name: 'Jenny Rosen',
    country: 'US',
    ...overrides,
  };
}

export function openCase(overrides: Partial<CollectionCase> = {}): CollectionCase {
  return {
    caseId: 'case_4f1d2c3b4a5968778695a4b3',
    customerId: 'stripe:cus_TMx8qA3nV5bW2k',
    status: 'open',
    openedAt: '2026-11-02T10:14:09.000Z',
    claimIds: ['stripe:in_1SQ3hJLkdIwHu7ixQm4nZ8Yc'],
    strategyId: 'default',
    strategyVersion: 1,
    ...overrides,
  };
}

/** A representative issuer decline code of each strategy decline class (DOMAIN.md §2). */
const declineCodeOf: Record<Exclude<DeclineClass, 'unknown'>, string> = {
  'insufficient-funds': 'insufficient_funds',
  'soft-limited': 'do_not_honor',
  transient: 'processing_error',
  hard: 'expired_card',
  'authentication-required': 'authentication_required',
  'fraud-risk': 'stolen_card',
  revoked: 'stop_payment_order',
  duplicate: 'duplicate_transaction',
};

/** The claim fields of a latest decline of the given class, as billing ingest records it. */
export function declined(
  declineClass: Exclude<DeclineClass, 'unknown'>,
  declinedAt = '2026-11-02T10:14:09.000Z',
): Pick<Claim, 'lastDecline'> {
  const declineCode = declineCodeOf[declineClass];
  return {
    lastDecline: {
      declineCode,
      classification: classifyDecline({ declineCode }),
      declinedAt,
      stamp: stampOf(declinedAt, 'evt_decline'),
    },
  };
}
