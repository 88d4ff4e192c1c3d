import { DateTime } from 'luxon';
import type { DeclineCategory } from './decline-codes.ts';
import type { Segment, Subscriber } from './population.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * How a debtor reacts to a collection message. The simulator only acts through the product's
 * public surfaces; each kind of response names the surfaces it needs, and a response is drawn
 * only among those given: the billing webhooks (pay, update the card, dispute), the outbox (what
 * was sent), the portal over HTTP (pay, update the card, promise, plan) and injected inbound
 * replies and channel events (STOP, an email marked as spam).
 *
 * Draws come from two streams per debtor. The reaction stream decides whether the debtor acts,
 * when, and between paying and updating the card, exactly as it did before the commitments were
 * modelled; the choices stream decides opting out, promising, asking for a plan, disputing and
 * going through the portal. Each stream draws the same number of values for every message, so
 * one message's outcome never shifts the next one's draws.
 */
export type ProductSurface =
  /** Signed billing webhooks (Stripe today). */
  | 'billing-webhooks'
  /** `GET /local/outbox`: what the product sent. */
  | 'outbox'
  /** The debtor portal (pay, promise, plan). */
  | 'portal'
  /** Injected inbound replies (SMS STOP, WhatsApp). */
  | 'inbound-messages'
  /** Injected delivery and engagement events (an SES complaint: the email marked as spam). */
  | 'channel-events';

/** The surfaces the simulator's responses use. */
export const availableSurfaces: ReadonlySet<ProductSurface> = new Set([
  'billing-webhooks',
  'outbox',
  'portal',
  'inbound-messages',
  'channel-events',
]);

export type Channel = 'email' | 'sms' | 'voice' | 'whatsapp';

/** A message as the debtor receives it. */
export interface ReceivedMessage {
  readonly caseId: string;
  readonly stepId: string;
  readonly template: string;
  readonly channel: Channel;
  readonly sentAt: Date;
  /** 1 for the first message of the case, 2 for the second... */
  readonly ordinal: number;
  /** The signed portal link the message carries, if any. */
  readonly portalLink?: string;
  /** Whether the message carries a one-click unsubscribe link (emails do). */
  readonly unsubscribeLink?: boolean;
}

/** What the debtor's open invoices look like when the message arrives. */
export interface DebtorSituation {
  readonly subscriber: Subscriber;
  /** Decline categories of the open invoices (hard ones need a new card). */
  readonly declineCategories: readonly DeclineCategory[];
  readonly subscriptionCanceled: boolean;
  /** Whether the debtor's billing provider reports chargebacks to the product (Stripe does). */
  readonly canDispute?: boolean;
}

/** How the debtor reaches the payment or card page: the portal link, or the provider's own page. */
export type PaymentRoute = 'portal' | 'hosted-page';

export type DebtorResponse =
  | { readonly kind: 'pay'; readonly at: Date; readonly via: PaymentRoute }
  | { readonly kind: 'update-card'; readonly at: Date; readonly via: PaymentRoute }
  /**
   * No more contact on that channel: STOP to a text; for an email, its unsubscribe link or, when
   * the debtor does not look for one, the spam button.
   */
  | {
      readonly kind: 'opt-out';
      readonly at: Date;
      readonly channel: Channel;
      readonly via: 'reply' | 'unsubscribe-link' | 'spam-complaint';
    }
  /**
   * A promise in the portal, `inDays` after today (in the portal's window); kept means the debtor
   * pays on the promised day at `payHour` local time.
   */
  | {
      readonly kind: 'promise';
      readonly at: Date;
      readonly inDays: number;
      readonly keeps: boolean;
      readonly payHour: number;
    }
  /** A payment plan in the portal with `instalments` instalments; kept means every one is paid. */
  | { readonly kind: 'plan'; readonly at: Date; readonly instalments: number; readonly keeps: boolean }
  /** The debtor's bank disputes the charge (`charge.dispute.created`). */
  | { readonly kind: 'dispute'; readonly at: Date }
  | { readonly kind: 'ignore' };

export type DebtorResponseKind = Exclude<DebtorResponse['kind'], 'ignore'>;

export interface ResponseOption {
  readonly kind: Extract<DebtorResponseKind, 'pay' | 'update-card'>;
  readonly requires: readonly ProductSurface[];
  /** Share of the responding debtors who choose this response. */
  share(situation: DebtorSituation): number;
}

/** The two random streams of one debtor (see the module comment). */
export interface DebtorStreams {
  readonly reaction: SeededRandom;
  readonly choices: SeededRandom;
}

/** Base chance that one message moves a debtor of this segment to act. */
const segmentResponse: Record<Segment, number> = {
  starter: 0.16,
  pro: 0.22,
  business: 0.27,
  enterprise: 0.3,
};

