import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { LocalRuntime } from '../../../infra/local/local-runtime.ts';
import type { OutboxMessage } from '../../../infra/local/outbox.ts';
import type { CurrencyMetrics } from '../../../shared/domain/finance-metrics.ts';
import {
  type StripeInvoiceEventOverrides,
  type StripeInvoiceEventType,
  signedStripeRequest,
  stripeInvoiceEvent,
} from '../../support/stripe-events.ts';

/** Talks to a running local runtime only through its public HTTP surface, as a user would. */
export class LocalRuntimeClient {
  /** Each delivery built here is a new Stripe event unless the caller fixes its id. */
  private eventSequence = 0;

  public constructor(private readonly runtime: LocalRuntime) {}

  public async now(): Promise<Date> {
    const response = await fetch(`${this.runtime.url}/local/clock`);
    const body = (await response.json()) as { now: string };
    return new Date(body.now);
  }

  public async advance(seconds: number): Promise<Date> {
    const response = await fetch(`${this.runtime.url}/local/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    });
    if (response.status !== 200)
      throw new Error(`advance answered ${response.status}: ${await response.text()}`);
    return new Date(((await response.json()) as { now: string }).now);
  }

  /** Advances the virtual clock to `at` (no-op when already past it). */
  public async advanceTo(at: string): Promise<Date> {
    const now = await this.now();
    return this.advance(Math.max(0, (Date.parse(at) - now.getTime()) / 1000));
  }

  public async outbox(): Promise<OutboxMessage[]> {
    return (await (await fetch(`${this.runtime.url}/local/outbox`)).json()) as OutboxMessage[];
  }

  /**
   * Builds a Stripe event created at the virtual now (unless overridden), signs it with the
   * runtime's secret at the virtual now, and posts it. Returns the event and the response.
   */
  /** A Stripe event created and signed at the virtual now (unless overridden), not yet delivered. */
  public async signStripeEvent(
    type: StripeInvoiceEventType,
    overrides: StripeInvoiceEventOverrides,
    options: { secret?: string; signedAt?: number } = {},
  ): Promise<{ eventId: string; payload: string; signature: string }> {
    const nowSeconds = Math.floor((await this.now()).getTime() / 1000);
    this.eventSequence += 1;
    const eventId = `evt_local_${String(this.eventSequence).padStart(6, '0')}`;
    const event = stripeInvoiceEvent(type, { created: nowSeconds, eventId, ...overrides });
    const { payload, signature } = signedStripeRequest(
      event,
      options.secret ?? this.runtime.stripeWebhookSecret,
      options.signedAt ?? nowSeconds,
    );
    return { eventId: event.id, payload, signature };
  }

  public async deliverStripeEvent(
    type: StripeInvoiceEventType,
    overrides: StripeInvoiceEventOverrides,
    options: { secret?: string; signedAt?: number } = {},
  ): Promise<{
    status: number;
    body: Record<string, unknown>;
    eventId: string;
    payload: string;
    signature: string;
  }> {
    const signed = await this.signStripeEvent(type, overrides, options);
    const { status, body } = await this.postStripe(signed.payload, signed.signature);
    return { status, body, ...signed };
  }

  public async postStripe(
    payload: string,
    signature: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.runtime.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  public async runJob(name: string): Promise<number> {
    const response = await fetch(`${this.runtime.url}/local/jobs/${name}/run`, { method: 'POST' });
    return response.status;
  }

  /** `GET /api/metrics` (docs/metrics.md): the period it covered and the metrics per currency. */
  public async metrics(
    query = '',
  ): Promise<{ period: { start: string; end: string; label: string }; currencies: CurrencyMetrics[] }> {
    const response = await fetch(`${this.runtime.url}/api/metrics${query}`);
    if (response.status !== 200) throw new Error(`metrics answered ${response.status}`);
    return (await response.json()) as {
      period: { start: string; end: string; label: string };
      currencies: CurrencyMetrics[];
    };
  }

  /** Every item of the table, for before/after comparisons. */
  public async tableSnapshot(): Promise<unknown[]> {
    const items: unknown[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.runtime.database.client.send(
        new ScanCommand({
          TableName: this.runtime.database.tableName,
          ...(startKey ? { ExclusiveStartKey: startKey as never } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }

  /**
   * Posts a provider payload to an operator injection route (`/local/inbound/sms`,
   * `/local/inbound/whatsapp`, `/local/events/ses`, `/local/events/sms-voice`).
   */
  public async inject(
    path: string,
    payload: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.runtime.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
}
