import type { FinanceReport } from '../../domain/finance-report.ts';
import type { FinanceReportRenderer, RenderedFinanceReport } from '../../use-cases/deliver-finance-report.ts';
import { renderReportCharts } from './report-charts.ts';
import { reportCsvFiles } from './report-csv.ts';
import { reportHtml, reportText } from './report-html.ts';

/** Charts (Vega-Lite → PNG), CSV (csv-stringify) and HTML (Mustache) of a finance report. */
export class ChartingReportRenderer implements FinanceReportRenderer {
  public async render(report: FinanceReport): Promise<RenderedFinanceReport> {
    const charts = await renderReportCharts(report.currencies);
    const csvFiles = reportCsvFiles(report);
    const csvNames = csvFiles.map((file) => file.fileName);
    return {
      charts,
      csvFiles,
      archiveHtml: reportHtml(report, charts, { images: 'file', csvNames }),
      emailHtml: (archiveUrl) => reportHtml(report, charts, { images: 'cid', archiveUrl, csvNames }),
      emailText: (archiveUrl) => reportText(report, archiveUrl),
    };
  }
}
