import { describe, expect, it } from 'vitest';
import { type Customer, gainedContactRoute, mergeCustomer } from '../../../shared/domain/customer.ts';
import { stampOf } from '../../../shared/domain/stamp.ts';
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

describe('mergeCustomer with stamps', () => {
  const at = (iso: string, eventId = 'evt_1') => stampOf(iso, eventId);

  it('lets an older snapshot fill gaps but never overwrite what a newer one said', () => {
    // Prepare
    const newer = mergeCustomer(
      undefined,
      { customerId: 'stripe:cus_A', email: 'new@example.com' },
      at('2026-11-02T10:00:00.000Z'),
    );

    // Act
    const merged = mergeCustomer(
      newer,
      { customerId: 'stripe:cus_A', email: 'old@example.com', country: 'FR' },
      at('2026-10-02T10:00:00.000Z'),
    );

    // Assess
    expect(merged).toMatchObject({
      customerId: 'stripe:cus_A',
      email: 'new@example.com',
      country: 'FR',
      profileAt: '2026-11-02T10:00:00.000Z',
    });
  });

  it('gives the same profile whatever order snapshots arrive in, also when the newest lacks a field', () => {
    // Prepare: the newest carries no email; the middle one's email must win over the oldest's.
    const snapshots = [
      {
        snapshot: { customerId: 'stripe:cus_B', email: 'a@example.com', name: 'Ann' },
        stamp: at('2026-10-01T00:00:00.000Z'),
      },
      {
        snapshot: { customerId: 'stripe:cus_B', email: 'b@example.com' },
        stamp: at('2026-11-01T00:00:00.000Z'),
      },
      { snapshot: { customerId: 'stripe:cus_B', name: 'Ann Lee' }, stamp: at('2026-12-01T00:00:00.000Z') },
    ];
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [2, 0, 1],
      [1, 2, 0],
    ];

    // Act
    const profiles = orders.map((order) =>
      order.reduce<Customer | undefined>((customer, index) => {
        const one = snapshots[index];
        return one ? mergeCustomer(customer, one.snapshot, one.stamp) : customer;
      }, undefined),
    );

    // Assess
    for (const profile of profiles) expect(profile).toEqual(profiles[0]);
    expect(profiles[0]).toMatchObject({ email: 'b@example.com', name: 'Ann Lee' });
  });

  it('keeps the first deletion and the latest payment method change', () => {
    // Prepare
    const customerId = 'stripe:cus_C';

    // Act
    const merged = [
      { deletedAt: '2026-11-03T00:00:00.000Z' },
      { paymentMethodUpdatedAt: '2026-11-02T00:00:00.000Z' },
      { deletedAt: '2026-11-01T00:00:00.000Z' },
      {
        paymentMethodUpdatedAt: '2026-11-04T00:00:00.000Z',
        paymentMethodAutoUpdatedAt: '2026-11-04T00:00:00.000Z',
      },
    ].reduce<Customer | undefined>(
      (customer, facts, index) =>
        mergeCustomer(customer, { customerId }, at('2026-11-05T00:00:00.000Z', `evt_${index}`), facts),
      undefined,
    );

    // Assess
    expect(merged).toMatchObject({
      deletedAt: '2026-11-01T00:00:00.000Z',
      paymentMethodUpdatedAt: '2026-11-04T00:00:00.000Z',
      paymentMethodAutoUpdatedAt: '2026-11-04T00:00:00.000Z',
    });
  });
});

