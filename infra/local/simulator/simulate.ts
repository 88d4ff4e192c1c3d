import './quiet-product-logs.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { Duration } from 'luxon';
import { parseStrategy, type Strategy } from '../../../shared/domain/strategy.ts';
import { defaultStrategy, strategyFor } from '../../../workflows/strategies/index.ts';
import { describeIssues } from '../../cli/strategy-cli.ts';
import { ProductClient } from './product-client.ts';
import { connectToRunningProduct, type ProductTarget, startInProcessTarget } from './product-target.ts';
import { runSimulation } from './run-simulation.ts';
import { renderReportMarkdown } from './simulation-report.ts';

const usage = `npm run simulate -- [options]

  --customers <n>     subscribers in the population (default 2000)
  --days <n>          days of virtual time to simulate (default 60)
  --seed <n>          seed of every random draw; the same seed gives the same report (default 1)
  --strategy <s>      the strategy new cases follow: a published id (default, default@1) or a
                      strategy JSON file to try out (in-process only)
  --in-process        start the product in this process, in memory
  --url <url>         drive a product already running (\`npm start\`), e.g. http://127.0.0.1:3000
                      Without either: the product \`npm start\` runs at 127.0.0.1:$PORT (default 3000)
                      when one answers there, else one started in this process
  --secret <whsec_>   its Stripe signing secret (default: $STRIPE_WEBHOOK_SECRET, else the development one)
  --start <ISO>       in-process: where the virtual clock starts (default 2026-03-02T00:00:00Z)
  --out <dir>         where to save the report (default .data/simulations/<timestamp>)
  --no-progress       no progress bar
  --help`;

/**
 * Where `npm start` listens by default. Without `--url` or `--in-process`, a product answering
 * there is the one driven: \`npm start\` in one terminal and \`npm run simulate\` in another is
 * how a newcomer watches the product work. Options that only a fresh runtime can honour (`--start`,
 * a strategy other than the published default) choose the in-process runtime instead.
 */
const localProductUrl = `http://127.0.0.1:${process.env.PORT ?? '3000'}`;

/** The default start: a Monday at midnight UTC, so runs are comparable across machines and days. */
const defaultStart = '2026-03-02T00:00:00Z';

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1)
    throw new Error(`--${name} must be a positive integer, got ${value}`);
  return parsed;
}

function resolveStrategy(value: string | undefined): Strategy | undefined {
  if (value === undefined) return undefined;
  if (value.endsWith('.json')) {
    const path = resolve(value);
    if (!existsSync(path)) throw new Error(`--strategy ${value}: no such file`);
    try {
      return parseStrategy(JSON.parse(readFileSync(path, 'utf8')));
    } catch (error) {
      throw new Error(`--strategy ${value} is not a valid strategy:\n${describeIssues(error)}`);
    }
  }
  const [id = '', version] = value.split('@');
  const strategy = strategyFor(id, version === undefined ? defaultStrategy.version : Number(version));
  if (strategy === undefined) {
    throw new Error(
      `no published strategy ${value}; published: ${defaultStrategy.id}@${defaultStrategy.version}`,
    );
  }
  return strategy;
}

/**
 * What is left of the run, from the pace of the simulated days so far. cli-progress's own ETA
 * prints "NFs" until the first day is done, so the bar shows this instead.
 */
function remainingText(day: number, days: number, elapsedMs: number): string {
  if (day <= 0) return 'estimating time left';
  if (day >= days) return 'done';
  const left = Duration.fromMillis(((days - day) * elapsedMs) / day).shiftTo('minutes', 'seconds');
  return `about ${left.toFormat(left.minutes > 0 ? "m'm' s's'" : "s's'")} left`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      strategy: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      url: { type: 'string' },
      secret: { type: 'string' },
      start: { type: 'string' },
      out: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const customers = positiveInteger(values.customers, 'customers', 2000);
  const days = positiveInteger(values.days, 'days', 60);
  const seed = Number(values.seed ?? 1);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (values.url && values['in-process']) throw new Error('choose --url or --in-process, not both');
  const strategy = resolveStrategy(values.strategy);
  if (values.secret !== undefined && !values.secret.startsWith('whsec_'))
    throw new Error('--secret must start with whsec_');

  let url = values.url;
  const onlyInProcess =
    values.start !== undefined || (strategy !== undefined && strategy !== defaultStrategy);
  if (url === undefined && !values['in-process'] && !onlyInProcess) {
    if (await new ProductClient(localProductUrl).isCollectionsProduct()) url = localProductUrl;
  }

  let target: ProductTarget;
  if (url) {
    if (strategy && strategy !== defaultStrategy) {
      throw new Error(
        'a running product uses its own strategy: try a strategy file with --in-process (the default without --url)',
      );
    }
    if (values.start)
      throw new Error('--start applies to --in-process; a running product keeps its own clock');
    target = await connectToRunningProduct(url, values.secret);
  } else {
    const clockStart = new Date(values.start ?? defaultStart);
    if (Number.isNaN(clockStart.getTime()))
      throw new Error(`--start is not an ISO timestamp: ${values.start}`);
    target = await startInProcessTarget({
      clockStart,
      ...(strategy ? { strategy } : {}),
      ...(values.secret ? { webhookSecret: values.secret } : {}),
    });
  }

  const showProgress = !values['no-progress'];
  const bar = new SingleBar({
    format:
      'day {value}/{total} {bar} {percentage}% | {deliveries} webhooks | {messages} messages | {recoveries} recovered | {duration_formatted} elapsed, {remaining}',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 10,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  console.error(
    `Simulating ${customers} customers × ${days} days (seed ${seed}) against ${
      target.mode === 'url'
        ? `the product running at ${target.client.baseUrl}${values.url ? '' : ' (found there; --in-process starts a fresh one)'}`
        : 'an in-process runtime (in memory)'
    }`,
  );
  const startedAt = Date.now();
  if (showProgress)
    bar.start(days, 0, { deliveries: 0, messages: 0, recoveries: 0, remaining: remainingText(0, days, 0) });
  let result: Awaited<ReturnType<typeof runSimulation>>;
  try {
    result = await runSimulation(target, {
      customers,
      days,
      seed,
      onProgress: (progress) => {
        if (showProgress) {
          bar.update(progress.day, {
            deliveries: progress.deliveries,
            messages: progress.messages,
            recoveries: progress.recoveries,
            remaining: remainingText(progress.day, days, Date.now() - startedAt),
          });
        }
      },
    });
  } finally {
    if (showProgress) bar.stop();
    await target.stop();
  }

  const { report, timing } = result;
  const outDir = resolve(
    values.out ?? join('.data', 'simulations', new Date().toISOString().replace(/[:.]/g, '-')),
  );
  mkdirSync(outDir, { recursive: true });
  const markdown = renderReportMarkdown(report);
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'report.md'), markdown);
  writeFileSync(join(outDir, 'timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
  console.log(markdown);
  console.log(
    `Wall time ${timing.wallSeconds} s: ${timing.deliveries} webhook deliveries, ${timing.clockSteps} clock steps in ${timing.clockAdvances} advances, ${timing.outboxPolls} outbox reads.`,
  );
  console.log(`Report saved to ${outDir}/report.md and report.json`);
  if (!report.invariants.passed) {
    console.error(`\n${report.invariants.violationCount} invariant violation(s):`);
    for (const violation of report.invariants.violations.slice(0, 50)) {
      console.error(
        `  ${violation.invariant}: case ${violation.caseId ?? '-'}, ${violation.subject}: ${violation.detail}`,
      );
    }
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
