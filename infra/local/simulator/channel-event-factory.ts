import type { ObservedMessage } from './product-client.ts';

/**
 * What the messaging services publish when a debtor opts out, shaped as they publish it: a
 * two-way SMS reply (End User Messaging's inbound SNS message) and an SES complaint (the email
 * marked as spam, SES event publishing). Ids are derived from the message answered, so a run
 * is reproducible.
 */

/** The STOP reply to a text, from the number it went to. */
export function inboundStop(message: ObservedMessage, originationIdentity: string): Record<string, unknown> {
  return {
    originationNumber: message.to,
    destinationNumber: originationIdentity,
    messageKeyword: 'STOP',
    messageBody: 'STOP',
    inboundMessageId: `sim-stop-${message.id}`,
    previousPublishedMessageId: message.id,
  };
}

/**
 * An SES `Complaint` for an email: the recipient marked it as spam. The configuration set's tags
 * come back with it, so the product can tie it to the case and step.
 */
export function emailComplaint(message: ObservedMessage, at: Date): Record<string, unknown> {
  const timestamp = at.toISOString();
  const tags: Record<string, string[]> = {
    'ses:configuration-set': ['collections-events'],
    'ses:from-domain': ['collections.localhost'],
    stepId: [message.stepId],
    ...(message.caseId ? { caseId: [message.caseId] } : {}),
    ...(message.template ? { template: [message.template] } : {}),
  };
  return {
    eventType: 'Complaint',
    mail: {
      timestamp: message.sentAt,
      source: 'billing@collections.localhost',
      messageId: message.id,
      destination: [message.to],
      headersTruncated: false,
      tags,
    },
    complaint: {
      feedbackId: `sim-complaint-${message.id}`,
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: message.to }],
      timestamp,
      userAgent: 'Simulated mailbox provider',
      complaintFeedbackType: 'abuse',
      arrivalDate: timestamp,
    },
  };
}
