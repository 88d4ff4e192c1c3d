import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOpenReportLinkHandler } from '../../../functions/open-report-link.ts';
import { FolderReportArchive } from '../../../shared/adapters/reports/folder-report-archive.ts';
import { signReportToken } from '../../../shared/domain/report-link.ts';
import { reportLinkIssuer } from '../../../shared/use-cases/issue-report-link.ts';
import { httpApiEvent, lambdaContext } from '../../support/lambda-events.ts';

const keys = { current: 'report-link-test-key-0123456789abcdef' };
const issuedAt = new Date('2026-04-01T08:00:00Z');
const thirtyDays = 30 * 24 * 3600;

async function archiveWithMarchClose() {
  const archive = new FolderReportArchive(
    mkdtempSync(join(tmpdir(), 'report-link-')),
    () => 'https://archive.test/',
  );
  const encoder = new TextEncoder();
  await archive.put(
    'reports/monthly-2026-03/index.html',
    encoder.encode('<html><img src="cohorts-usd.png">Monthly close</html>'),
    'text/html',
  );
  await archive.put(
    'reports/monthly-2026-03/cohorts-usd.png',
    new Uint8Array([137, 80, 78, 71]),
    'image/png',
  );
  await archive.put('reports/monthly-2026-03/summary.csv', encoder.encode('currency\r\nUSD\r\n'), 'text/csv');
  return archive;
}

async function setUp(at = new Date('2026-04-15T10:00:00Z')) {
  const archive = await archiveWithMarchClose();
  const handler = createOpenReportLinkHandler({
    keys: async () => keys,
    archive,
    clock: { now: () => at },
    fileLinkTtlSeconds: 300,
  });
  const issue = reportLinkIssuer({
    keys: async () => keys,
    clock: { now: () => issuedAt },
    ttlSeconds: thirtyDays,
    baseUrl: () => 'https://api.test/reports/',
  });
  const get = async (token: string, file?: string) => {
    const path = `/reports/${token}${file === undefined ? '' : `/${file}`}`;
    const event = {
      ...httpApiEvent({ method: 'GET', path }),
      pathParameters: { token, ...(file === undefined ? {} : { file }) },
    };
    const result = await handler(event, lambdaContext('open-report-link'));
    return { ...result, headers: result.headers ?? {}, body: String(result.body ?? '') };
  };
  const tokenOf = (link: string) => link.slice('https://api.test/reports/'.length);
  return { get, issue, tokenOf };
}

describe('openReportLink (GET /reports/{token})', () => {
  it('issues a link below the route that sends the browser on to the archived page', async () => {
    const { get, issue, tokenOf } = await setUp();
    const link = await issue('monthly-2026-03');
    expect(link).toMatch(/^https:\/\/api\.test\/reports\/r1\.monthly-2026-03\.[0-9a-z]+\.[\w-]{43}$/);
    const token = tokenOf(link);

    const toPage = await get(token);
    expect(toPage.statusCode).toBe(302);
    expect(toPage.headers.location).toBe(`${token}/index.html`);

    const page = await get(token, 'index.html');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Monthly close');
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'private, no-store',
      'referrer-policy': 'no-referrer',
    });
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('hands out the charts and CSV files through fresh archive links', async () => {
    const { get, issue, tokenOf } = await setUp();
    const token = tokenOf(await issue('monthly-2026-03'));
    const chart = await get(token, 'cohorts-usd.png');
    expect(chart.statusCode).toBe(302);
    expect(chart.headers.location).toBe('https://archive.test/reports/monthly-2026-03/cohorts-usd.png');
    expect((await get(token, 'summary.csv')).headers.location).toBe(
      'https://archive.test/reports/monthly-2026-03/summary.csv',
    );
    expect((await get(token, 'missing.png')).statusCode).toBe(404);
    expect((await get(token, '..')).statusCode).toBe(404);
    expect((await get(token, '.hidden.png')).statusCode).toBe(404);
    expect((await get(token, 'script.js')).statusCode).toBe(404);
  });

  it('answers 410 for a genuine link past its expiry, without naming the report', async () => {
    const { get: getLater, issue, tokenOf } = await setUp(new Date(issuedAt.getTime() + thirtyDays * 1000));
    const token = tokenOf(await issue('monthly-2026-03'));
    for (const answer of [await getLater(token), await getLater(token, 'index.html')]) {
      expect(answer.statusCode).toBe(410);
      expect(answer.body).not.toContain('monthly');
      expect(answer.headers['cache-control']).toBe('private, no-store');
    }
    const { get: getJustBefore } = await setUp(new Date(issuedAt.getTime() + thirtyDays * 1000 - 1000));
    expect((await getJustBefore(token)).statusCode).toBe(302);
  });

  it('answers 403 for a tampered or forged token, the same page whatever was changed', async () => {
    const { get, issue, tokenOf } = await setUp();
    const token = tokenOf(await issue('monthly-2026-03'));
    const [version, , expiry, mac] = token.split('.');
    const answers = [
      await get(`${version}.monthly-2026-02.${expiry}.${mac}`),
      await get(`${version}.monthly-2026-03.zzzzzz.${mac}`, 'index.html'),
      await get(
        signReportToken('monthly-2026-03', new Date('2027-01-01T00:00:00Z'), { current: 'x'.repeat(40) }),
      ),
      await get('not-a-token'),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([403, 403, 403, 403]);
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers[0]?.body).not.toContain('2026');
  });

  it('answers 410 for a genuine link to a report the archive no longer has', async () => {
    const { get, issue, tokenOf } = await setUp();
    const token = tokenOf(await issue('monthly-2026-01'));
    expect((await get(token)).statusCode).toBe(410);
    expect((await get(token, 'index.html')).statusCode).toBe(410);
    expect((await get(token, 'cohorts-usd.png')).statusCode).toBe(410);
  });
});
