import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { MetricAggregatesTable } from '../shared/adapters/dynamodb/metric-aggregates-table.ts';
import { httpErrorResponses, jsonResponse } from '../shared/adapters/http/http-api.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { loadMetricsConfig, loadTableConfig } from '../shared/config.ts';
import { InvalidRequestError } from '../shared/domain/errors.ts';
import type { CurrencyMetrics } from '../shared/domain/finance-metrics.ts';
import {
  attributionDimensions,
  type BreakdownDimension,
  cohortDimensions,
} from '../shared/domain/metric-contributions.ts';
import { parsePeriod } from '../shared/domain/metrics-calendar.ts';
import {
  cohortMonthPattern,
  compareRecoveryMetricsRows,
  type RecoveryMetricsRow,
} from '../shared/domain/recovery-metrics.ts';
import type { Clock, MetricsStore } from '../shared/ports.ts';
import {
  type BuildFinanceReportDependencies,
  buildFinanceReport,
} from '../shared/use-cases/build-finance-report.ts';

export interface GetRecoveryMetricsDependencies {
  readonly metrics: Pick<MetricsStore, 'listRecoveryMetrics'>;
  /** The finance metrics behind `?period=` (docs/metrics.md). */
  readonly finance?: BuildFinanceReportDependencies & { readonly clock: Clock };
}

const breakdownDimensions: readonly BreakdownDimension[] = [...cohortDimensions, ...attributionDimensions];

/**
 * Strict, so a misspelt filter (`?curency=USD`) is a 400 instead of an unfiltered answer. Repeated
 * parameters arrive comma-joined in HTTP API payload 2.0 and fail the patterns.
 */
const metricsQuerySchema = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO 4217 code')
    .transform((code) => code.toUpperCase())
    .optional(),
  cohortMonth: z.string().regex(cohortMonthPattern, 'expected a month as YYYY-MM').optional(),
  /** A day, ISO week, month or day range (`parsePeriod`): answers with the finance metrics instead. */
  period: z.string().max(40).optional(),
  /** Comma-separated breakdown dimensions, or `all`; only with `period`. */
  breakdown: z
    .string()
    .max(200)
    .transform((list) => list.split(',').map((name) => name.trim()))
    .refine(
      (names) =>
        names.every((name) => name === 'all' || (breakdownDimensions as readonly string[]).includes(name)),
      `expected "all" or dimensions among ${breakdownDimensions.join(', ')}`,
    )
    .optional(),
});

type MetricsQuery = z.infer<typeof metricsQuerySchema>;

function parseMetricsQuery(event: APIGatewayProxyEventV2): MetricsQuery {
  const result = metricsQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    throw new InvalidRequestError(`invalid query parameters: ${problems}`);
  }
  return result.data;
}

/** Keeps the requested breakdowns only, so a dashboard reads what it asked for. */
function withBreakdowns(metrics: CurrencyMetrics, requested: readonly string[] | undefined) {
  const { breakdowns, ...rest } = metrics;
  if (requested === undefined) return rest;
  const dimensions = requested.includes('all') ? breakdownDimensions : requested;
  return {
    ...rest,
    breakdowns: Object.fromEntries(
      dimensions.map((dimension) => [dimension, breakdowns[dimension as BreakdownDimension]]),
    ),
  };
}

function matches(row: RecoveryMetricsRow, query: MetricsQuery): boolean {
  return (
    (query.currency === undefined || row.currency === query.currency) &&
    (query.cohortMonth === undefined || row.cohortMonth === query.cohortMonth)
  );
}

/**
 * `GET /api/metrics[?currency=USD][&cohortMonth=2026-03]`: the stored recovery metrics as
 * `{ metrics: RecoveryMetricsRow[] }`, sorted by cohort month then currency.
 */
export function createGetRecoveryMetricsHandler(deps: GetRecoveryMetricsDependencies) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponses())
    .handler(async (event) => {
      const query = parseMetricsQuery(event);
      if (query.period !== undefined || query.breakdown !== undefined) {
        if (query.period === undefined) throw new InvalidRequestError('breakdown needs a period');
        if (query.cohortMonth !== undefined) {
          throw new InvalidRequestError('use period or cohortMonth, not both');
        }
        if (deps.finance === undefined) throw new Error('finance metrics are not wired');
        const report = await buildFinanceReport(
          {
            kind: 'adhoc',
            period: parsePeriod(query.period),
            generatedAt: deps.finance.clock.now(),
            ...(query.currency ? { currency: query.currency } : {}),
          },
          deps.finance,
        );
        return jsonResponse(200, {
          period: report.period,
          timeZone: report.timeZone,
          attributionWindowDays: report.attributionWindowDays,
          generatedAt: report.generatedAt,
          currencies: report.currencies.map((metrics) => withBreakdowns(metrics, query.breakdown)),
        });
      }
      const rows = await deps.metrics.listRecoveryMetrics();
      const metrics = rows.filter((row) => matches(row, query)).sort(compareRecoveryMetricsRows);
      return jsonResponse(200, { metrics });
    });
}

export const handler = lazyHandler(() => {
  const dynamodb = new DynamoDBClient({});
  const { TABLE_NAME } = loadTableConfig();
  const metricsConfig = loadMetricsConfig();
  return createGetRecoveryMetricsHandler({
    metrics: new CollectionsTable(dynamodb, TABLE_NAME),
    finance: {
      aggregates: new MetricAggregatesTable(dynamodb, TABLE_NAME),
      settings: {
        timeZone: metricsConfig.METRICS_TIME_ZONE,
        attributionWindowDays: metricsConfig.ATTRIBUTION_WINDOW_DAYS,
      },
      clock: systemClock,
    },
  });
});
