import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGetRecoveryMetricsHandler } from '../../../functions/get-recovery-metrics.ts';
import { logger } from '../../../shared/adapters/observability/logger.ts';
import type { RecoveryMetricsRow } from '../../../shared/domain/recovery-metrics.ts';
import type { MetricsStore } from '../../../shared/ports.ts';

const computedAt = '2026-04-15T06:00:00.000Z';

function metricsRow(
  cohortMonth: string,
  currency: string,
  failed: number,
  recovered: number,
): RecoveryMetricsRow {
  return {
    cohortMonth,
    currency,
    failedAmountMinor: failed,
    failedCount: 2,
    recoveredAmountMinor: recovered,
    recoveredCount: 1,
    recoveryRateAmount: recovered / failed,
    recoveryRateCount: 0.5,
    computedAt,
  };
}

const marchUsd = metricsRow('2026-03', 'USD', 20000, 4999);
const marchJpy = metricsRow('2026-03', 'JPY', 12000, 5000);
const aprilUsd = metricsRow('2026-04', 'USD', 8000, 2000);
const aprilBhd = metricsRow('2026-04', 'BHD', 22345, 12345);

/** A store that answers in no particular order, as a scan-like read might. */
function storeWith(rows: readonly RecoveryMetricsRow[]) {
  const listRecoveryMetrics = vi.fn<MetricsStore['listRecoveryMetrics']>(async () => [...rows]);
  return { listRecoveryMetrics };
}

function getMetricsEvent(query: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: 'GET /api/metrics',
    rawPath: '/api/metrics',
    rawQueryString,
    headers: { accept: 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: 'GET',
        path: '/api/metrics',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: 'vitest',
      },
      requestId: 'req-1',
      routeKey: 'GET /api/metrics',
      stage: '$default',
      time: '15/Apr/2026:06:00:00 +0000',
      timeEpoch: 1776232800000,
    },
    isBase64Encoded: false,
  };
}

const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'get-recovery-metrics',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:get-recovery-metrics',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/get-recovery-metrics',
  logStreamName: '2026/04/15/[$LATEST]abc',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

function bodyOf(response: APIGatewayProxyStructuredResultV2): unknown {
  return JSON.parse(response.body ?? '');
}

describe('getRecoveryMetrics', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns every row sorted by cohort month then currency', async () => {
    // Prepare
    const store = storeWith([aprilUsd, marchUsd, aprilBhd, marchJpy]);
    const handler = createGetRecoveryMetricsHandler({ metrics: store });

    // Act
    const response = await handler(getMetricsEvent(), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^application\/json/);
    expect(bodyOf(response)).toEqual({ metrics: [marchJpy, marchUsd, aprilBhd, aprilUsd] });
  });

  it('filters by currency, whatever its case', async () => {
    // Prepare
    const handler = createGetRecoveryMetricsHandler({
      metrics: storeWith([aprilUsd, marchUsd, aprilBhd, marchJpy]),
    });

    // Act
    const response = await handler(getMetricsEvent({ currency: 'usd' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ metrics: [marchUsd, aprilUsd] });
  });

  it('filters by cohort month and currency together', async () => {
    // Prepare
    const handler = createGetRecoveryMetricsHandler({
      metrics: storeWith([aprilUsd, marchUsd, aprilBhd, marchJpy]),
    });

    // Act
    const byMonth = await handler(getMetricsEvent({ cohortMonth: '2026-04' }), context);
    const byBoth = await handler(getMetricsEvent({ cohortMonth: '2026-03', currency: 'JPY' }), context);

    // Assess
    expect(bodyOf(byMonth)).toEqual({ metrics: [aprilBhd, aprilUsd] });
    expect(bodyOf(byBoth)).toEqual({ metrics: [marchJpy] });
  });

  it('returns an empty list when nothing matches', async () => {
    // Prepare
    const handler = createGetRecoveryMetricsHandler({ metrics: storeWith([marchUsd]) });

    // Act
    const response = await handler(getMetricsEvent({ currency: 'EUR' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ metrics: [] });
  });

  it.each([
    [{ currency: 'US' }, /currency/],
    [{ currency: 'US1' }, /currency/],
    [{ currency: 'USD,EUR' }, /currency/],
    [{ cohortMonth: '2026-13' }, /cohortMonth/],
    [{ cohortMonth: '2026-4' }, /cohortMonth/],
    [{ cohortMonth: '2026-04-01' }, /cohortMonth/],
    [{ curency: 'USD' }, /curency/],
  ])('returns 400 and reads nothing for %j', async (query, namesTheProblem) => {
    // Prepare
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const store = storeWith([marchUsd]);
    const handler = createGetRecoveryMetricsHandler({ metrics: store });

    // Act
    const response = await handler(getMetricsEvent(query), context);

    // Assess
    expect(response.statusCode).toBe(400);
    const body = bodyOf(response) as { error: string; message: string };
    expect(body.error).toBe('InvalidRequestError');
    expect(body.message).toMatch(namesTheProblem);
    expect(store.listRecoveryMetrics).not.toHaveBeenCalled();
  });

  it('answers a generic 500 without internals when the store fails', async () => {
    // Prepare
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const failure = new Error('ProvisionedThroughputExceeded on table collections-prod-7f3a');
    const handler = createGetRecoveryMetricsHandler({
      metrics: { listRecoveryMetrics: vi.fn(async () => Promise.reject(failure)) },
    });

    // Act
    const response = await handler(getMetricsEvent(), context);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({ error: 'InternalError', message: 'internal error' });
    expect(response.body).not.toMatch(/collections-prod|Throughput/);
    expect(logged).toHaveBeenCalledWith('request failed', { error: failure });
  });
});
