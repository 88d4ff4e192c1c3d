import { describe, expect, it } from 'vitest';
import {
  chargebeeAuthorization,
  parseChargebeeEvent,
  translateChargebeeEvent,
  verifyChargebeeBasicAuth,
} from '../../../../shared/adapters/chargebee/chargebee-billing-events.ts';
import { AuthenticationError } from '../../../../shared/domain/errors.ts';
import { chargebeeInvoiceEvent, testChargebeeCredentials } from '../../../support/provider-events.ts';
import { errorThrownBy } from '../../../support/thrown-error.ts';

describe('verifyChargebeeBasicAuth', () => {
  it('accepts the configured user:password, and any of several while they are rotated', () => {
    // Act & Assess
    expect(() =>
      verifyChargebeeBasicAuth(chargebeeAuthorization(testChargebeeCredentials), [testChargebeeCredentials]),
    ).not.toThrow();
    expect(() =>
      verifyChargebeeBasicAuth(chargebeeAuthorization(testChargebeeCredentials), [
        'collections:old',
        testChargebeeCredentials,
      ]),
    ).not.toThrow();
  });

  it.each([
    ['no header', undefined],
    ['a Bearer token', 'Bearer abc'],
    ['wrong credentials', chargebeeAuthorization('collections:guess')],
    ['a longer password', chargebeeAuthorization(`${testChargebeeCredentials}x`)],
  ])('refuses %s with 401', (_name, header) => {
    // Act
    const error = errorThrownBy(() => verifyChargebeeBasicAuth(header, [testChargebeeCredentials]));

    // Assess
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ statusCode: 401 });
  });
});

