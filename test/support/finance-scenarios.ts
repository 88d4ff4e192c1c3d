import type { Claim } from '../../shared/domain/claim.ts';
import type { CollectionCase } from '../../shared/domain/collection-case.ts';
import { CellAccumulator, type MetricCell } from '../../shared/domain/metric-cells.ts';
import {
  type CaseDimensions,
  claimContribution,
  type MetricsSettings,
  type SubscriptionClaimSummary,
  subscriptionClaimSummary,
  subscriptionContribution,
  subscriptionUnitOf,
  type Touch,
} from '../../shared/domain/metric-contributions.ts';

/**
 * The golden scenario of docs/metrics.md ("Worked example"): claims in USD, JPY (zero-decimal)
 * and EUR around March and April 2026, hand-computed in test/unit/domain/finance-metrics.test.ts.
 */
export interface ScenarioClaim {
  readonly claim: Claim;
  readonly collectionCase?: CaseDimensions & { readonly caseId: string };
  readonly touches?: readonly Touch[];
}

let snapshotSequence = 0;

export function scenarioClaim(
  invoiceId: string,
  fields: Partial<Claim> & Pick<Claim, 'amountMinor' | 'currency'>,
): Claim {
  snapshotSequence += 1;
  const status: Claim['status'] =
    fields.voidedAt !== undefined
      ? 'voided'
      : fields.paidAt !== undefined
        ? 'paid'
        : fields.writtenOffAt !== undefined
          ? 'written_off'
          : 'failed';
  return {
    claimId: `stripe:${invoiceId}`,
    invoiceId,
    provider: 'stripe',
    customerId: `stripe:cus_${invoiceId}`,
    status,
    attemptCount: fields.firstFailedAt ? 1 : 0,
    snapshotAt: fields.firstFailedAt ?? fields.issuedAt ?? '2026-01-01T00:00:00.000Z',
    snapshotEventId: `evt_${snapshotSequence}`,
    ...fields,
  };
}

const defaultCase = (caseId: string, extra: Partial<CaseDimensions> = {}) => ({
  caseId,
  strategyId: 'default',
  ...extra,
});

