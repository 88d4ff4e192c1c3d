import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';

/**
 * Provider payloads shaped as the AWS services publish them (End User Messaging SMS/voice event
 * destinations, two-way SMS, SES event publishing, End User Messaging Social), and the SNS
 * envelope a subscribed Lambda function receives.
 */

export function snsEvent(message: unknown, options: { topic?: string; at?: string } = {}): SNSEvent {
  const topicArn = `arn:aws:sns:us-east-1:111122223333:${options.topic ?? 'Collections-ChannelEventsTopic'}`;
  const subscriptionArn = `${topicArn}:${randomUUID()}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: options.at ?? '2026-03-11T09:00:00.000Z',
          SignatureVersion: '1',
          Signature:
            'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
          SigningCertUrl:
            'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

export function smsVoiceEvent(overrides: {
  eventType: string;
  messageId?: string;
  destinationPhoneNumber?: string;
  context?: Record<string, string>;
  at?: string;
}): Record<string, unknown> {
  const at = Date.parse(overrides.at ?? '2026-03-11T09:00:05.000Z');
  const voice = overrides.eventType.startsWith('VOICE_');
  return {
    eventType: overrides.eventType,
    eventVersion: '1.0',
    eventTimestamp: at,
    isFinal: true,
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: overrides.destinationPhoneNumber ?? '+14255550156',
    isoCountryCode: 'US',
    isInternationalSend: false,
    mcc: '310',
    mnc: '800',
    carrierName: 'T-Mobile USA, Inc.',
    messageId: overrides.messageId ?? '862a8790-60c0-4430-9b2b-658bdexample',
    messageRequestTimestamp: at - 300,
    ...(voice
      ? { messageStatus: overrides.eventType.slice(6), totalDurationRounded: 60, totalPrice: 0.013 }
      : {
          messageEncoding: 'GSM',
          messageType: 'TRANSACTIONAL',
          messageStatus: overrides.eventType.slice(5),
          messageStatusDescription: 'Message has been accepted by phone',
          totalMessageParts: 1,
          totalMessagePrice: 0.00581,
          totalCarrierFee: 0.00266,
        }),
    ...(overrides.context ? { context: overrides.context } : {}),
  };
}

export function inboundSms(overrides: {
  from: string;
  body: string;
  inboundMessageId?: string;
  to?: string;
}): Record<string, unknown> {
  return {
    originationNumber: overrides.from,
    destinationNumber: overrides.to ?? '+12065550152',
    messageKeyword: 'KEYWORD_111122223333',
    messageBody: overrides.body,
    inboundMessageId: overrides.inboundMessageId ?? randomUUID(),
    previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
}

export function sesEvent(overrides: {
  eventType: 'Delivery' | 'Bounce' | 'Complaint' | 'Open' | 'Click' | 'Send' | 'DeliveryDelay';
  to: string;
  tags?: Record<string, string>;
  messageId?: string;
  bounceType?: 'Permanent' | 'Transient';
  at?: string;
}): Record<string, unknown> {
  const at = overrides.at ?? '2026-03-11T09:00:03.000Z';
  const messageId = overrides.messageId ?? '0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d000001-000000';
  const mail = {
    timestamp: '2026-03-11T09:00:00.000Z',
    source: 'billing@acme.example',
    sourceArn: 'arn:aws:ses:us-east-1:111122223333:identity/billing@acme.example',
    sendingAccountId: '111122223333',
    messageId,
    destination: [overrides.to],
    headersTruncated: false,
    headers: [{ name: 'To', value: overrides.to }],
    commonHeaders: {
      from: ['billing@acme.example'],
      to: [overrides.to],
      messageId,
      subject: 'Your payment did not go through',
    },
    tags: {
      'ses:configuration-set': ['collections-events'],
      'ses:source-ip': ['192.0.2.0'],
      'ses:from-domain': ['acme.example'],
      'ses:caller-identity': ['collections-send'],
      ...Object.fromEntries(Object.entries(overrides.tags ?? {}).map(([name, value]) => [name, [value]])),
    },
  };
  const detail: Record<string, unknown> = {
    Delivery: {
      delivery: {
        timestamp: at,
        processingTimeMillis: 3000,
        recipients: [overrides.to],
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: 'a8-70.smtp-out.amazonses.com',
      },
    },
    Bounce: {
      bounce: {
        feedbackId: '0100019a6f3c2b1e-feedback-bounce-000001',
        bounceType: overrides.bounceType ?? 'Permanent',
        bounceSubType: overrides.bounceType === 'Transient' ? 'MailboxFull' : 'General',
        bouncedRecipients: [
          {
            emailAddress: overrides.to,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          },
        ],
        timestamp: at,
        reportingMTA: 'dsn; e226-55.smtp-out.us-east-1.amazonses.com',
      },
    },
    Complaint: {
      complaint: {
        feedbackId: '0100019a6f3c2b1e-feedback-complaint-000001',
        complaintSubType: null,
        complainedRecipients: [{ emailAddress: overrides.to }],
        timestamp: at,
        userAgent: 'Mozilla/5.0',
        complaintFeedbackType: 'abuse',
        arrivalDate: at,
      },
    },
    Open: { open: { timestamp: at, userAgent: 'Mozilla/5.0', ipAddress: '192.0.2.1' } },
    Click: {
      click: {
        timestamp: at,
        ipAddress: '192.0.2.1',
        userAgent: 'Mozilla/5.0',
        link: 'https://pay.acme.example/in_1?token=secret',
        linkTags: {},
      },
    },
    Send: { send: {} },
    DeliveryDelay: {
      deliveryDelay: { timestamp: at, delayType: 'MailboxFull', expirationTime: at, delayedRecipients: [] },
    },
  };
  return { eventType: overrides.eventType, mail, ...(detail[overrides.eventType] as object) };
}

/** End User Messaging Social's event header around a Meta webhook entry. */
function socialEvent(value: Record<string, unknown>): Record<string, unknown> {
  const entry = {
    id: '1234567890abcde',
    changes: [
      {
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '12065550152', phone_number_id: 'abcde1234567890' },
          ...value,
        },
        field: 'messages',
      },
    ],
  };
  return {
    context: {
      MetaWabaIds: [
        {
          wabaId: '1234567890abcde',
          arn: 'arn:aws:social-messaging:us-east-1:111122223333:waba/fb2594b8a7974770b128a409e2example',
        },
      ],
      MetaPhoneNumberIds: [
        {
          metaPhoneNumberId: 'abcde1234567890',
          arn: 'arn:aws:social-messaging:us-east-1:111122223333:phone-number-id/976c72a700aac43eaf573ae050example',
        },
      ],
    },
    whatsAppWebhookEntry: JSON.stringify(entry),
    aws_account_id: '111122223333',
    message_timestamp: '2026-03-11T09:00:00.271279391Z',
    messageId: randomUUID(),
  };
}

export function whatsAppStatusEvent(overrides: {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipient: string;
  callbackData?: Record<string, string>;
  wamid?: string;
  errorCode?: number;
  at?: number;
}): Record<string, unknown> {
  return socialEvent({
    statuses: [
      {
        id: overrides.wamid ?? 'wamid.HBgLMTQyNTU1NTAxNTYVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
        status: overrides.status,
        timestamp: String(overrides.at ?? 1773219605),
        recipient_id: overrides.recipient.replace(/^\+/, ''),
        ...(overrides.callbackData
          ? { biz_opaque_callback_data: JSON.stringify(overrides.callbackData) }
          : {}),
        ...(overrides.status === 'failed'
          ? {
              errors: [
                {
                  code: overrides.errorCode ?? 131026,
                  title: 'Message undeliverable',
                  message: 'Message undeliverable',
                  error_data: { details: 'Message Undeliverable.' },
                },
              ],
            }
          : {}),
      },
    ],
  });
}

export function whatsAppInboundEvent(overrides: { from: string; body: string; wamid?: string; at?: number }) {
  const waId = overrides.from.replace(/^\+/, '');
  return socialEvent({
    contacts: [{ profile: { name: 'Ana' }, wa_id: waId }],
    messages: [
      {
        from: waId,
        id: overrides.wamid ?? `wamid.${randomUUID().replace(/-/g, '')}`,
        timestamp: String(overrides.at ?? 1773219600),
        type: 'text',
        text: { body: overrides.body },
      },
    ],
  });
}
