import { getExampleNumber } from 'libphonenumber-js';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import type { SeededRandom, Weighted } from './seeded-random.ts';

/**
 * The subscriber population: who pays what, in which currency, from where. Figures are
 * plausible for a B2B/B2C SaaS with an international customer base (not any real company):
 * most revenue in USD/EUR/GBP, a long tail of local currencies including zero-decimal (JPY,
 * KRW) and three-decimal (KWD) ones.
 */

/** Plan tiers double as behaviour segments: bigger accounts pay their dunning faster. */
export type Segment = 'starter' | 'pro' | 'business' | 'enterprise';
export type BillingInterval = 'month' | 'year';

export interface Market {
  readonly country: string;
  readonly currency: string;
  /** IANA zones subscribers of this market live in, with their share. */
  readonly zones: readonly Weighted<string>[];
  readonly locale: string;
  readonly emailDomain: string;
  readonly weight: number;
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
}

/** Monthly list prices in each currency's minor unit (Stripe's convention: JPY and KRW have none, KWD has three). */
const monthlyPrices: Record<string, Record<Segment, number>> = {
  USD: { starter: 900, pro: 4900, business: 19900, enterprise: 99900 },
  EUR: { starter: 900, pro: 4500, business: 18900, enterprise: 94900 },
  GBP: { starter: 800, pro: 3900, business: 15900, enterprise: 79900 },
  CAD: { starter: 1200, pro: 6500, business: 26900, enterprise: 134900 },
  AUD: { starter: 1400, pro: 7500, business: 29900, enterprise: 149900 },
  JPY: { starter: 1200, pro: 7200, business: 29800, enterprise: 148000 },
  KRW: { starter: 12000, pro: 65000, business: 260000, enterprise: 1300000 },
  BRL: { starter: 4900, pro: 24900, business: 99900, enterprise: 499900 },
  INR: { starter: 69900, pro: 399900, business: 1599900, enterprise: 7999900 },
  KWD: { starter: 2900, pro: 14900, business: 59900, enterprise: 299900 },
};

