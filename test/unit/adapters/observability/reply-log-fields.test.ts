import { describe, expect, it } from 'vitest';
import { handledReplyLogFields } from '../../../../shared/adapters/observability/reply-log-fields.ts';
import type { InboundReply } from '../../../../shared/domain/channel-events.ts';

describe('handledReplyLogFields', () => {
  it('keeps the message id, intent, case, actions and auto-reply, and leaves out the number and the words', () => {
    // Prepare
    const reply: InboundReply = {
      channel: 'whatsapp',
      inboundMessageId: 'wamid.HBgLMTQyNTU1NTAxNzcVAgASGBQzQTg',
      from: '+14255550177',
      to: 'phone-number-id-976c72a700aac43eaf573ae050example',
      text: 'I will pay on Friday, my card was charged twice',
      receivedAt: '2026-03-11T09:00:00.000Z',
    };

    // Act
    const fields = handledReplyLogFields(reply, {
      intent: { kind: 'promise-to-pay', date: '2026-03-13' },
      customerId: 'stripe:cus_L1',
      caseId: 'case_L1',
      actions: ['promise:2026-03-13'],
      autoReply: 'sent',
    });

    // Assess
    expect(fields).toEqual({
      inboundMessageId: 'wamid.HBgLMTQyNTU1NTAxNzcVAgASGBQzQTg',
      intent: 'promise-to-pay',
      caseId: 'case_L1',
      actions: ['promise:2026-03-13'],
      autoReply: 'sent',
    });
    const logged = JSON.stringify(fields);
    expect(logged).not.toContain('4255550177');
    expect(logged).not.toContain('Friday');
  });
});
