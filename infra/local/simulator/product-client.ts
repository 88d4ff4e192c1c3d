import { journeyTemplateOfWhatsApp } from '../../../shared/domain/whatsapp-message.ts';
import type { LocalCaseView } from '../case-snapshot.ts';
import type { LocalExecution } from '../local-journey-engine.ts';
import type { OutboxEntry, OutboxMessage, OutboxReport } from '../outbox.ts';
import type { CohortMetricsRow } from './invariants.ts';
import { productRequest } from './product-http.ts';

/**
 * What the simulator reads of an outbox message (the full message also carries the bodies).
 * Journey steps carry their case and template; an automatic reply (a STOP confirmation) may have neither.
 */
export type ObservedMessage = Pick<
  OutboxMessage,
  'id' | 'channel' | 'to' | 'customerId' | 'caseId' | 'stepId' | 'template' | 'sentAt'
> & {
  /** The signed portal link in the text, as the debtor would click it. */
  readonly portalLink?: string;
  /** The number a text came from, where a reply goes (SMS and voice). */
  readonly originationIdentity?: string;
  /** The one-click unsubscribe link in an email's footer. */
  readonly unsubscribeLink?: string;
  /** A finance report the product emailed (`kind: 'report'`): its id and its files. */
  readonly report?: EmailedReport;
};

/** A finance report as it arrived in the outbox: the id, when, and the names of its files. */
export interface EmailedReport {
  readonly reportId: string;
  readonly sentAt: string;
  /** Inline charts (`*.png`) and attached CSV files, in the email's order. */
  readonly files: readonly string[];
}

