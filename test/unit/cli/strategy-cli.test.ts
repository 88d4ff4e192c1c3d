import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CliIo, jsonSchemas, runStrategyCli } from '../../../infra/cli/strategy-cli.ts';
import { StrategyTable } from '../../../shared/adapters/dynamodb/strategy-table.ts';
import { LayeredStrategyCatalog } from '../../../shared/adapters/strategies/in-memory-strategy-catalog.ts';
import { shippedCatalog } from '../../../workflows/strategies/index.ts';
import { embeddedCollectionsTablePerFile } from '../../support/embedded-collections-table.ts';

const embedded = embeddedCollectionsTablePerFile();

/** An IO that reads the real files, plus in-memory ones, and captures what the CLI prints and writes. */
function io(files: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const written = new Map<string, string>();
  const cli: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readFile: (path) => (path in files ? JSON.stringify(files[path]) : readFileSync(path, 'utf8')),
    writeFile: (path, content) => written.set(path, content),
    now: () => new Date('2026-11-02T10:00:00.000Z'),
    strategyTable: ({ table }) => new StrategyTable(embedded.db.client, table),
  };
  return { cli, out, err, written };
}

const shippedFiles = [
  'workflows/strategies/default.json',
  'workflows/strategies/gentle-b2c.v1.json',
  'workflows/strategies/gentle-b2c-sms-first.v1.json',
  'workflows/strategies/firm-high-amount.v1.json',
  'workflows/strategies/routing.json',
];
const gentle = JSON.parse(readFileSync('workflows/strategies/gentle-b2c.v1.json', 'utf8')) as Record<
  string,
  unknown
>;

describe('npm run strategy -- validate', () => {
  it('accepts the shipped strategies and routing', async () => {
    // Prepare
    const { cli, out, err } = io();

    // Act
    const code = await runStrategyCli(['validate', ...shippedFiles], cli);

    // Assess
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toContain('ok   workflows/strategies/gentle-b2c.v1.json: strategy gentle-b2c@1 (7 steps)');
  });

  it('names the file and the path of every problem, and exits 1', async () => {
    // Prepare
    const broken = {
      ...gentle,
      version: 0,
      steps: [{ id: 'x', timing: { from: 'tomorrow' }, action: { type: 'sue' } }],
    };
    const { cli, err } = io({ 'broken.json': broken });

    // Act
    const code = await runStrategyCli(['validate', 'broken.json'], cli);

    // Assess
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('FAIL broken.json');
    expect(err.join('\n')).toContain('version:');
    expect(err.join('\n')).toContain('steps.0.timing.from:');
    expect(err.join('\n')).toContain('steps.0.action.type:');
  });

  it('refuses a routing that names a strategy nobody ships or publishes', async () => {
    // Prepare
    const routing = { version: 2, rules: [{ id: 'all', strategy: 'imaginary' }] };
    const { cli, err } = io({ 'routing.json': routing });

    // Act
    const code = await runStrategyCli(['validate', 'routing.json'], cli);

    // Assess
    expect(code).toBe(1);
    expect(err).toContain('FAIL routing version 2 names unknown strategies: imaginary');
  });
});

describe('npm run strategy -- publish', () => {
  it('publishes a new version that new cases take at once, without a deploy', async () => {
    // Prepare
    const v2 = { ...gentle, version: 2, name: 'Gentle B2C, version 2' };
    const { cli, out } = io({ 'gentle-b2c.v2.json': v2 });
    const table = embedded.db.tableName;

    // Act
    const code = await runStrategyCli(['publish', 'gentle-b2c.v2.json', '--table', table], cli);
    const again = await runStrategyCli(['publish', 'gentle-b2c.v2.json', '--table', table], cli);

    // Assess
    expect(code).toBe(0);
    expect(again).toBe(0);
    expect(out).toContain('published strategy gentle-b2c@2');
    expect(out).toContain('unchanged strategy gentle-b2c@2');
    const catalog = new LayeredStrategyCatalog(new StrategyTable(embedded.db.client, table), shippedCatalog);
    expect((await catalog.getCurrentStrategy('gentle-b2c'))?.name).toBe('Gentle B2C, version 2');
    expect((await catalog.getStrategy('gentle-b2c', 1))?.version).toBe(1);
  });

  it('refuses to overwrite a published version and publishes nothing from an invalid set', async () => {
    // Prepare
    const { cli, err } = io({
      'changed.json': { ...gentle, version: 2, name: 'Changed after publishing' },
      'bad.json': { ...gentle, id: 'Not Kebab' },
    });
    const table = embedded.db.tableName;

    // Act
    const conflict = await runStrategyCli(['publish', 'changed.json', '--table', table], cli);
    const invalid = await runStrategyCli(['publish', 'bad.json', '--table', table], cli);
    const noTable = await runStrategyCli(['publish', 'changed.json'], cli);

    // Assess
    expect(conflict).toBe(1);
    expect(err.join('\n')).toContain('strategy gentle-b2c@2 is already published with different content');
    expect(invalid).toBe(1);
    expect(noTable).toBe(2);
  });
});

describe('npm run strategy -- schema', () => {
  it('keeps the committed JSON Schemas in step with the zod schemas', () => {
    // Act
    const generated = jsonSchemas();

    // Assess
    for (const [file, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(`workflows/schemas/${file}`, 'utf8')), file).toEqual(schema);
    }
  });

  it('writes one schema per document kind', async () => {
    // Prepare
    const { cli, written } = io();

    // Act
    const code = await runStrategyCli(['schema', '--dir', 'out'], cli);

    // Assess
    expect(code).toBe(0);
    expect([...written.keys()]).toEqual([
      'out/strategy.schema.json',
      'out/routing.schema.json',
      'out/contact-policy.schema.json',
    ]);
  });
});

describe('npm run strategy -- preview', () => {
  it('explains a timeline across quiet hours, a weekend and the switch to daylight saving time', async () => {
    // Prepare
    const { cli, out } = io();

    // Act
    const code = await runStrategyCli(
      ['preview', 'gentle-b2c', '--case', 'workflows/strategies/samples/new-york-dst.case.json'],
      cli,
    );

    // Assess
    expect(code).toBe(0);
    const text = out.join('\n');
    // Thursday 23:30 is after quiet hours begin: the first email waits for Friday 08:00 EST.
    expect(text).toContain('Fri 2026-03-06 08:00 EST (13:00Z)  day-0-payment-failed');
    expect(text).toContain('deferred:quiet-hours');
    // Day 3 falls on Sunday 8 March (closed, and the night clocks spring forward): Monday 08:00 EDT.
    expect(text).toContain('Mon 2026-03-09 08:00 EDT (12:00Z)  day-3-reminder');
    expect(text).toContain('deferred:closed-day');
    // Stripe still has its own retry scheduled, so ours would be skipped.
    expect(text).toContain('in_SAMPLE01: skipped, provider-retry-scheduled');
    expect(text).toContain('end of journey: strategy-complete');
  });

  it('fails clearly for an unknown strategy', async () => {
    // Prepare
    const { cli, err } = io();

    // Act
    const code = await runStrategyCli(
      ['preview', 'nope', '--case', 'workflows/strategies/samples/new-york-dst.case.json'],
      cli,
    );

    // Assess
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('no shipped strategy nope');
  });
});

describe('npm run strategy', () => {
  it('prints usage for an unknown command and exits 2', async () => {
    const { cli, out } = io();
    expect(await runStrategyCli(['frobnicate'], cli)).toBe(2);
    expect(out.join('\n')).toContain('Usage: npm run strategy');
  });
});
