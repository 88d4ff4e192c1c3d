import { describe, expect, it } from 'vitest';
import type { ContactConsent } from '../../../shared/domain/contact-consent.ts';
import {
  type ContactContext,
  channelUnavailability,
  resolveTimeZones,
} from '../../../shared/domain/contact-policy.ts';
import { defaultContactPolicyConfig } from '../../../shared/domain/contact-policy-config.ts';
import { type Customer, mergeCustomer } from '../../../shared/domain/customer.ts';
import { customerFieldsFromMetadata } from '../../../shared/domain/customer-metadata.ts';
import { stampOf } from '../../../shared/domain/stamp.ts';

const phone = '+12125550123';
const customerId = 'stripe:cus_TMx8qA3nV5bW2k';

/** The profile billing metadata builds, through the adapters' parser and the merge. */
function profileFromMetadata(...metadata: Record<string, string>[]): Customer {
  const merged = metadata.reduce<Customer | undefined>((customer, one, index) => {
    const { fields } = customerFieldsFromMetadata(one, { source: 'metadata' });
    return mergeCustomer(
      customer,
      { customerId, phone, timeZone: 'America/New_York', ...fields },
      stampOf(`2026-11-0${index + 1}T00:00:00.000Z`, `evt_${index}`),
    );
  }, undefined);
  if (merged === undefined) throw new Error('no metadata');
  return merged;
}

function smsRecord(status: ContactConsent['status'], decidedAt: string): ContactConsent {
  return {
    customerId,
    channel: 'sms',
    status,
    address: phone,
    reason: status === 'opted-in' ? 'start-keyword' : 'stop-keyword',
    decidedAt,
    sourceEventId: 'inbound-1',
  };
}

function smsUnavailability(customer: Customer, consent?: ContactConsent) {
  const context: ContactContext = {
    config: defaultContactPolicyConfig,
    customer,
    location: resolveTimeZones(customer),
    history: [],
    pauses: [],
    deliverableChannels: new Set(['email', 'sms', 'whatsapp']),
    ...(consent ? { consents: { sms: consent } } : {}),
  };
  return channelUnavailability('sms', context);
}

describe('consent from billing metadata and consent records together', () => {
  it('lets a debtor whose billing metadata carries SMS consent be texted, and nobody else', () => {
    // Act & Assess
    expect(
      smsUnavailability(profileFromMetadata({ sms_consent_at: '2026-10-01T00:00:00Z' })),
    ).toBeUndefined();
    expect(smsUnavailability(profileFromMetadata({ whatsapp_consent_at: '2026-10-01T00:00:00Z' }))).toBe(
      'no-consent',
    );
  });

  it('keeps a channel closed after STOP, even when billing metadata gives consent again later', () => {
    // Prepare: consent in billing, STOP by text, then billing re-sends (or renews) its consent.
    const customer = profileFromMetadata(
      { sms_consent_at: '2026-10-01T00:00:00Z' },
      { sms_consent_at: '2026-10-25T00:00:00Z' },
    );
    const stop = smsRecord('opted-out', '2026-10-20T00:00:00.000Z');

    // Act & Assess
    expect(smsUnavailability(customer, stop)).toBe('opted-out');
  });

  it('reopens the channel only by the debtor (START) after a STOP', () => {
    // Prepare
    const customer = profileFromMetadata({ sms_consent_at: '2026-10-01T00:00:00Z' });

    // Act & Assess
    expect(smsUnavailability(customer, smsRecord('opted-in', '2026-10-22T00:00:00.000Z'))).toBeUndefined();
  });

  it('honours an opt-out billing records, until billing records a later consent', () => {
    // Prepare
    const optedOut = profileFromMetadata(
      { sms_consent_at: '2026-10-01T00:00:00Z' },
      { sms_opted_out_at: '2026-10-10T00:00:00Z' },
    );
    const consentedAgain = profileFromMetadata(
      { sms_consent_at: '2026-10-01T00:00:00Z', sms_opted_out_at: '2026-10-10T00:00:00Z' },
      { sms_consent_at: '2026-10-15T00:00:00Z' },
    );

    // Act & Assess
    expect(smsUnavailability(optedOut)).toBe('opted-out');
    expect(smsUnavailability(consentedAgain)).toBeUndefined();
  });
});
