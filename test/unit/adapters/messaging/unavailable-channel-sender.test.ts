import { describe, expect, it } from 'vitest';
import { unavailableChannelSender } from '../../../../shared/adapters/messaging/unavailable-channel-sender.ts';
import { PermanentDeliveryError } from '../../../../shared/domain/errors.ts';
import type { OutboundSms } from '../../../../shared/ports.ts';

const sms: OutboundSms = {
  channel: 'sms',
  to: '+14255550177',
  customerId: 'stripe:cus_U1',
  correlation: { caseId: 'case_U1', stepId: 'day-3-sms' },
  text: 'Your payment failed',
};

describe('unavailableChannelSender', () => {
  it('refuses every message for good, as an unsupported destination, saying why', async () => {
    // Prepare
    const sender = unavailableChannelSender<OutboundSms>('no sms adapter is configured');

    // Act
    const error = await sender.send(sms).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect((error as PermanentDeliveryError).reason).toBe('unsupported-destination');
    expect((error as PermanentDeliveryError).message).toBe('no sms adapter is configured');
  });
});