/** USD: the main month (March 2026) and April, with every kind of event. */
export const usdScenario: readonly ScenarioClaim[] = [
  {
    // Recovered in 2 days, last touch an SMS the day before the payment.
    claim: scenarioClaim('in_U1', {
      amountMinor: 10000,
      currency: 'USD',
      subscriptionId: 'sub_A',
      subscriptionMrrMinor: 10000,
      dueAt: '2026-03-03T10:00:00.000Z',
      firstFailedAt: '2026-03-03T10:00:00.000Z',
      paidAt: '2026-03-05T12:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U1',
    }),
    collectionCase: defaultCase('case_U1', { variant: 'A', segment: 'smb' }),
    touches: [
      { sentAt: '2026-03-03T13:00:00.000Z', channel: 'email', stepId: 'day-0-payment-failed' },
      { sentAt: '2026-03-04T15:00:00.000Z', channel: 'sms', stepId: 'day-1-sms' },
    ],
  },
  {
    // Recovered in a later month (41 days), outside the attribution window; partly refunded in April.
    claim: scenarioClaim('in_U2', {
      amountMinor: 5000,
      currency: 'USD',
      subscriptionId: 'sub_B',
      subscriptionMrrMinor: 5000,
      firstFailedAt: '2026-03-10T09:00:00.000Z',
      paidAt: '2026-04-20T10:00:00.000Z',
      refundedAmountMinor: 1000,
      refundedAt: '2026-04-25T10:00:00.000Z',
      declineClass: 'hard',
      caseId: 'case_U2',
    }),
    collectionCase: defaultCase('case_U2', { variant: 'B', segment: 'enterprise' }),
    touches: [{ sentAt: '2026-03-10T13:00:00.000Z', channel: 'email', stepId: 'day-0-payment-failed' }],
  },
  {
    // Written off, and its subscription cancelled for non-payment, on 31 March.
    claim: scenarioClaim('in_U3', {
      amountMinor: 20000,
      currency: 'USD',
      subscriptionId: 'sub_C',
      subscriptionMrrMinor: 20000,
      firstFailedAt: '2026-03-15T08:00:00.000Z',
      writtenOffAt: '2026-03-31T18:00:00.000Z',
      subscriptionChurnedAt: '2026-03-31T18:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U3',
    }),
    collectionCase: defaultCase('case_U3', { variant: 'A', segment: 'smb' }),
  },
  {
    // Voided: leaves every figure.
    claim: scenarioClaim('in_U4', {
      amountMinor: 7000,
      currency: 'USD',
      subscriptionId: 'sub_D',
      firstFailedAt: '2026-03-20T10:00:00.000Z',
      voidedAt: '2026-03-25T10:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U4',
    }),
    collectionCase: defaultCase('case_U4', { variant: 'A', segment: 'smb' }),
  },
  {
    // Holdout, recovered the same day without contact.
    claim: scenarioClaim('in_U5', {
      amountMinor: 3000,
      currency: 'USD',
      subscriptionId: 'sub_E',
      firstFailedAt: '2026-03-12T10:00:00.000Z',
      paidAt: '2026-03-12T20:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U5',
    }),
    collectionCase: defaultCase('case_U5', { holdout: true, segment: 'smb' }),
  },
  {
    // Holdout, still open; no decline classification.
    claim: scenarioClaim('in_U6', {
      amountMinor: 3000,
      currency: 'USD',
      subscriptionId: 'sub_F',
      firstFailedAt: '2026-03-18T10:00:00.000Z',
      caseId: 'case_U6',
    }),
    collectionCase: defaultCase('case_U6', { holdout: true, segment: 'smb' }),
  },
  {
    // February arrears collected in March.
    claim: scenarioClaim('in_U7', {
      amountMinor: 8000,
      currency: 'USD',
      subscriptionId: 'sub_G',
      firstFailedAt: '2026-02-10T10:00:00.000Z',
      paidAt: '2026-03-08T10:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U7',
    }),
    collectionCase: defaultCase('case_U7', { variant: 'A', segment: 'smb' }),
  },
  {
    // Renewal paid at the first attempt: billed and collected, in no failure cohort.
    claim: scenarioClaim('in_U8', {
      amountMinor: 12000,
      currency: 'USD',
      subscriptionId: 'sub_H',
      issuedAt: '2026-03-01T00:00:00.000Z',
      paidAt: '2026-03-01T00:05:00.000Z',
    }),
  },
  {
    // One-off invoice with 30-day terms, unpaid at the end of March: a current receivable.
    claim: scenarioClaim('in_U9', {
      amountMinor: 50000,
      currency: 'USD',
      issuedAt: '2026-03-05T09:00:00.000Z',
      dueAt: '2026-04-04T09:00:00.000Z',
    }),
  },
  {
    // Failed in December 2025, still open: over 90 days past due.
    claim: scenarioClaim('in_U10', {
      amountMinor: 2500,
      currency: 'USD',
      subscriptionId: 'sub_I',
      firstFailedAt: '2025-12-15T10:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U10',
    }),
    collectionCase: defaultCase('case_U10', { variant: 'A', segment: 'smb' }),
  },
  {
    // April renewal of sub_A, paid at the first attempt.
    claim: scenarioClaim('in_U11', {
      amountMinor: 10000,
      currency: 'USD',
      subscriptionId: 'sub_A',
      subscriptionMrrMinor: 10000,
      issuedAt: '2026-04-03T08:00:00.000Z',
      paidAt: '2026-04-03T08:01:00.000Z',
    }),
  },
  {
    // Written off on 28 March, then paid on 2 April: cash, but not a recovery.
    claim: scenarioClaim('in_U12', {
      amountMinor: 6000,
      currency: 'USD',
      subscriptionId: 'sub_L',
      firstFailedAt: '2026-03-25T10:00:00.000Z',
      writtenOffAt: '2026-03-28T10:00:00.000Z',
      paidAt: '2026-04-02T10:00:00.000Z',
      declineClass: 'soft',
      caseId: 'case_U12',
    }),
    collectionCase: defaultCase('case_U12', { variant: 'A', segment: 'smb' }),
  },
];