export const markets: readonly Market[] = [
  {
    country: 'US',
    currency: 'USD',
    zones: [
      { value: 'America/New_York', weight: 47 },
      { value: 'America/Chicago', weight: 29 },
      { value: 'America/Denver', weight: 7 },
      { value: 'America/Phoenix', weight: 2 },
      { value: 'America/Los_Angeles', weight: 15 },
    ],
    locale: 'en-US',
    emailDomain: 'example.com',
    weight: 40,
    firstNames: ['Dana', 'Jordan', 'Taylor', 'Morgan', 'Riley', 'Casey', 'Avery', 'Jamie'],
    lastNames: ['Rosen', 'Miller', 'Garcia', 'Nguyen', 'Johnson', 'Brown', 'Davis', 'Lopez'],
  },
  {
    country: 'GB',
    currency: 'GBP',
    zones: [{ value: 'Europe/London', weight: 1 }],
    locale: 'en-GB',
    emailDomain: 'example.co.uk',
    weight: 10,
    firstNames: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Ava'],
    lastNames: ['Smith', 'Jones', 'Taylor', 'Evans', 'Wilson', 'Walker'],
  },
  {
    country: 'DE',
    currency: 'EUR',
    zones: [{ value: 'Europe/Berlin', weight: 1 }],
    locale: 'de-DE',
    emailDomain: 'example.de',
    weight: 8,
    firstNames: ['Lukas', 'Mia', 'Leon', 'Emma', 'Finn', 'Hannah'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Wagner'],
  },
  {
    country: 'FR',
    currency: 'EUR',
    zones: [{ value: 'Europe/Paris', weight: 1 }],
    locale: 'fr-FR',
    emailDomain: 'example.fr',
    weight: 6,
    firstNames: ['Léa', 'Hugo', 'Chloé', 'Louis', 'Manon', 'Jules'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit'],
  },
  {
    country: 'CA',
    currency: 'CAD',
    zones: [
      { value: 'America/Toronto', weight: 60 },
      { value: 'America/Vancouver', weight: 25 },
      { value: 'America/Edmonton', weight: 15 },
    ],
    locale: 'en-CA',
    emailDomain: 'example.ca',
    weight: 5,
    firstNames: ['Liam', 'Olivia', 'Noah', 'Charlotte', 'Ethan', 'Sophie'],
    lastNames: ['Tremblay', 'Roy', 'Gagnon', 'Campbell', 'Anderson', 'Lee'],
  },
  {
    country: 'AU',
    currency: 'AUD',
    zones: [
      { value: 'Australia/Sydney', weight: 55 },
      { value: 'Australia/Brisbane', weight: 20 },
      { value: 'Australia/Perth', weight: 25 },
    ],
    locale: 'en-AU',
    emailDomain: 'example.com.au',
    weight: 5,
    firstNames: ['Jack', 'Charlotte', 'William', 'Matilda', 'Lachlan', 'Ruby'],
    lastNames: ['Smith', 'Kelly', 'Ryan', 'Murphy', 'White', 'Martin'],
  },
  {
    country: 'JP',
    currency: 'JPY',
    zones: [{ value: 'Asia/Tokyo', weight: 1 }],
    locale: 'ja-JP',
    emailDomain: 'example.jp',
    weight: 7,
    firstNames: ['Haruto', 'Yui', 'Sota', 'Aoi', 'Ren', 'Hina'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito'],
  },
  {
    country: 'KR',
    currency: 'KRW',
    zones: [{ value: 'Asia/Seoul', weight: 1 }],
    locale: 'ko-KR',
    emailDomain: 'example.kr',
    weight: 3,
    firstNames: ['Minjun', 'Seoyeon', 'Jiho', 'Jiwoo', 'Doyun', 'Haeun'],
    lastNames: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang'],
  },
  {
    country: 'BR',
    currency: 'BRL',
    zones: [
      { value: 'America/Sao_Paulo', weight: 85 },
      { value: 'America/Manaus', weight: 15 },
    ],
    locale: 'pt-BR',
    emailDomain: 'example.com.br',
    weight: 8,
    firstNames: ['Miguel', 'Helena', 'Arthur', 'Alice', 'Gael', 'Laura'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Lima', 'Pereira'],
  },
  {
    country: 'IN',
    currency: 'INR',
    zones: [{ value: 'Asia/Kolkata', weight: 1 }],
    locale: 'en-IN',
    emailDomain: 'example.in',
    weight: 7,
    firstNames: ['Aarav', 'Ananya', 'Vivaan', 'Diya', 'Aditya', 'Isha'],
    lastNames: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Reddy'],
  },
  {
    country: 'KW',
    currency: 'KWD',
    zones: [{ value: 'Asia/Kuwait', weight: 1 }],
    locale: 'ar-KW',
    emailDomain: 'example.com.kw',
    weight: 1,
    firstNames: ['Ahmad', 'Fatima', 'Yousef', 'Maryam', 'Khaled', 'Noor'],
    lastNames: ['Al-Sabah', 'Al-Ali', 'Al-Mutairi', 'Al-Enezi', 'Al-Rashidi', 'Al-Kandari'],
  },
];

const segmentWeights: readonly Weighted<Segment>[] = [
  { value: 'starter', weight: 52 },
  { value: 'pro', weight: 33 },
  { value: 'business', weight: 12 },
  { value: 'enterprise', weight: 3 },
];

/** Share of annual plans by segment; an annual plan costs ten months. */
const annualShare: Record<Segment, number> = { starter: 0.1, pro: 0.2, business: 0.3, enterprise: 0.45 };

/** Who bills the subscriber: most are on Stripe, the rest on the other providers the product ingests. */
export type BillingProvider = 'stripe' | 'paddle' | 'chargebee' | 'inhouse';

const providerWeights: readonly Weighted<BillingProvider>[] = [
  { value: 'stripe', weight: 80 },
  { value: 'paddle', weight: 7 },
  { value: 'chargebee', weight: 7 },
  { value: 'inhouse', weight: 6 },
];

/** Consent on one channel as the billing system recorded it (ISO); the later of the two wins. */
export interface BillingConsent {
  readonly consentAt: string;
  readonly optedOutAt?: string;
}

/**
 * What the product's routing calls the subscriber (billing `metadata.segment`): the plan tier
 * says who the customer is, a consumer, a small business or an enterprise.
 */
export const billingSegmentOf: Readonly<Record<Segment, string>> = {
  starter: 'b2c',
  pro: 'smb',
  business: 'smb',
  enterprise: 'enterprise',
};

/** Of the subscribers with a mobile number, the share who ticked the SMS box at checkout. */
const smsConsentShare: Record<Segment, number> = {
  starter: 0.55,
  pro: 0.5,
  business: 0.35,
  enterprise: 0.25,
};
/** WhatsApp opt-in is common where WhatsApp is how people talk to businesses. */
const whatsappConsentShare: Readonly<Record<string, number>> = { BR: 0.4, IN: 0.35, KW: 0.3, DE: 0.15 };
/** Of those who consented, the share who later withdrew it in the merchant's own settings. */
const billingOptOutShare = 0.05;
/** Billing systems that hold a phone number (Paddle's customer has none). */
const holdsPhone: Record<BillingProvider, number> = { stripe: 0.7, chargebee: 0.75, inhouse: 0.8, paddle: 0 };

/**
 * A valid mobile number of the market, unique in the run: libphonenumber's example mobile number
 * of the country with its last five digits replaced (every such number stays valid in each market).
 */
function mobileNumber(country: string, index: number, idTag: string): string {
  const example = getExampleNumber(country as Parameters<typeof getExampleNumber>[0], mobileExamples);
  if (example === undefined) throw new Error(`no example mobile number for ${country}`);
  let offset = 0;
  for (const char of idTag) offset = (offset * 31 + char.charCodeAt(0)) % 100_000;
  const suffix = String((index + offset) % 100_000).padStart(5, '0');
  return `${example.number.slice(0, -5)}${suffix}`;
}

/** What the billing data tells about where the debtor is. */
export type LocationData = 'time-zone' | 'country-only' | 'none';

export interface Subscriber {
  /** Index in the population, for stable ordering. */
  readonly index: number;
  readonly customerId: string;
  readonly subscriptionId: string;
  readonly name: string;
  /** Absent for the few customers Stripe holds no email for. */
  readonly email?: string;
  /**
   * For some of those: the address the merchant adds in billing once the customer's payment has
   * failed (support asked for it), some days after the first failure. Billing then sends a
   * customer event, and the product resumes the journey that found nobody to contact.
   */
  readonly lateEmail?: { readonly email: string; readonly afterFirstFailureDays: number };
  readonly market: Market;
  /** Where the debtor really is. */
  readonly timeZone: string;
  readonly locale: string;
  /** What the invoices carry: `metadata.time_zone` and the address country, the country alone, or neither. */
  readonly locationData: LocationData;
  readonly segment: Segment;
  readonly interval: BillingInterval;
  /** The invoice amount in the currency's minor unit. */
  readonly amountMinor: number;
  /** Monthly-normalised recurring amount (DOMAIN.md §6), minor units. */
  readonly mrrMinor: number;
  /** First renewal inside the simulation: days (fractional) after its start. */
  readonly firstRenewalOffsetDays: number;
  /** 0..1, the debtor's own inclination to settle a failed payment when asked. */
  readonly willingness: number;
  /** The billing provider whose webhooks carry this subscriber's events. */
  readonly provider: BillingProvider;
  /** E.164 mobile number, when the billing system holds one. */
  readonly phone?: string;
  /** Consent per channel as billing sends it (metadata; docs/billing-ingest.md). */
  readonly billingConsent: Readonly<Partial<Record<'sms' | 'whatsapp', BillingConsent>>>;
  /** `metadata.segment`: the segment routing rules select on. */
  readonly billingSegment: string;
}

export interface PopulationOptions {
  readonly customers: number;
  /** Prefix making ids unique per run when several runs share a store. */
  readonly idTag: string;
  /**
   * Bill a share of the population through Paddle, Chargebee and the in-house format.
   * @default true (false: everyone on Stripe)
   */
  readonly providers?: boolean;
  /**
   * The start of the simulation: consents were given (and some withdrawn) before it.
   * @default 2026-01-01T00:00:00Z
   */
  readonly startAt?: Date;
}

/** Of the customers billing holds no email for, the share whose merchant adds one after a failure. */
const lateEmailShare = 0.6;

/** Builds the population; subscriber `i` depends only on the seed and `i`. */
export function buildPopulation(random: SeededRandom, options: PopulationOptions): Subscriber[] {
  return Array.from({ length: options.customers }, (_, index) =>
    buildSubscriber(
      random.fork(`subscriber-${index}`),
      index,
      options.idTag,
      options.providers ?? true,
      options.startAt ?? new Date('2026-01-01T00:00:00Z'),
    ),
  );
}

/**
 * Phone and consent, from a stream of their own so the draws of everything else stay those of a
 * population without them. Consent dates lie 3 weeks to 2 years before the start.
 */
function contactOf(
  random: SeededRandom,
  subscriber: Pick<Subscriber, 'index' | 'market' | 'segment' | 'provider'>,
  idTag: string,
  startAt: Date,
): Pick<Subscriber, 'phone' | 'billingConsent'> {
  const hasPhone = random.chance(holdsPhone[subscriber.provider]);
  const smsConsents = random.chance(smsConsentShare[subscriber.segment]);
  const whatsappConsents = random.chance(whatsappConsentShare[subscriber.market.country] ?? 0.08);
  const withdraws = random.chance(billingOptOutShare);
  const consentDaysBefore = 21 + random.next() * 700;
  const withdrawnDaysBefore = random.next() * consentDaysBefore;
  if (!hasPhone) return { billingConsent: {} };
  const daysBefore = (days: number) => new Date(startAt.getTime() - days * 86_400_000).toISOString();
  const consentAt = daysBefore(consentDaysBefore);
  const sms: BillingConsent | undefined = smsConsents
    ? { consentAt, ...(withdraws ? { optedOutAt: daysBefore(withdrawnDaysBefore) } : {}) }
    : undefined;
  return {
    phone: mobileNumber(subscriber.market.country, subscriber.index, idTag),
    billingConsent: {
      ...(sms ? { sms } : {}),
      ...(whatsappConsents ? { whatsapp: { consentAt } } : {}),
    },
  };
}

function buildSubscriber(
  random: SeededRandom,
  index: number,
  idTag: string,
  providers: boolean,
  startAt: Date,
): Subscriber {
  const market = random.weighted(markets.map((value) => ({ value, weight: value.weight })));
  const segment = random.weighted(segmentWeights);
  const interval: BillingInterval = random.chance(annualShare[segment]) ? 'year' : 'month';
  const prices = monthlyPrices[market.currency];
  if (prices === undefined) throw new Error(`no prices in ${market.currency}`);
  const monthly = prices[segment];
  const amountMinor = interval === 'year' ? monthly * 10 : monthly;
  const firstName = random.pick(market.firstNames);
  const lastName = random.pick(market.lastNames);
  const timeZone = random.weighted(market.zones);
  // Most Stripe integrations pass the zone (browser-detected) in metadata; some only have an address.
  const locationData = random.weighted<LocationData>([
    { value: 'time-zone', weight: 80 },
    { value: 'country-only', weight: 18 },
    { value: 'none', weight: 2 },
  ]);
  const hasEmail = random.chance(0.99);
  // From a stream of its own, as below: the other draws stay those of a population without it.
  const late = random.fork('late-email');
  const addsEmailLate = !hasEmail && late.chance(lateEmailShare);
  const afterFirstFailureDays = late.int(1, 20);
  const slug = `${firstName}.${lastName}`
    .normalize('NFKD')
    .replace(/[^A-Za-z.]/g, '')
    .toLowerCase();
  // Annual subscribers renew once a year: only those whose anniversary falls in the window renew.
  const cycleDays = interval === 'year' ? 365 : 30.44;
  // From a stream of its own: the draws above are those of a population without providers.
  const provider = providers ? random.fork('provider').weighted(providerWeights) : 'stripe';
  return {
    index,
    customerId: `cus_${idTag}${random.token(12)}`,
    subscriptionId: `sub_${idTag}${random.token(12)}`,
    name: `${firstName} ${lastName}`,
    ...(hasEmail ? { email: `${slug}+${idTag.toLowerCase()}${index}@${market.emailDomain}` } : {}),
    ...(addsEmailLate
      ? {
          lateEmail: {
            email: `${slug}+${idTag.toLowerCase()}${index}@${market.emailDomain}`,
            afterFirstFailureDays,
          },
        }
      : {}),
    market,
    timeZone,
    locale: market.locale,
    locationData,
    segment,
    interval,
    amountMinor,
    mrrMinor: interval === 'year' ? Math.round(amountMinor / 12) : amountMinor,
    firstRenewalOffsetDays: random.next() * cycleDays,
    // Beta(2,2)-like: most debtors are neither saints nor lost causes.
    willingness: (random.next() + random.next()) / 2,
    provider,
    ...contactOf(random.fork('contact'), { index, market, segment, provider }, idTag, startAt),
    billingSegment: billingSegmentOf[segment],
  };
}
