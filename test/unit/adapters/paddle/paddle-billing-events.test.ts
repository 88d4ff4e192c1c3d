import { describe, expect, it } from 'vitest';
import {
  parsePaddleNotification,
  signPaddlePayload,
  translatePaddleNotification,
  verifyPaddleSignature,
} from '../../../../shared/adapters/paddle/paddle-billing-events.ts';
import { InvalidRequestError, SignatureVerificationError } from '../../../../shared/domain/errors.ts';
import { paddleTransactionNotification, testPaddleSecret } from '../../../support/provider-events.ts';
import { errorThrownBy } from '../../../support/thrown-error.ts';

const at = 1793614449;
const now = new Date((at + 2) * 1000);
const body = JSON.stringify(paddleTransactionNotification());

describe('verifyPaddleSignature', () => {
  it('accepts ts;h1 over "<ts>:<raw body>" with the notification secret', () => {
    // Act & Assess
    expect(() =>
      verifyPaddleSignature(body, signPaddlePayload(body, testPaddleSecret, at), [testPaddleSecret], now),
    ).not.toThrow();
  });

  it('accepts any h1 while the secret is rotated, and any configured secret', () => {
    // Prepare
    const header = signPaddlePayload(body, ['pdl_ntfset_old', testPaddleSecret], at);

    // Act & Assess
    expect(() => verifyPaddleSignature(body, header, [testPaddleSecret], now)).not.toThrow();
    expect(() =>
      verifyPaddleSignature(
        body,
        signPaddlePayload(body, 'pdl_ntfset_old', at),
        ['pdl_ntfset_new', 'pdl_ntfset_old'],
        now,
      ),
    ).not.toThrow();
  });

  const cases: [string, (header: string) => { body: string; header: string | undefined }][] = [
    ['a changed body', (header) => ({ body: `${body} `, header })],
    ['a malformed header', () => ({ body, header: 'h1=abc' })],
    ['a missing header', () => ({ body, header: undefined })],
  ];

  it.each(cases)('refuses %s', (_name, change) => {
    // Prepare
    const { body: changedBody, header } = change(signPaddlePayload(body, testPaddleSecret, at));

    // Act
    const error = errorThrownBy(() => verifyPaddleSignature(changedBody, header, [testPaddleSecret], now));

    // Assess
    expect(error).toBeInstanceOf(SignatureVerificationError);
  });

  it('refuses a signature older than 300 s', () => {
    // Act
    const error = errorThrownBy(() =>
      verifyPaddleSignature(
        body,
        signPaddlePayload(body, testPaddleSecret, at - 400),
        [testPaddleSecret],
        now,
      ),
    );

    // Assess
    expect(error).toMatchObject({ message: 'stale Paddle-Signature timestamp (older than 300 s)' });
  });
});

