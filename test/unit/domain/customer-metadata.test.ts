import { describe, expect, it } from 'vitest';
import {
  combineCustomerMetadata,
  customerFieldsFromMetadata,
  metadataTimestamp,
} from '../../../shared/domain/customer-metadata.ts';

const occurredAt = '2026-11-02T10:00:00.000Z';

describe('customerFieldsFromMetadata', () => {
  it('reads consent per channel, the segment and attr_ attributes, and ignores keys that are not ours', () => {
    // Act
    const parsed = customerFieldsFromMetadata(
      {
        sms_consent_at: '2026-10-01T09:30:00+02:00',
        sms_opted_out_at: '1790000000',
        whatsapp_consent_at: 1790100000,
        voice_opted_out_at: '2026-10-03T00:00:00Z',
        segment: ' smb ',
        attr_plan: 'pro',
        attr_seats: 12,
        attr_trial: false,
        time_zone: 'Europe/Paris',
        crm_id: '0015g00000XyZ',
      },
      { source: 'metadata', occurredAt },
    );

    // Assess
    expect(parsed).toEqual({
      fields: {
        contactPreferences: {
          sms: { consentAt: '2026-10-01T07:30:00.000Z', optedOutAt: '2026-09-21T14:13:20.000Z' },
          whatsapp: { consentAt: '2026-09-22T18:00:00.000Z' },
          voice: { optedOutAt: '2026-10-03T00:00:00.000Z' },
        },
        segment: 'smb',
        attributes: { plan: 'pro', seats: '12', trial: 'false' },
      },
      warnings: [],
    });
  });

  it('leaves out each malformed value with a warning that names the key, and keeps the good ones', () => {
    // Act
    const parsed = customerFieldsFromMetadata(
      {
        sms_consent_at: 'yes',
        whatsapp_consent_at: '1790100000000',
        voice_consent_at: '2026-10-01',
        email_opted_out_at: '2027-03-01T00:00:00Z',
        segment: 'small business!',
        'attr_bad-name': 'x',
        attr_country: 'FR',
        attr_notes: 'x'.repeat(201),
        attr_nested: { deep: true },
        attr_plan: 'pro',
      },
      { source: 'metadata', occurredAt },
    );

    // Assess
    expect(parsed.fields).toEqual({ attributes: { plan: 'pro' } });
    expect(parsed.warnings).toEqual([
      'metadata.sms_consent_at: not a timestamp (ISO 8601 with an offset, or unix seconds)',
      'metadata.whatsapp_consent_at: unix seconds out of range (milliseconds?)',
      'metadata.voice_consent_at: not a timestamp (ISO 8601 with an offset, or unix seconds)',
      'metadata.email_opted_out_at: more than a day after the event',
      "metadata.segment: a segment is 1-64 letters, digits, '_', '.', ':' or '-'",
      "metadata.attr_bad-name: an attribute name is 1-40 letters, digits or '_'",
      "metadata.attr_country: 'country' is a profile field, not an attribute",
      'metadata.attr_notes: an attribute is a string, number or boolean of 1-200 characters',
      'metadata.attr_nested: an attribute is a string, number or boolean of 1-200 characters',
    ]);
  });

  it('reads only keys with the prefix, naming them as sent', () => {
    // Act
    const parsed = customerFieldsFromMetadata(
      { cf_sms_consent_at: '1790000000', sms_consent_at: 'ignored', cf_segment: '' },
      { source: 'customer', keyPrefix: 'cf_' },
    );

    // Assess
    expect(parsed).toEqual({
      fields: { contactPreferences: { sms: { consentAt: '2026-09-21T14:13:20.000Z' } } },
      warnings: [],
    });
  });

  it.each([null, undefined, 'a string', ['sms_consent_at'], 42])('reads nothing from %j', (metadata) => {
    // Act & Assess
    expect(customerFieldsFromMetadata(metadata, { source: 'metadata' })).toEqual({
      fields: {},
      warnings: [],
    });
  });
});

describe('metadataTimestamp', () => {
  it.each([
    ['2026-10-01T07:30:00Z', '2026-10-01T07:30:00.000Z'],
    ['2026-10-01T07:30:00.123456+00:00', '2026-10-01T07:30:00.123Z'],
    ['2026-10-01T09:30-0200', '2026-10-01T11:30:00.000Z'],
    [1790000000, '2026-09-21T14:13:20.000Z'],
  ])('stores %j as UTC ISO', (value, iso) => {
    // Act & Assess
    expect(metadataTimestamp(value)).toEqual({ iso });
  });

  it.each(['2026-10-01T07:30:00', '2026-13-01T07:30:00Z', 1.5e9 + 0.5, 12, '', true])(
    'refuses %j',
    (value) => {
      // Act & Assess
      expect(metadataTimestamp(value)).toHaveProperty('problem');
    },
  );
});

describe('combineCustomerMetadata', () => {
  it('unites sources, the later winning a key both carry, and keeps every warning', () => {
    // Act
    const combined = combineCustomerMetadata(
      {
        fields: { contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00.000Z' } }, segment: 'smb' },
        warnings: ['meta_data.attr_x: bad'],
      },
      {
        fields: {
          contactPreferences: { sms: { optedOutAt: '2026-10-02T00:00:00.000Z' } },
          segment: 'enterprise',
          attributes: { plan: 'pro' },
        },
        warnings: ['customer.cf_segment: bad'],
      },
    );

    // Assess
    expect(combined).toEqual({
      fields: {
        contactPreferences: {
          sms: { consentAt: '2026-10-01T00:00:00.000Z', optedOutAt: '2026-10-02T00:00:00.000Z' },
        },
        segment: 'enterprise',
        attributes: { plan: 'pro' },
      },
      warnings: ['meta_data.attr_x: bad', 'customer.cf_segment: bad'],
    });
  });
});
