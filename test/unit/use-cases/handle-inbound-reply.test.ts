import { describe, expect, it } from 'vitest';
import { inboundReplyStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import type { InboundReply } from '../../../shared/domain/channel-events.ts';
import { PermanentDeliveryError } from '../../../shared/domain/errors.ts';
import {
  handleInboundReply,
  type InboundReplyDependencies,
} from '../../../shared/use-cases/handle-inbound-reply.ts';
import { customerRecord, openCase } from '../../support/billing-records.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { RecordingChannelSenders } from '../../support/recording-channel-senders.ts';

const embedded = embeddedCollectionsTablePerFile();

/** A debtor in Madrid with an open case, texted at +34 6xx: each test gets its own. */
async function debtor(overrides: { locale?: string; timeZone?: string } = {}) {
  const suffix = uniqueSuffix();
  const customerId = `stripe:cus_${suffix}`;
  const caseId = `case_${suffix}`;
  const phone = `+3460${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const { table } = embedded;
  await table.putCustomer(
    customerRecord({
      customerId,
      locale: overrides.locale ?? 'es-ES',
      timeZone: overrides.timeZone ?? 'Europe/Madrid',
      country: 'ES',
    }),
  );
  await table.createCase(openCase({ caseId, customerId }));
  await table.claimOpenCase(customerId, caseId);
  await table.linkOutbound({
    channel: 'sms',
    address: phone,
    customerId,
    caseId,
    at: '2026-03-10T09:00:00.000Z',
  });
  return { customerId, caseId, phone };
}

function dependencies(
  senders = new RecordingChannelSenders(),
): InboundReplyDependencies & { recorded: RecordingChannelSenders; journeys: RecordingJourneyStarter } {
  return {
    ...inboundReplyStoresOn(embedded.table),
    senders: senders.senders,
    clock: new TestClock('2026-03-11T09:00:01.000Z'),
    settings: { supportContact: 'soporte@acme.example', senderName: 'Acme' },
    journeys: new RecordingJourneyStarter(),
    recorded: senders,
  };
}

function reply(from: string, text: string, overrides: Partial<InboundReply> = {}): InboundReply {
  return {
    channel: 'sms',
    inboundMessageId: `in-${uniqueSuffix()}`,
    from,
    to: '+12065550152',
    text,
    receivedAt: '2026-03-11T09:00:00.000Z',
    ...overrides,
  };
}

describe('handleInboundReply', () => {
  it('opts the channel out on STOP, at once, and confirms in the debtor’s language', async () => {
    // Prepare
    const { customerId, caseId, phone } = await debtor();
    const deps = dependencies();

    // Act
    const outcome = await handleInboundReply(reply(phone, 'STOP'), deps);

    // Assess
    expect(outcome).toMatchObject({
      intent: { kind: 'opt-out' },
      caseId,
      actions: ['opted-out:sms'],
      autoReply: 'sent',
    });
    expect(await embedded.table.getConsent(customerId, 'sms')).toMatchObject({
      status: 'opted-out',
      reason: 'stop-keyword',
      address: phone,
    });
    expect(deps.recorded.accepted).toEqual([
      expect.objectContaining({
        channel: 'sms',
        to: phone,
        text: 'Ya no recibirá mensajes de texto de Acme. Responda START para volver a recibirlos. Ayuda: soporte@acme.example',
      }),
    ]);
    expect(await embedded.table.listInteractions(caseId)).toEqual([
      expect.objectContaining({ kind: 'replied', intent: 'opt-out', channel: 'sms', text: 'STOP' }),
    ]);
  });

  it('changes nothing and answers nothing more when the same reply is delivered again', async () => {
    // Prepare
    const { caseId, phone } = await debtor();
    const deps = dependencies();
    const stop = reply(phone, 'STOP');
    await handleInboundReply(stop, deps);

    // Act
    const again = await handleInboundReply(stop, deps);

    // Assess
    expect(again.autoReply).toBe('skipped');
    expect(deps.recorded.accepted).toHaveLength(1);
    expect(await embedded.table.listInteractions(caseId)).toHaveLength(1);
  });

  it('treats a confirmation refused because the provider already opted the number out as handled by the provider', async () => {
    // Prepare
    const { phone } = await debtor();
    const senders = new RecordingChannelSenders();
    senders.refuseNext(new PermanentDeliveryError('opted-out', 'DESTINATION_PHONE_NUMBER_OPTED_OUT'));

    // Act
    const outcome = await handleInboundReply(reply(phone, 'Stop'), dependencies(senders));

    // Assess
    expect(outcome.autoReply).toBe('provider-handled');
  });

  it('keeps the later of a STOP and a START that arrive out of order', async () => {
    // Prepare
    const { customerId, phone } = await debtor();
    const deps = dependencies();
    const start = reply(phone, 'START', { receivedAt: '2026-03-11T09:05:00.000Z' });
    const stop = reply(phone, 'STOP', { receivedAt: '2026-03-11T09:00:00.000Z' });

    // Act
    await handleInboundReply(start, deps);
    await handleInboundReply(stop, deps);

    // Assess
    expect(await embedded.table.getConsent(customerId, 'sms')).toMatchObject({
      status: 'opted-in',
      reason: 'start-keyword',
    });
  });

  it('resumes a journey that had ended on START, once however often the reply is delivered', async () => {
    // Prepare: the debtor texted STOP earlier; with no other channel the journey ran out of steps.
    const { caseId, phone } = await debtor();
    const running = await debtor();
    await embedded.table.markJourneyEnded(caseId, new Date('2026-03-09T10:00:00.000Z'));
    const deps = dependencies();
    const start = reply(phone, 'START');

    // Act
    const outcome = await handleInboundReply(start, deps);
    const redelivered = await handleInboundReply(start, deps);
    const startOnRunningCase = await handleInboundReply(reply(running.phone, 'START'), deps);

    // Assess: the second run starts (again on the redelivery: the execution name dedupes it).
    expect(outcome.actions).toEqual(['opted-in:sms', 'journey-resumed']);
    expect(redelivered.actions).toEqual(['opted-in:sms', 'journey-resumed']);
    expect(startOnRunningCase.actions).toEqual(['opted-in:sms']);
    expect(deps.journeys.starts).toEqual([
      { caseId, run: 2 },
      { caseId, run: 2 },
    ]);
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      journeyRun: 2,
      journeyResumedBy: `sms:${start.inboundMessageId}`,
      journeyResumedAt: '2026-03-11T09:00:01.000Z',
    });
  });

  it('answers HELP with the support contact, changing no consent', async () => {
    // Prepare
    const { customerId, phone } = await debtor({ locale: 'en-US', timeZone: 'America/New_York' });
    const deps = dependencies();

    // Act
    await handleInboundReply(reply(phone, 'HELP'), deps);

    // Assess
    expect(deps.recorded.accepted[0]).toMatchObject({
      text: 'Acme billing support: soporte@acme.example. Reply STOP to opt out.',
    });
    expect(await embedded.table.getConsent(customerId, 'sms')).toBeUndefined();
  });

  it('records a promise with its date in the debtor’s zone and pauses the case until the day after', async () => {
    // Prepare
    const { caseId, phone } = await debtor();

    // Act (Wednesday 2026-03-11 in Madrid)
    const outcome = await handleInboundReply(reply(phone, 'Pagaré el viernes'), dependencies());

    // Assess
    expect(outcome.actions).toEqual(['promise:2026-03-13']);
    expect(await embedded.table.getCase(caseId)).toMatchObject({
      promisedDate: '2026-03-13',
      // Saturday 00:00 in Madrid (UTC+1 in March).
      promisedUntil: '2026-03-13T23:00:00.000Z',
    });
    expect(outcome.autoReply).toBeUndefined();
  });

  it.each([
    ['Ya pagué', 'already-paid'],
    ['No debo nada', 'dispute'],
    ['Llámame', 'call-me'],
    ['Perdí mi trabajo', 'hardship'],
    ['Pagaré pronto', 'promise-without-date'],
    ['¿Qué es esto?', 'unclear-reply'],
  ])('hands %j to an agent as a %s task, once', async (text, kind) => {
    // Prepare
    const { customerId, caseId, phone } = await debtor();
    const message = reply(phone, text);

    // Act
    await handleInboundReply(message, dependencies());
    await handleInboundReply(message, dependencies());

    // Assess
    expect(await embedded.table.listAgentTasks(customerId)).toEqual([
      expect.objectContaining({
        kind,
        caseId,
        status: 'open',
        sourceEventId: `sms:${message.inboundMessageId}`,
      }),
    ]);
    expect((await embedded.table.listOpenAgentTasks()).map((task) => task.taskId)).toContain(
      `${kind}:sms:${message.inboundMessageId}`,
    );
  });

  it('invalidates the number on every phone channel when the reply says wrong person', async () => {
    // Prepare
    const { customerId, phone } = await debtor();

    // Act
    await handleInboundReply(reply(phone, 'Número equivocado'), dependencies());

    // Assess
    for (const channel of ['sms', 'whatsapp', 'voice'] as const) {
      expect(await embedded.table.getConsent(customerId, channel)).toMatchObject({
        status: 'invalid',
        address: phone,
      });
    }
  });

  it('finds the debtor of a WhatsApp reply through the number texted by SMS, and opens the 24-hour window', async () => {
    // Prepare
    const { phone, customerId } = await debtor();

    // Act
    await handleInboundReply(reply(phone, 'Pagaré mañana', { channel: 'whatsapp' }), dependencies());

    // Assess
    expect(await embedded.table.findAddress('whatsapp', phone)).toMatchObject({
      customerId,
      lastInboundAt: '2026-03-11T09:00:00.000Z',
    });
  });

  it('confirms a STOP from an unknown number without recording anything about a customer', async () => {
    // Prepare
    const deps = dependencies();
    const before = (await embedded.scanItems()).length;

    // Act
    const outcome = await handleInboundReply(reply('+15005550006', 'STOP'), deps);

    // Assess
    expect(outcome).toMatchObject({ intent: { kind: 'opt-out' }, actions: [], autoReply: 'sent' });
    expect(outcome.customerId).toBeUndefined();
    // Only the claim of the automatic answer.
    expect((await embedded.scanItems()).length).toBe(before + 1);
  });
});
