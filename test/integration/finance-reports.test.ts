import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/local-runtime.ts';
import type { OutboxEntry, OutboxReport } from '../../infra/local/outbox.ts';
import { LocalRuntimeClient } from './support/local-runtime-client.ts';

const pngMagic = 'iVBORw0KGgo'; // base64 of the PNG signature

interface SerializedSimpleContent {
  readonly Attachments: readonly { FileName: string; RawContent: string; ContentDisposition: string }[];
}

function simpleContent(report: OutboxReport | undefined): SerializedSimpleContent {
  const content = report?.request.Content as { Simple?: SerializedSimpleContent } | undefined;
  if (content?.Simple === undefined) throw new Error('the report has no Simple content');
  return content.Simple;
}

/**
 * A simulated March 2026 on the local runtime: failed payments and recoveries arrive as signed
 * Stripe webhooks while the journey emails the debtors; on 1 April at 08:00 the monthly close
 * fires by itself on the virtual clock and lands in the outbox with its charts and CSV files.
 */
describe('the monthly close on the local runtime', () => {
  let runtime: LocalRuntime;
  let client: LocalRuntimeClient;
  const failures: string[] = [];
  let report: OutboxReport | undefined;

  const deliver = async (
    at: string,
    type: 'invoice.payment_failed' | 'invoice.paid',
    invoice: Record<string, unknown>,
  ) => {
    await client.advanceTo(at);
    const { status } = await client.deliverStripeEvent(type, invoice);
    expect(status).toBe(200);
  };

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      port: 0,
      clockStart: new Date('2026-03-01T09:00:00Z'),
      scheduledReports: ['monthly'],
      reportRecipients: { monthly: ['cfo@acme.test', 'ar@acme.test'] },
      log: (message, detail) => failures.push(`${message} ${String(detail)}`),
    });
    client = new LocalRuntimeClient(runtime);
    const usdA = {
      invoiceId: 'in_FR_A',
      customerId: 'cus_FR_A',
      amountDue: 4999,
      currency: 'usd',
      subscriptionId: 'sub_FR_A',
      timeZone: 'UTC',
    };
    const usdB = {
      invoiceId: 'in_FR_B',
      customerId: 'cus_FR_B',
      amountDue: 10000,
      currency: 'usd',
      subscriptionId: 'sub_FR_B',
      timeZone: 'UTC',
    };
    const jpyC = {
      invoiceId: 'in_FR_C',
      customerId: 'cus_FR_C',
      amountDue: 5000,
      currency: 'jpy',
      subscriptionId: 'sub_FR_C',
      timeZone: 'UTC',
    };
    await deliver('2026-03-02T10:00:00Z', 'invoice.payment_failed', usdA);
    await deliver('2026-03-03T10:00:00Z', 'invoice.payment_failed', usdB);
    await deliver('2026-03-05T10:00:00Z', 'invoice.payment_failed', jpyC);
    await deliver('2026-03-09T15:00:00Z', 'invoice.paid', usdA);
    await deliver('2026-03-20T10:00:00Z', 'invoice.paid', jpyC);
    await client.advanceTo('2026-04-01T09:00:00Z');
    report = ((await client.outbox()) as OutboxEntry[]).find(
      (entry): entry is OutboxReport => 'kind' in entry && entry.kind === 'report',
    );
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('arrives in the outbox by itself, with inline charts and CSV attachments', () => {
    expect(failures).toEqual([]);
    expect(report).toMatchObject({
      kind: 'report',
      reportId: 'monthly-2026-03',
      to: 'cfo@acme.test, ar@acme.test',
      subject: 'Monthly close: 2026-03',
      sentAt: '2026-04-01T08:00:00.000Z',
      template: 'finance-report',
    });
    const names = report?.attachments.map((attachment) => attachment.fileName);
    expect(names).toEqual([
      'cohorts-jpy.png',
      'aging-jpy.png',
      'attribution-jpy.png',
      'cohorts-usd.png',
      'aging-usd.png',
      'attribution-usd.png',
      'summary.csv',
      'breakdowns.csv',
      'buckets.csv',
      'lift.csv',
    ]);
    expect(report?.html).toContain('src="cid:cohorts-usd@finance-report"');
    expect(report?.html).toContain('Definitions');
    const simple = simpleContent(report);
    expect(simple.Attachments[0]?.RawContent.startsWith(pngMagic)).toBe(true);
    expect(simple.Attachments[0]?.ContentDisposition).toBe('INLINE');
    expect(simple.Attachments[6]?.ContentDisposition).toBe('ATTACHMENT');
  });

  it('carries the month’s figures in the CSV, to the minor unit', () => {
    const simple = simpleContent(report);
    const summary = Buffer.from(
      simple.Attachments.find((attachment) => attachment.FileName === 'summary.csv')?.RawContent ?? '',
      'base64',
    ).toString('utf8');
    const rows = summary
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const header = rows[0] ?? [];
    const field = (currency: string, name: string) =>
      rows.find((row) => row[0] === currency)?.[header.indexOf(name)];
    expect(field('USD', 'failed_amount_minor')).toBe('14999');
    expect(field('USD', 'recovered_amount_minor')).toBe('4999');
    expect(field('USD', 'ending_receivables_minor')).toBe('10000');
    expect(field('USD', 'mrr_at_risk_minor')).toBe('10000');
    expect(field('JPY', 'minor_unit_digits')).toBe('0');
    expect(field('JPY', 'recovery_rate_amount')).toBe('1');
  });

  it('is archived, and its email link opens the archived report through GET /reports/{token}', async () => {
    const link = report?.archiveUrl ?? '';
    expect(link).toMatch(new RegExp(`^${runtime.url}/reports/r1\\.monthly-2026-03\\.[0-9a-z]+\\.[\\w-]+$`));
    // Mustache escapes the slashes of the href; the token has none.
    expect(report?.html).toContain(`reports&#x2F;${link.split('/').pop()}"`);

    const toPage = await fetch(link, { redirect: 'manual' });
    expect(toPage.status).toBe(302);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${link}/index.html`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<img src="cohorts-usd.png"');
    expect(html).toContain('Monthly close');

    // The page's relative chart and CSV references resolve below the link, which hands them out
    // from the reports folder (a presigned S3 URL on AWS).
    const chart = await fetch(new URL('cohorts-usd.png', page.url));
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await chart.arrayBuffer())
        .toString('base64')
        .startsWith(pngMagic),
    ).toBe(true);
    const csv = await fetch(new URL('summary.csv', page.url));
    expect(await csv.text()).toContain('failed_amount_minor');
    expect((await fetch(new URL('nothing.png', page.url))).status).toBe(404);
  });

  it('refuses a tampered report link with 403, naming no report', async () => {
    const link = report?.archiveUrl ?? '';
    const otherReport = link.replace('monthly-2026-03', 'monthly-2026-02');
    const response = await fetch(otherReport);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('2026');
    expect((await fetch(`${runtime.url}/reports/not-a-token/index.html`)).status).toBe(403);
  });

  it('keeps the operator routes over the reports folder', async () => {
    const chart = await fetch(`${runtime.url}/local/reports/monthly-2026-03/cohorts-usd.png`);
    expect(chart.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${runtime.url}/local/reports`)).status).toBe(200);
    const folder = await fetch(`${runtime.url}/local/reports/monthly-2026-03`, { redirect: 'manual' });
    expect(folder.status).toBe(302);
    expect((await fetch(`${runtime.url}/local/reports/..%2Fclock.json/x`)).status).toBe(404);
  });

  it('serves the same metrics through GET /api/metrics with a period and breakdowns', async () => {
    const response = await fetch(
      `${runtime.url}/api/metrics?period=2026-03&currency=usd&breakdown=channel,strategy`,
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      currencies: {
        currency: string;
        cohort: Record<string, number>;
        breakdowns: Record<string, { value: string }[]>;
      }[];
    };
    expect(body.currencies).toHaveLength(1);
    expect(body.currencies[0]?.cohort).toMatchObject({
      failedAmountMinor: 14999,
      recoveredAmountMinor: 4999,
    });
    expect(Object.keys(body.currencies[0]?.breakdowns ?? {})).toEqual(['channel', 'strategy']);
    expect(body.currencies[0]?.breakdowns.channel?.map((row) => row.value)).toEqual(['email']);
    expect((await fetch(`${runtime.url}/api/metrics?cohortMonth=2026-03`)).status).toBe(400);
    expect((await fetch(`${runtime.url}/api/metrics?period=2026-13`)).status).toBe(400);
  });

  it('proves the live aggregates equal a rebuild from the claims', async () => {
    const response = await fetch(`${runtime.url}/local/jobs/rebuild-metric-aggregates/run`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { equal: boolean; claims: number } }).result).toMatchObject({
      equal: true,
      claims: 3,
    });
  });

  it('runs the proof on the synthesized state machine over any segments, fails on a difference, and repairs it', async () => {
    const run = async (body: object) => {
      const response = await fetch(`${runtime.url}/local/jobs/rebuild-metric-aggregates/run`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { result?: { equal: boolean; repaired: boolean }; error?: string },
      };
    };
    const [march] = await runtime.aggregates.listMonthCells('USD', '2026-03');
    if (!march) throw new Error('no USD cell for March');

    const three = await run({ segments: 3 });
    await runtime.aggregates.replaceCell({ ...march, values: { ...march.values, 'failed.count': 99 } });
    const found = await run({ segments: 2 });
    const repaired = await run({ segments: 2, repair: true });
    const proof = await run({});
    const refused = await run({ segments: 0 });

    expect(three).toMatchObject({ status: 200, body: { result: { equal: true, claims: 3 } } });
    expect(found.status).toBe(500);
    expect(found.body.error).toMatch(
      /MetricAggregatesMismatch: 1 aggregate cells and 0 contribution records differ/,
    );
    expect(repaired).toMatchObject({ status: 200, body: { result: { equal: false, repaired: true } } });
    expect(proof).toMatchObject({ status: 200, body: { result: { equal: true } } });
    expect(refused.status).toBe(500);
    expect(refused.body.error).toMatch(
      /InvalidRequestError: invalid rebuild step[\s\S]*"input",\s*"segments"/,
    );
    expect(await runtime.aggregates.listMonthCells('USD', '2026-03')).toEqual([march]);
  });

  it('never emails the same report twice when the job runs again', async () => {
    const response = await fetch(`${runtime.url}/local/jobs/send-finance-report-monthly/run`, {
      method: 'POST',
    });
    expect(((await response.json()) as { result: { email: string } }).result.email).toBe('already-delivered');
    const reports = ((await client.outbox()) as OutboxEntry[]).filter(
      (entry) => 'kind' in entry && entry.kind === 'report',
    );
    expect(reports).toHaveLength(1);
  });

  // Last: it moves the virtual clock past the link's lifetime.
  it('answers 410 once the link is older than its 30 days', async () => {
    const link = report?.archiveUrl ?? '';
    await client.advanceTo('2026-05-01T07:59:00Z');
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(302);
    await client.advanceTo('2026-05-01T08:00:01Z');
    const expired = await fetch(link);
    expect(expired.status).toBe(410);
    expect(await expired.text()).not.toContain('monthly');
  });
});
