import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../../infra/local/local-runtime.ts';
import { LocalRuntimeClient } from '../../integration/support/local-runtime-client.ts';
import { defaultStrategyOnly } from '../../support/strategy-catalogs.ts';
import { launchChromium } from './browser.ts';

/** The runtime a browser test file drives, the client that talks to it, and pages in Chromium. */
export interface PortalInBrowser {
  readonly runtime: LocalRuntime;
  readonly client: LocalRuntimeClient;
  /** A new browser context the size of a phone (390 × 844), in `locale`: where debtors open their links. */
  phoneContext(locale: string): Promise<BrowserContext>;
}

/**
 * One in-memory local runtime with its clock at `clockStart` and one Chromium for all the tests of
 * the enclosing `describe` (started in `beforeAll`, stopped in `afterAll`): the tests of a file
 * share them, so each uses its own customers. The portal journeys follow the three-email default
 * strategy (the shipped routing is tested apart). The file fails when the runtime logged a failure.
 */
export function portalInBrowser(clockStart: Date): PortalInBrowser {
  const failures: string[] = [];
  let runtime: LocalRuntime | undefined;
  let client: LocalRuntimeClient | undefined;
  let browser: Browser | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the portal runtime runs only inside the tests of its describe');
    return value;
  };

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      port: 0,
      clockStart,
      log: (message) => failures.push(message),
      strategies: defaultStrategyOnly,
    });
    client = new LocalRuntimeClient(runtime);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    expect(failures).toEqual([]);
  });

  return {
    get runtime() {
      return started(runtime);
    },
    get client() {
      return started(client);
    },
    phoneContext: (locale) => started(browser).newContext({ locale, viewport: { width: 390, height: 844 } }),
  };
}
