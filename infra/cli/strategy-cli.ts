import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { StrategyTable } from '../../shared/adapters/dynamodb/strategy-table.ts';
import { contactPolicyConfigSchema } from '../../shared/domain/contact-policy-config.ts';
import {
  parseStrategyRouting,
  type StrategyRouting,
  strategiesOfRouting,
  strategyRoutingSchema,
} from '../../shared/domain/experiments.ts';
import { parseStrategy, type Strategy, strategyKey, strategySchema } from '../../shared/domain/strategy.ts';
import { shippedStrategies } from '../../workflows/strategies/index.ts';
import { type PreviewCase, previewCaseSchema, previewTimeline, renderTimeline } from './strategy-preview.ts';

/** Where the CLI writes and reads; a test passes its own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly readFile: (path: string) => string;
  readonly writeFile: (path: string, content: string) => void;
  readonly now: () => Date;
  /** The table to publish to (the real DynamoDB, or an embedded one in tests). */
  readonly strategyTable?: (options: { table: string; region?: string; endpoint?: string }) => StrategyTable;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, content) => writeFileSync(path, content),
  now: () => new Date(),
};

const usage = `Usage: npm run strategy -- <command> [options]

Commands:
  validate <file>...                  Check strategy and routing files against the schema and each other
  publish <file>... --table <name>    Validate, then publish to the table (versions are immutable)
          [--region <region>] [--endpoint <url>]
  schema [--dir <folder>]             Write the JSON Schemas editors use (default: workflows/schemas)
  preview <strategy> --case <file>    Print the planned timeline of a sample case (a dry run)
          [--days <n>]                <strategy> is a file or a shipped id[@version]
`;

type Document = { kind: 'strategy'; strategy: Strategy } | { kind: 'routing'; routing: StrategyRouting };

