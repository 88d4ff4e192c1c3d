import { describe, expect, it } from 'vitest';
import { MessageRefusedError } from '../../../shared/domain/errors.ts';
import type { MetricCell } from '../../../shared/domain/metric-cells.ts';
import type {
  ReportArchive,
  ReportDeliveryLedger,
  ReportDeliveryRecord,
  ReportEmail,
  ReportMailer,
} from '../../../shared/ports.ts';
import {
  type DeliverFinanceReportDependencies,
  deliverFinanceReport,
} from '../../../shared/use-cases/deliver-finance-report.ts';

class MemoryArchive implements ReportArchive {
  public readonly files = new Map<string, { body: Uint8Array; contentType: string }>();
  public async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.files.set(key, { body, contentType });
  }
  public async linkTo(key: string, expiresInSeconds: number): Promise<string> {
    return `https://archive.test/${key}?expires=${expiresInSeconds}`;
  }
}

class MemoryLedger implements ReportDeliveryLedger {
  public readonly records = new Map<string, ReportDeliveryRecord>();
  public async beginReportDelivery(record: ReportDeliveryRecord): Promise<boolean> {
    const existing = this.records.get(record.reportId);
    if (existing && existing.status !== 'failed') return false;
    this.records.set(record.reportId, record);
    return true;
  }
  public async getReportDelivery(reportId: string) {
    return this.records.get(reportId);
  }
  public async completeReportDelivery(record: ReportDeliveryRecord): Promise<void> {
    this.records.set(record.reportId, record);
  }
}

const cells: MetricCell[] = [
  {
    currency: 'USD',
    granularity: 'month',
    period: '2026-03',
    values: { 'failed.count': 2, 'failed.amount': 5000, 'recovered.count': 1, 'recovered.amount': 2000 },
  },
];

function dependencies(mailer: ReportMailer, recipients: readonly string[] = ['cfo@acme.test']) {
  const archive = new MemoryArchive();
  const deliveries = new MemoryLedger();
  const deps: DeliverFinanceReportDependencies = {
    aggregates: {
      listCurrencies: async () => ['USD'],
      listMonthCells: async () => cells,
      listDayCells: async () => [],
    },
    settings: { timeZone: 'Europe/Paris', attributionWindowDays: 7 },
    renderer: {
      render: async (report) => ({
        charts: [
          {
            fileName: 'cohorts-usd.png',
            contentId: 'cohorts-usd@finance-report',
            png: new Uint8Array([137, 80]),
          },
        ],
        csvFiles: [{ fileName: 'summary.csv', content: `currency\r\n${report.currencies[0]?.currency}\r\n` }],
        archiveHtml: '<html>archive</html>',
        emailHtml: (url) => `<a href="${url}">archive</a>`,
        emailText: (url) => url,
      }),
    },
    archive,
    mailer,
    deliveries,
    clock: { now: () => new Date('2026-04-01T06:00:00Z') },
    recipients: { daily: [], weekly: [], monthly: recipients },
    reportLink: async (reportId) => `https://api.test/reports/r1.${reportId}.exp.mac`,
  };
  return { deps, archive, deliveries };
}

describe('deliverFinanceReport', () => {
  it('archives the page, charts, CSV and JSON, then emails them once with a link to the archive', async () => {
    const sent: ReportEmail[] = [];
    const { deps, archive } = dependencies({
      sendReport: async (email) => {
        sent.push(email);
        return { providerMessageId: 'm-1' };
      },
    });

    const first = await deliverFinanceReport({ kind: 'monthly' }, deps);
    const second = await deliverFinanceReport({ kind: 'monthly' }, deps);

    expect(first).toMatchObject({ reportId: 'monthly-2026-03', email: 'sent', currencies: ['USD'] });
    expect(second.email).toBe('already-delivered');
    expect([...archive.files.keys()].sort()).toEqual([
      'reports/monthly-2026-03/cohorts-usd.png',
      'reports/monthly-2026-03/index.html',
      'reports/monthly-2026-03/report.json',
      'reports/monthly-2026-03/summary.csv',
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: ['cfo@acme.test'],
      subject: 'Monthly close: 2026-03',
      html: '<a href="https://api.test/reports/r1.monthly-2026-03.exp.mac">archive</a>',
      archiveUrl: 'https://api.test/reports/r1.monthly-2026-03.exp.mac',
    });
    expect(first.archiveUrl).toBe('https://api.test/reports/r1.monthly-2026-03.exp.mac');
    expect(sent[0]?.attachments.map((a) => [a.fileName, a.contentId])).toEqual([
      ['cohorts-usd.png', 'cohorts-usd@finance-report'],
      ['summary.csv', undefined],
    ]);
    const json = JSON.parse(
      new TextDecoder().decode(archive.files.get('reports/monthly-2026-03/report.json')?.body),
    );
    expect(json.currencies[0].cohort).toMatchObject({ failedAmountMinor: 5000, recoveredAmountMinor: 2000 });
  });

  it('archives without emailing when the kind has no recipient', async () => {
    const { deps } = dependencies({ sendReport: async () => ({ providerMessageId: 'never' }) }, []);
    expect((await deliverFinanceReport({ kind: 'monthly' }, deps)).email).toBe('skipped');
  });

  it('lets a retry send after a definite refusal, but never after an uncertain attempt', async () => {
    let calls = 0;
    const refusing = dependencies({
      sendReport: async () => {
        calls += 1;
        if (calls === 1) throw new MessageRefusedError('throttled');
        return { providerMessageId: 'm-2' };
      },
    });
    await expect(deliverFinanceReport({ kind: 'monthly' }, refusing.deps)).rejects.toThrow('throttled');
    expect(refusing.deliveries.records.get('monthly-2026-03')?.status).toBe('failed');
    expect((await deliverFinanceReport({ kind: 'monthly' }, refusing.deps)).email).toBe('sent');

    const timingOut = dependencies({
      sendReport: async () => {
        throw new Error('socket hang up');
      },
    });
    await expect(deliverFinanceReport({ kind: 'monthly' }, timingOut.deps)).rejects.toThrow('socket hang up');
    expect(timingOut.deliveries.records.get('monthly-2026-03')?.status).toBe('uncertain');
    expect((await deliverFinanceReport({ kind: 'monthly' }, timingOut.deps)).email).toBe('already-delivered');
  });
});