/** JPY, a zero-decimal currency: amounts are whole yen. */
export const jpyScenario: readonly ScenarioClaim[] = [
  {
    claim: scenarioClaim('in_J1', {
      amountMinor: 5000,
      currency: 'JPY',
      subscriptionId: 'sub_J',
      firstFailedAt: '2026-03-02T01:00:00.000Z',
      paidAt: '2026-03-09T01:00:00.000Z',
    }),
  },
  {
    claim: scenarioClaim('in_J2', {
      amountMinor: 3000,
      currency: 'JPY',
      subscriptionId: 'sub_K',
      firstFailedAt: '2026-03-20T01:00:00.000Z',
    }),
  },
];

/** EUR: open receivables billed over three months, for countback DSO. */
export const eurScenario: readonly ScenarioClaim[] = [
  {
    claim: scenarioClaim('in_E1', {
      amountMinor: 30000,
      currency: 'EUR',
      issuedAt: '2026-01-15T12:00:00.000Z',
    }),
  },
  {
    claim: scenarioClaim('in_E2', {
      amountMinor: 20000,
      currency: 'EUR',
      issuedAt: '2026-02-10T12:00:00.000Z',
    }),
  },
  {
    claim: scenarioClaim('in_E3', {
      amountMinor: 10000,
      currency: 'EUR',
      issuedAt: '2026-03-05T12:00:00.000Z',
    }),
  },
  {
    claim: scenarioClaim('in_E4', {
      amountMinor: 40000,
      currency: 'EUR',
      issuedAt: '2026-03-20T12:00:00.000Z',
      paidAt: '2026-03-25T12:00:00.000Z',
    }),
  },
];

export const goldenScenario: readonly ScenarioClaim[] = [...usdScenario, ...jpyScenario, ...eurScenario];

/** The cells the aggregates must hold for these claims: contributions summed in memory. */
export function expectedCells(scenario: readonly ScenarioClaim[], settings: MetricsSettings): MetricCell[] {
  const cells = new CellAccumulator();
  const bySubscription = new Map<string, SubscriptionClaimSummary[]>();
  for (const { claim, collectionCase, touches } of scenario) {
    cells.add(
      claimContribution(
        { claim, ...(collectionCase ? { collectionCase } : {}), ...(touches ? { touches } : {}) },
        settings,
      ),
    );
    const unit = subscriptionUnitOf(claim);
    if (unit)
      bySubscription.set(unit, [...(bySubscription.get(unit) ?? []), subscriptionClaimSummary(claim, 1)]);
  }
  for (const summaries of bySubscription.values()) cells.add(subscriptionContribution(summaries, settings));
  return cells.list();
}

/** The case records of a scenario, as the table stores them. */
export function scenarioCases(scenario: readonly ScenarioClaim[]): CollectionCase[] {
  return scenario.flatMap(({ claim, collectionCase }) =>
    collectionCase
      ? [
          {
            caseId: collectionCase.caseId,
            customerId: claim.customerId,
            status: 'open' as const,
            openedAt: claim.firstFailedAt ?? claim.snapshotAt,
            claimIds: [claim.claimId],
            strategyId: collectionCase.strategyId,
            strategyVersion: 1,
            ...(collectionCase.variant ? { variant: collectionCase.variant } : {}),
            ...(collectionCase.segment ? { segment: collectionCase.segment } : {}),
            ...(collectionCase.holdout ? { holdout: collectionCase.holdout } : {}),
          },
        ]
      : [],
  );
}
