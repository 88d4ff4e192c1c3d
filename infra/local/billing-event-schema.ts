import { z } from 'zod';
import type { BillingEvent } from '../../shared/domain/billing-event.ts';

/**
 * Validates a provider-neutral billing event posted to the local operator route
 * `POST /local/billing-events` (the backfill CLI uses it to import into a running `npm start`).
 * Nested facts are checked for the fields the core relies on.
 */
const iso = z.iso.datetime();
const customer = z.looseObject({ customerId: z.string().min(1) });
const classification = z.looseObject({
  category: z.enum(['soft', 'hard', 'authentication_required', 'fraud', 'stop']),
});
const claim = z.looseObject({
  claimId: z.string().min(1),
  invoiceId: z.string().min(1),
  amountMinor: z.number().int(),
  currency: z.string().length(3),
});
const base = {
  provider: z.enum(['stripe', 'chargebee', 'paddle', 'inhouse']),
  eventId: z.string().min(1),
  occurredAt: iso,
  livemode: z.boolean(),
  customer,
};

export const billingEventSchema = z.union([
  z.looseObject({
    ...base,
    kind: z.enum([
      'claim.updated',
      'claim.payment_failed',
      'claim.action_required',
      'claim.paid',
      'claim.voided',
      'claim.written_off',
      'claim.disputed',
      'claim.refunded',
    ]),
    claim,
    paymentAttempt: z.looseObject({ classification }).optional(),
  }),
  z.looseObject({
    ...base,
    kind: z.enum(['customer.updated', 'customer.deleted', 'customer.payment_method_updated']),
  }),
  z.looseObject({
    ...base,
    kind: z.literal('subscription.updated'),
    subscription: z.looseObject({ subscriptionId: z.string().min(1), status: z.string() }),
  }),
]);

export function parseBillingEvent(value: unknown): BillingEvent | undefined {
  const parsed = billingEventSchema.safeParse(value);
  return parsed.success ? (parsed.data as unknown as BillingEvent) : undefined;
}
