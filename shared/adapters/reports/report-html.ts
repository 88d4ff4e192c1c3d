import Mustache from 'mustache';
import type { BreakdownRow, CurrencyMetrics } from '../../domain/finance-metrics.ts';
import { definitionsFor, type FinanceReport, reportTitles } from '../../domain/finance-report.ts';
import type { BreakdownDimension } from '../../domain/metric-contributions.ts';
import { formatMoney } from '../../domain/money.ts';
import type { RenderedChart } from './report-charts.ts';

/** How images are referenced: `cid:` in the email, the file name in the archived copy. */
export type ImageReference = 'cid' | 'file';

const percent = (value: number | null): string => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const points = (value: number | null): string =>
  value === null ? '—' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts`;
const days = (value: number | null): string => (value === null ? '—' : `${value.toFixed(1)} days`);

const dimensionTitles: Record<BreakdownDimension, string> = {
  strategy: 'By strategy',
  variant: 'By variant',
  segment: 'By segment',
  decline: 'By decline classification',
  group: 'Holdout vs treated',
  strategyGroup: 'By strategy and group',
  channel: 'Recovered by last-touch channel',
  step: 'Recovered by last-touch step',
};

function breakdownView(metrics: CurrencyMetrics, dimension: BreakdownDimension) {
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency: metrics.currency });
  const rows = metrics.breakdowns[dimension];
  const attribution = dimension === 'channel' || dimension === 'step';
  return {
    title: dimensionTitles[dimension],
    attribution,
    rows: rows.map((row: BreakdownRow) => ({
      value: row.value,
      failed: `${money(row.failedAmountMinor)} (${row.failedCount})`,
      recovered: `${money(row.recoveredAmountMinor)} (${row.recoveredCount})`,
      rateAmount: percent(row.recoveryRateAmount),
      rateCount: percent(row.recoveryRateCount),
      share: percent(row.shareOfRecoveredAmount),
    })),
    empty: rows.length === 0,
  };
}

function currencyView(metrics: CurrencyMetrics, charts: readonly RenderedChart[], images: ImageReference) {
  const money = (amountMinor: number) => formatMoney({ amountMinor, currency: metrics.currency });
  const { cohort, mrr, receivables } = metrics;
  return {
    currency: metrics.currency,
    headline: [
      {
        label: 'Failed (cohort)',
        value: `${money(cohort.failedAmountMinor)} · ${cohort.failedCount} invoices`,
      },
      {
        label: 'Recovered',
        value: `${money(cohort.recoveredAmountMinor)} · ${cohort.recoveredCount} invoices`,
      },
      {
        label: 'Recovery rate',
        value: `${percent(cohort.recoveryRateAmount)} by amount · ${percent(cohort.recoveryRateCount)} by count`,
      },
      {
        label: 'Written off (cohort)',
        value: `${money(cohort.writtenOffAmountMinor)} · ${cohort.writtenOffCount}`,
      },
      {
        label: 'MRR at risk (end)',
        value: `${money(mrr.atRiskMinor)} · ${mrr.atRiskSubscriptions} subscriptions`,
      },
      {
        label: 'Recovered MRR',
        value: `${money(mrr.recoveredMinor)} · ${mrr.recoveredSubscriptions} subscriptions`,
      },
      {
        label: 'Involuntary churn MRR',
        value: `${money(mrr.involuntaryChurnMinor)} · ${mrr.churnedSubscriptions} subscriptions`,
      },
      {
        label: 'MRR collection rate',
        value: `${percent(mrr.collectionRate)} (${money(mrr.recurringCollectedMinor)} of ${money(mrr.recurringDueMinor)} due)`,
      },
      {
        label: 'Receivables',
        value: `${money(receivables.beginningMinor)} → ${money(receivables.endingMinor)}`,
      },
      {
        label: 'Billed / collected',
        value: `${money(receivables.billedAmountMinor)} / ${money(receivables.collectedAmountMinor)}`,
      },
      {
        label: 'Refunded / written off',
        value: `${money(receivables.refundedAmountMinor)} / ${money(receivables.writtenOffAmountMinor)}`,
      },
      {
        label: 'DSO',
        value: `${days(receivables.dsoSimpleDays)} simple · ${days(receivables.dsoCountbackDays)} countback`,
      },
      { label: 'CEI', value: receivables.cei === null ? '—' : `${receivables.cei.toFixed(1)}` },
    ],
    charts: charts
      .filter((chart) => chart.currency === metrics.currency)
      .map((chart) => ({
        title: chart.title,
        src: images === 'cid' ? `cid:${chart.contentId}` : chart.fileName,
      })),
    timeToRecovery: metrics.timeToRecovery.map((row) => ({
      bucket: row.bucket,
      count: row.count ?? 0,
      amount: money(row.amountMinor),
    })),
    aging: receivables.aging.map((row) => ({ bucket: row.bucket, amount: money(row.amountMinor) })),
    lift: metrics.lift.map((row) => ({
      scope: row.scope,
      treated: `${percent(row.treated.recoveryRateCount)} (${row.treated.recoveredCount}/${row.treated.failedCount})`,
      holdout: `${percent(row.holdout.recoveryRateCount)} (${row.holdout.recoveredCount}/${row.holdout.failedCount})`,
      liftCount: points(row.liftRateCount),
      liftAmount: points(row.liftRateAmount),
    })),
    hasLift: metrics.lift.length > 0,
    breakdowns: (['strategy', 'variant', 'segment', 'decline', 'group', 'channel', 'step'] as const).map(
      (dimension) => breakdownView(metrics, dimension),
    ),
  };
}

const cell = 'padding:4px 8px;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top';
const head = `${cell};background:#f4f6f8;font-weight:600`;