/**
 * Each message variant (template) has its own pull, so the strategies' A/B variants have a true
 * winner for the metrics to find: the short first notice (`short`, one sentence and one link)
 * beats the detailed one (`detailed`) by 15%; a card-update request names the one thing to do;
 * a reminder repeats what was said; the final notice carries urgency; a plan offer speaks to
 * those who cannot pay at once, a minority. Unknown templates count as 1.
 */
const templateFactor: Readonly<Record<string, number>> = {
  'payment-failed': 1,
  'payment-failed-short': 1.15,
  'card-update-request': 1.1,
  'payment-reminder': 0.75,
  'payment-plan-offer': 0.85,
  'final-notice': 1.1,
};

/** Per channel: texts are read faster and more often than emails. */
const channelFactor: Record<Channel, number> = { email: 1, sms: 1.35, voice: 1.2, whatsapp: 1.3 };

/** Declines the debtor can fix in a minute respond best; revoked authorisations hardly at all. */
const categoryFactor: Record<DeclineCategory, number> = {
  soft: 1,
  'soft-limited': 0.9,
  transient: 1,
  hard: 0.85,
  authentication: 1.3,
  fraud: 0.45,
  revocation: 0.15,
};

/** Messages read in the morning convert best; late evening worst (local time of the debtor). */
export function timeOfDayFactor(localHour: number): number {
  if (localHour < 8 || localHour >= 21) return 0.5;
  if (localHour < 11) return 1.2;
  if (localHour < 17) return 1;
  return 0.85;
}

/**
 * The chance that this message makes the debtor act. Each further message of a case wears off
 * (fatigue), a cancelled subscription halves the motivation, and the debtor's own willingness
 * (0..1, drawn once per subscriber) scales it all.
 */
export function responseProbability(message: ReceivedMessage, situation: DebtorSituation): number {
  const { subscriber } = situation;
  const hour = DateTime.fromJSDate(message.sentAt, { zone: subscriber.timeZone }).hour;
  const worstCategory = situation.declineCategories.reduce(
    (lowest, category) => Math.min(lowest, categoryFactor[category]),
    1.3,
  );
  const probability =
    segmentResponse[subscriber.segment] *
    (templateFactor[message.template] ?? 1) *
    channelFactor[message.channel] *
    timeOfDayFactor(hour) *
    worstCategory *
    (situation.subscriptionCanceled ? 0.5 : 1) *
    0.85 ** (message.ordinal - 1) *
    (0.4 + 1.2 * subscriber.willingness);
  return Math.min(0.95, Math.max(0, probability));
}

const responseOptions: readonly ResponseOption[] = [
  {
    kind: 'pay',
    requires: ['billing-webhooks'],
    // Paying on the hosted invoice page retries with a card the debtor enters there; a card that
    // can never work again is replaced through the update-card flow instead.
    share: (situation) => (situation.declineCategories.some(needsNewCard) ? 0.35 : 0.75),
  },
  {
    kind: 'update-card',
    requires: ['billing-webhooks'],
    share: (situation) => (situation.declineCategories.some(needsNewCard) ? 0.65 : 0.25),
  },
];

function needsNewCard(category: DeclineCategory): boolean {
  return category === 'hard' || category === 'fraud';
}

/** Minutes between reading a message and acting on it: most act within hours, some days later. */
function reactionDelayMinutes(random: SeededRandom): number {
  return Math.min(6 * 24 * 60, Math.max(2, random.logNormal(150, 1.3)));
}

/** Per message, the chance of opting out, by channel: a STOP is one word away on a phone. */
const optOutBase: Record<Channel, number> = { email: 0.012, sms: 0.045, voice: 0, whatsapp: 0.02 };
/** Smaller customers opt out more readily than businesses that need the service. */
const optOutSegment: Record<Segment, number> = { starter: 1.2, pro: 1, business: 0.7, enterprise: 0.5 };
/** What opting out takes on each channel. */
const optOutSurface: Record<Channel, ProductSurface | undefined> = {
  email: 'channel-events',
  sms: 'inbound-messages',
  whatsapp: undefined,
  voice: undefined,
};

/**
 * The chance that this message makes the debtor opt out of its channel: it grows with every
 * message of the case (annoyance) and is higher on a final notice and for unwilling debtors.
 */
export function optOutProbability(message: ReceivedMessage, situation: DebtorSituation): number {
  const probability =
    optOutBase[message.channel] *
    optOutSegment[situation.subscriber.segment] *
    (1 + 0.35 * (message.ordinal - 1)) *
    (message.template === 'final-notice' ? 1.3 : 1) *
    (1.2 - 0.6 * situation.subscriber.willingness);
  return Math.min(0.5, Math.max(0, probability));
}

