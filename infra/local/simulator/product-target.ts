import type { Strategy } from '../../../shared/domain/strategy.ts';
import { developmentStripeWebhookSecret, type LocalRuntime, startLocalRuntime } from '../local-runtime.ts';
import { ProductClient } from './product-client.ts';

/** The product the simulator drives: its HTTP surface, its signing secret, and how to let go of it. */
export interface ProductTarget {
  readonly mode: 'in-process' | 'url';
  readonly client: ProductClient;
  readonly webhookSecret: string;
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

/** Starts the whole product in this process, in memory, on a free port, with its clock at `clockStart`. */
export async function startInProcessTarget(options: InProcessTargetOptions): Promise<ProductTarget> {
  const runtimeErrors: string[] = [];
  const runtime = await startLocalRuntime({
    port: 0,
    clockStart: options.clockStart,
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.webhookSecret ? { stripeWebhookSecret: options.webhookSecret } : {}),
    log: (message, detail) =>
      runtimeErrors.push(detail instanceof Error ? `${message}: ${detail.message}` : message),
  });
  return {
    mode: 'in-process',
    client: new ProductClient(runtime.url),
    webhookSecret: runtime.stripeWebhookSecret,
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
  return {
    mode: 'url',
    client,
    webhookSecret: webhookSecret ?? process.env.STRIPE_WEBHOOK_SECRET ?? developmentStripeWebhookSecret,
    runtimeErrors: [],
    stop: async () => undefined,
  };
}
