import { DateTime } from 'luxon';
import type { DeclineCategory } from './decline-codes.ts';
import type { Segment, Subscriber } from './population.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * How a debtor reacts to a collection message. The simulator only acts through the product's
 * public surfaces; each kind of response names the surfaces it needs, and a response is drawn
 * only among those given. The simulator uses the billing webhooks (pay, update the card) and the
 * outbox (what was sent). The product now also takes injected inbound replies and delivery events
 * (`POST /local/inbound/*`, `POST /local/events/*`): replying STOP, promising to pay and keeping or
 * breaking it, asking for a plan and disputing plug in here as new `ResponseOption`s with their
 * executor in the runner, without changing the draws of the existing ones.
 */
export type ProductSurface =
  /** Signed billing webhooks (Stripe today). */
  | 'billing-webhooks'
  /** `GET /local/outbox`: what the product sent. */
  | 'outbox'
  /** The debtor portal (pay, promise, plan). */
  | 'portal'
  /** Injected inbound replies (SMS STOP, WhatsApp). */
  | 'inbound-messages';

/** The surfaces the simulator's responses use today. */
export const availableSurfaces: ReadonlySet<ProductSurface> = new Set(['billing-webhooks', 'outbox']);

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
}

/** What the debtor's open invoices look like when the message arrives. */
export interface DebtorSituation {
  readonly subscriber: Subscriber;
  /** Decline categories of the open invoices (hard ones need a new card). */
  readonly declineCategories: readonly DeclineCategory[];
  readonly subscriptionCanceled: boolean;
}

export type DebtorResponse =
  | { readonly kind: 'pay'; readonly at: Date }
  | { readonly kind: 'update-card'; readonly at: Date }
  | { readonly kind: 'ignore' };

export interface ResponseOption {
  readonly kind: Exclude<DebtorResponse['kind'], 'ignore'>;
  readonly requires: readonly ProductSurface[];
  /** Share of the responding debtors who choose this response. */
  share(situation: DebtorSituation): number;
}

/** Base chance that one message moves a debtor of this segment to act. */
const segmentResponse: Record<Segment, number> = {
  starter: 0.16,
  pro: 0.22,
  business: 0.27,
  enterprise: 0.3,
};

/** Some templates work better than others; the final notice carries urgency. */
const templateFactor: Record<string, number> = {
  'payment-failed': 1,
  'payment-reminder': 0.75,
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

/**
 * The debtor behaviour model: given a message and the debtor's situation, decides whether and
 * how the debtor acts, and when. Deterministic for a given random stream.
 */
export function respondToMessage(
  message: ReceivedMessage,
  situation: DebtorSituation,
  random: SeededRandom,
  surfaces: ReadonlySet<ProductSurface> = availableSurfaces,
): DebtorResponse {
  const acts = random.chance(responseProbability(message, situation));
  const options = responseOptions.filter((option) =>
    option.requires.every((surface) => surfaces.has(surface)),
  );
  // Draw the delay and the choice even when the debtor ignores the message, so the stream stays
  // aligned whatever the outcome (the next message's draws do not depend on this one's).
  const delay = reactionDelayMinutes(random);
  const choice = random.next();
  if (!acts || options.length === 0) return { kind: 'ignore' };
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
  const at = new Date(message.sentAt.getTime() + delay * 60_000);
  return { kind: chosen.kind, at };
}