/** Why a strategy or routing file was refused, one line per problem (also used by the simulator). */
export function describeIssues(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`).join('\n');
  }
  if (error instanceof SyntaxError) return `  not valid JSON: ${error.message}`;
  return `  ${error instanceof Error ? error.message : String(error)}`;
}

function readDocument(path: string, io: CliIo): Document {
  const data: unknown = JSON.parse(io.readFile(path));
  if (typeof data === 'object' && data !== null && 'rules' in data) {
    return { kind: 'routing', routing: parseStrategyRouting(data) };
  }
  return { kind: 'strategy', strategy: parseStrategy(data) };
}

/** Parses every file, then checks that each routing names strategies that exist. */
function validateFiles(paths: readonly string[], io: CliIo): Document[] | undefined {
  const documents: Document[] = [];
  let failed = false;
  for (const path of paths) {
    try {
      const document = readDocument(path, io);
      documents.push(document);
      io.out(
        document.kind === 'strategy'
          ? `ok   ${path}: strategy ${strategyKey(document.strategy.id, document.strategy.version)} (${document.strategy.steps.length} steps)`
          : `ok   ${path}: routing version ${document.routing.version} (${document.routing.rules.length} rules)`,
      );
    } catch (error) {
      failed = true;
      io.err(`FAIL ${path}\n${describeIssues(error)}`);
    }
  }
  const known = new Set([
    ...shippedStrategies.map((strategy) => strategy.id),
    ...documents.flatMap((document) => (document.kind === 'strategy' ? [document.strategy.id] : [])),
  ]);
  for (const document of documents) {
    if (document.kind !== 'routing') continue;
    const missing = strategiesOfRouting(document.routing).filter((id) => !known.has(id));
    if (missing.length > 0) {
      failed = true;
      io.err(
        `FAIL routing version ${document.routing.version} names unknown strategies: ${missing.join(', ')}`,
      );
    }
  }
  return failed ? undefined : documents;
}

async function publish(
  paths: readonly string[],
  options: { table?: string | undefined; region?: string | undefined; endpoint?: string | undefined },
  io: CliIo,
): Promise<number> {
  if (!options.table) {
    io.err('publish needs --table <name> (the CollectionsTable of the deployed stack)');
    return 2;
  }
  const documents = validateFiles(paths, io);
  if (documents === undefined) return 1;
  const target = {
    table: options.table,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const table =
    io.strategyTable?.(target) ??
    new StrategyTable(
      new DynamoDBClient({
        ...(target.region ? { region: target.region } : {}),
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      }),
      target.table,
    );
  // Strategies first: a routing must never point at a strategy that is not there yet.
  const ordered = [...documents].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'strategy' ? -1 : 1));
  for (const document of ordered) {
    const outcome =
      document.kind === 'strategy'
        ? await table.publishStrategy(document.strategy, io.now())
        : await table.publishRouting(document.routing, io.now());
    const label =
      document.kind === 'strategy'
        ? `strategy ${strategyKey(document.strategy.id, document.strategy.version)}`
        : `routing version ${document.routing.version}`;
    io.out(`${outcome === 'published' ? 'published' : 'unchanged'} ${label}`);
  }
  return 0;
}

/** The JSON Schemas of the editable documents, generated from the zod schemas that validate them. */
export function jsonSchemas(): Record<string, unknown> {
  const generate = (schema: z.ZodType, title: string) => ({
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    title,
  });
  return {
    'strategy.schema.json': generate(strategySchema, 'Collection strategy'),
    'routing.schema.json': generate(strategyRoutingSchema, 'Strategy routing and experiments'),
    'contact-policy.schema.json': generate(contactPolicyConfigSchema, 'Contact policy'),
  };
}

function writeSchemas(dir: string, io: CliIo): number {
  for (const [file, schema] of Object.entries(jsonSchemas())) {
    const path = join(dir, file);
    io.writeFile(path, `${JSON.stringify(schema, null, 2)}\n`);
    io.out(`wrote ${path}`);
  }
  return 0;
}

function resolveStrategy(reference: string, io: CliIo): Strategy {
  if (reference.endsWith('.json')) return parseStrategy(JSON.parse(io.readFile(reference)));
  const [id, version] = reference.split('@');
  const candidates = shippedStrategies.filter((strategy) => strategy.id === id);
  const strategy =
    version === undefined
      ? candidates.sort((a, b) => b.version - a.version)[0]
      : candidates.find((candidate) => candidate.version === Number(version));
  if (strategy === undefined) {
    throw new Error(
      `no shipped strategy ${reference}; shipped: ${shippedStrategies.map((s) => strategyKey(s.id, s.version)).join(', ')}`,
    );
  }
  return strategy;
}

function preview(
  reference: string | undefined,
  options: { case?: string | undefined; days?: string | undefined },
  io: CliIo,
): number {
  if (!reference || !options.case) {
    io.err('preview needs a strategy (file or id) and --case <file>');
    return 2;
  }
  const strategy = resolveStrategy(reference, io);
  const sample: PreviewCase = previewCaseSchema.parse(JSON.parse(io.readFile(options.case)));
  const timeline = previewTimeline(strategy, sample, { horizonDays: Number(options.days ?? 60) });
  for (const line of renderTimeline(strategy, sample, timeline)) io.out(line);
  return 0;
}

/** Runs one CLI command; returns the exit code. */
export async function runStrategyCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      dir: { type: 'string' },
      case: { type: 'string' },
      days: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  try {
    switch (command) {
      case 'validate':
        if (rest.length === 0) {
          io.err('validate needs at least one file');
          return 2;
        }
        return validateFiles(rest, io) === undefined ? 1 : 0;
      case 'publish':
        return await publish(rest, values, io);
      case 'schema':
        return writeSchemas(values.dir ?? 'workflows/schemas', io);
      case 'preview':
        return preview(rest[0], values, io);
      default:
        io.out(usage);
        return command === undefined || values.help ? 0 : 2;
    }
  } catch (error) {
    io.err(`${command} failed:\n${describeIssues(error)}`);
    return 1;
  }
}