const template = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{title}}</title></head>
<body style="margin:0;padding:16px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1d2733">
<table role="presentation" width="100%" style="max-width:760px;margin:0 auto;border-collapse:collapse"><tr><td>
<h1 style="font-size:22px;margin:0 0 4px">{{title}}: {{periodLabel}}</h1>
<p style="margin:0 0 16px;color:#5b6b7b">{{periodStart}} to {{periodEnd}} ({{timeZone}}) · generated {{generatedAt}}{{#archiveUrl}} · <a href="{{archiveUrl}}">archived copy</a>{{/archiveUrl}}</p>
{{^currencies}}<p>No activity in this period.</p>{{/currencies}}
{{#currencies}}
<h2 style="font-size:18px;margin:24px 0 8px;border-bottom:2px solid #2c6fbb">{{currency}}</h2>
<table style="border-collapse:collapse;width:100%">
{{#headline}}<tr><th style="${head};width:40%">{{label}}</th><td style="${cell}">{{value}}</td></tr>{{/headline}}
</table>
{{#charts}}<p style="margin:16px 0 0"><img src="{{src}}" alt="{{title}}" width="504" style="max-width:100%;height:auto;border:0"></p>{{/charts}}
<h3 style="font-size:15px;margin:16px 0 4px">Time to recovery</h3>
<table style="border-collapse:collapse;width:100%"><tr><th style="${head}">Days</th><th style="${head}">Invoices</th><th style="${head}">Recovered</th></tr>
{{#timeToRecovery}}<tr><td style="${cell}">{{bucket}}</td><td style="${cell}">{{count}}</td><td style="${cell}">{{amount}}</td></tr>{{/timeToRecovery}}
</table>
<h3 style="font-size:15px;margin:16px 0 4px">Aging of ending receivables</h3>
<table style="border-collapse:collapse;width:100%"><tr><th style="${head}">Days past due</th><th style="${head}">Amount</th></tr>
{{#aging}}<tr><td style="${cell}">{{bucket}}</td><td style="${cell}">{{amount}}</td></tr>{{/aging}}
</table>
{{#hasLift}}<h3 style="font-size:15px;margin:16px 0 4px">Lift against the holdout group</h3>
<table style="border-collapse:collapse;width:100%"><tr><th style="${head}">Scope</th><th style="${head}">Treated</th><th style="${head}">Holdout</th><th style="${head}">Lift (count)</th><th style="${head}">Lift (amount)</th></tr>
{{#lift}}<tr><td style="${cell}">{{scope}}</td><td style="${cell}">{{treated}}</td><td style="${cell}">{{holdout}}</td><td style="${cell}">{{liftCount}}</td><td style="${cell}">{{liftAmount}}</td></tr>{{/lift}}
</table>{{/hasLift}}
{{#breakdowns}}{{^empty}}<h3 style="font-size:15px;margin:16px 0 4px">{{title}}</h3>
<table style="border-collapse:collapse;width:100%"><tr><th style="${head}">Value</th>{{^attribution}}<th style="${head}">Failed</th>{{/attribution}}<th style="${head}">Recovered</th>{{^attribution}}<th style="${head}">Rate (amount)</th><th style="${head}">Rate (count)</th>{{/attribution}}{{#attribution}}<th style="${head}">Share of recovered</th>{{/attribution}}</tr>
{{#rows}}<tr><td style="${cell}">{{value}}</td>{{^attribution}}<td style="${cell}">{{failed}}</td>{{/attribution}}<td style="${cell}">{{recovered}}</td>{{^attribution}}<td style="${cell}">{{rateAmount}}</td><td style="${cell}">{{rateCount}}</td>{{/attribution}}{{#attribution}}<td style="${cell}">{{share}}</td>{{/attribution}}</tr>{{/rows}}
</table>{{/empty}}{{/breakdowns}}
{{/currencies}}
<h2 style="font-size:16px;margin:32px 0 8px;color:#5b6b7b">Definitions</h2>
<table style="border-collapse:collapse;width:100%;font-size:12px;color:#5b6b7b">
{{#definitions}}<tr><th style="${cell};width:28%">{{term}}</th><td style="${cell}">{{definition}}</td></tr>{{/definitions}}
</table>
<p style="font-size:12px;color:#5b6b7b">Attachments: {{#csvNames}}{{.}} {{/csvNames}}(amounts in minor units). Report id {{reportId}}.</p>
</td></tr></table>
</body></html>
`;

export interface ReportHtmlOptions {
  readonly images: ImageReference;
  readonly archiveUrl?: string;
  readonly csvNames: readonly string[];
}

export function reportHtml(
  report: FinanceReport,
  charts: readonly RenderedChart[],
  options: ReportHtmlOptions,
): string {
  return Mustache.render(template, {
    title: reportTitles[report.kind],
    periodLabel: report.period.label,
    periodStart: report.period.start,
    periodEnd: report.period.end,
    timeZone: report.timeZone,
    generatedAt: report.generatedAt,
    archiveUrl: options.archiveUrl,
    reportId: report.reportId,
    currencies: report.currencies.map((metrics) => currencyView(metrics, charts, options.images)),
    definitions: definitionsFor(report.attributionWindowDays),
    csvNames: options.csvNames,
  });
}

/** The plain-text part: the headline figures and the definitions. */
export function reportText(report: FinanceReport, archiveUrl?: string): string {
  const lines = [
    `${reportTitles[report.kind]}: ${report.period.label} (${report.period.start} to ${report.period.end}, ${report.timeZone})`,
    '',
  ];
  if (report.currencies.length === 0) lines.push('No activity in this period.', '');
  for (const metrics of report.currencies) {
    lines.push(metrics.currency);
    for (const { label, value } of currencyView(metrics, [], 'file').headline)
      lines.push(`  ${label}: ${value}`);
    lines.push('');
  }
  if (archiveUrl) lines.push(`Archived copy (charts, CSV): ${archiveUrl}`, '');
  lines.push('Definitions');
  for (const { term, definition } of definitionsFor(report.attributionWindowDays))
    lines.push(`  ${term}: ${definition}`);
  return lines.join('\n');
}
