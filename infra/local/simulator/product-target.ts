import type { Strategy } from '../../../shared/domain/strategy.ts';
import {
  developmentChargebeeCredentials,
  developmentInhouseWebhookSecret,
  developmentPaddleWebhookSecret,
  developmentStripeWebhookSecret,
  type LocalRuntime,
  startLocalRuntime,
} from '../local-runtime.ts';
import { ProductClient } from './product-client.ts';
import type { ProviderCredentials } from './provider-event-factory.ts';

/** The product the simulator drives: its HTTP surface, its signing secret, and how to let go of it. */
export interface ProductTarget {
  readonly mode: 'in-process' | 'url';
  readonly client: ProductClient;
  readonly webhookSecret: string;
  /** What every billing provider's endpoint accepts (Stripe's secret is `webhookSecret`). */
  readonly credentials: ProviderCredentials;
  /** The runtime, when the simulator started it in its own process (benchmarks instrument it). */
  readonly runtime?: LocalRuntime;
  /** Failures the in-process runtime reported (journeys, jobs, requests). */
  readonly runtimeErrors: readonly string[];
  stop(): Promise<void>;
}

export interface InProcessTargetOptions {
  readonly clockStart: Date;
  readonly strategy?: Strategy;
  readonly webhookSecret?: string;
}

/** Who receives the monthly close when the simulator runs the product itself. */
export const simulatedFinanceTeam = 'finance@simulated.example';

/** Starts the whole product in this process, in memory, on a free port, with its clock at `clockStart`. */
export async function startInProcessTarget(options: InProcessTargetOptions): Promise<ProductTarget> {
  const runtimeErrors: string[] = [];
  const runtime = await startLocalRuntime({
    port: 0,
    clockStart: options.clockStart,
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.webhookSecret ? { stripeWebhookSecret: options.webhookSecret } : {}),
    // The monthly close runs on its schedule and is emailed, as `npm start` does by default, so a
    // run across a month's end shows it in the outbox (checked: `monthly-close-delivered`). The
    // daily and weekly reports stay off: rendering one a day would only slow the run down.
    scheduledReports: ['monthly'],
    reportRecipients: { monthly: [simulatedFinanceTeam] },
    log: (message, detail) =>
      runtimeErrors.push(detail instanceof Error ? `${message}: ${detail.message}` : message),
  });
  return {
    mode: 'in-process',
    client: new ProductClient(runtime.url),
    webhookSecret: runtime.stripeWebhookSecret,
    credentials: {
      stripe: runtime.stripeWebhookSecret,
      paddle: runtime.paddleWebhookSecret,
      chargebee: runtime.chargebeeCredentials,
      inhouse: runtime.inhouseWebhookSecret,
    },
    runtime,
    runtimeErrors,
    stop: () => runtime.stop(),
  };
}

/** A product already running (`npm start`) at `url`, signing with `webhookSecret`. */
export async function connectToRunningProduct(url: string, webhookSecret?: string): Promise<ProductTarget> {
  const client = new ProductClient(url.replace(/\/+$/, ''));
  if (!(await client.health())) {
    throw new Error(`no product answers at ${url}/health: start it with \`npm start\` first`);
  }
  const stripe = webhookSecret ?? process.env.STRIPE_WEBHOOK_SECRET ?? developmentStripeWebhookSecret;
  // The first secret of each list: a product rotating secrets accepts any of them.
  const first = (value: string): string => value.split(',')[0]?.trim() ?? value;
  return {
    mode: 'url',
    client,
    webhookSecret: stripe,
    credentials: {
      stripe,
      paddle: first(process.env.PADDLE_WEBHOOK_SECRET ?? developmentPaddleWebhookSecret),
      chargebee: first(process.env.CHARGEBEE_WEBHOOK_CREDENTIALS ?? developmentChargebeeCredentials),
      inhouse: first(process.env.INHOUSE_WEBHOOK_SECRET ?? developmentInhouseWebhookSecret),
    },
    runtimeErrors: [],
    stop: async () => undefined,
  };
}
