import { describe, expect, it } from 'vitest';
import {
  classifyStripeDecline,
  type DeclineClass,
  isHardDecline,
} from '../../../shared/domain/decline-class.ts';

describe('classifyStripeDecline', () => {
  it.each([
    ['insufficient_funds', undefined, 'insufficient-funds'],
    ['do_not_honor', undefined, 'soft-limited'],
    ['processing_error', undefined, 'transient'],
    ['expired_card', undefined, 'hard'],
    ['authentication_required', undefined, 'authentication-required'],
    ['stolen_card', undefined, 'fraud-risk'],
    ['stop_payment_order', undefined, 'revoked'],
    ['duplicate_transaction', undefined, 'duplicate'],
    ['generic_decline', 'do_not_try_again', 'revoked'],
    [undefined, 'try_again_later', 'transient'],
    [undefined, 'confirm_card_data', 'hard'],
    ['something_new', undefined, 'unknown'],
    [undefined, undefined, 'unknown'],
  ])('classifies decline code %s with advice %s as %s', (code, advice, expected) => {
    expect(classifyStripeDecline(code, advice)).toBe(expected);
  });
});

describe('isHardDecline', () => {
  it('forbids retries on hard, fraud, revoked, duplicate and 3-D Secure declines only', () => {
    // Prepare
    const never: DeclineClass[] = ['hard', 'fraud-risk', 'revoked', 'duplicate', 'authentication-required'];
    const allowed: DeclineClass[] = ['insufficient-funds', 'soft-limited', 'transient', 'unknown'];

    // Act & Assess
    expect(never.every(isHardDecline)).toBe(true);
    expect(allowed.some(isHardDecline)).toBe(false);
    expect(isHardDecline(undefined)).toBe(false);
  });
});
