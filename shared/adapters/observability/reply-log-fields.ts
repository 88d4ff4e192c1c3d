import type { InboundReply } from '../../domain/channel-events.ts';
import type { InboundReplyOutcome } from '../../use-cases/handle-inbound-reply.ts';

/** What a handler logs of a reply it handled: the intent and actions, never the words or the number. */
export function handledReplyLogFields(reply: InboundReply, outcome: InboundReplyOutcome) {
  return {
    inboundMessageId: reply.inboundMessageId,
    intent: outcome.intent.kind,
    caseId: outcome.caseId,
    actions: outcome.actions,
    autoReply: outcome.autoReply,
  };
}
