import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import type { BillingEvent, ClaimEventKind } from '../../../shared/domain/billing-event.ts';
import { isClaimOpen } from '../../../shared/domain/claim.ts';
import { classifyDecline } from '../../../shared/domain/decline-classification.ts';
import {
  type IngestDependencies,
  ingestBillingEvent,
} from '../../../shared/use-cases/ingest-billing-event.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { billingEvent } from '../../support/billing-records.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';

const embedded = embeddedCollectionsTablePerFile();

const start = Date.parse('2026-11-02T10:14:09.000Z');
const invoices = ['a', 'b', 'c'] as const;
const claimKinds: readonly ClaimEventKind[] = [
  'claim.payment_failed',
  'claim.payment_failed',
  'claim.paid',
  'claim.voided',
  'claim.written_off',
  'claim.updated',
  'claim.disputed',
  'claim.refunded',
  'claim.action_required',
];

/** A recipe for one event; the customer and invoice ids are bound per run (runs share a table). */
interface EventRecipe {
  readonly what: 'claim' | 'customer' | 'subscription' | 'payment_method';
  readonly kind: ClaimEventKind;
  readonly invoice: (typeof invoices)[number];
  readonly second: number;
  readonly amountMinor: number;
  readonly email: string;
  readonly status: 'active' | 'past_due' | 'canceled';
  readonly mrrMinor: number;
  /** What the billing metadata says (customer-metadata.ts): absent, or one of a few values. */
  readonly segment: string | undefined;
  readonly plan: string | undefined;
  readonly smsConsentAt: string | undefined;
  readonly smsOptedOutAt: string | undefined;
}

/** Consent dates on both sides of one another, so the later-of rule is exercised. */
const consentTimes = ['2026-09-01T00:00:00.000Z', '2026-09-15T00:00:00.000Z', '2026-10-01T00:00:00.000Z'];

const recipe = fc.record<EventRecipe>({
  what: fc.constantFrom('claim', 'claim', 'claim', 'claim', 'customer', 'subscription', 'payment_method'),
  kind: fc.constantFrom(...claimKinds),
  invoice: fc.constantFrom(...invoices),
  second: fc.integer({ min: 0, max: 20 }),
  amountMinor: fc.constantFrom(4999, 2500),
  email: fc.constantFrom('jenny@example.com', 'jenny.rosen@example.com'),
  status: fc.constantFrom('active', 'past_due', 'canceled'),
  mrrMinor: fc.constantFrom(4999, 9998),
  segment: fc.constantFrom(undefined, 'smb', 'enterprise'),
  plan: fc.constantFrom(undefined, 'pro', 'starter'),
  smsConsentAt: fc.constantFrom(undefined, ...consentTimes),
  smsOptedOutAt: fc.constantFrom(undefined, undefined, ...consentTimes),
});

function eventsOf(recipes: readonly EventRecipe[], suffix: string): BillingEvent[] {
  const customerId = `stripe:cus_${suffix}`;
  return recipes.map((one, index): BillingEvent => {
    const eventId = `evt_${suffix}_${index}`;
    const occurredAt = new Date(start + one.second * 1000).toISOString();
    const sms = {
      ...(one.smsConsentAt ? { consentAt: one.smsConsentAt } : {}),
      ...(one.smsOptedOutAt ? { optedOutAt: one.smsOptedOutAt } : {}),
    };
    const customer = {
      customerId,
      email: one.email,
      ...(one.segment ? { segment: one.segment } : {}),
      ...(one.plan ? { attributes: { plan: one.plan } } : {}),
      ...(Object.keys(sms).length > 0 ? { contactPreferences: { sms } } : {}),
    };
    if (one.what === 'customer')
      return { provider: 'stripe', eventId, occurredAt, livemode: false, kind: 'customer.updated', customer };
    if (one.what === 'payment_method')
      return {
        provider: 'stripe',
        eventId,
        occurredAt,
        livemode: false,
        kind: 'customer.payment_method_updated',
        customer,
      };
    if (one.what === 'subscription')
      return {
        provider: 'stripe',
        eventId,
        occurredAt,
        livemode: false,
        kind: 'subscription.updated',
        customer,
        subscription: {
          subscriptionId: `stripe:sub_${suffix}`,
          status: one.status,
          mrrMinor: one.mrrMinor,
          currency: 'USD',
          ...(one.status === 'canceled'
            ? { canceledAt: occurredAt, cancellationReason: 'payment_failed' }
            : {}),
        },
      };
    const event = billingEvent(one.kind, {
      eventId,
      occurredAt,
      customer,
      claim: { invoiceId: `in_${suffix}_${one.invoice}`, amountMinor: one.amountMinor, attemptCount: 1 },
    });
    return {
      ...event,
      ...(one.kind === 'claim.payment_failed'
        ? {
            paymentAttempt: {
              declineCode: 'expired_card',
              classification: classifyDecline({ declineCode: 'expired_card' }),
            },
          }
        : {}),
      ...(one.kind === 'claim.disputed'
        ? {
            dispute: {
              disputeId: `stripe:du_${suffix}`,
              state: 'needs_response' as const,
              amountMinor: 4999,
              currency: 'USD',
            },
          }
        : {}),
      ...(one.kind === 'claim.refunded'
        ? {
            credit: {
              creditId: `stripe:ch_${suffix}`,
              type: 'refund' as const,
              amountMinor: 1000,
              currency: 'USD',
            },
          }
        : {}),
    };
  });
}