describe('translatePaddleNotification', () => {
  it.each([
    ['subscription_recurring', true],
    ['subscription_update', true],
    ['subscription_charge', false],
    ['subscription_payment_method_change', false],
    ['web', undefined],
    ['api', undefined],
  ])('reads a transaction of origin %s as recurring: %s', (origin, recurring) => {
    // Prepare
    const notification = paddleTransactionNotification();
    const data = { ...notification.data, origin, billed_at: null };

    // Act
    const translation = translatePaddleNotification(parsePaddleNotification({ ...notification, data }), true);

    // Assess
    const claim =
      translation.status === 'translated' && 'claim' in translation.event
        ? translation.event.claim
        : undefined;
    expect(claim?.recurring).toBe(recurring);
    // Not billed yet: no issue date.
    expect(claim?.issuedAt).toBeUndefined();
  });

  it('turns transaction.payment_failed into a failed claim with its decline classified', () => {
    // Act
    const translation = translatePaddleNotification(
      parsePaddleNotification(paddleTransactionNotification()),
      true,
    );

    // Assess
    expect(translation).toEqual({
      status: 'translated',
      event: {
        provider: 'paddle',
        eventId: 'evt_01jd8v2m3n4p5q6r7s8t9v0w1x',
        occurredAt: '2026-11-02T10:14:09.421Z',
        livemode: true,
        sourceType: 'transaction.payment_failed',
        kind: 'claim.payment_failed',
        customer: { customerId: 'paddle:ctm_01jd8c7q3w5e7r9t1y3u5i7o9p' },
        claim: {
          claimId: 'paddle:txn_01jd8tx5k2m4n6p8q0r2s4t6v8',
          invoiceId: 'txn_01jd8tx5k2m4n6p8q0r2s4t6v8',
          amountMinor: 4999,
          amountRemainingMinor: 4999,
          currency: 'USD',
          source: 'invoice',
          attemptCount: 1,
          payUrl: 'https://pay.acme.example/checkout?_ptxn=txn_01jd8tx5k2m4n6p8q0r2s4t6v8',
          subscriptionId: 'paddle:sub_01jd8s2d4f6g8h0j2k4l6z8x0c',
          // billed_at, and origin subscription_recurring (a renewal).
          issuedAt: '2026-11-02T10:14:02.000Z',
          recurring: true,
        },
        paymentAttempt: {
          paymentId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
          declineCode: 'insufficient_funds',
          failureCode: 'not_enough_balance',
          classification: expect.objectContaining({ category: 'soft', retry: 'toward_payday' }),
        },
      },
    });
  });

  it.each([
    ['transaction.completed', 'claim.paid'],
    ['transaction.paid', 'claim.paid'],
    ['transaction.canceled', 'claim.voided'],
    ['transaction.past_due', 'claim.payment_failed'],
  ])('turns %s into %s', (eventType, kind) => {
    // Act
    const translation = translatePaddleNotification(
      parsePaddleNotification(paddleTransactionNotification({ eventType })),
      false,
    );

    // Assess
    expect(translation).toMatchObject({ status: 'translated', event: { kind } });
  });

  it('classifies Paddle error codes like the Stripe decline they mean', () => {
    // Act
    const fraud = translatePaddleNotification(
      parsePaddleNotification(paddleTransactionNotification({ errorCode: 'fraud' })),
      false,
    );
    const expired = translatePaddleNotification(
      parsePaddleNotification(paddleTransactionNotification({ errorCode: 'expired_card' })),
      false,
    );

    // Assess
    expect(fraud).toMatchObject({
      event: { paymentAttempt: { classification: { category: 'fraud', neutralWording: true } } },
    });
    expect(expired).toMatchObject({ event: { paymentAttempt: { classification: { category: 'hard' } } } });
  });

  it('keeps zero-decimal amounts in their minor unit', () => {
    // Act
    const translation = translatePaddleNotification(
      parsePaddleNotification(paddleTransactionNotification({ total: 5000, currency: 'JPY' })),
      false,
    );

    // Assess
    expect(translation).toMatchObject({ event: { claim: { amountMinor: 5000, currency: 'JPY' } } });
  });

  it('normalises the MRR of a subscription from its items', () => {
    // Prepare
    const notification = parsePaddleNotification({
      event_id: 'evt_01jd9',
      event_type: 'subscription.past_due',
      occurred_at: '2026-11-02T10:14:09Z',
      data: {
        id: 'sub_01jd8s2d4f6g8h0j2k4l6z8x0c',
        status: 'past_due',
        customer_id: 'ctm_01jd8c7q3w5e7r9t1y3u5i7o9p',
        currency_code: 'EUR',
        items: [
          {
            quantity: 2,
            price: {
              unit_price: { amount: '1500', currency_code: 'EUR' },
              billing_cycle: { interval: 'month', frequency: 1 },
            },
          },
          {
            quantity: 1,
            price: {
              unit_price: { amount: '24000', currency_code: 'EUR' },
              billing_cycle: { interval: 'year', frequency: 1 },
            },
          },
        ],
      },
    });

    // Act & Assess
    expect(translatePaddleNotification(notification, false)).toMatchObject({
      event: {
        kind: 'subscription.updated',
        subscription: {
          subscriptionId: 'paddle:sub_01jd8s2d4f6g8h0j2k4l6z8x0c',
          status: 'past_due',
          mrrMinor: 5000,
          currency: 'EUR',
        },
      },
    });
  });

  it('refuses a verified body that is not a Paddle notification', () => {
    // Act & Assess
    expect(errorThrownBy(() => parsePaddleNotification({ hello: 'world' }))).toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('ignores an event type it does not handle, saying why', () => {
    // Act & Assess
    expect(
      translatePaddleNotification(
        parsePaddleNotification({
          event_id: 'evt_1',
          event_type: 'report.created',
          occurred_at: '2026-11-02T10:14:09Z',
          data: {},
        }),
        false,
      ),
    ).toEqual({ status: 'ignored', reason: 'event type report.created is not handled' });
  });
});

describe('translatePaddleNotification: consent, segment and attributes from custom_data', () => {
  it('reads them from the customer and the transaction, and warns about what it leaves out', () => {
    // Prepare
    const customerNotification = parsePaddleNotification({
      event_id: 'evt_01jd8v2m3n4p5q6r7s8t9v0w2z',
      event_type: 'customer.updated',
      occurred_at: '2026-11-02T10:14:09.421Z',
      data: {
        id: 'ctm_01jd8c7q3w5e7r9t1y3u5i7o9p',
        email: 'jenny.rosen@example.com',
        custom_data: { sms_consent_at: '2026-10-01T00:00:00Z', segment: 'smb', attr_seats: 5 },
      },
    });
    const transaction = paddleTransactionNotification();
    const transactionNotification = parsePaddleNotification({
      ...transaction,
      data: { ...transaction.data, custom_data: { voice_consent_at: 'soon', attr_plan: 'pro' } },
    });

    // Act
    const fromCustomer = translatePaddleNotification(customerNotification, false);
    const fromTransaction = translatePaddleNotification(transactionNotification, false);

    // Assess
    expect(fromCustomer).toMatchObject({
      status: 'translated',
      event: {
        customer: {
          contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00.000Z' } },
          segment: 'smb',
          attributes: { seats: '5' },
        },
      },
    });
    expect(fromTransaction).toMatchObject({
      status: 'translated',
      event: {
        customer: { attributes: { plan: 'pro' } },
        dataWarnings: [
          'custom_data.voice_consent_at: not a timestamp (ISO 8601 with an offset, or unix seconds)',
        ],
      },
    });
  });
});
