import { DateTime } from 'luxon';
import {
  type DeclineCategory,
  type DeclineCode,
  declineCodeMix,
  isRetriedByStripe,
  retrySuccessChance,
} from './decline-codes.ts';
import type { Segment, Subscriber } from './population.ts';
import type { SeededRandom, Weighted } from './seeded-random.ts';
import {
  customerUpdatedEvent,
  disputeEvent,
  type InvoiceEventType,
  type InvoiceState,
  invoiceEvent,
  paymentIntentFailedEvent,
  paymentMethodEvent,
  type SimulatedEvent,
  type SimulatedSubscriptionStatus,
  subscriptionEvent,
} from './stripe-event-factory.ts';

/**
 * A simulated Stripe Billing account: renews subscriptions on their billing calendar, fails
 * some payments with the decline-code mix of DOMAIN.md §2, runs Smart Retries (some invoices
 * recover silently), ends dunning by writing off, cancelling or leaving the invoice past due,
 * voids a few invoices, and applies the debtors' own actions (pay on the hosted page, update
 * the card). Every change emits the webhook event Stripe would send, at the moment it happens.
 */

export type DunningEnd = 'mark-uncollectible' | 'cancel-subscription' | 'leave-past-due';

/** How an invoice that failed ended up paid. */
export type RecoveryPath =
  | 'stripe-retry'
  | 'network-card-update'
  | 'debtor-paid-after-message'
  | 'debtor-updated-card-after-message'
  | 'debtor-kept-promise'
  | 'payment-plan'
  | 'self-cure';

export interface BillingPolicy {
  /** Chance that a renewal's first attempt fails, by segment (card-on-file SaaS: 5-12%). */
  readonly firstAttemptFailureRate: Record<Segment, number>;
  /** Smart Retries: days after the first failure of each automatic retry ("8 tries in 2 weeks"). */
  readonly smartRetryDays: readonly number[];
  /** How many of those retries each category gets (DOMAIN.md §2: none for hard declines). */
  readonly retriesByCategory: Record<DeclineCategory, number>;
  /** The subscription's "if all retries fail" setting, drawn per invoice (merchants differ). */
  readonly dunningEnd: readonly Weighted<DunningEnd>[];
  /** When Stripe does not retry, dunning still ends after this many days. */
  readonly dunningWindowDays: number;
  readonly merchantVoidRate: number;
  /** Share of expired cards the card network's account updater replaces by itself. */
  readonly networkUpdaterRate: number;
  /** Share of failed invoices paid out of band without any collection message. */
  readonly selfCureRate: number;
  /** Chance that a payment the debtor makes on the hosted page (or a retry on a new card) goes through. */
  readonly debtorPaymentSuccess: number;
  /**
   * Of the subscriptions left past due when dunning ends, the share whose merchant setting marks
   * them `unpaid` instead (Stripe's third "if all retries fail" option).
   */
  readonly markUnpaidShare: number;
}

export const defaultBillingPolicy: BillingPolicy = {
  firstAttemptFailureRate: { starter: 0.11, pro: 0.08, business: 0.06, enterprise: 0.05 },
  smartRetryDays: [1, 3, 5, 7, 9, 11, 14],
  retriesByCategory: {
    soft: 7,
    'soft-limited': 2,
    transient: 3,
    hard: 0,
    authentication: 0,
    fraud: 0,
    revocation: 0,
  },
  dunningEnd: [
    { value: 'mark-uncollectible', weight: 35 },
    { value: 'cancel-subscription', weight: 45 },
    { value: 'leave-past-due', weight: 20 },
  ],
  dunningWindowDays: 14,
  merchantVoidRate: 0.02,
  networkUpdaterRate: 0.35,
  selfCureRate: 0.04,
  debtorPaymentSuccess: 0.93,
  markUnpaidShare: 0.5,
};

export type BillingAction =
  | { readonly kind: 'renew'; readonly subscriber: number }
  | { readonly kind: 'smart-retry'; readonly invoiceId: string; readonly retry: number }
  | { readonly kind: 'dunning-end'; readonly invoiceId: string }
  | { readonly kind: 'merchant-void'; readonly invoiceId: string }
  | { readonly kind: 'network-card-update'; readonly subscriber: number }
  | { readonly kind: 'self-cure'; readonly invoiceId: string }
  | { readonly kind: 'new-card-retry'; readonly invoiceId: string; readonly path: RecoveryPath }
  | { readonly kind: 'email-added'; readonly subscriber: number };

