import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import cliProgress from 'cli-progress';
import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { CollectionsTable, ingestStoresOn } from '../../shared/adapters/dynamodb/collections-table.ts';
import { StepFunctionsJourneyStarter } from '../../shared/adapters/journeys/step-functions-journey-starter.ts';
import { createStripeApiClient } from '../../shared/adapters/stripe/stripe-api.ts';
import { formatMoney } from '../../shared/domain/money.ts';
import { strategyCatalogOn } from '../../workflows/strategies/catalog.ts';
import { defaultStrategy } from '../../workflows/strategies/index.ts';
import { fileCursor } from './backfill-cursor-file.ts';
import { ingestCoreSink, localRuntimeSink } from './billing-event-sinks.ts';
import { type BackfillProgress, type BillingEventSink, backfillStripeInvoices } from './stripe-backfill.ts';

const usage = `Usage: npm run import -- stripe [options]

Imports the open (including past-due) invoices of a Stripe account, so existing arrears open cases.

Options:
  --dry-run              list and count, write nothing
  --api-key <key>        Stripe secret or restricted key (default: $STRIPE_API_KEY); read access to invoices
  --account <acct_...>   Connect: import a connected account's invoices
  --target <local|aws>   local: post to a running \`npm start\` (default); aws: write to the deployed table
  --url <url>            the local runtime (default: http://127.0.0.1:$PORT or 3000)
  --cursor-file <path>   where progress is kept to resume (default: .data/import-stripe-cursor.json)
  --restart              ignore a saved cursor and start from the newest invoice
  --stripe-host <host>   --stripe-port <n>  --stripe-protocol <http|https>   another Stripe API endpoint (tests)
  --no-progress          no progress bar (also when stdout is not a terminal)
Environment for --target aws: TABLE_NAME, JOURNEY_STATE_MACHINE_ARN, AWS credentials and region.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

function progressBar(enabled: boolean): { progress?: BackfillProgress; stop(): void } {
  if (!enabled) return { stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: 'Importing invoices |{bar}| {value}/{total} {outcome}',
      hideCursor: true,
      // Not a TTY (CI, a pipe): one line per update, never erased.
      noTTYOutput: true,
      notTTYSchedule: 1000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    progress: {
      total: (known) => {
        if (!started) {
          bar.start(known, 0, { outcome: '' });
          started = true;
        } else bar.setTotal(known);
      },
      tick: (done, detail) => bar.update(done, { outcome: detail.outcome }),
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      'api-key': { type: 'string' },
      account: { type: 'string' },
      target: { type: 'string', default: 'local' },
      url: { type: 'string' },
      'cursor-file': { type: 'string', default: '.data/import-stripe-cursor.json' },
      restart: { type: 'boolean', default: false },
      'stripe-host': { type: 'string' },
      'stripe-port': { type: 'string' },
      'stripe-protocol': { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const [provider] = positionals;
  if (provider !== 'stripe')
    fail(
      provider ? `cannot import from "${provider}": only stripe is supported` : 'name the provider: stripe',
    );
  const apiKey = values['api-key'] ?? process.env.STRIPE_API_KEY;
  if (!apiKey || !/^(sk|rk)_(test|live)_/.test(apiKey))
    fail('a Stripe secret or restricted key (sk_/rk_, test or live) is required');
  const protocol = values['stripe-protocol'];
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https')
    fail('--stripe-protocol is http or https');
  if (values.account !== undefined && !values.account.startsWith('acct_'))
    fail('--account is a Stripe account id (acct_...)');

  const stripe = createStripeApiClient({
    apiKey,
    ...(values['stripe-host'] ? { host: values['stripe-host'] } : {}),
    ...(values['stripe-port'] ? { port: Number(values['stripe-port']) } : {}),
    ...(protocol ? { protocol } : {}),
  });
  // The key says the mode: a live key imports live invoices, which only a live deployment accepts.
  const livemode = /_live_/.test(apiKey);

  let sink: BillingEventSink;
  if (values.target === 'local') {
    sink = localRuntimeSink(values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`);
  } else if (values.target === 'aws') {
    const tableName = process.env.TABLE_NAME;
    const stateMachineArn = process.env.JOURNEY_STATE_MACHINE_ARN;
    if (!tableName || !stateMachineArn)
      fail('--target aws needs TABLE_NAME and JOURNEY_STATE_MACHINE_ARN (stack outputs)');
    const client = new DynamoDBClient({});
    const table = new CollectionsTable(client, tableName);
    sink = ingestCoreSink({
      ...ingestStoresOn(table),
      journeys: new StepFunctionsJourneyStarter(new SFNClient({}), stateMachineArn),
      clock: systemClock,
      strategy: defaultStrategy,
      strategies: strategyCatalogOn(client, tableName),
      livemode,
    });
  } else {
    fail(`--target is local or aws, not ${values.target}`);
  }

  const cursor = fileCursor(resolve(values['cursor-file']));
  if (values.restart) await cursor.clear();
  const bar = progressBar(!values['no-progress']);
  let interrupted = false;
  process.on('SIGINT', () => {
    // The cursor is saved after every invoice: the next run resumes here.
    interrupted = true;
    bar.stop();
    console.error('\nInterrupted: run the same command again to resume.');
    process.exit(130);
  });
  try {
    const report = await backfillStripeInvoices({
      stripe,
      sink,
      cursor,
      ...(bar.progress ? { progress: bar.progress } : {}),
      dryRun: values['dry-run'],
      ...(values.account ? { account: values.account } : {}),
      livemode,
      now: () => new Date(),
    });
    bar.stop();
    const amounts = Object.entries(report.arrearsByCurrency)
      .map(([currency, amountMinor]) => formatMoney({ amountMinor, currency }))
      .join(', ');
    console.log(
      [
        `${report.dryRun ? 'Dry run: nothing written. ' : ''}Listed ${report.listed} open invoices${
          report.resumedAfter ? ` (resumed after ${report.resumedAfter})` : ''
        }.`,
        `Arrears: ${report.arrears} invoices with failed payments${amounts ? ` (${amounts})` : ''}.`,
        report.dryRun
          ? 'Run without --dry-run to import them.'
          : `Applied ${report.applied}, already known ${report.duplicates}, cases opened ${report.casesOpened}.`,
        ...(report.rateLimitRetries > 0 ? [`Rate-limited ${report.rateLimitRetries} times, retried.`] : []),
      ].join('\n'),
    );
  } catch (error) {
    bar.stop();
    if (!interrupted) {
      console.error(`Import stopped: ${error instanceof Error ? error.message : String(error)}`);
      console.error('Run the same command again to resume after the last imported invoice.');
      process.exit(1);
    }
  }
}

void main();
