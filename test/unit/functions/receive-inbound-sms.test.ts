import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReceiveInboundSmsHandler } from '../../../functions/receive-inbound-sms.ts';
import { createReceiveSesEventsHandler } from '../../../functions/receive-ses-events.ts';
import { inboundReplyStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { logger } from '../../../shared/adapters/observability/logger.ts';
import { InvalidRequestError } from '../../../shared/domain/errors.ts';
import { customerRecord, openCase } from '../../support/billing-records.ts';
import { inboundSms, sesEvent, snsEvent } from '../../support/channel-events.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { lambdaContext } from '../../support/lambda-events.ts';
import { RecordingChannelSenders } from '../../support/recording-channel-senders.ts';

const embedded = embeddedCollectionsTablePerFile();

let info: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function inboundHandler(senders = new RecordingChannelSenders()) {
  return createReceiveInboundSmsHandler({
    ...inboundReplyStoresOn(embedded.table),
    senders: senders.senders,
    clock: new TestClock('2026-03-11T09:00:01.000Z'),
    settings: { supportContact: 'support@acme.example', senderName: 'Acme' },
    journeys: new RecordingJourneyStarter(),
  });
}

describe('receiveInboundSms', () => {
  it('acts on the reply and logs its intent and actions, never the number or the words', async () => {
    // Prepare
    const suffix = uniqueSuffix();
    const customerId = `stripe:cus_${suffix}`;
    const caseId = `case_${suffix}`;
    const phone = '+14255550177';
    await embedded.table.putCustomer(customerRecord({ customerId, timeZone: 'America/New_York' }));
    await embedded.table.createCase(openCase({ caseId, customerId }));
    await embedded.table.claimOpenCase(customerId, caseId);
    await embedded.table.linkOutbound({
      channel: 'sms',
      address: phone,
      customerId,
      caseId,
      at: '2026-03-10T00:00:00.000Z',
    });

    // Act
    const result = await inboundHandler()(
      snsEvent(inboundSms({ from: phone, body: 'I dispute this, my card was charged twice' })),
      lambdaContext('collections-receive-inbound-sms'),
    );

    // Assess
    expect(result.outcomes).toEqual([expect.objectContaining({ caseId, actions: ['agent-task:dispute'] })]);
    const logged = JSON.stringify(info.mock.calls);
    expect(logged).toContain('agent-task:dispute');
    expect(logged).not.toContain('4255550177');
    expect(logged).not.toContain('charged twice');
  });

  it('acknowledges a payload that is not an inbound SMS as ignored', async () => {
    // Act
    const result = await inboundHandler()(
      snsEvent({ unrelated: true }),
      lambdaContext('collections-receive-inbound-sms'),
    );

    // Assess
    expect(result.outcomes).toEqual([{ status: 'ignored' }]);
  });

  it('fails on an event that is not from SNS, so Lambda retries it and then parks it in the dead-letter queue', async () => {
    // Act
    const handling = inboundHandler()(
      { Records: [] } as never,
      lambdaContext('collections-receive-inbound-sms'),
    );

    // Assess
    await expect(handling).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('receiveSesEvents', () => {
  it('reports an event about a message we did not send as unmatched and writes nothing', async () => {
    // Prepare
    const { table } = embedded;
    const handler = createReceiveSesEventsHandler({
      cases: table,
      interactions: table,
      consents: table,
      directory: table,
    });
    const before = await embedded.scanItems();

    // Act
    const result = await handler(
      snsEvent(sesEvent({ eventType: 'Delivery', to: 'stranger@example.com' })),
      lambdaContext('collections-receive-ses-events'),
    );

    // Assess
    expect(result.outcomes).toEqual([{ status: 'unmatched' }]);
    expect(await embedded.scanItems()).toHaveLength(before.length);
  });
});
