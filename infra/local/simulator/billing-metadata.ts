import type { Subscriber } from './population.ts';

/**
 * What a subscriber's billing system tells the product about consent, segment and plan, in the
 * documented keys (docs/billing-ingest.md): Stripe `metadata`, Paddle `custom_data` and Chargebee
 * `meta_data` carry the same flat keys; the in-house format has fields of its own.
 */
export function billingMetadataOf(subscriber: Subscriber): Record<string, string> {
  const metadata: Record<string, string> = {
    segment: subscriber.billingSegment,
    attr_plan: subscriber.segment,
  };
  for (const [channel, consent] of Object.entries(subscriber.billingConsent)) {
    metadata[`${channel}_consent_at`] = consent.consentAt;
    if (consent.optedOutAt) metadata[`${channel}_opted_out_at`] = consent.optedOutAt;
  }
  return metadata;
}

/** The in-house format's own fields for the same facts. */
export function inhouseContactFieldsOf(subscriber: Subscriber) {
  const preferences = Object.fromEntries(
    Object.entries(subscriber.billingConsent).map(([channel, consent]) => [
      channel,
      { consentAt: consent.consentAt, ...(consent.optedOutAt ? { optedOutAt: consent.optedOutAt } : {}) },
    ]),
  );
  return {
    ...(subscriber.phone ? { phone: subscriber.phone } : {}),
    ...(Object.keys(preferences).length > 0 ? { contactPreferences: preferences } : {}),
    segment: subscriber.billingSegment,
    attributes: { plan: subscriber.segment },
  };
}
