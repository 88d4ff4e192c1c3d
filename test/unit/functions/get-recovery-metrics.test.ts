import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGetRecoveryMetricsHandler } from '../../../functions/get-recovery-metrics.ts';
import { logger } from '../../../shared/adapters/observability/logger.ts';
import type { MetricCell } from '../../../shared/domain/metric-cells.ts';

const now = new Date('2026-04-15T06:00:00.000Z');

/**
 * March: $200.00 failed (2 invoices), $49.99 recovered; ¥12,000 failed, ¥5,000 recovered.
 * April so far, by day: $80.00 failed on the 2nd and $20.00 recovered on the 2nd (same-day cohort).
 */
const monthCells: Record<string, MetricCell[]> = {
  USD: [
    {
      currency: 'USD',
      granularity: 'month',
      period: '2026-03',
      values: { 'failed.count': 2, 'failed.amount': 20000, 'recovered.count': 1, 'recovered.amount': 4999 },
    },
    {
      currency: 'USD',
      granularity: 'month',
      period: '2026-04',
      values: { 'failed.count': 2, 'failed.amount': 8000, 'recovered.count': 1, 'recovered.amount': 2000 },
    },
  ],
  JPY: [
    {
      currency: 'JPY',
      granularity: 'month',
      period: '2026-03',
      values: { 'failed.count': 2, 'failed.amount': 12000, 'recovered.count': 1, 'recovered.amount': 5000 },
    },
  ],
};
const dayCells: Record<string, MetricCell[]> = {
  'USD 2026-04': [
    {
      currency: 'USD',
      granularity: 'day',
      period: '2026-04-02',
      values: { 'failed.count': 2, 'failed.amount': 8000, 'recovered.count': 1, 'recovered.amount': 2000 },
    },
  ],
};

/** The aggregates of the finance metrics, recording what was read. */
function aggregates() {
  return {
    listCurrencies: vi.fn(async () => ['JPY', 'USD']),
    listMonthCells: vi.fn(async (currency: string) => monthCells[currency] ?? []),
    listDayCells: vi.fn(async (currency: string, month: string) => dayCells[`${currency} ${month}`] ?? []),
  };
}

function handlerWith(store = aggregates(), timeZone = 'UTC') {
  return {
    store,
    handler: createGetRecoveryMetricsHandler({
      aggregates: store,
      settings: { timeZone, attributionWindowDays: 7 },
      clock: { now: () => now },
    }),
  };
}

interface MetricsBody {
  period: { start: string; end: string; label: string };
  timeZone: string;
  currencies: {
    currency: string;
    cohort: Record<string, number | null>;
    breakdowns?: Record<string, unknown>;
  }[];
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

function bodyOf(response: APIGatewayProxyStructuredResultV2): MetricsBody {
  return JSON.parse(response.body ?? '') as MetricsBody;
}

describe('getRecoveryMetrics (GET /api/metrics)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers the current local month to date without a period, with the finance metrics', async () => {
    // Prepare
    const { handler } = handlerWith();

    // Act
    const response = await handler(getMetricsEvent(), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^application\/json/);
    const body = bodyOf(response);
    expect(body.period).toEqual({ start: '2026-04-01', end: '2026-04-15', label: '2026-04-01..2026-04-15' });
    expect(body.timeZone).toBe('UTC');
    const usd = body.currencies.find((metrics) => metrics.currency === 'USD');
    expect(usd?.cohort).toMatchObject({
      failedAmountMinor: 8000,
      failedCount: 2,
      recoveredAmountMinor: 2000,
      recoveredCount: 1,
      recoveryRateAmount: 0.25,
    });
    expect(usd).not.toHaveProperty('breakdowns');
  });

  it('takes the month from the company time zone: still March in Los Angeles at 01:00 UTC on 1 April', async () => {
    // Prepare
    const store = aggregates();
    const handler = createGetRecoveryMetricsHandler({
      aggregates: store,
      settings: { timeZone: 'America/Los_Angeles', attributionWindowDays: 7 },
      clock: { now: () => new Date('2026-04-01T01:00:00Z') },
    });

    // Act
    const body = bodyOf(await handler(getMetricsEvent(), context));

    // Assess
    expect(body.period).toEqual({ start: '2026-03-01', end: '2026-03-31', label: '2026-03-01..2026-03-31' });
    expect(body.timeZone).toBe('America/Los_Angeles');
  });

  it('answers a month by its period, filtered by currency whatever its case', async () => {
    // Prepare
    const { handler, store } = handlerWith();

    // Act
    const response = await handler(getMetricsEvent({ period: '2026-03', currency: 'jpy' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    const body = bodyOf(response);
    expect(body.currencies.map((metrics) => metrics.currency)).toEqual(['JPY']);
    expect(body.currencies[0]?.cohort).toMatchObject({
      failedAmountMinor: 12000,
      recoveredAmountMinor: 5000,
      recoveryRateAmount: 5000 / 12000,
    });
    expect(store.listCurrencies).not.toHaveBeenCalled();
  });

  it('includes the breakdowns asked for, and only those', async () => {
    // Prepare
    const { handler } = handlerWith();

    // Act
    const body = bodyOf(
      await handler(getMetricsEvent({ period: '2026-03', breakdown: 'channel,strategy' }), context),
    );

    // Assess
    expect(Object.keys(body.currencies[0]?.breakdowns ?? {})).toEqual(['channel', 'strategy']);
  });

  it('answers zeros and null rates for a currency without activity', async () => {
    // Prepare
    const { handler } = handlerWith();

    // Act
    const response = await handler(getMetricsEvent({ period: '2026-03', currency: 'EUR' }), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).currencies).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        cohort: expect.objectContaining({ failedAmountMinor: 0, failedCount: 0, recoveryRateAmount: null }),
      }),
    ]);
  });

  it.each([
    [{ currency: 'US' }, /currency/],
    [{ currency: 'US1' }, /currency/],
    [{ currency: 'USD,EUR' }, /currency/],
    [{ currency: 'ZZZ' }, /currency: not an ISO 4217 currency code/],
    [{ cohortMonth: '2026-03' }, /cohortMonth: retired .*period=YYYY-MM/],
    [{ period: '2026-13' }, /period/],
    [{ period: '2026-03', breakdown: 'colour' }, /breakdown/],
    [{ curency: 'USD' }, /curency/],
  ])('returns 400 and reads nothing for %j', async (query, namesTheProblem) => {
    // Prepare
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { handler, store } = handlerWith();

    // Act
    const response = await handler(getMetricsEvent(query), context);

    // Assess
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body ?? '') as { error: string; message: string };
    expect(body.error).toBe('InvalidRequestError');
    expect(body.message).toMatch(namesTheProblem);
    expect(store.listMonthCells).not.toHaveBeenCalled();
  });

  it('answers a generic 500 without internals when the store fails', async () => {
    // Prepare
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const failure = new Error('ProvisionedThroughputExceeded on table collections-prod-7f3a');
    const store = { ...aggregates(), listCurrencies: vi.fn(async () => Promise.reject(failure)) };
    const { handler } = handlerWith(store);

    // Act
    const response = await handler(getMetricsEvent(), context);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '')).toEqual({ error: 'InternalError', message: 'internal error' });
    expect(response.body).not.toMatch(/collections-prod|Throughput/);
    expect(logged).toHaveBeenCalledWith('request failed', { error: failure });
  });
});
