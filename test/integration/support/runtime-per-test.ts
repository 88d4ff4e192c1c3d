import { afterEach, beforeEach, expect } from 'vitest';
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from '../../../infra/local/local-runtime.ts';
import { LocalRuntimeClient } from './local-runtime-client.ts';

/** The runtime of the running test, the client that talks to it, and what it logged as failed. */
export interface RuntimePerTest {
  readonly runtime: LocalRuntime;
  readonly client: LocalRuntimeClient;
  readonly failures: readonly string[];
}

/**
 * A fresh in-memory local runtime for every test of the enclosing `describe`, stopped after it.
 * A test fails when the runtime logged a failure while it ran (a journey, job or request that
 * failed), so a scenario cannot pass while the product broke behind it. `options` is read at each
 * start; the port is a free one.
 */
export function localRuntimePerTest(
  options: () => Omit<LocalRuntimeOptions, 'port' | 'log'> = () => ({}),
): RuntimePerTest {
  const failures: string[] = [];
  let current: { runtime: LocalRuntime; client: LocalRuntimeClient } | undefined;
  const started = () => {
    if (current === undefined) throw new Error('the local runtime runs only inside a test');
    return current;
  };

  beforeEach(async () => {
    failures.length = 0;
    const runtime = await startLocalRuntime({
      ...options(),
      port: 0,
      log: (message) => failures.push(message),
    });
    current = { runtime, client: new LocalRuntimeClient(runtime) };
  });

  afterEach(async () => {
    await current?.runtime.stop();
    current = undefined;
    expect(failures).toEqual([]);
  });

  return {
    get runtime() {
      return started().runtime;
    },
    get client() {
      return started().client;
    },
    failures,
  };
}