/**
 * Of the debtors who act, the shares who commit instead of paying at once: a promise to pay, a
 * payment plan (more often when money is short and for smaller customers), or a chargeback (most
 * often after revoking the authorisation: they already told their bank to stop paying).
 */
export function commitmentShares(situation: DebtorSituation): {
  readonly promise: number;
  readonly plan: number;
  readonly dispute: number;
} {
  const categories = situation.declineCategories;
  const shortOfMoney = categories.includes('soft') || categories.includes('soft-limited');
  const small = situation.subscriber.segment === 'starter' || situation.subscriber.segment === 'pro';
  const disputeFactor = categories.includes('revocation') ? 6 : categories.includes('fraud') ? 3 : 1;
  return {
    promise: 0.15,
    plan: 0.08 * (shortOfMoney ? 1.5 : 1) * (small ? 1.2 : 0.8),
    dispute: situation.canDispute === true ? 0.025 * disputeFactor : 0,
  };
}

/**
 * The debtor behaviour model: given a message and the debtor's situation, decides whether and
 * how the debtor acts, and when. Deterministic for given random streams; the reaction stream's
 * draws are those of the model before commitments, so its outcomes only change for the debtors
 * who now opt out or commit instead.
 */
export function respondToMessage(
  message: ReceivedMessage,
  situation: DebtorSituation,
  streams: DebtorStreams,
  surfaces: ReadonlySet<ProductSurface> = availableSurfaces,
): DebtorResponse {
  const { reaction, choices } = streams;
  const acts = reaction.chance(responseProbability(message, situation));
  const options = responseOptions.filter((option) =>
    option.requires.every((surface) => surfaces.has(surface)),
  );
  // Draw the delay and the choice even when the debtor ignores the message, so the stream stays
  // aligned whatever the outcome (the next message's draws do not depend on this one's).
  const delay = reactionDelayMinutes(reaction);
  const choice = reaction.next();
  // The choices stream likewise draws all its values for every message.
  const optOutDraw = choices.next();
  const optOutDelayMinutes = 1 + Math.floor(choices.next() * 180);
  const commitDraw = choices.next();
  const inDays = 1 + Math.floor(choices.next() * 10);
  const instalments = 2 + Math.floor(choices.next() * 3);
  const keepDraw = choices.next();
  const payHour = 9 + Math.floor(choices.next() * 9);
  const routeDraw = choices.next();
  const unsubscribeDraw = choices.next();
  const sentAt = message.sentAt.getTime();
  const at = new Date(sentAt + delay * 60_000);

  // Two in three who want no more emails use the link the email offers; the rest mark it as spam.
  const unsubscribes = message.unsubscribeLink === true && surfaces.has('portal') && unsubscribeDraw < 2 / 3;
  const optOutVia = unsubscribes ? 'portal' : optOutSurface[message.channel];
  if (
    optOutVia !== undefined &&
    surfaces.has(optOutVia) &&
    optOutDraw < optOutProbability(message, situation)
  ) {
    return {
      kind: 'opt-out',
      at: new Date(sentAt + optOutDelayMinutes * 60_000),
      channel: message.channel,
      via: message.channel === 'email' ? (unsubscribes ? 'unsubscribe-link' : 'spam-complaint') : 'reply',
    };
  }
  if (!acts) return { kind: 'ignore' };

  const shares = commitmentShares(situation);
  const portal = message.portalLink !== undefined && surfaces.has('portal');
  const promise = portal ? shares.promise : 0;
  const plan = portal ? shares.plan : 0;
  const dispute = surfaces.has('billing-webhooks') ? shares.dispute : 0;
  const willingness = situation.subscriber.willingness;
  if (commitDraw < promise) {
    return { kind: 'promise', at, inDays, keeps: keepDraw < 0.35 + 0.5 * willingness, payHour };
  }
  if (commitDraw < promise + plan) {
    return { kind: 'plan', at, instalments, keeps: keepDraw < 0.5 + 0.4 * willingness };
  }
  if (commitDraw < promise + plan + dispute) return { kind: 'dispute', at };

  if (options.length === 0) return { kind: 'ignore' };
  const total = options.reduce((sum, option) => sum + option.share(situation), 0);
  let remaining = choice * total;
  let chosen = options[options.length - 1];
  for (const option of options) {
    remaining -= option.share(situation);
    if (remaining < 0) {
      chosen = option;
      break;
    }
  }
  if (chosen === undefined) return { kind: 'ignore' };
  // Most follow the link in the message; some pay from the provider's own email instead.
  const via: PaymentRoute = portal && routeDraw < 0.8 ? 'portal' : 'hosted-page';
  return { kind: chosen.kind, at, via };
}
