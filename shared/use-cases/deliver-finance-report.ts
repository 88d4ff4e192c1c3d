import { isDefiniteRefusal } from '../domain/errors.ts';
import type { FinanceReport } from '../domain/finance-report.ts';
import { reportTitles } from '../domain/finance-report.ts';
import { previousPeriod, type ReportKind, type ReportPeriod } from '../domain/metrics-calendar.ts';
import type {
  Clock,
  ReportArchive,
  ReportAttachment,
  ReportDeliveryLedger,
  ReportDeliveryRecord,
  ReportMailer,
} from '../ports.ts';
import { type BuildFinanceReportDependencies, buildFinanceReport } from './build-finance-report.ts';

/** The report turned into files: what the archive keeps and the email carries. */
export interface RenderedFinanceReport {
  readonly charts: readonly { fileName: string; contentId: string; png: Uint8Array }[];
  readonly csvFiles: readonly { fileName: string; content: string }[];
  /** The archived page: images by file name, next to it. */
  readonly archiveHtml: string;
  emailHtml(archiveUrl: string): string;
  emailText(archiveUrl: string): string;
}

export interface FinanceReportRenderer {
  render(report: FinanceReport): Promise<RenderedFinanceReport>;
}

export interface DeliverFinanceReportDependencies extends BuildFinanceReportDependencies {
  readonly renderer: FinanceReportRenderer;
  readonly archive: ReportArchive;
  readonly mailer: ReportMailer;
  readonly deliveries: ReportDeliveryLedger;
  readonly clock: Clock;
  /** Who receives each kind of report; a kind without recipients is archived only. */
  readonly recipients: Readonly<Record<ReportKind, readonly string[]>>;
  /**
   * The durable, time-limited link to the archived report that the email carries
   * (`reportLinkIssuer`: a signed token for `GET /reports/{token}`).
   */
  readonly reportLink: (reportId: string) => Promise<string>;
}

export interface DeliverFinanceReportResult {
  readonly reportId: string;
  readonly period: ReportPeriod;
  readonly archiveKey: string;
  readonly archiveUrl: string;
  /** `sent` now, `skipped` (no recipients), or `already-delivered` (a rerun: never mailed twice). */
  readonly email: 'sent' | 'skipped' | 'already-delivered';
  readonly currencies: readonly string[];
}

export function archivePrefixFor(reportId: string): string {
  return `reports/${reportId}/`;
}

/**
 * The scheduled finance report: computes the period's metrics from the aggregates, archives the
 * page, charts, CSV and JSON, and emails them with a time-limited link to the archive. A rerun
 * (scheduler retry) re-archives the same keys and never emails twice; an attempt that died while
 * the mailer was called is recorded `uncertain` and not retried (at most once beats twice).
 */
export async function deliverFinanceReport(
  request: { readonly kind: ReportKind; readonly period?: ReportPeriod },
  deps: DeliverFinanceReportDependencies,
): Promise<DeliverFinanceReportResult> {
  const now = deps.clock.now();
  const period = request.period ?? previousPeriod(request.kind, now, deps.settings.timeZone);
  const report = await buildFinanceReport({ kind: request.kind, period, generatedAt: now }, deps);
  const rendered = await deps.renderer.render(report);

  const prefix = archivePrefixFor(report.reportId);
  const archiveKey = `${prefix}index.html`;
  const encoder = new TextEncoder();
  for (const chart of rendered.charts)
    await deps.archive.put(`${prefix}${chart.fileName}`, chart.png, 'image/png');
  for (const file of rendered.csvFiles) {
    await deps.archive.put(
      `${prefix}${file.fileName}`,
      encoder.encode(file.content),
      'text/csv; charset=utf-8',
    );
  }
  await deps.archive.put(
    `${prefix}report.json`,
    encoder.encode(JSON.stringify(report, null, 2)),
    'application/json',
  );
  await deps.archive.put(archiveKey, encoder.encode(rendered.archiveHtml), 'text/html; charset=utf-8');
  const archiveUrl = await deps.reportLink(report.reportId);
  const base = {
    reportId: report.reportId,
    period,
    archiveKey,
    archiveUrl,
    currencies: report.currencies.map((metrics) => metrics.currency),
  };

  const to = deps.recipients[request.kind];
  if (to.length === 0) return { ...base, email: 'skipped' };

  const record: ReportDeliveryRecord = {
    reportId: report.reportId,
    status: 'sending',
    startedAt: now.toISOString(),
    recipients: to,
    archiveKey,
  };
  if (!(await deps.deliveries.beginReportDelivery(record))) return { ...base, email: 'already-delivered' };

  const attachments: ReportAttachment[] = [
    ...rendered.charts.map((chart) => ({
      fileName: chart.fileName,
      contentType: 'image/png',
      content: chart.png,
      contentId: chart.contentId,
    })),
    ...rendered.csvFiles.map((file) => ({
      fileName: file.fileName,
      contentType: 'text/csv',
      content: encoder.encode(file.content),
    })),
  ];
  try {
    const { providerMessageId } = await deps.mailer.sendReport({
      to,
      subject: `${reportTitles[report.kind]}: ${period.label}`,
      text: rendered.emailText(archiveUrl),
      html: rendered.emailHtml(archiveUrl),
      attachments,
      reportId: report.reportId,
      archiveUrl,
    });
    await deps.deliveries.completeReportDelivery({
      ...record,
      status: 'sent',
      sentAt: deps.clock.now().toISOString(),
      providerMessageId,
    });
  } catch (error) {
    await deps.deliveries.completeReportDelivery({
      ...record,
      status: isDefiniteRefusal(error) ? 'failed' : 'uncertain',
    });
    throw error;
  }
  return { ...base, email: 'sent' };
}
