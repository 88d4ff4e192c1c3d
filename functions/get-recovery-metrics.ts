import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { CollectionsTable } from '../shared/adapters/dynamodb/collections-table.ts';
import { httpErrorResponses, jsonResponse } from '../shared/adapters/http/http-api.ts';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { loadTableConfig } from '../shared/config.ts';
import { InvalidRequestError } from '../shared/domain/errors.ts';
import {
  cohortMonthPattern,
  compareRecoveryMetricsRows,
  type RecoveryMetricsRow,
} from '../shared/domain/recovery-metrics.ts';
import type { MetricsStore } from '../shared/ports.ts';

export interface GetRecoveryMetricsDependencies {
  readonly metrics: Pick<MetricsStore, 'listRecoveryMetrics'>;
}

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
      const rows = await deps.metrics.listRecoveryMetrics();
      const metrics = rows.filter((row) => matches(row, query)).sort(compareRecoveryMetricsRows);
      return jsonResponse(200, { metrics });
    });
}

export const handler = lazyHandler(() => {
  const table = new CollectionsTable(new DynamoDBClient({}), loadTableConfig().TABLE_NAME);
  return createGetRecoveryMetricsHandler({ metrics: table });
});