/** One emitted webhook event, at the moment it happened (delivery is the runner's business). */
export interface EmittedEvent {
  readonly at: Date;
  readonly event: SimulatedEvent;
  /** The invoice the event is about, for invoice events. */
  readonly invoiceId?: string;
  readonly subscriber: number;
  /** The subscriber as billing holds them when the event happened (an email added late included). */
  readonly billedAs: Subscriber;
}

export interface InvoiceRecord {
  readonly subscriber: Subscriber;
  state: InvoiceState;
  firstFailedAt?: Date;
  /** Category of the first decline: what the debtor and Stripe react to. */
  category?: DeclineCategory;
  dunningEnd?: DunningEnd;
  recoveredBy?: RecoveryPath;
  /** The debtor's bank disputed the charge: Stripe stops retrying it. */
  disputedAt?: Date;
}

interface SubscriberAccount {
  /** As billing holds them now: the population's subscriber, with the email the merchant added late. */
  subscriber: Subscriber;
  readonly random: SeededRandom;
  /**
   * Draws of the subscription lifecycle, disputes and plans (ids, merchant settings): a stream of
   * its own, so these events do not shift the draws of the original billing model.
   */
  readonly lifecycleRandom: SeededRandom;
  /** Ids of the payment intent events sent beside each failure: a stream of its own too. */
  readonly paymentRandom: SeededRandom;
  /** Ids of the customer events (an email added late): a stream of its own too. */
  readonly contactRandom: SeededRandom;
  /** The late email's addition is scheduled (at the first failure). */
  lateEmailScheduled: boolean;
  subscriptionStatus: SimulatedSubscriptionStatus;
  /** Start of the current period (unix seconds). */
  periodStart: number;
  periodEnd: number;
  canceledAt: number | null;
  nextRenewal: Date;
  canceled: boolean;
  canceledForNonPayment: boolean;
  /** A decline that sticks to the card on file until it is replaced (hard, fraud, revocation). */
  badCard?: DeclineCode;
  cardSerial: number;
  invoiceSerial: number;
  invoices: InvoiceRecord[];
}

export interface BillingTallies {
  renewals: number;
  firstAttemptFailures: number;
  declineCodes: Record<string, number>;
  smartRetries: number;
  smartRetrySuccesses: number;
  recoveredBy: Record<RecoveryPath, number>;
  voided: number;
  markedUncollectible: number;
  subscriptionsCanceled: number;
  debtorPayments: number;
  debtorPaymentFailures: number;
  cardUpdates: number;
  networkCardUpdates: number;
  /** Debtor actions that found nothing left to pay (the invoice was already settled). */
  actionsOnSettledInvoices: number;
  /** `customer.subscription.*` events by the status they announce (`deleted` for deletions). */
  subscriptionEvents: Record<string, number>;
  disputes: number;
  /** Invoices settled out of band at the end of a payment plan. */
  paidByPlan: number;
  /** Customers billing held no email for, whose merchant added one after a failure. */
  emailsAddedLate: number;
}

const hour = 3600 * 1000;
const day = 24 * hour;

function wholeSecond(at: number): Date {
  return new Date(Math.ceil(at / 1000) * 1000);
}

