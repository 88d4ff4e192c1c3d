import type { CollectionsTable } from '../../shared/adapters/dynamodb/collections-table.ts';
import { type ScenarioClaim, scenarioCases, scenarioClaim } from './finance-scenarios.ts';

const currencies = ['USD', 'EUR', 'JPY'] as const;
const months = ['2026-01', '2026-02', '2026-03'] as const;

function at(month: string, day: number, hour = 10): string {
  return `${month}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;
}

function plusDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}

/**
 * `count` claims over three months and three currencies, deterministic in their index, for tests
 * of the rebuild over many scan segments: paid at the first attempt, recovered after a failure
 * (with a case and its messages, some refunded), written off (some churned), voided, and still
 * open, with a dozen subscriptions shared between claims so one subscription's claims fall into
 * different scan segments.
 */
export function metricHistory(count: number, prefix = 'H'): ScenarioClaim[] {
  return Array.from({ length: count }, (_, n): ScenarioClaim => {
    const currency = currencies[n % currencies.length] ?? 'USD';
    const month = months[Math.floor(n / 3) % months.length] ?? '2026-01';
    const issuedAt = at(month, 1 + ((n * 7) % 27));
    const amountMinor = currency === 'JPY' ? 980 * (1 + (n % 4)) : 1999 + 500 * (n % 5);
    const subscriptionId = n % 5 === 4 ? undefined : `sub_${prefix}${n % 13}`;
    const invoiceId = `in_${prefix}${n}`;
    const base = {
      amountMinor,
      currency,
      issuedAt,
      ...(subscriptionId ? { subscriptionId, subscriptionMrrMinor: amountMinor } : { dueAt: issuedAt }),
    };
    const kind = n % 6;
    if (kind === 0) return { claim: scenarioClaim(invoiceId, { ...base, paidAt: plusDays(issuedAt, 0.1) }) };
    const caseId = `case_${prefix}${n}`;
    const collectionCase = {
      caseId,
      strategyId: n % 2 === 0 ? 'default' : 'gentle',
      variant: n % 4 < 2 ? 'A' : 'B',
      segment: ['smb', 'mid-market'][n % 2] ?? 'smb',
      ...(n % 10 === 7 ? { holdout: true } : {}),
    };
    const failed = {
      ...base,
      firstFailedAt: issuedAt,
      lastFailedAt: issuedAt,
      declineClass: n % 3 === 0 ? 'hard' : 'soft',
      caseId,
    };
    if (kind === 1 || kind === 5) {
      const paidAt = plusDays(issuedAt, 2 + (n % 9));
      return {
        claim: scenarioClaim(invoiceId, {
          ...failed,
          paidAt,
          ...(kind === 5
            ? { refundedAmountMinor: Math.floor(amountMinor / 2), refundedAt: plusDays(paidAt, 3) }
            : {}),
        }),
        collectionCase,
        touches: [
          { sentAt: plusDays(issuedAt, 0.1), channel: 'email', stepId: 'day-0-payment-failed' },
          {
            sentAt: plusDays(paidAt, -0.5),
            channel: n % 2 === 0 ? 'sms' : 'email',
            stepId: 'day-3-reminder',
          },
        ],
      };
    }
    if (kind === 2) {
      const writtenOffAt = plusDays(issuedAt, 45);
      return {
        claim: scenarioClaim(invoiceId, {
          ...failed,
          writtenOffAt,
          ...(subscriptionId && n % 4 === 2 ? { subscriptionChurnedAt: writtenOffAt } : {}),
        }),
        collectionCase,
      };
    }
    if (kind === 3) {
      return {
        claim: scenarioClaim(invoiceId, { ...failed, voidedAt: plusDays(issuedAt, 5) }),
        collectionCase,
      };
    }
    return { claim: scenarioClaim(invoiceId, failed), collectionCase };
  });
}

/** Writes a scenario's claims, cases and sent messages as the product stores them (no metrics yet). */
export async function storeScenario(
  table: CollectionsTable,
  scenario: readonly ScenarioClaim[],
): Promise<void> {
  for (const { claim } of scenario) await table.putClaim(claim, 0);
  for (const collectionCase of scenarioCases(scenario)) await table.createCase(collectionCase);
  for (const { claim, touches } of scenario) {
    for (const touch of touches ?? []) {
      await table.beginMessage({
        caseId: claim.caseId ?? '',
        stepId: touch.stepId,
        channel: 'email',
        template: 'payment-failed',
        status: 'sent',
        startedAt: touch.sentAt,
        sentAt: touch.sentAt,
        reasons: [],
        // The adapter stores the channel as given; the journey only sends email today.
        ...({ channel: touch.channel } as object),
      });
    }
  }
}
