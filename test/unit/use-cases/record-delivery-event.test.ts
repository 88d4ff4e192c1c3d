import { describe, expect, it } from 'vitest';
import { translateSesEvent } from '../../../shared/adapters/events/ses-events.ts';
import type { DeliveryEvent } from '../../../shared/domain/channel-events.ts';
import { recordDeliveryEvent } from '../../../shared/use-cases/record-delivery-event.ts';
import { customerRecord, openCase } from '../../support/billing-records.ts';
import { sesEvent } from '../../support/channel-events.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';

const embedded = embeddedCollectionsTablePerFile();

async function debtorWithCase() {
  const suffix = uniqueSuffix();
  const customerId = `stripe:cus_${suffix}`;
  const caseId = `case_${suffix}`;
  await embedded.table.putCustomer(customerRecord({ customerId, email: `debtor-${suffix}@example.com` }));
  await embedded.table.createCase(openCase({ caseId, customerId }));
  return { customerId, caseId, email: `debtor-${suffix}@example.com` };
}

function deps() {
  const { table } = embedded;
  return { cases: table, interactions: table, consents: table, directory: table };
}

function bounce(caseId: string, email: string): DeliveryEvent {
  const event = translateSesEvent(
    sesEvent({ eventType: 'Bounce', to: email, tags: { caseId, stepId: 'day-0-payment-failed' } }),
  );
  if (event === undefined) throw new Error('fixture is not a bounce');
  return event;
}

describe('recordDeliveryEvent', () => {
  it('puts a hard bounce on the case timeline and suppresses the address', async () => {
    // Prepare
    const { customerId, caseId, email } = await debtorWithCase();

    // Act
    const outcome = await recordDeliveryEvent(bounce(caseId, email), deps());

    // Assess
    expect(outcome).toEqual({ status: 'recorded', caseId, suppressed: true });
    expect(await embedded.table.listInteractions(caseId)).toEqual([
      expect.objectContaining({
        kind: 'bounced',
        channel: 'email',
        stepId: 'day-0-payment-failed',
        detail: 'Permanent/General',
      }),
    ]);
    expect(await embedded.table.getConsent(customerId, 'email')).toMatchObject({
      status: 'suppressed',
      reason: 'hard-bounce',
      address: email,
    });
  });

  it('records a redelivered event once', async () => {
    // Prepare
    const { caseId, email } = await debtorWithCase();
    await recordDeliveryEvent(bounce(caseId, email), deps());

    // Act
    const again = await recordDeliveryEvent(bounce(caseId, email), deps());

    // Assess
    expect(again.status).toBe('duplicate');
    expect(await embedded.table.listInteractions(caseId)).toHaveLength(1);
  });

  it('turns a complaint into an email opt-out', async () => {
    // Prepare
    const { customerId, caseId, email } = await debtorWithCase();
    const complaint = translateSesEvent(
      sesEvent({ eventType: 'Complaint', to: email, tags: { caseId, stepId: 's1' } }),
    );

    // Act
    if (complaint) await recordDeliveryEvent(complaint, deps());

    // Assess
    expect(await embedded.table.getConsent(customerId, 'email')).toMatchObject({
      status: 'opted-out',
      reason: 'email-complaint',
    });
  });

  it('finds the customer through the address book when the event carries no correlation', async () => {
    // Prepare
    const { customerId, caseId } = await debtorWithCase();
    await embedded.table.linkOutbound({
      channel: 'sms',
      address: '+14255550100',
      customerId,
      caseId,
      at: '2026-03-11T08:00:00.000Z',
    });
    const event: DeliveryEvent = {
      eventId: `m-${uniqueSuffix()}:TEXT_DELIVERED`,
      channel: 'sms',
      kind: 'delivered',
      occurredAt: '2026-03-11T09:00:00.000Z',
      address: '+14255550100',
    };

    // Act
    const outcome = await recordDeliveryEvent(event, deps());

    // Assess
    expect(outcome).toEqual({ status: 'recorded', caseId, suppressed: false });
  });

  it('reports an event it cannot tie to anyone as unmatched and writes nothing', async () => {
    // Prepare
    const before = await embedded.scanItems();

    // Act
    const outcome = await recordDeliveryEvent(
      {
        eventId: 'x:TEXT_DELIVERED',
        channel: 'sms',
        kind: 'delivered',
        occurredAt: '2026-03-11T09:00:00.000Z',
        address: '+15005550000',
      },
      deps(),
    );

    // Assess
    expect(outcome).toEqual({ status: 'unmatched' });
    expect(await embedded.scanItems()).toHaveLength(before.length);
  });

  it('never lets an older suppression override a later decision', async () => {
    // Prepare
    const { customerId, caseId, email } = await debtorWithCase();
    await embedded.table.putConsent({
      customerId,
      channel: 'email',
      status: 'opted-in',
      address: email,
      reason: 'start-keyword',
      decidedAt: '2026-03-12T00:00:00.000Z',
      sourceEventId: 'later',
    });

    // Act
    await recordDeliveryEvent(bounce(caseId, email), deps());

    // Assess
    expect(await embedded.table.getConsent(customerId, 'email')).toMatchObject({ status: 'opted-in' });
  });
});
