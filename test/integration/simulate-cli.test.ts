import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/local-runtime.ts';
import { ProductClient } from '../../infra/local/simulator/product-client.ts';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const cli = join(process.cwd(), 'infra', 'local', 'simulator', 'simulate.ts');

/** `npm run simulate` as a newcomer runs it, with `PORT` naming where `npm start` would listen. */
async function simulateCli(port: number, args: readonly string[], out: string) {
  return run(tsx, [cli, '--customers', '6', '--days', '1', '--no-progress', '--out', out, ...args], {
    env: { ...process.env, PORT: String(port), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 120_000,
  });
}

describe('npm run simulate: which product it drives', () => {
  const reportRun = (folder: string): { mode: string; days: number } =>
    JSON.parse(readFileSync(join(out, folder, 'report.json'), 'utf8')).run;

  let runtime: LocalRuntime;
  let impostor: Server;
  let out: string;

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, clockStart: new Date('2026-03-02T00:00:00Z') });
    // Something else on the port: it answers /health like many servers do, but has no virtual clock.
    impostor = createServer((request, response) => {
      response.writeHead(request.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    out = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
  });

  afterAll(async () => {
    await runtime.stop();
    await new Promise((resolve) => impostor.close(resolve));
    rmSync(out, { recursive: true, force: true });
  });

  it('recognises the product by its virtual clock, and nothing else', async () => {
    // Prepare
    const impostorPort = (impostor.address() as AddressInfo).port;

    // Act
    const product = await new ProductClient(runtime.url).isCollectionsProduct();
    const other = await new ProductClient(`http://127.0.0.1:${impostorPort}`).isCollectionsProduct();
    const nobody = await new ProductClient('http://127.0.0.1:9').isCollectionsProduct();

    // Assert
    expect([product, other, nobody]).toEqual([true, false, false]);
  });

  it('drives the product already running on $PORT when given neither --url nor --in-process', async () => {
    // Prepare
    const port = Number(new URL(runtime.url).port);
    const before = (await new ProductClient(runtime.url).now()).getTime();

    // Act
    const { stdout, stderr } = await simulateCli(port, [], join(out, 'found'));

    // Assert
    expect(stderr).toContain(`against the product running at http://127.0.0.1:${port} (found there`);
    expect(stdout).toContain('invariants hold');
    // The running product's virtual clock moved through the simulated day.
    const after = (await new ProductClient(runtime.url).now()).getTime();
    expect(after - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
    expect(reportRun('found')).toMatchObject({ mode: 'url', days: 1 });
  }, 150_000);

  it('starts its own product when what answers on $PORT is not the product, or --in-process asks', async () => {
    // Prepare
    const impostorPort = (impostor.address() as AddressInfo).port;
    const port = Number(new URL(runtime.url).port);

    // Act
    const beside = await simulateCli(impostorPort, [], join(out, 'impostor'));
    const asked = await simulateCli(port, ['--in-process'], join(out, 'asked'));

    // Assert
    expect(beside.stderr).toContain('against an in-process runtime (in memory)');
    expect(asked.stderr).toContain('against an in-process runtime (in memory)');
    expect([reportRun('impostor').mode, reportRun('asked').mode]).toEqual(['in-process', 'in-process']);
  }, 150_000);

  it('refuses a strategy file that is missing or invalid (exit 2), naming each problem, and simulates nothing', async () => {
    // Prepare
    const invalid = join(out, 'invalid-strategy.json');
    writeFileSync(invalid, JSON.stringify({ id: 'try-out', version: 1, steps: 'none' }));
    const port = Number(new URL(runtime.url).port);

    // Act
    const missing = await simulateCli(
      port,
      ['--strategy', join(out, 'nope.json')],
      join(out, 'missing'),
    ).catch((error: { code: number; stderr: string }) => error);
    const refused = await simulateCli(port, ['--strategy', invalid], join(out, 'invalid')).catch(
      (error: { code: number; stderr: string }) => error,
    );

    // Assert
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('nope.json: no such file') });
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a valid strategy:\n') });
    expect(refused.stderr).toMatch(/^ {2}name: /m);
    expect(refused.stderr).toMatch(/^ {2}steps: /m);
    expect(existsSync(join(out, 'missing'))).toBe(false);
    expect(existsSync(join(out, 'invalid'))).toBe(false);
  }, 60_000);
});
