import { describe, expect, it } from 'vitest';
import { type DeclineClass, declineClassOf, isHardDecline } from '../../../shared/domain/decline-class.ts';
import { classifyDecline } from '../../../shared/domain/decline-classification.ts';
import { declined, failedClaim } from '../../support/billing-records.ts';

describe('declineClassOf', () => {
  it.each<[Exclude<DeclineClass, 'unknown'>]>([
    ['insufficient-funds'],
    ['soft-limited'],
    ['transient'],
    ['hard'],
    ['authentication-required'],
    ['fraud-risk'],
    ['revoked'],
    ['duplicate'],
  ])('reads %s from the decline classification billing ingest recorded', (declineClass) => {
    expect(declineClassOf(failedClaim(declined(declineClass)))).toBe(declineClass);
  });

  it('lets a network "stop" advice outrank a soft issuer code', () => {
    // Prepare: Mastercard merchant advice code 03 means never retry.
    const classification = classifyDecline({ declineCode: 'insufficient_funds', networkAdviceCode: '03' });
    const claim = failedClaim({
      lastDecline: { classification, declinedAt: '2026-11-02T10:14:09.000Z', stamp: 'x' },
    });

    // Act & Assess
    expect(declineClassOf(claim)).toBe('revoked');
  });

  it('says unknown when no decline was recorded', () => {
    expect(declineClassOf(failedClaim())).toBe('unknown');
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