function depsFor(): IngestDependencies {
  const { table } = embedded;
  return {
    ...ingestStoresOn(table),
    journeys: new RecordingJourneyStarter(),
    clock: new TestClock('2026-11-02T10:20:00.000Z'),
    strategy: defaultStrategy,
  };
}

/** The state a run ends in, without what names the run (ids) or depends on history (case ids). */
async function finalState(suffix: string) {
  const { table } = embedded;
  const customerId = `stripe:cus_${suffix}`;
  const claims = await Promise.all(
    invoices.map(async (invoice) => (await table.getClaim(`stripe:in_${suffix}_${invoice}`))?.claim),
  );
  const customer = await table.getCustomer(customerId);
  const openCase = customer?.openCaseId ? await table.getCase(customer.openCaseId) : undefined;
  const openClaimsOfOpenCase =
    openCase?.status === 'open' ? (await table.getClaims(openCase.claimIds)).filter(isClaimOpen) : [];
  const anonymise = (value: unknown) => JSON.parse(JSON.stringify(value ?? null).replaceAll(suffix, 'RUN'));
  const { openCaseId: _pointer, ...profile } = customer ?? { customerId };
  return anonymise({
    claims: claims.map((claim) => {
      if (!claim) return null;
      const { caseId: _caseId, ...rest } = claim;
      return rest;
    }),
    profile,
    subscription: (await table.getSubscription(`stripe:sub_${suffix}`))?.subscription,
    hasOpenCase: openCase?.status === 'open',
    openClaimsOfOpenCase: openClaimsOfOpenCase.map((claim) => claim.claimId).sort(),
  });
}

describe('ingestBillingEvent: order and duplicates do not matter', () => {
  it('ends in the same claims, customer (consent, segment and attributes included), subscription and open case for any delivery order and repetition', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recipe, { minLength: 1, maxLength: 8 }),
        fc.infiniteStream(fc.nat()),
        async (recipes, randomness) => {
          // Prepare: the same events for two customers of their own; the second gets them shuffled,
          // with some delivered again.
          const inOrderSuffix = uniqueSuffix();
          const shuffledSuffix = uniqueSuffix();
          const inOrder = eventsOf(recipes, inOrderSuffix);
          const shuffled = eventsOf(recipes, shuffledSuffix);
          const deliveries = [...shuffled];
          for (let index = deliveries.length - 1; index > 0; index -= 1) {
            const other = (randomness.next().value as number) % (index + 1);
            [deliveries[index], deliveries[other]] = [
              deliveries[other] as BillingEvent,
              deliveries[index] as BillingEvent,
            ];
          }
          const repeats = (randomness.next().value as number) % 4;
          for (let count = 0; count < repeats; count += 1) {
            const again = shuffled[(randomness.next().value as number) % shuffled.length];
            if (again)
              deliveries.splice((randomness.next().value as number) % (deliveries.length + 1), 0, again);
          }

          // Act
          const deps = depsFor();
          for (const event of inOrder) await ingestBillingEvent(event, deps);
          for (const event of deliveries) await ingestBillingEvent(event, deps);

          // Assess
          expect(await finalState(shuffledSuffix)).toEqual(await finalState(inOrderSuffix));
        },
      ),
      { numRuns: 25 },
    );
  });
});
