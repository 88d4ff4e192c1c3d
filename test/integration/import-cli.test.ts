import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/local-runtime.ts';
import { FakeStripeApi } from '../support/fake-stripe-api.ts';
import { stripeInvoiceEvent } from '../support/stripe-events.ts';

const run = promisify(execFile);

describe('npm run import -- stripe', () => {
  let runtime: LocalRuntime;
  let api: FakeStripeApi;
  let workDir: string;

  beforeEach(async () => {
    runtime = await startLocalRuntime({ port: 0, clockStart: new Date('2026-11-20T09:00:00Z') });
    api = await new FakeStripeApi().start();
    workDir = await mkdtemp(join(tmpdir(), 'collections-import-'));
    api.addInvoices(
      ...Array.from(
        { length: 30 },
        (_, index) =>
          stripeInvoiceEvent('invoice.payment_failed', {
            invoiceId: `in_cli_${index.toString().padStart(3, '0')}`,
            customerId: `cus_cli_${index % 10}`,
            created: 1793614449 - index * 60,
            attemptCount: 1,
          }).data.object,
      ),
    );
  });

  afterEach(async () => {
    await api.stop();
    await runtime.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  function importCommand(...extra: string[]) {
    return run(
      process.execPath,
      [
        '--import',
        'tsx',
        'infra/cli/import.ts',
        'stripe',
        '--api-key',
        'sk_test_51SQ3kLLkdIwHu7ixImport',
        '--stripe-host',
        '127.0.0.1',
        '--stripe-port',
        String(api.port),
        '--stripe-protocol',
        'http',
        '--url',
        runtime.url,
        '--cursor-file',
        join(workDir, 'cursor.json'),
        ...extra,
      ],
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, timeout: 60_000 },
    );
  }

  it('counts the arrears on a dry run without writing, then imports them with a visible progress bar', async () => {
    // Act
    const dryRun = await importCommand('--dry-run');
    const openCasesAfterDryRun = await runtime.table.listOpenCaseIds();
    const imported = await importCommand();

    // Assess
    expect(dryRun.stdout).toContain('Dry run: nothing written. Listed 30 open invoices.');
    expect(dryRun.stdout).toContain('Arrears: 30 invoices with failed payments ($1,499.70).');
    expect(openCasesAfterDryRun).toEqual([]);
    expect(imported.stderr).toMatch(/Importing invoices \|[█░]+\| 30\/30/);
    expect(imported.stdout).toContain('Applied 30, already known 0, cases opened 10.');
    expect(await runtime.table.listOpenCaseIds()).toHaveLength(10);
    await expect(readFile(join(workDir, 'cursor.json'), 'utf8')).rejects.toThrow();
  }, 120_000);

  it('refuses a provider it cannot import from, with the usage', async () => {
    // Act
    const failure = await run(process.execPath, ['--import', 'tsx', 'infra/cli/import.ts', 'braintree'], {
      env: { ...process.env, STRIPE_API_KEY: '' },
    }).catch((error: { code: number; stderr: string }) => error);

    // Assess
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain(
      'cannot import from "braintree": only stripe is supported',
    );
  }, 60_000);
});
