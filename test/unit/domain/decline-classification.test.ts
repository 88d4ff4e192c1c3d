import { describe, expect, it } from 'vitest';
import { classifyDecline, mayRetrySamePaymentMethod } from '../../../shared/domain/decline-classification.ts';

describe('classifyDecline', () => {
  it.each([
    ['insufficient_funds', 'soft', 'toward_payday'],
    ['withdrawal_count_limit_exceeded', 'soft', 'toward_payday'],
    ['card_velocity_exceeded', 'soft', 'toward_payday'],
    ['do_not_honor', 'soft', 'limited'],
    ['generic_decline', 'soft', 'limited'],
    ['call_issuer', 'soft', 'limited'],
    ['try_again_later', 'soft', 'quick'],
    ['processing_error', 'soft', 'quick'],
    ['issuer_not_available', 'soft', 'quick'],
    ['expired_card', 'hard', 'never'],
    ['incorrect_number', 'hard', 'never'],
    ['incorrect_cvc', 'hard', 'never'],
    ['card_not_supported', 'hard', 'never'],
    ['transaction_not_allowed', 'hard', 'never'],
    ['authentication_required', 'authentication_required', 'never'],
    ['lost_card', 'fraud', 'never'],
    ['stolen_card', 'fraud', 'never'],
    ['fraudulent', 'fraud', 'never'],
    ['merchant_blacklist', 'fraud', 'never'],
    ['revocation_of_authorization', 'stop', 'never'],
    ['stop_payment_order', 'stop', 'never'],
    ['do_not_try_again', 'stop', 'never'],
    ['duplicate_transaction', 'soft', 'after_reconciliation'],
  ])('reads decline_code %s as %s, retry %s (DOMAIN.md §2)', (declineCode, category, retry) => {
    // Act & Assess
    expect(classifyDecline({ declineCode })).toMatchObject({
      category,
      retry,
      decidedBy: 'decline_code',
      decidingCode: declineCode,
    });
  });

  it('allows at most two more retries of a do_not_honor-like decline', () => {
    // Act & Assess
    expect(classifyDecline({ declineCode: 'do_not_honor' }).maxRetries).toBe(2);
  });

  it('asks for a new card on hard declines and words fraud-like ones neutrally for an agent', () => {
    // Act
    const expired = classifyDecline({ declineCode: 'expired_card' });
    const stolen = classifyDecline({ declineCode: 'stolen_card' });

    // Assess
    expect(expired).toMatchObject({
      askForNewPaymentMethod: true,
      neutralWording: false,
      routeToAgent: false,
    });
    expect(stolen).toMatchObject({ askForNewPaymentMethod: true, neutralWording: true, routeToAgent: true });
  });

  it.each([
    ['03', 'stop'],
    ['21', 'stop'],
  ])(
    'stops on Mastercard merchant advice code %s whatever the issuer said',
    (networkAdviceCode, category) => {
      // Act & Assess
      expect(classifyDecline({ declineCode: 'insufficient_funds', networkAdviceCode })).toMatchObject({
        category,
        decidedBy: 'network_advice_code',
      });
    },
  );

  it.each([
    ['24', 3_600],
    ['25', 86_400],
    ['26', 2 * 86_400],
    ['27', 4 * 86_400],
    ['28', 6 * 86_400],
    ['29', 8 * 86_400],
    ['30', 10 * 86_400],
  ])(
    'waits as Mastercard merchant advice code %s says (%i s) before a retry',
    (networkAdviceCode, seconds) => {
      // Act & Assess
      expect(classifyDecline({ declineCode: 'insufficient_funds', networkAdviceCode })).toMatchObject({
        category: 'soft',
        retryAfterSeconds: seconds,
      });
    },
  );

  it.each([
    ['do_not_try_again', 'stop'],
    ['confirm_card_data', 'hard'],
    ['try_again_later', 'soft'],
  ])('reads advice_code %s as %s', (adviceCode, category) => {
    // Act & Assess
    expect(classifyDecline({ declineCode: 'generic_decline', adviceCode })).toMatchObject({ category });
  });

  it('lets the most restrictive code win: a soft decline with do_not_try_again advice stops', () => {
    // Act & Assess
    expect(
      classifyDecline({ declineCode: 'insufficient_funds', adviceCode: 'do_not_try_again' }),
    ).toMatchObject({
      category: 'stop',
      decidedBy: 'advice_code',
    });
  });

  it('falls back to the error code when the issuer gave no reason', () => {
    // Act & Assess
    expect(classifyDecline({ failureCode: 'expired_card' })).toMatchObject({
      category: 'hard',
      decidedBy: 'failure_code',
    });
  });

  it('treats an unknown code as a soft, limited decline and says so', () => {
    // Act & Assess
    expect(classifyDecline({ declineCode: 'some_new_code' })).toMatchObject({
      category: 'soft',
      retry: 'limited',
      maxRetries: 2,
      decidedBy: 'default',
      decidingCode: 'some_new_code',
    });
    expect(classifyDecline({})).toMatchObject({ decidedBy: 'default' });
  });

  it('is case- and whitespace-insensitive', () => {
    // Act & Assess
    expect(classifyDecline({ declineCode: ' Expired_Card ' }).category).toBe('hard');
  });
});

describe('mayRetrySamePaymentMethod', () => {
  it.each([
    ['insufficient_funds', true],
    ['expired_card', false],
    ['duplicate_transaction', false],
    ['fraudulent', false],
  ])('for %s is %s', (declineCode, expected) => {
    // Act & Assess
    expect(mayRetrySamePaymentMethod(classifyDecline({ declineCode }))).toBe(expected);
  });
});