const unsubscribeLinkPattern = /https?:\/\/[^\s"'<>]+\/portal\/u\/u1\.[A-Za-z0-9_-]+/;

/** The unsubscribe link an email's text carries. */
export function unsubscribeLinkIn(text: string): string | undefined {
  return unsubscribeLinkPattern.exec(text)?.[0];
}

const portalLinkPattern = /https?:\/\/[^\s"'<>]+\/portal\/l\/[A-Za-z0-9._~-]+/;

/** The signed portal link a message's text carries. */
export function portalLinkIn(text: string): string | undefined {
  return portalLinkPattern.exec(text)?.[0];
}

/** A message sent for a case: a journey step (automatic replies may have no case). */
export type CaseMessage = ObservedMessage & { readonly caseId: string };

export function isCaseMessage(message: ObservedMessage): message is CaseMessage {
  return message.caseId !== undefined;
}

/** What the simulator reads of one outbox entry. */
function observedMessage(entry: OutboxEntry): ObservedMessage {
  const { id, channel, to, customerId, caseId, stepId, template, sentAt, body, request, ...rest } = entry;
  const report =
    'kind' in rest && rest.kind === 'report'
      ? {
          reportId: (rest as OutboxReport).reportId,
          sentAt,
          files: (rest as OutboxReport).attachments.map((attachment) => attachment.fileName),
        }
      : undefined;
  const portalLink = portalLinkIn(body);
  const unsubscribeLink = channel === 'email' ? unsubscribeLinkIn(body) : undefined;
  const origination =
    'OriginationIdentity' in request && typeof request.OriginationIdentity === 'string'
      ? request.OriginationIdentity
      : undefined;
  return {
    id,
    channel,
    to,
    customerId,
    stepId,
    sentAt,
    ...(caseId === undefined ? {} : { caseId }),
    // A WhatsApp template is named as registered with Meta: read it as its journey template.
    ...(template === undefined
      ? {}
      : { template: (channel === 'whatsapp' && journeyTemplateOfWhatsApp(template)) || template }),
    ...(portalLink === undefined ? {} : { portalLink }),
    ...(unsubscribeLink === undefined ? {} : { unsubscribeLink }),
    ...(origination === undefined ? {} : { originationIdentity: origination }),
    ...(report === undefined ? {} : { report }),
  };
}

export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class ProductRequestError extends Error {
  public constructor(
    message: string,
    public readonly status: number,
  ) {
    super(message);
    this.name = 'ProductRequestError';
  }
}

/**
 * The product's public local surfaces over HTTP, nothing else: the Stripe webhook, the virtual
 * clock, the outbox, journeys, cases, jobs and the metrics API. Works the same against
 * `npm start` and against a runtime the simulator started in its own process.
 */
export class ProductClient {
  /** Whether work the last request started (a journey on its way to its first Wait) may still run. */
  private unsettled = false;

  public constructor(public readonly baseUrl: string) {}

  /**
   * Lets what the last request started settle before the next request, as
   * `POST /local/clock/advance {"seconds": 0}` does, so interleavings do not depend on the machine's
   * speed. A clock advance settles before it moves time: when one comes next, no request is spent.
   */
  public settleBeforeNextRequest(): void {
    this.unsettled = true;
  }

  /** Settles now if the last request asked for it (requests made elsewhere, e.g. by a portal visitor, call it first). */
  public async settle(): Promise<void> {
    if (!this.unsettled) return;
    await this.advance(0);
  }

  public async health(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/health`);
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Whether the collections product answers here: its health and its virtual clock, within a second. */
  public async isCollectionsProduct(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/local/clock`, { signal: AbortSignal.timeout(1000) });
      if (response.status !== 200) return false;
      const body = (await response.json()) as { now?: unknown };
      return typeof body.now === 'string' && (await this.health());
    } catch {
      return false;
    }
  }

  public async now(): Promise<Date> {
    const body = await this.json<{ now: string }>('GET', '/local/clock');
    return new Date(body.now);
  }

  /** Moves virtual time forward and waits until everything that fell due has run. */
  public async advance(seconds: number): Promise<Date> {
    this.unsettled = false;
    const body = await this.json<{ now: string }>('POST', '/local/clock/advance', { seconds });
    return new Date(body.now);
  }

  /** The finance reports archived so far (`GET /local/reports`), by id. */
  public async archivedReports(): Promise<string[]> {
    const reports = await this.json<{ reportId: string }[]>('GET', '/local/reports');
    return reports.map((report) => report.reportId);
  }

  /** Messages after the first `offset` ones, oldest first. */
  public async outbox(offset: number): Promise<ObservedMessage[]> {
    const messages = await this.json<OutboxEntry[]>('GET', `/local/outbox?offset=${offset}`);
    return messages.map(observedMessage);
  }

  /**
   * Advances the clock by `seconds` and answers with the outbox's messages after the first
   * `outboxFrom`, in one round trip. With `repeatUntil`, the product keeps stepping by `seconds`
   * (the last step ending there) while nothing new is in the outbox: the same steps as asking for
   * them one by one and reading the outbox after each.
   */
  public async advanceAndRead(request: {
    readonly seconds: number;
    readonly outboxFrom: number;
    readonly repeatUntil?: Date;
  }): Promise<{ now: Date; steps: number; messages: ObservedMessage[] }> {
    this.unsettled = false;
    const body = await this.json<{ now: string; steps: number; outbox: OutboxEntry[] }>(
      'POST',
      '/local/clock/advance',
      {
        seconds: request.seconds,
        outboxFrom: request.outboxFrom,
        ...(request.repeatUntil === undefined ? {} : { repeatUntil: request.repeatUntil.toISOString() }),
      },
    );
    return { now: new Date(body.now), steps: body.steps, messages: body.outbox.map(observedMessage) };
  }

  /** Posts a provider payload to an injection route (`/local/inbound/sms`, `/local/events/ses`...). */
  public async inject(path: string, payload: unknown): Promise<WebhookAnswer> {
    return this.post(path, JSON.stringify(payload), { 'content-type': 'application/json' });
  }

  /** Follows an email's unsubscribe link the way a mail provider's one-click button does (RFC 8058). */
  public async unsubscribe(link: string): Promise<WebhookAnswer> {
    const url = new URL(link);
    return this.post(`${url.pathname}${url.search}`, 'List-Unsubscribe=One-Click', {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  /**
   * Sets how the local stand-in for the provider's API treats the customer's card on file
   * (`POST /local/payments/cards`): the product charges plan instalments through it.
   */
  public async setCard(customerId: string, behaviour: 'approve' | 'decline'): Promise<void> {
    await this.json('POST', '/local/payments/cards', { customerId, behaviour });
  }

  /** Posts one authenticated delivery of another billing provider to its webhook route. */
  public async postWebhook(
    path: string,
    payload: string,
    headers: Record<string, string>,
  ): Promise<WebhookAnswer> {
    return this.post(path, payload, { 'content-type': 'application/json', ...headers });
  }

  public executions(): Promise<LocalExecution[]> {
    return this.json<LocalExecution[]>('GET', '/local/executions');
  }

  public cases(): Promise<LocalCaseView[]> {
    return this.json<LocalCaseView[]>('GET', '/local/cases');
  }

  public async runJob(name: string): Promise<void> {
    await this.json('POST', `/local/jobs/${name}/run`);
  }

  /** The failure cohort of each month (`YYYY-MM`) per currency, from the finance metrics API. */
  public async cohortMetrics(months: readonly string[]): Promise<CohortMetricsRow[]> {
    const answers = await Promise.all(
      months.map(async (month) => ({
        month,
        answer: await this.json<{
          currencies: { currency: string; cohort: Omit<CohortMetricsRow, 'cohortMonth' | 'currency'> }[];
        }>('GET', `/api/metrics?period=${month}`),
      })),
    );
    return answers.flatMap(({ month, answer }) =>
      answer.currencies.map(({ currency, cohort }) => ({
        cohortMonth: month,
        currency,
        failedAmountMinor: cohort.failedAmountMinor,
        failedCount: cohort.failedCount,
        recoveredAmountMinor: cohort.recoveredAmountMinor,
        recoveredCount: cohort.recoveredCount,
        recoveryRateAmount: cohort.recoveryRateAmount,
        recoveryRateCount: cohort.recoveryRateCount,
      })),
    );
  }

  /** Posts one signed Stripe delivery; any HTTP answer is returned (the caller judges it). */
  public async postStripe(payload: string, signature: string): Promise<WebhookAnswer> {
    return this.post('/webhooks/stripe', payload, {
      'content-type': 'application/json',
      'stripe-signature': signature,
    });
  }

  private async post(path: string, payload: string, headers: Record<string, string>): Promise<WebhookAnswer> {
    await this.settle();
    const { status, text } = await productRequest(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: payload,
    });
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { raw: text.slice(0, 200) };
    }
    return { status, body };
  }

  private async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    // A clock advance settles by itself (and clears the flag before it gets here).
    await this.settle();
    const { status, text } = await productRequest(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (status !== 200) {
      throw new ProductRequestError(`${method} ${path} answered ${status}: ${text.slice(0, 300)}`, status);
    }
    return JSON.parse(text) as T;
  }
}
