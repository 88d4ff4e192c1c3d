import { DateTime } from 'luxon';
import type { InboundReply } from '../domain/channel-events.ts';
import type { CollectionCase } from '../domain/collection-case.ts';
import type { ContactConsent } from '../domain/contact-consent.ts';
import { resolveTimeZones } from '../domain/contact-policy.ts';
import type { Customer } from '../domain/customer.ts';
import type { DeliveryChannel, PhoneChannel } from '../domain/delivery-channel.ts';
import { isDefiniteRefusal, PermanentDeliveryError } from '../domain/errors.ts';
import type { Interaction } from '../domain/interaction.ts';
import { type KeywordReply, type KeywordReplySettings, keywordReplyText } from '../domain/keyword-replies.ts';
import { classifyReply, type ReplyIntent } from '../domain/reply-intent.ts';
import type {
  AgentTaskKind,
  AutoReplyLedger,
  CaseStore,
  ChannelSenders,
  Clock,
  ConsentStore,
  ContactDirectory,
  CustomerStore,
  InteractionStore,
  JourneyStarter,
  ReplyActionStore,
} from '../ports.ts';
import { resumeEndedJourney } from './resume-journey.ts';

export interface InboundReplyDependencies {
  readonly directory: ContactDirectory;
  readonly customers: CustomerStore;
  readonly cases: CaseStore;
  readonly consents: ConsentStore;
  readonly interactions: InteractionStore;
  readonly actions: ReplyActionStore;
  readonly autoReplies: AutoReplyLedger;
  readonly senders: Pick<ChannelSenders, 'sms' | 'whatsapp'>;
  readonly clock: Clock;
  readonly settings: KeywordReplySettings;
  /** Starts the next run of a journey that ended before a START made the debtor reachable again. */
  readonly journeys: JourneyStarter;
}

/**
 * `sent`: our confirmation went out; `provider-handled`: the provider refused it because the
 * number is on its opt-out list (End User Messaging's managed STOP answers for itself);
 * `failed`: the provider refused it; `uncertain`: the call failed without telling whether it went
 * out; `skipped`: a redelivery, the first attempt owned the answer.
 */
export type AutoReplyOutcome = 'sent' | 'provider-handled' | 'failed' | 'uncertain' | 'skipped';

export interface InboundReplyOutcome {
  readonly intent: ReplyIntent;
  readonly customerId?: string;
  readonly caseId?: string;
  readonly actions: readonly string[];
  readonly autoReply?: AutoReplyOutcome;
}

const phoneChannels: readonly PhoneChannel[] = ['sms', 'whatsapp', 'voice'];
const agentTaskKinds: Partial<Record<ReplyIntent['kind'], AgentTaskKind>> = {
  'already-paid': 'already-paid',
  dispute: 'dispute',
  'call-me': 'call-me',
  hardship: 'hardship',
  unknown: 'unclear-reply',
};

/**
 * Acts on a debtor's reply: opt-out/opt-in/help keywords at once, then the intent (a promise with
 * a date pauses the case; disputes, "already paid", hardship, "call me" and unclear replies become
 * agent tasks; "wrong person" invalidates that number). Every state change is idempotent, so a
 * redelivered reply changes nothing; the automatic answer is claimed first and sent at most once.
 */
export async function handleInboundReply(
  reply: InboundReply,
  deps: InboundReplyDependencies,
): Promise<InboundReplyOutcome> {
  const link = await findLink(reply.from, reply.channel, deps.directory);
  const customer = link ? await deps.customers.getCustomer(link.customerId) : undefined;
  const openCase = await openCaseOf(customer, link?.caseId, deps.cases);
  const caseId = openCase?.caseId;
  const zone = customer ? (resolveTimeZones(customer).zones[0] ?? 'UTC') : 'UTC';
  const intent = classifyReply(reply.text, {
    receivedAt: new Date(reply.receivedAt),
    timeZone: zone,
    ...(customer?.locale ? { locale: customer.locale } : {}),
  });
  const sourceEventId = `${reply.channel}:${reply.inboundMessageId}`;
  const actions: string[] = [];

  if (customer) {
    await deps.directory.linkInbound({
      channel: reply.channel,
      address: reply.from,
      customerId: customer.customerId,
      at: reply.receivedAt,
    });
    const interaction: Interaction = {
      interactionId: sourceEventId,
      channel: reply.channel,
      kind: 'replied',
      occurredAt: reply.receivedAt,
      ...(caseId ? { caseId } : {}),
      customerId: customer.customerId,
      providerMessageId: reply.inboundMessageId,
      intent: intent.kind,
      ...(intent.kind === 'promise-to-pay' && intent.date ? { promisedDate: intent.date } : {}),
      text: reply.text,
    };
    await deps.interactions.recordInteraction(interaction);
    actions.push(...(await applyIntent(intent, reply, customer, openCase, zone, sourceEventId, deps)));
  }

  const answer = keywordAnswer(intent);
  const autoReply =
    answer === undefined
      ? undefined
      : await sendAutoReply(
          answer,
          intent.kind === 'opt-out' && intent.scope === 'calls' ? 'voice' : reply.channel,
          reply,
          customer,
          caseId,
          deps,
        );
  return {
    intent,
    ...(customer ? { customerId: customer.customerId } : {}),
    ...(caseId ? { caseId } : {}),
    actions,
    ...(autoReply ? { autoReply } : {}),
  };
}

