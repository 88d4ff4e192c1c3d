import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esmRequireBanner } from '../infra/constructs/project-function.ts';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

export interface BundleFigures {
  readonly function: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median time to import the bundle in a fresh Node process, as Lambda's init does. */
  readonly coldImportMs: number;
  /** Same, with `--enable-source-maps` as the functions are deployed (NODE_OPTIONS). */
  readonly coldImportWithSourceMapsMs: number;
  /** Cold import time ÷ the empty handler's. */
  readonly timesEmpty: number;
}

const emptyHandler = 'export const handler = async () => ({ statusCode: 200 });\n';

/**
 * Bundles one entry exactly as `ProjectFunction` asks CDK's NodejsFunction to: ESM, minified,
 * every dependency bundled (the AWS SDK included), source map beside it without sources,
 * Node 22, the `require` banner.
 */
async function bundle(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: esmRequireBanner },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [],
    tsconfig: join(repoRoot, 'tsconfig.json'),
    logLevel: 'error',
  });
  return outfile;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Imports `file` in `runs` fresh Node processes and returns the median import time. */
function coldImport(file: string, runs: number, sourceMaps: boolean): number {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const output = execFileSync(
      process.execPath,
      [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    times.push(Number(output));
  }
  return Math.round(median(times) * 10) / 10;
}

/** Each Lambda entry under functions/ and an empty handler: bundle size and cold import time. */
export async function measureLambdaBundles(runs = 7): Promise<BundleFigures[]> {
  const work = mkdtempSync(join(tmpdir(), 'collections-bench-bundles-'));
  try {
    const emptyEntry = join(work, 'empty-handler.ts');
    writeFileSync(emptyEntry, emptyHandler);
    const entries = [
      emptyEntry,
      ...readdirSync(join(repoRoot, 'functions'))
        .filter((name) => name.endsWith('.ts'))
        .sort()
        .map((name) => join(repoRoot, 'functions', name)),
    ];
    const measured: Omit<BundleFigures, 'timesEmpty'>[] = [];
    for (const entry of entries) {
      const name = basename(entry, '.ts');
      const outDir = join(work, name);
      mkdirSync(outDir, { recursive: true });
      const file = await bundle(entry, outDir);
      const code = readFileSync(file);
      measured.push({
        function: name === 'empty-handler' ? '(empty handler)' : name,
        bytes: code.length,
        gzipBytes: gzipSync(code).length,
        coldImportMs: coldImport(file, runs, false),
        coldImportWithSourceMapsMs: coldImport(file, runs, true),
      });
    }
    const empty = measured[0]?.coldImportMs ?? 1;
    return measured.map((figures) => ({
      ...figures,
      timesEmpty: Math.round((figures.coldImportMs / empty) * 10) / 10,
    }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
