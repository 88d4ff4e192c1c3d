import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sesReportEmailInput } from '../../../../shared/adapters/email/ses-report-mailer.ts';
import { renderChartPng } from '../../../../shared/adapters/reports/chart-renderer.ts';
import { FolderReportArchive } from '../../../../shared/adapters/reports/folder-report-archive.ts';
import { chartSpecs } from '../../../../shared/adapters/reports/report-charts.ts';
import { reportCsvFiles } from '../../../../shared/adapters/reports/report-csv.ts';
import { reportHtml, reportText } from '../../../../shared/adapters/reports/report-html.ts';
import { computeCurrencyMetrics } from '../../../../shared/domain/finance-metrics.ts';
import type { FinanceReport } from '../../../../shared/domain/finance-report.ts';
import { CellIndex } from '../../../../shared/domain/metric-cells.ts';
import { monthPeriod } from '../../../../shared/domain/metrics-calendar.ts';
import { expectedCells, goldenScenario } from '../../../support/finance-scenarios.ts';

const settings = { timeZone: 'UTC', attributionWindowDays: 7 };
const cells = expectedCells(goldenScenario, settings);
const report: FinanceReport = {
  reportId: 'monthly-2026-03',
  kind: 'monthly',
  period: monthPeriod('2026-03'),
  timeZone: 'UTC',
  attributionWindowDays: 7,
  generatedAt: '2026-04-01T08:00:00.000Z',
  currencies: ['JPY', 'USD'].map((currency) => {
    const mine = cells.filter((cell) => cell.currency === currency);
    return computeCurrencyMetrics(
      new CellIndex(
        mine.filter((cell) => cell.granularity === 'month'),
        mine.filter((cell) => cell.granularity === 'day'),
        [],
      ),
      currency,
      monthPeriod('2026-03'),
    );
  }),
};

function valuesOf(spec: unknown): unknown[] {
  const data = (spec as { data?: { values?: unknown[] } } | undefined)?.data;
  return data?.values ?? [];
}

describe('finance report rendering', () => {
  it('renders a chart as a PNG image', async () => {
    const [first] = chartSpecs(report.currencies[1] ?? report.currencies[0] ?? ({} as never));
    const png = await renderChartPng(first?.spec ?? ({} as never));
    expect([...png.slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(png.byteLength).toBeGreaterThan(5000);
  });

  it('draws chart text with the bundled font, currency signs included', async () => {
    // Without a usable font resvg draws no glyph at all: both images would be the same blank.
    const textChart = (text: string) =>
      renderChartPng({
        width: 240,
        height: 40,
        data: { values: [{}] },
        mark: { type: 'text', fontSize: 18 },
        encoding: { text: { value: text } },
      });
    const [withText, blank] = await Promise.all([textChart('Recovered ₩1,000 ₹500 €20'), textChart('')]);
    expect(withText.byteLength).toBeGreaterThan(blank.byteLength + 500);
  });

  it('charts amounts in major units: yen stay whole, cents become dollars', () => {
    const usd = chartSpecs(report.currencies[1] ?? ({} as never));
    const values = valuesOf(usd[0]?.spec);
    expect(values).toContainEqual({ month: '2026-03', series: 'Failed', amount: 470 });
    const jpy = chartSpecs(report.currencies[0] ?? ({} as never));
    const yen = valuesOf(jpy[0]?.spec);
    expect(yen).toContainEqual({ month: '2026-03', series: 'Failed', amount: 8000 });
  });

  it('writes CSV with exact minor units and one row per currency', () => {
    const [summary, breakdowns] = reportCsvFiles(report);
    const lines = summary?.content.trim().split('\r\n') ?? [];
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^USD,2,2026-03-01,2026-03-31,47000,6,17000,3,/);
    expect(breakdowns?.content).toContain('USD,channel,sms,0,0,1,10000,,,0.5882352941176471');
  });

  it('puts the definitions in the footer and references charts by content id in the email', () => {
    const charts = [
      {
        fileName: 'cohorts-usd.png',
        contentId: 'cohorts-usd@finance-report',
        title: 'Cohorts',
        currency: 'USD',
        png: new Uint8Array(),
      },
    ];
    const email = reportHtml(report, charts, {
      images: 'cid',
      archiveUrl: 'https://archive.test/x',
      csvNames: ['summary.csv'],
    });
    expect(email).toContain('src="cid:cohorts-usd@finance-report"');
    expect(email).toContain('last message sent within 7 days before the payment');
    expect(email).toContain('$470.00');
    expect(email).toContain('¥8,000');
    expect(reportHtml(report, charts, { images: 'file', csvNames: [] })).toContain('src="cohorts-usd.png"');
    expect(reportText(report, 'https://archive.test/x')).toContain(
      'Archived copy (charts, CSV): https://archive.test/x',
    );
  });

  it('asks SES for inline charts and attached CSV files', () => {
    const input = sesReportEmailInput(
      {
        to: ['cfo@acme.test'],
        subject: 'Monthly close: 2026-03',
        text: 't',
        html: 'h',
        reportId: 'monthly-2026-03',
        archiveUrl: 'https://archive.test/x',
        attachments: [
          { fileName: 'a.png', contentType: 'image/png', content: new Uint8Array([1]), contentId: 'a@r' },
          { fileName: 'summary.csv', contentType: 'text/csv', content: new Uint8Array([2]) },
        ],
      },
      { from: 'billing@acme.test', configurationSetName: 'reports' },
    );
    expect(input.Content?.Simple?.Attachments).toEqual([
      expect.objectContaining({ FileName: 'a.png', ContentDisposition: 'INLINE', ContentId: 'a@r' }),
      expect.objectContaining({ FileName: 'summary.csv', ContentDisposition: 'ATTACHMENT' }),
    ]);
    expect(input).toMatchObject({
      ConfigurationSetName: 'reports',
      EmailTags: [{ Name: 'report', Value: 'monthly-2026-03' }],
    });
  });

  it('keeps the folder archive inside its folder', async () => {
    const archive = new FolderReportArchive(mkdtempSync(join(tmpdir(), 'archive-')), () => 'http://local/');
    await archive.put('reports/r1/index.html', new TextEncoder().encode('ok'), 'text/html');
    expect(archive.read('reports/r1/index.html').toString()).toBe('ok');
    expect(await archive.linkTo('reports/r1/index.html', 60)).toBe('http://local/reports/r1/index.html');
    await expect(archive.put('../escape.txt', new Uint8Array(), 'text/plain')).rejects.toThrow(RangeError);
  });
});