/** The customer this number belongs to: the reply's channel first, then the other phone channels. */
async function findLink(from: string, channel: DeliveryChannel, directory: ContactDirectory) {
  for (const candidate of [channel, ...phoneChannels.filter((other) => other !== channel)]) {
    const link = await directory.findAddress(candidate, from);
    if (link) return link;
  }
  return undefined;
}

/** The customer's open case: the one their profile points at, else the one the reply's number was texted about. */
async function openCaseOf(
  customer: Customer | undefined,
  linkedCaseId: string | undefined,
  cases: CaseStore,
): Promise<CollectionCase | undefined> {
  for (const caseId of [customer?.openCaseId, linkedCaseId]) {
    if (caseId === undefined) continue;
    const found = await cases.getCase(caseId);
    if (found?.status === 'open' && found.customerId === customer?.customerId) return found;
  }
  return undefined;
}

async function applyIntent(
  intent: ReplyIntent,
  reply: InboundReply,
  customer: Customer,
  openCase: CollectionCase | undefined,
  zone: string,
  sourceEventId: string,
  deps: InboundReplyDependencies,
): Promise<string[]> {
  const caseId = openCase?.caseId;
  const consent = (
    channel: DeliveryChannel,
    status: ContactConsent['status'],
    reason: ContactConsent['reason'],
  ) =>
    deps.consents.putConsent({
      customerId: customer.customerId,
      channel,
      status,
      address: reply.from,
      reason,
      decidedAt: reply.receivedAt,
      sourceEventId,
    });
  const task = async (kind: AgentTaskKind): Promise<string> => {
    await deps.actions.createAgentTask({
      taskId: `${kind}:${sourceEventId}`,
      kind,
      source: 'reply',
      ...(caseId ? { caseId } : {}),
      customerId: customer.customerId,
      channel: reply.channel,
      createdAt: reply.receivedAt,
      status: 'open',
      sourceEventId,
    });
    return `agent-task:${kind}`;
  };

  switch (intent.kind) {
    case 'opt-out': {
      const channel = intent.scope === 'calls' ? 'voice' : reply.channel;
      await consent(channel, 'opted-out', 'stop-keyword');
      return [`opted-out:${channel}`];
    }
    case 'opt-in': {
      await consent(reply.channel, 'opted-in', 'start-keyword');
      // A journey that ended for want of a channel (this one stopped, say) takes it up again.
      const resumed = openCase !== undefined && (await resumeEndedJourney(openCase, sourceEventId, deps));
      return [`opted-in:${reply.channel}`, ...(resumed ? ['journey-resumed'] : [])];
    }
    case 'help':
      return [];
    case 'wrong-person':
      // The number is someone else's: no channel may use it for this customer.
      for (const channel of phoneChannels) await consent(channel, 'invalid', 'wrong-person');
      return ['invalidated-number'];
    case 'promise-to-pay': {
      if (intent.date === undefined || caseId === undefined) return [await task('promise-without-date')];
      const promisedUntil = DateTime.fromISO(intent.date, { zone }).plus({ days: 1 }).toUTC().toISO();
      if (promisedUntil === null) return [await task('promise-without-date')];
      await deps.actions.recordPromise({
        caseId,
        promisedDate: intent.date,
        promisedUntil,
        madeAt: reply.receivedAt,
        channel: reply.channel,
        sourceEventId,
      });
      return [`promise:${intent.date}`];
    }
    default: {
      const kind = agentTaskKinds[intent.kind];
      return kind ? [await task(kind)] : [];
    }
  }
}

function keywordAnswer(intent: ReplyIntent): KeywordReply | undefined {
  if (intent.kind === 'opt-out') return 'opted-out';
  if (intent.kind === 'opt-in') return 'opted-in';
  if (intent.kind === 'help') return 'help';
  return undefined;
}

/** Claims the answer for this inbound message, then sends it once on the channel the debtor wrote on. */
async function sendAutoReply(
  answer: KeywordReply,
  about: PhoneChannel,
  reply: InboundReply,
  customer: Customer | undefined,
  caseId: string | undefined,
  deps: InboundReplyDependencies,
): Promise<AutoReplyOutcome> {
  const claimed = await deps.autoReplies.claimAutoReply(
    reply.channel,
    reply.inboundMessageId,
    deps.clock.now().toISOString(),
  );
  if (!claimed) return 'skipped';
  const text = keywordReplyText(answer, about, customer?.locale, deps.settings);
  const message = {
    to: reply.from,
    customerId: customer?.customerId ?? '',
    correlation: { ...(caseId ? { caseId } : {}), stepId: `reply-${reply.inboundMessageId}`.slice(0, 128) },
    text,
  };
  try {
    if (reply.channel === 'sms') await deps.senders.sms.send({ ...message, channel: 'sms' });
    else await deps.senders.whatsapp.send({ ...message, channel: 'whatsapp' });
    return 'sent';
  } catch (error) {
    if (error instanceof PermanentDeliveryError && error.reason === 'opted-out') return 'provider-handled';
    // The claim stays: a refused or uncertain answer is never retried (at most once).
    return isDefiniteRefusal(error) ? 'failed' : 'uncertain';
  }
}
