import type { Config, TopLevelSpec } from 'vega-lite';
import type { CurrencyMetrics } from '../../domain/finance-metrics.ts';
import { minorUnitDigits } from '../../domain/money.ts';
import { chartFontFamily, renderChartPng } from './chart-renderer.ts';

export interface RenderedChart {
  readonly fileName: string;
  /** Referenced from the email HTML as `cid:<contentId>`. */
  readonly contentId: string;
  readonly title: string;
  readonly currency: string;
  readonly png: Uint8Array;
}

const palette = { failed: '#c0392b', recovered: '#27ae60', neutral: '#2c6fbb' };

function major(amountMinor: number, currency: string): number {
  return amountMinor / 10 ** minorUnitDigits(currency);
}

function baseSpec(title: string): {
  width: number;
  height: number;
  padding: number;
  title: { text: string; anchor: 'start'; fontSize: number };
  config: Config;
} {
  return {
    width: 480,
    height: 200,
    padding: 12,
    title: { text: title, anchor: 'start', fontSize: 14 },
    config: {
      font: chartFontFamily,
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 11, gridColor: '#e5e5e5' },
      legend: { labelFontSize: 11, titleFontSize: 11, orient: 'top' },
    },
  };
}

/** The Vega-Lite specs of one currency's charts (pure data; exported for tests). */
export function chartSpecs(metrics: CurrencyMetrics): { name: string; title: string; spec: TopLevelSpec }[] {
  const { currency } = metrics;
  const trendTitle = `Failure cohorts: failed vs recovered (${currency})`;
  const trend: TopLevelSpec = {
    ...baseSpec(trendTitle),
    data: {
      values: metrics.cohortTrend.flatMap((row) => [
        { month: row.month, series: 'Failed', amount: major(row.failedAmountMinor, currency) },
        { month: row.month, series: 'Recovered', amount: major(row.recoveredAmountMinor, currency) },
      ]),
    },
    mark: 'bar',
    encoding: {
      x: {
        field: 'month',
        type: 'ordinal',
        title: 'Cohort (month of first failure)',
        axis: { labelAngle: 0 },
      },
      xOffset: { field: 'series' },
      y: { field: 'amount', type: 'quantitative', title: currency },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: ['Failed', 'Recovered'], range: [palette.failed, palette.recovered] },
      },
    },
  };
  const agingTitle = `Receivables aging at period end (${currency})`;
  const aging: TopLevelSpec = {
    ...baseSpec(agingTitle),
    data: {
      values: metrics.receivables.aging.map((row) => ({
        bucket: row.bucket === 'current' ? 'current' : `${row.bucket} days`,
        amount: major(row.amountMinor, currency),
      })),
    },
    mark: { type: 'bar', color: palette.neutral },
    encoding: {
      x: { field: 'bucket', type: 'ordinal', sort: null, title: 'Days past due', axis: { labelAngle: 0 } },
      y: { field: 'amount', type: 'quantitative', title: currency },
    },
  };
  const attributionTitle = `Recovered by last touch (${currency})`;
  const attribution: TopLevelSpec = {
    ...baseSpec(attributionTitle),
    data: {
      values: metrics.breakdowns.channel.map((row) => ({
        channel: row.value,
        amount: major(row.recoveredAmountMinor, currency),
      })),
    },
    mark: { type: 'bar', color: palette.recovered },
    encoding: {
      y: { field: 'channel', type: 'nominal', sort: '-x', title: null },
      x: { field: 'amount', type: 'quantitative', title: currency },
    },
  };
  return [
    { name: 'cohorts', title: trendTitle, spec: trend },
    { name: 'aging', title: agingTitle, spec: aging },
    { name: 'attribution', title: attributionTitle, spec: attribution },
  ];
}

/** Renders every chart of the report, currency by currency. */
export async function renderReportCharts(currencies: readonly CurrencyMetrics[]): Promise<RenderedChart[]> {
  const charts: RenderedChart[] = [];
  for (const metrics of currencies) {
    for (const { name, title, spec } of chartSpecs(metrics)) {
      const id = `${name}-${metrics.currency.toLowerCase()}`;
      charts.push({
        fileName: `${id}.png`,
        contentId: `${id}@finance-report`,
        title,
        currency: metrics.currency,
        png: await renderChartPng(spec),
      });
    }
  }
  return charts;
}