function unix(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

export class SimulatedBilling {
  private readonly accounts: SubscriberAccount[];
  private readonly invoices = new Map<string, InvoiceRecord>();
  public readonly tallies: BillingTallies = {
    renewals: 0,
    firstAttemptFailures: 0,
    declineCodes: {},
    smartRetries: 0,
    smartRetrySuccesses: 0,
    recoveredBy: {
      'stripe-retry': 0,
      'network-card-update': 0,
      'debtor-paid-after-message': 0,
      'debtor-updated-card-after-message': 0,
      'debtor-kept-promise': 0,
      'payment-plan': 0,
      'self-cure': 0,
    },
    voided: 0,
    markedUncollectible: 0,
    subscriptionsCanceled: 0,
    debtorPayments: 0,
    debtorPaymentFailures: 0,
    cardUpdates: 0,
    networkCardUpdates: 0,
    actionsOnSettledInvoices: 0,
    subscriptionEvents: {},
    disputes: 0,
    paidByPlan: 0,
    emailsAddedLate: 0,
  };

  public constructor(
    population: readonly Subscriber[],
    random: SeededRandom,
    private readonly policy: BillingPolicy,
    private readonly idTag: string,
    private readonly schedule: (at: Date, action: BillingAction) => void,
    private readonly emit: (emitted: EmittedEvent) => void,
  ) {
    this.accounts = population.map((subscriber) => ({
      subscriber,
      random: random.fork(`billing-${subscriber.index}`),
      lifecycleRandom: random.fork(`billing-${subscriber.index}/lifecycle`),
      paymentRandom: random.fork(`billing-${subscriber.index}/payments`),
      contactRandom: random.fork(`billing-${subscriber.index}/contact`),
      lateEmailScheduled: false,
      subscriptionStatus: 'active',
      periodStart: 0,
      periodEnd: 0,
      canceledAt: null,
      nextRenewal: new Date(0),
      canceled: false,
      canceledForNonPayment: false,
      cardSerial: 0,
      invoiceSerial: 0,
      invoices: [],
    }));
  }

  /** Schedules every subscriber's first renewal inside the run. */
  public start(startAt: Date): void {
    for (const account of this.accounts) {
      account.nextRenewal = wholeSecond(startAt.getTime() + account.subscriber.firstRenewalOffsetDays * day);
      this.schedule(account.nextRenewal, { kind: 'renew', subscriber: account.subscriber.index });
    }
  }

  public invoice(invoiceId: string): InvoiceRecord | undefined {
    return this.invoices.get(invoiceId);
  }

  public allInvoices(): InvoiceRecord[] {
    return [...this.invoices.values()];
  }

  public subscriberAccount(index: number): Readonly<SubscriberAccount> {
    return this.account(index);
  }

  /** The categories of the debtor's unpaid invoices and whether the subscription was cancelled. */
  public situationOf(index: number): { declineCategories: DeclineCategory[]; subscriptionCanceled: boolean } {
    const account = this.account(index);
    return {
      declineCategories: this.unpaid(account).flatMap((record) => (record.category ? [record.category] : [])),
      subscriptionCanceled: account.canceled,
    };
  }

  public handle(action: BillingAction, now: Date): void {
    switch (action.kind) {
      case 'renew':
        this.renew(this.account(action.subscriber), now);
        return;
      case 'smart-retry':
        this.smartRetry(action.invoiceId, action.retry, now);
        return;
      case 'dunning-end':
        this.endDunning(action.invoiceId, now);
        return;
      case 'merchant-void':
        this.voidInvoice(action.invoiceId, now);
        return;
      case 'network-card-update':
        this.networkCardUpdate(this.account(action.subscriber), now);
        return;
      case 'self-cure':
        this.selfCure(action.invoiceId, now);
        return;
      case 'new-card-retry':
        this.newCardRetry(action.invoiceId, action.path, now);
        return;
      case 'email-added':
        this.addLateEmail(this.account(action.subscriber), now);
        return;
    }
  }

  /** The debtor pays every unpaid invoice on the hosted invoice page. */
  public debtorPays(index: number, now: Date, path: RecoveryPath = 'debtor-paid-after-message'): boolean {
    const account = this.account(index);
    const unpaid = this.unpaid(account);
    if (unpaid.length === 0) {
      this.tallies.actionsOnSettledInvoices += 1;
      return false;
    }
    for (const record of unpaid) {
      this.tallies.debtorPayments += 1;
      if (account.random.chance(this.policy.debtorPaymentSuccess)) {
        this.pay(record, now, path, account.random.id('req', 14));
      } else {
        this.tallies.debtorPaymentFailures += 1;
        this.fail(record, now, this.drawDecline(account.random, 'soft'), null, true);
      }
    }
    return true;
  }

  /** The debtor attaches a new card; Stripe then retries the unpaid invoices on it. */
  public debtorUpdatesCard(index: number, now: Date): boolean {
    const account = this.account(index);
    const unpaid = this.unpaid(account);
    if (unpaid.length === 0) {
      this.tallies.actionsOnSettledInvoices += 1;
      return false;
    }
    this.tallies.cardUpdates += 1;
    delete account.badCard;
    account.cardSerial += 1;
    this.emitEvent(account, now, undefined, (eventId) =>
      paymentMethodEvent('payment_method.attached', account.subscriber, this.paymentMethodId(account), {
        eventId,
        created: unix(now),
        requestId: account.random.id('req', 14),
        last4: String(1000 + account.random.int(0, 8999)),
        expYear: DateTime.fromJSDate(now).year + account.random.int(2, 5),
      }),
    );
    for (const record of unpaid) {
      this.schedule(wholeSecond(now.getTime() + account.random.int(2, 15) * 60_000), {
        kind: 'new-card-retry',
        invoiceId: record.state.invoiceId,
        path: 'debtor-updated-card-after-message',
      });
    }
    return true;
  }

  /**
   * The debtor's bank disputes the charge of the oldest unpaid invoice's latest attempt
   * (`charge.dispute.created`). Stripe stops retrying a disputed invoice. Returns the invoice, or
   * undefined when nothing unpaid carries a charge.
   */
  public debtorDisputes(index: number, now: Date): string | undefined {
    const account = this.account(index);
    const record = this.unpaid(account).find(
      (candidate) => candidate.state.lastDecline !== null && candidate.disputedAt === undefined,
    );
    if (record === undefined || record.state.lastDecline === null) {
      this.tallies.actionsOnSettledInvoices += 1;
      return undefined;
    }
    record.disputedAt = now;
    this.tallies.disputes += 1;
    const { chargeId } = record.state.lastDecline;
    const disputeId = account.lifecycleRandom.id('du', 24);
    this.emitEvent(
      account,
      now,
      record.state.invoiceId,
      (eventId) =>
        disputeEvent(
          {
            subscriber: account.subscriber,
            disputeId,
            chargeId,
            paymentIntentId: record.state.paymentIntentId,
            invoiceId: record.state.invoiceId,
            amountMinor: record.state.amountMinor,
            createdAt: unix(now),
          },
          { eventId, created: unix(now), requestId: null },
        ),
      account.lifecycleRandom,
    );
    return record.state.invoiceId;
  }

  /**
   * The product settled these invoices out of band at the end of a payment plan it collected
   * (`invoices.pay` with `paid_out_of_band`): Stripe marks them paid and sends `invoice.paid`.
   */
  public settleByPlan(invoiceIds: readonly string[], now: Date): number {
    let settled = 0;
    for (const invoiceId of invoiceIds) {
      const record = this.invoices.get(invoiceId);
      if (record === undefined) continue;
      if (record.state.status !== 'open' && record.state.status !== 'uncollectible') continue;
      this.tallies.paidByPlan += 1;
      settled += 1;
      this.pay(
        record,
        now,
        'payment-plan',
        this.account(record.subscriber.index).lifecycleRandom.id('req', 14),
      );
    }
    return settled;
  }

  /** Unpaid invoices of a subscriber, oldest first. */
  public unpaidInvoices(index: number): readonly InvoiceRecord[] {
    return this.unpaid(this.account(index));
  }

  private account(index: number): SubscriberAccount {
    const account = this.accounts[index];
    if (account === undefined) throw new RangeError(`no subscriber ${index}`);
    return account;
  }

  private unpaid(account: SubscriberAccount): InvoiceRecord[] {
    return account.invoices.filter(
      (record) => record.state.status === 'open' || record.state.status === 'uncollectible',
    );
  }

  private paymentMethodId(account: SubscriberAccount): string {
    return `pm_${account.subscriber.customerId.slice(4)}C${account.cardSerial}`;
  }

  private renew(account: SubscriberAccount, now: Date): void {
    if (account.canceled) return;
    const { subscriber, random } = account;
    const next = DateTime.fromJSDate(now, { zone: 'UTC' })
      .plus(subscriber.interval === 'year' ? { years: 1 } : { months: 1 })
      .toJSDate();
    account.nextRenewal = next;
    account.periodStart = unix(now);
    account.periodEnd = unix(next);
    this.schedule(next, { kind: 'renew', subscriber: subscriber.index });
    this.tallies.renewals += 1;
    account.invoiceSerial += 1;
    const invoiceId = `in_${this.idTag}${random.token(14)}`;
    const record: InvoiceRecord = {
      subscriber,
      state: {
        invoiceId,
        number: `${subscriber.customerId.slice(-8).toUpperCase()}-${String(account.invoiceSerial).padStart(4, '0')}`,
        subscriber,
        amountMinor: subscriber.amountMinor,
        // Stripe drafts the renewal invoice, finalizes it about an hour later and charges the card.
        createdAt: unix(now) - 3600,
        periodStart: unix(now),
        periodEnd: unix(next),
        status: 'open',
        attemptCount: 0,
        nextPaymentAttempt: null,
        paidAt: null,
        voidedAt: null,
        markedUncollectibleAt: null,
        lastDecline: null,
        paymentIntentId: random.id('pi', 24),
        paymentMethodId: this.paymentMethodId(account),
      },
    };
    account.invoices.push(record);
    this.invoices.set(invoiceId, record);

    // A card that failed hard keeps failing; a debtor still in arrears is likelier to be short again.
    const inArrears = this.unpaid(account).length > 1;
    const failureRate = inArrears ? 0.5 : this.policy.firstAttemptFailureRate[subscriber.segment];
    const decline = account.badCard ?? (random.chance(failureRate) ? this.drawDecline(random) : undefined);
    if (decline === undefined) {
      this.pay(record, now, undefined, null);
      return;
    }
    this.tallies.firstAttemptFailures += 1;
    this.tallies.declineCodes[decline.code] = (this.tallies.declineCodes[decline.code] ?? 0) + 1;
    record.category = decline.category;
    record.firstFailedAt = now;
    if (decline.category === 'hard' || decline.category === 'fraud' || decline.category === 'revocation') {
      account.badCard = decline;
    }
    const retries = isRetriedByStripe(decline.category) ? this.policy.retriesByCategory[decline.category] : 0;
    const retryAt = retries > 0 ? this.retryTime(record, 1, random) : null;
    this.fail(record, now, decline, retryAt, false);
    // Stripe moves the subscription to past_due when a renewal's payment fails.
    this.moveSubscription(account, now, 'past_due');
    if (retryAt) this.schedule(retryAt, { kind: 'smart-retry', invoiceId, retry: 1 });
    else
      this.schedule(wholeSecond(now.getTime() + this.policy.dunningWindowDays * day), {
        kind: 'dunning-end',
        invoiceId,
      });

    if (random.chance(this.policy.merchantVoidRate)) {
      this.schedule(wholeSecond(now.getTime() + random.int(1, 20) * day + random.int(0, 23) * hour), {
        kind: 'merchant-void',
        invoiceId,
      });
    }
    if (decline.code === 'expired_card' && random.chance(this.policy.networkUpdaterRate)) {
      this.schedule(wholeSecond(now.getTime() + random.int(6, 6 * 24) * hour), {
        kind: 'network-card-update',
        subscriber: subscriber.index,
      });
    }
    if (random.chance(this.policy.selfCureRate)) {
      this.schedule(wholeSecond(now.getTime() + random.int(2, 10 * 24) * hour), {
        kind: 'self-cure',
        invoiceId,
      });
    }
  }

  /** When retry number `retry` (1-based) happens: issuer hiccups are retried within hours. */
  private retryTime(record: InvoiceRecord, retry: number, random: SeededRandom): Date {
    const first = record.firstFailedAt ?? new Date(record.state.periodStart * 1000);
    if (record.category === 'transient' && retry === 1) {
      return wholeSecond(first.getTime() + random.int(1, 4) * hour);
    }
    const days = this.policy.smartRetryDays[retry - 1] ?? retry * 2;
    return wholeSecond(first.getTime() + days * day + random.int(-6, 6) * hour);
  }

  private smartRetry(invoiceId: string, retry: number, now: Date): void {
    const record = this.invoices.get(invoiceId);
    if (record === undefined || record.state.status !== 'open' || record.category === undefined) return;
    // A disputed charge is not retried: the bank took the money back, the customer contests it.
    if (record.disputedAt !== undefined) return;
    const account = this.account(record.subscriber.index);
    this.tallies.smartRetries += 1;
    const succeeds =
      account.badCard === undefined && account.random.chance(retrySuccessChance(record.category, retry));
    if (succeeds) {
      this.tallies.smartRetrySuccesses += 1;
      this.pay(record, now, 'stripe-retry', null);
      return;
    }
    const retries = this.policy.retriesByCategory[record.category];
    const nextAt = retry < retries ? this.retryTime(record, retry + 1, account.random) : null;
    const decline = account.badCard ?? record.state.lastDecline?.decline ?? this.drawDecline(account.random);
    this.fail(record, now, decline, nextAt, false);
    if (nextAt) this.schedule(nextAt, { kind: 'smart-retry', invoiceId, retry: retry + 1 });
    else this.schedule(wholeSecond(now.getTime() + 60_000), { kind: 'dunning-end', invoiceId });
  }

  private endDunning(invoiceId: string, now: Date): void {
    const record = this.invoices.get(invoiceId);
    if (record === undefined || record.state.status !== 'open' || record.dunningEnd !== undefined) return;
    const account = this.account(record.subscriber.index);
    const drawn = account.random.weighted(this.policy.dunningEnd);
    // Paddle has no write-off: when its retries run out it cancels the subscription.
    const end =
      drawn === 'mark-uncollectible' && account.subscriber.provider === 'paddle'
        ? 'cancel-subscription'
        : drawn;
    record.dunningEnd = end;
    if (end === 'leave-past-due') {
      // Drawn from the lifecycle stream: the original model's draws stay as they were.
      if (account.lifecycleRandom.chance(this.policy.markUnpaidShare))
        this.moveSubscription(account, now, 'unpaid');
      return;
    }
    if (!account.canceled) {
      account.canceled = true;
      account.canceledForNonPayment = true;
      this.tallies.subscriptionsCanceled += 1;
      // Cancelled for non-payment: involuntary churn (DOMAIN.md §1, §6).
      account.canceledAt = unix(now);
      this.moveSubscription(account, now, 'canceled');
    }
    if (end === 'mark-uncollectible') {
      this.tallies.markedUncollectible += 1;
      record.state = { ...record.state, status: 'uncollectible', markedUncollectibleAt: unix(now) };
      this.emitInvoice(account, record, now, 'invoice.marked_uncollectible', null);
    }
  }

  private voidInvoice(invoiceId: string, now: Date): void {
    const record = this.invoices.get(invoiceId);
    if (record === undefined) return;
    if (record.state.status !== 'open' && record.state.status !== 'uncollectible') return;
    const account = this.account(record.subscriber.index);
    this.tallies.voided += 1;
    record.state = { ...record.state, status: 'void', voidedAt: unix(now) };
    this.emitInvoice(account, record, now, 'invoice.voided', account.random.id('req', 14));
    if (this.unpaid(account).length === 0) this.moveSubscription(account, now, 'active');
  }

  private networkCardUpdate(account: SubscriberAccount, now: Date): void {
    if (account.badCard?.code !== 'expired_card') return;
    this.tallies.networkCardUpdates += 1;
    delete account.badCard;
    this.emitEvent(account, now, undefined, (eventId) =>
      paymentMethodEvent(
        'payment_method.automatically_updated',
        account.subscriber,
        this.paymentMethodId(account),
        {
          eventId,
          created: unix(now),
          requestId: null,
          last4: String(1000 + account.random.int(0, 8999)),
          expYear: DateTime.fromJSDate(now).year + 3,
        },
      ),
    );
    for (const record of this.unpaid(account)) {
      if (record.state.status !== 'open') continue;
      this.schedule(wholeSecond(now.getTime() + account.random.int(1, 6) * hour), {
        kind: 'new-card-retry',
        invoiceId: record.state.invoiceId,
        path: 'network-card-update',
      });
    }
  }

  private selfCure(invoiceId: string, now: Date): void {
    const record = this.invoices.get(invoiceId);
    if (record === undefined || record.state.status !== 'open') return;
    const account = this.account(record.subscriber.index);
    this.pay(record, now, 'self-cure', account.random.id('req', 14));
  }

  private newCardRetry(invoiceId: string, path: RecoveryPath, now: Date): void {
    const record = this.invoices.get(invoiceId);
    if (record === undefined) return;
    if (record.state.status !== 'open' && record.state.status !== 'uncollectible') return;
    const account = this.account(record.subscriber.index);
    if (account.random.chance(this.policy.debtorPaymentSuccess)) {
      this.pay(record, now, path, null);
    } else {
      this.fail(record, now, this.drawDecline(account.random, 'soft'), null, true);
    }
  }

  private drawDecline(random: SeededRandom, only?: DeclineCategory): DeclineCode {
    const mix = only ? declineCodeMix.filter((option) => option.value.category === only) : declineCodeMix;
    return random.weighted(mix);
  }

  private pay(
    record: InvoiceRecord,
    now: Date,
    path: RecoveryPath | undefined,
    requestId: string | null,
  ): void {
    const account = this.account(record.subscriber.index);
    if (path !== undefined) {
      record.recoveredBy = path;
      this.tallies.recoveredBy[path] += 1;
    }
    record.state = {
      ...record.state,
      status: 'paid',
      attemptCount: record.state.attemptCount + 1,
      nextPaymentAttempt: null,
      paidAt: unix(now),
    };
    this.emitInvoice(account, record, now, 'invoice.paid', requestId);
    if (this.unpaid(account).length === 0) this.moveSubscription(account, now, 'active');
  }

  private fail(
    record: InvoiceRecord,
    now: Date,
    decline: DeclineCode,
    nextAttempt: Date | null,
    byDebtor: boolean,
  ): void {
    const account = this.account(record.subscriber.index);
    record.state = {
      ...record.state,
      attemptCount: record.state.attemptCount + 1,
      nextPaymentAttempt: nextAttempt ? unix(nextAttempt) : null,
      lastDecline: { decline, chargeId: account.random.id('ch', 24) },
    };
    const requestId = byDebtor ? account.random.id('req', 14) : null;
    this.emitInvoice(account, record, now, 'invoice.payment_failed', requestId);
    const { lateEmail } = account.subscriber;
    if (lateEmail !== undefined && !account.lateEmailScheduled) {
      account.lateEmailScheduled = true;
      this.schedule(wholeSecond(now.getTime() + lateEmail.afterFirstFailureDays * day), {
        kind: 'email-added',
        subscriber: account.subscriber.index,
      });
    }
    // Stripe sends the attempt's card error with the payment intent; the other providers put it in
    // their failure event, which their factories write from the invoice event alone.
    if (account.subscriber.provider !== 'stripe') return;
    const state = record.state;
    this.emitEvent(
      account,
      now,
      state.invoiceId,
      (eventId) => paymentIntentFailedEvent(state, { eventId, created: unix(now), requestId }),
      account.paymentRandom,
    );
  }

  /**
   * The merchant adds the email billing lacked (support asked the customer for it): invoices from
   * now on carry it, and billing sends a customer event (the ones already issued keep theirs, as
   * Stripe's invoices keep the `customer_email` they were finalized with).
   */
  private addLateEmail(account: SubscriberAccount, now: Date): void {
    const { lateEmail } = account.subscriber;
    if (lateEmail === undefined || account.subscriber.email !== undefined) return;
    account.subscriber = { ...account.subscriber, email: lateEmail.email };
    this.tallies.emailsAddedLate += 1;
    this.emitEvent(
      account,
      now,
      undefined,
      (eventId) =>
        customerUpdatedEvent(account.subscriber, {
          eventId,
          created: unix(now),
          requestId: account.contactRandom.id('req', 14),
        }),
      account.contactRandom,
    );
  }

  private emitInvoice(
    account: SubscriberAccount,
    record: InvoiceRecord,
    now: Date,
    type: InvoiceEventType,
    requestId: string | null,
  ): void {
    const state = record.state;
    this.emitEvent(account, now, state.invoiceId, (eventId) =>
      invoiceEvent(type, state, { eventId, created: unix(now), requestId }),
    );
  }

  /**
   * Moves the subscription to `status` and emits the event Stripe sends: `updated` with the
   * previous status, or `deleted` when it is cancelled. A cancelled subscription stays cancelled.
   */
  private moveSubscription(account: SubscriberAccount, now: Date, status: SimulatedSubscriptionStatus): void {
    const previous = account.subscriptionStatus;
    if (previous === status || previous === 'canceled') return;
    account.subscriptionStatus = status;
    const type = status === 'canceled' ? 'customer.subscription.deleted' : 'customer.subscription.updated';
    const key = status === 'canceled' ? 'deleted' : status;
    this.tallies.subscriptionEvents[key] = (this.tallies.subscriptionEvents[key] ?? 0) + 1;
    this.emitEvent(
      account,
      now,
      undefined,
      (eventId) =>
        subscriptionEvent(
          type,
          {
            subscriber: account.subscriber,
            status,
            periodStart: account.periodStart,
            periodEnd: account.periodEnd,
            canceledAt: account.canceledAt,
          },
          previous,
          { eventId, created: unix(now), requestId: null },
        ),
      account.lifecycleRandom,
    );
  }

  private emitEvent(
    account: SubscriberAccount,
    now: Date,
    invoiceId: string | undefined,
    build: (eventId: string) => SimulatedEvent,
    random: SeededRandom = account.random,
  ): void {
    const event = build(`evt_${this.idTag}${random.token(16)}`);
    this.emit({
      at: now,
      event,
      subscriber: account.subscriber.index,
      billedAs: account.subscriber,
      ...(invoiceId ? { invoiceId } : {}),
    });
  }
}