describe('translateChargebeeEvent', () => {
  it('turns payment_failed into a failed claim with dunning status, retry and the customer', () => {
    // Act
    const translation = translateChargebeeEvent(parseChargebeeEvent(chargebeeInvoiceEvent()), false);

    // Assess
    expect(translation).toMatchObject({
      status: 'translated',
      event: {
        provider: 'chargebee',
        eventId: 'ev_AzZhZjU8pQ3k',
        kind: 'claim.payment_failed',
        occurredAt: '2026-11-02T10:14:09.000Z',
        customer: {
          customerId: 'chargebee:AzZhZjU8pQ0a',
          email: 'jenny.rosen@example.com',
          name: 'Jenny Rosen',
          country: 'US',
          locale: 'en-US',
        },
        claim: {
          claimId: 'chargebee:inv_AzZhZjU8pQ1r',
          amountMinor: 4999,
          currency: 'USD',
          attemptCount: 1,
          dunningStatus: 'in_progress',
          nextPaymentAttemptAt: '2026-11-05T10:14:09.000Z',
          subscriptionId: 'chargebee:AzZhZjU8pQ7s',
          // The invoice date (a minute before the failure); no `recurring` in this payload.
          issuedAt: '2026-11-02T10:13:09.000Z',
        },
        paymentAttempt: { declineCode: 'insufficient_funds', classification: { category: 'soft' } },
      },
    });
  });

  it('takes the issue date from generated_at and the recurring flag as Chargebee says them', () => {
    // Prepare
    const event = chargebeeInvoiceEvent();
    const oneOff = {
      ...event,
      content: {
        ...event.content,
        invoice: { ...event.content.invoice, recurring: false, generated_at: 1793614389 - 3600 },
      },
    };

    // Act
    const translation = translateChargebeeEvent(parseChargebeeEvent(oneOff), false);

    // Assess
    expect(translation).toMatchObject({
      status: 'translated',
      event: { claim: { issuedAt: '2026-11-02T09:13:09.000Z', recurring: false } },
    });
  });

  it('keeps an exhausted dunning on the claim so journeys know Chargebee stopped retrying', () => {
    // Act
    const translation = translateChargebeeEvent(
      parseChargebeeEvent(
        chargebeeInvoiceEvent({
          eventType: 'invoice_updated',
          status: 'not_paid',
          dunningStatus: 'exhausted',
        }),
      ),
      false,
    );

    // Assess
    expect(translation).toMatchObject({
      event: { kind: 'claim.payment_failed', claim: { dunningStatus: 'exhausted' } },
    });
  });

  it.each([
    ['payment_succeeded', 'paid', 'claim.paid'],
    ['invoice_updated', 'paid', 'claim.paid'],
    ['invoice_updated', 'voided', 'claim.voided'],
    ['invoice_generated', 'posted', 'claim.updated'],
  ])('turns %s of an invoice in status %s into %s', (eventType, status, kind) => {
    // Act & Assess
    expect(
      translateChargebeeEvent(parseChargebeeEvent(chargebeeInvoiceEvent({ eventType, status })), false),
    ).toMatchObject({
      event: { kind },
    });
  });

  it('uses the MRR Chargebee computed and marks a cancellation for non-payment', () => {
    // Prepare
    const event = parseChargebeeEvent({
      id: 'ev_sub_1',
      event_type: 'subscription_cancelled',
      occurred_at: 1793614449,
      content: {
        subscription: {
          id: 'AzZhZjU8pQ7s',
          customer_id: 'AzZhZjU8pQ0a',
          status: 'cancelled',
          mrr: 4999,
          currency_code: 'USD',
          cancelled_at: 1793614449,
          cancel_reason: 'not_paid',
        },
        customer: { id: 'AzZhZjU8pQ0a', email: 'jenny.rosen@example.com' },
      },
    });

    // Act & Assess
    expect(translateChargebeeEvent(event, false)).toMatchObject({
      event: {
        kind: 'subscription.updated',
        subscription: { status: 'canceled', mrrMinor: 4999, cancellationReason: 'payment_failed' },
      },
    });
  });

  it('reads a cancellation that carries the term’s last invoice as the cancellation, and a payment event with its subscription as the payment', () => {
    // Prepare
    const subscription = {
      id: 'AzZhZjU8pQ7s',
      customer_id: 'AzZhZjU8pQ0a',
      status: 'cancelled',
      mrr: 4999,
      currency_code: 'USD',
      cancelled_at: 1793614449,
      cancel_reason: 'not_paid',
    };
    const invoice = chargebeeInvoiceEvent({ eventType: 'payment_failed', status: 'payment_due' }).content
      .invoice;
    const cancellation = parseChargebeeEvent({
      id: 'ev_sub_2',
      event_type: 'subscription_cancelled',
      occurred_at: 1793614449,
      content: { subscription, invoice, customer: { id: 'AzZhZjU8pQ0a' } },
    });
    const failure = parseChargebeeEvent({
      id: 'ev_pay_2',
      event_type: 'payment_failed',
      occurred_at: 1793614449,
      content: {
        subscription: { ...subscription, status: 'active' },
        invoice,
        customer: { id: 'AzZhZjU8pQ0a' },
      },
    });

    // Act & Assess
    expect(translateChargebeeEvent(cancellation, false)).toMatchObject({
      event: {
        kind: 'subscription.updated',
        subscription: { status: 'canceled', cancellationReason: 'payment_failed' },
      },
    });
    expect(translateChargebeeEvent(failure, false)).toMatchObject({
      event: { kind: 'claim.payment_failed' },
    });
  });

  it('ignores an event type it does not handle', () => {
    // Act & Assess
    expect(
      translateChargebeeEvent(
        parseChargebeeEvent({ id: 'ev_1', event_type: 'coupon_created', occurred_at: 1, content: {} }),
        false,
      ),
    ).toEqual({ status: 'ignored', reason: 'event type coupon_created is not handled' });
  });
});

describe('translateChargebeeEvent: consent, segment and attributes', () => {
  it('reads the customer meta_data and cf_ custom fields, a custom field winning a key both carry', () => {
    // Prepare
    const event = chargebeeInvoiceEvent();
    const withMetadata = {
      ...event,
      content: {
        ...event.content,
        customer: {
          ...event.content.customer,
          meta_data: { sms_consent_at: 1790000000, segment: 'smb', attr_plan: 'pro' },
          cf_segment: 'enterprise',
          cf_whatsapp_consent_at: '2026-10-02T00:00:00Z',
          cf_voice_consent_at: 'n/a',
        },
      },
    };

    // Act
    const translation = translateChargebeeEvent(parseChargebeeEvent(withMetadata), false);

    // Assess
    expect(translation).toMatchObject({
      status: 'translated',
      event: {
        customer: {
          contactPreferences: {
            sms: { consentAt: '2026-09-21T14:13:20.000Z' },
            whatsapp: { consentAt: '2026-10-02T00:00:00.000Z' },
          },
          segment: 'enterprise',
          attributes: { plan: 'pro' },
        },
        dataWarnings: [
          'customer.cf_voice_consent_at: not a timestamp (ISO 8601 with an offset, or unix seconds)',
        ],
      },
    });
  });
});
