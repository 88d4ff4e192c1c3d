import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import {
  billingMetadataOf,
  inhouseContactFieldsOf,
} from '../../../../infra/local/simulator/billing-metadata.ts';
import { buildPopulation } from '../../../../infra/local/simulator/population.ts';
import { SeededRandom } from '../../../../infra/local/simulator/seeded-random.ts';
import { parseInhouseEvent } from '../../../../shared/adapters/inhouse/inhouse-billing-events.ts';
import { customerFieldsFromMetadata } from '../../../../shared/domain/customer-metadata.ts';
import { inhouseInvoiceEvent } from '../../../support/provider-events.ts';

const startAt = new Date('2026-03-01T00:00:00Z');
const population = buildPopulation(new SeededRandom(7), { customers: 2000, idTag: 'S7T1', startAt });

describe('the simulated population: phones, consent and segment', () => {
  it('gives every phone holder a valid mobile number of their market, unique in the run, and Paddle customers none', () => {
    // Prepare
    const phones = population.flatMap((subscriber) => (subscriber.phone ? [subscriber] : []));

    // Assess
    expect(new Set(phones.map((subscriber) => subscriber.phone)).size).toBe(phones.length);
    for (const subscriber of phones) {
      const parsed = parsePhoneNumberFromString(subscriber.phone ?? '');
      expect(parsed?.isValid()).toBe(true);
      expect(parsed?.country).toBe(subscriber.market.country);
    }
    expect(phones.some((subscriber) => subscriber.provider === 'paddle')).toBe(false);
  });

  it('gives a realistic share SMS consent, dated before the start, some withdrawn, and WhatsApp consent to fewer', () => {
    // Prepare
    const sms = population.filter((subscriber) => subscriber.billingConsent.sms);
    const withdrawn = sms.filter((subscriber) => subscriber.billingConsent.sms?.optedOutAt);
    const whatsapp = population.filter((subscriber) => subscriber.billingConsent.whatsapp);

    // Assess
    expect(sms.length / population.length).toBeGreaterThan(0.2);
    expect(sms.length / population.length).toBeLessThan(0.5);
    expect(withdrawn.length).toBeGreaterThan(0);
    expect(withdrawn.length / sms.length).toBeLessThan(0.1);
    expect(whatsapp.length).toBeGreaterThan(0);
    expect(whatsapp.length).toBeLessThan(sms.length);
    for (const subscriber of sms) {
      const consent = subscriber.billingConsent.sms;
      expect(subscriber.phone).toBeDefined();
      expect(Date.parse(consent?.consentAt ?? '')).toBeLessThan(startAt.getTime());
      if (consent?.optedOutAt) expect(consent.optedOutAt > consent.consentAt).toBe(true);
    }
  });

  it('is the same for the same seed', () => {
    // Act & Assess
    expect(buildPopulation(new SeededRandom(7), { customers: 50, idTag: 'S7T1', startAt })).toEqual(
      population.slice(0, 50),
    );
  });

  it('sends consent, segment and plan in keys the product reads back exactly', () => {
    // Prepare
    const subscriber = population.find(
      (one) => one.billingConsent.sms?.optedOutAt && one.billingConsent.whatsapp,
    );
    if (subscriber === undefined) throw new Error('no subscriber with withdrawn SMS and WhatsApp consent');

    // Act
    const parsed = customerFieldsFromMetadata(billingMetadataOf(subscriber), { source: 'metadata' });
    const inhouse = parseInhouseEvent({
      ...inhouseInvoiceEvent(),
      customer: { id: 'acct-1', ...inhouseContactFieldsOf(subscriber) },
    });

    // Assess
    const expected = {
      contactPreferences: subscriber.billingConsent,
      segment: subscriber.billingSegment,
      attributes: { plan: subscriber.segment },
    };
    expect(parsed).toEqual({ fields: expected, warnings: [] });
    expect(inhouse.customer).toMatchObject(expected);
  });
});