describe('mergeCustomer: consent, segment and attributes from billing', () => {
  const at = (iso: string, eventId = 'evt_1') => stampOf(iso, eventId);
  const customerId = 'stripe:cus_D';

  it('keeps the latest consent and the latest opt-out of each channel, whatever the order', () => {
    // Prepare
    const snapshots = [
      { customerId, contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00.000Z' } } },
      { customerId, contactPreferences: { sms: { optedOutAt: '2026-10-05T00:00:00.000Z' } } },
      {
        customerId,
        contactPreferences: {
          sms: { consentAt: '2026-09-01T00:00:00.000Z' },
          whatsapp: { consentAt: '2026-10-02T00:00:00.000Z' },
        },
      },
    ];

    // Act: the stamps say the oldest consent came last; consent times are facts, not stamps.
    const forward = snapshots.reduce<Customer | undefined>(
      (customer, snapshot, index) =>
        mergeCustomer(customer, snapshot, at(`2026-11-0${index + 1}T00:00:00.000Z`, `evt_${index}`)),
      undefined,
    );
    const backward = [...snapshots]
      .reverse()
      .reduce<Customer | undefined>(
        (customer, snapshot, index) =>
          mergeCustomer(customer, snapshot, at(`2026-11-0${3 - index}T00:00:00.000Z`, `evt_${2 - index}`)),
        undefined,
      );

    // Assess
    expect(forward?.contactPreferences).toEqual({
      sms: { consentAt: '2026-10-01T00:00:00.000Z', optedOutAt: '2026-10-05T00:00:00.000Z' },
      whatsapp: { consentAt: '2026-10-02T00:00:00.000Z' },
    });
    expect(backward).toEqual(forward);
  });

  it('takes the segment and each attribute from the newest snapshot that carries it', () => {
    // Prepare
    const newest = mergeCustomer(
      undefined,
      { customerId, segment: 'enterprise', attributes: { plan: 'scale' } },
      at('2026-11-03T00:00:00.000Z'),
    );

    // Act: an older snapshot arrives late, with an attribute the newest did not carry.
    const merged = mergeCustomer(
      newest,
      { customerId, segment: 'smb', attributes: { plan: 'pro', region: 'emea' } },
      at('2026-11-01T00:00:00.000Z', 'evt_0'),
    );

    // Assess
    expect(merged).toMatchObject({ segment: 'enterprise', attributes: { plan: 'scale', region: 'emea' } });
  });

  it('keeps what billing said when a snapshot carries no consent, segment or attributes', () => {
    // Prepare
    const known = mergeCustomer(undefined, {
      customerId,
      segment: 'smb',
      attributes: { plan: 'pro' },
      contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00.000Z' } },
    });

    // Act
    const merged = mergeCustomer(known, { customerId, email: 'jenny@rosen.example' });

    // Assess
    expect(merged).toMatchObject({
      segment: 'smb',
      attributes: { plan: 'pro' },
      contactPreferences: { sms: { consentAt: '2026-10-01T00:00:00.000Z' } },
    });
  });
});

describe('gainedContactRoute', () => {
  const { email: _none, ...unreachable } = customerRecord();

  it('is true for a first email address, a first phone number, and a changed one', () => {
    // Act & Assess
    expect(gainedContactRoute(unreachable, customerRecord({ email: 'new@example.com' }))).toBe(true);
    expect(gainedContactRoute(unreachable, { ...unreachable, phone: '+14155550123' })).toBe(true);
    expect(gainedContactRoute(customerRecord(), customerRecord({ email: 'other@example.com' }))).toBe(true);
    expect(gainedContactRoute(undefined, customerRecord())).toBe(true);
  });

  it('is true for a consent given after the one known before, on any channel', () => {
    // Prepare
    const before = customerRecord({
      phone: '+14155550123',
      contactPreferences: { sms: { consentAt: '2026-01-01T00:00:00.000Z' } },
    });

    // Act & Assess
    expect(
      gainedContactRoute(before, {
        ...before,
        contactPreferences: { sms: { consentAt: '2026-11-01T00:00:00.000Z' } },
      }),
    ).toBe(true);
    expect(
      gainedContactRoute(before, {
        ...before,
        contactPreferences: {
          ...before.contactPreferences,
          whatsapp: { consentAt: '2026-01-01T00:00:00.000Z' },
        },
      }),
    ).toBe(true);
  });

  it('is false when nothing that reaches the debtor changed, or a way was only taken away', () => {
    // Prepare
    const before = customerRecord({
      phone: '+14155550123',
      contactPreferences: { sms: { consentAt: '2026-01-01T00:00:00.000Z' } },
    });

    // Act & Assess
    expect(gainedContactRoute(before, { ...before, name: 'Jenny R.', country: 'GB' })).toBe(false);
    const { email: _removed, ...withoutEmail } = before;
    expect(gainedContactRoute(before, withoutEmail)).toBe(false);
    expect(gainedContactRoute(before, { ...before, email: '' })).toBe(false);
    expect(
      gainedContactRoute(before, {
        ...before,
        contactPreferences: {
          sms: { consentAt: '2026-01-01T00:00:00.000Z', optedOutAt: '2026-11-01T00:00:00.000Z' },
        },
      }),
    ).toBe(false);
  });
});
