import { describe, expect, it } from 'vitest';
import { mergeCustomer } from '../../../shared/domain/customer.ts';
import { customerRecord } from '../../support/billing-records.ts';

describe('mergeCustomer', () => {
  it('creates the customer from the first snapshot', () => {
    // Act
    const customer = mergeCustomer(undefined, {
      customerId: 'stripe:cus_TMx8qA3nV5bW2k',
      email: 'jenny.rosen@example.com',
      country: 'US',
    });

    // Assess
    expect(customer).toEqual({
      customerId: 'stripe:cus_TMx8qA3nV5bW2k',
      email: 'jenny.rosen@example.com',
      country: 'US',
    });
  });

  it('takes the new non-empty values and keeps what the snapshot does not carry', () => {
    // Prepare
    const known = customerRecord({ timeZone: 'America/New_York', locale: 'en-US' });

    // Act
    const customer = mergeCustomer(known, {
      customerId: known.customerId,
      email: 'jenny@rosen.example',
      name: '',
      country: 'CA',
    });

    // Assess
    expect(customer).toEqual({
      customerId: known.customerId,
      email: 'jenny@rosen.example',
      name: 'Jenny Rosen',
      country: 'CA',
      timeZone: 'America/New_York',
      locale: 'en-US',
    });
  });

  it('keeps the open case pointer, which only the case workflow moves', () => {
    // Prepare
    const known = customerRecord({ openCaseId: 'case_4f1d2c3b4a5968778695a4b3' });

    // Act
    const customer = mergeCustomer(known, { customerId: known.customerId, email: 'jenny@rosen.example' });

    // Assess
    expect(customer.openCaseId).toBe('case_4f1d2c3b4a5968778695a4b3');
  });
});

describe('mergeCustomer with snapshot times', () => {
  it('lets an older snapshot fill gaps but never overwrite what a newer one said', () => {
    // Prepare
    const newer = mergeCustomer(
      undefined,
      { customerId: 'stripe:cus_A', email: 'new@example.com' },
      '2026-11-02T10:00:00.000Z',
    );

    // Act
    const merged = mergeCustomer(
      newer,
      { customerId: 'stripe:cus_A', email: 'old@example.com', country: 'FR' },
      '2026-10-02T10:00:00.000Z',
    );

    // Assess
    expect(merged).toEqual({
      customerId: 'stripe:cus_A',
      email: 'new@example.com',
      country: 'FR',
      profileAt: '2026-11-02T10:00:00.000Z',
    });
  });

  it('gives the same profile whatever order two snapshots arrive in', () => {
    // Prepare
    const older = {
      snapshot: { customerId: 'stripe:cus_B', email: 'a@example.com', name: 'Ann' },
      at: '2026-10-01T00:00:00.000Z',
    };
    const newer = {
      snapshot: { customerId: 'stripe:cus_B', email: 'b@example.com' },
      at: '2026-11-01T00:00:00.000Z',
    };

    // Act
    const inOrder = mergeCustomer(
      mergeCustomer(undefined, older.snapshot, older.at),
      newer.snapshot,
      newer.at,
    );
    const reversed = mergeCustomer(
      mergeCustomer(undefined, newer.snapshot, newer.at),
      older.snapshot,
      older.at,
    );

    // Assess
    expect(reversed).toEqual(inOrder);
    expect(inOrder).toMatchObject({ email: 'b@example.com', name: 'Ann' });
  });
});
