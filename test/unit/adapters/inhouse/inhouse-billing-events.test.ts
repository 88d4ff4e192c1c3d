import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  inhouseBillingEventJsonSchema,
  parseInhouseEvent,
  signInhousePayload,
  translateInhouseEvent,
  verifyInhouseSignature,
} from '../../../../shared/adapters/inhouse/inhouse-billing-events.ts';
import { InvalidRequestError, SignatureVerificationError } from '../../../../shared/domain/errors.ts';
import { inhouseInvoiceEvent, testInhouseSecret } from '../../../support/provider-events.ts';
import { errorThrownBy } from '../../../support/thrown-error.ts';

describe('the in-house format', () => {
  it('publishes in docs/ exactly the JSON Schema the endpoint validates with', async () => {
    // Act
    const published: unknown = JSON.parse(await readFile('docs/inhouse-billing-event.schema.json', 'utf8'));

    // Assess
    expect(published).toEqual(inhouseBillingEventJsonSchema());
  });

  it('verifies Collections-Signature (t, v1) over "<t>.<raw body>"', () => {
    // Prepare
    const body = JSON.stringify(inhouseInvoiceEvent());
    const now = new Date(1793614451 * 1000);

    // Act & Assess
    expect(() =>
      verifyInhouseSignature(
        body,
        signInhousePayload(body, testInhouseSecret, 1793614449),
        [testInhouseSecret],
        now,
      ),
    ).not.toThrow();
    expect(
      errorThrownBy(() =>
        verifyInhouseSignature(body, signInhousePayload(body, 'other', 1793614449), [testInhouseSecret], now),
      ),
    ).toBeInstanceOf(SignatureVerificationError);
  });

  it('translates an invoice.payment_failed with its decline into the neutral model', () => {
    // Act
    const translation = translateInhouseEvent(
      parseInhouseEvent(inhouseInvoiceEvent({ declineCode: 'stolen_card' })),
    );

    // Assess
    expect(translation).toMatchObject({
      status: 'translated',
      event: {
        provider: 'inhouse',
        eventId: 'bill_evt_000184467',
        kind: 'claim.payment_failed',
        occurredAt: '2026-11-02T10:14:09.000Z',
        customer: { customerId: 'inhouse:acct-88412', timeZone: 'America/New_York' },
        claim: {
          claimId: 'inhouse:INV-2026-11-00412',
          amountMinor: 4999,
          currency: 'USD',
          nextPaymentAttemptAt: '2026-11-05T10:14:09.000Z',
        },
        paymentAttempt: { paymentId: 'pay-77120', classification: { category: 'fraud' } },
      },
    });
  });

  it('carries the issue date and the recurring flag when the event says them', () => {
    // Prepare
    const event = inhouseInvoiceEvent();
    const said = {
      ...event,
      invoice: { ...event.invoice, issuedAt: '2026-11-02T05:14:09-05:00', recurring: false },
    };

    // Act
    const withFields = translateInhouseEvent(parseInhouseEvent(said));
    const without = translateInhouseEvent(parseInhouseEvent(event));

    // Assess
    expect(withFields).toMatchObject({
      event: { claim: { issuedAt: '2026-11-02T10:14:09.000Z', recurring: false } },
    });
    const claim =
      without.status === 'translated' && 'claim' in without.event ? without.event.claim : undefined;
    expect(claim).toBeDefined();
    expect(claim).not.toHaveProperty('issuedAt');
    expect(claim).not.toHaveProperty('recurring');
  });

  it('names every problem of an invalid event, with its path', () => {
    // Prepare
    const event = { ...inhouseInvoiceEvent(), invoice: { id: 'INV 1', amountDue: -5, currency: 'dollars' } };

    // Act
    const error = errorThrownBy(() => parseInhouseEvent(event));

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(String((error as Error).message)).toMatch(/invoice\.id.*invoice\.amountDue.*invoice\.currency/s);
  });

  it('refuses unknown fields, so a typo never goes unnoticed', () => {
    // Act & Assess
    expect(
      errorThrownBy(() => parseInhouseEvent({ ...inhouseInvoiceEvent(), livemod: true })),
    ).toBeInstanceOf(InvalidRequestError);
  });

  it('normalises subscription MRR from its items', () => {
    // Prepare
    const event = parseInhouseEvent({
      specVersion: '1.0',
      id: 'evt-sub-1',
      type: 'subscription.updated',
      occurredAt: '2026-11-02T10:14:09+01:00',
      livemode: false,
      customer: { id: 'acct-88412' },
      subscription: {
        id: 'sub-9',
        status: 'past_due',
        currency: 'KWD',
        items: [{ unitAmount: 36000, quantity: 1, interval: 'year', intervalCount: 1 }],
      },
    });

    // Act & Assess
    expect(translateInhouseEvent(event)).toMatchObject({
      event: {
        occurredAt: '2026-11-02T09:14:09.000Z',
        subscription: { subscriptionId: 'inhouse:sub-9', mrrMinor: 3000, currency: 'KWD' },
      },
    });
  });
});

describe('the in-house format: consent, segment and attributes', () => {
  it('carries them into the customer snapshot, consent times in UTC', () => {
    // Prepare
    const event = inhouseInvoiceEvent();
    const body = {
      ...event,
      customer: {
        ...event.customer,
        phone: '+12125550123',
        contactPreferences: {
          sms: { consentAt: '2026-10-01T09:30:00+02:00' },
          voice: { optedOutAt: '2026-10-03T00:00:00Z' },
        },
        segment: 'smb',
        attributes: { plan: 'pro' },
      },
    };

    // Act
    const translation = translateInhouseEvent(parseInhouseEvent(body));

    // Assess
    expect(translation).toMatchObject({
      status: 'translated',
      event: {
        customer: {
          contactPreferences: {
            sms: { consentAt: '2026-10-01T07:30:00.000Z' },
            voice: { optedOutAt: '2026-10-03T00:00:00.000Z' },
          },
          segment: 'smb',
          attributes: { plan: 'pro' },
        },
      },
    });
  });

  it('refuses a malformed consent, segment or attribute with the field named (the sender controls the format)', () => {
    // Prepare
    const event = inhouseInvoiceEvent();
    const body = {
      ...event,
      customer: {
        ...event.customer,
        contactPreferences: { sms: { consentAt: 'yesterday' }, fax: {} },
        segment: 'small business',
        attributes: { country: 'FR' },
      },
    };

    // Act
    const error = errorThrownBy(() => parseInhouseEvent(body));

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(String((error as Error).message)).toMatch(
      /customer\.contactPreferences.*customer\.segment.*customer\.attributes/s,
    );
  });
});
