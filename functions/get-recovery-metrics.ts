import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { systemClock } from '../shared/adapters/clock/system-clock.ts';
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
import { monthToDate, parsePeriod } from '../shared/domain/metrics-calendar.ts';
import { isIsoCurrency } from '../shared/domain/money.ts';
import type { Clock } from '../shared/ports.ts';
import {
  type BuildFinanceReportDependencies,
  buildFinanceReport,
} from '../shared/use-cases/build-finance-report.ts';

/** The finance metrics (docs/metrics.md): read from the aggregates, as the reports are. */
export type GetRecoveryMetricsDependencies = BuildFinanceReportDependencies & { readonly clock: Clock };

const breakdownDimensions: readonly BreakdownDimension[] = [...cohortDimensions, ...attributionDimensions];

/**
 * Strict, so a misspelt filter (`?curency=USD`) is a 400 instead of an unfiltered answer. Repeated
 * parameters arrive comma-joined in HTTP API payload 2.0 and fail the patterns.
 */
const metricsQuerySchema = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO 4217 code')
    .refine(isIsoCurrency, 'not an ISO 4217 currency code')
    .transform((code) => code.toUpperCase())
    .optional(),
  /** Retired with the UTC cohort rows (docs/metrics.md): named, so the 400 says what replaces it. */
  cohortMonth: z
    .never({ error: 'retired with the UTC cohort rows: ask for period=YYYY-MM (docs/metrics.md)' })
    .optional(),
  /** A day, ISO week, month or day range (`parsePeriod`); without it, the current local month to date. */
  period: z.string().max(40).optional(),
  /** Comma-separated breakdown dimensions, or `all`. */
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

/**
 * `GET /api/metrics[?period=2026-03][&currency=USD][&breakdown=channel,strategy]`: every finance
 * metric per currency for the period (without one, the current month of the company's time zone
 * up to today), read from the aggregates as the scheduled reports are (docs/metrics.md).
 */
export function createGetRecoveryMetricsHandler(deps: GetRecoveryMetricsDependencies) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponses())
    .handler(async (event) => {
      const query = parseMetricsQuery(event);
      const now = deps.clock.now();
      const report = await buildFinanceReport(
        {
          kind: 'adhoc',
          period:
            query.period === undefined ? monthToDate(now, deps.settings.timeZone) : parsePeriod(query.period),
          generatedAt: now,
          ...(query.currency ? { currency: query.currency } : {}),
        },
        deps,
      );
      return jsonResponse(200, {
        period: report.period,
        timeZone: report.timeZone,
        attributionWindowDays: report.attributionWindowDays,
        generatedAt: report.generatedAt,
        currencies: report.currencies.map((metrics) => withBreakdowns(metrics, query.breakdown)),
      });
    });
}

export const handler = lazyHandler(() => {
  const dynamodb = new DynamoDBClient({});
  const { TABLE_NAME } = loadTableConfig();
  const metricsConfig = loadMetricsConfig();
  return createGetRecoveryMetricsHandler({
    aggregates: new MetricAggregatesTable(dynamodb, TABLE_NAME),
    settings: {
      timeZone: metricsConfig.METRICS_TIME_ZONE,
      attributionWindowDays: metricsConfig.ATTRIBUTION_WINDOW_DAYS,
    },
    clock: systemClock,
  });
});
