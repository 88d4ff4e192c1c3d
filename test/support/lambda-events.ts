import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface HttpApiRequest {
  readonly method?: string;
  readonly path: string;
  /** Header names as sent; HTTP API (payload format 2.0) lower-cases them, and so does this builder. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  /** When API Gateway received the request (ISO). */
  readonly at?: string;
}

/** An API Gateway HTTP API (payload format 2.0) event, shaped as API Gateway delivers it. */
export function httpApiEvent(request: HttpApiRequest): APIGatewayProxyEventV2 {
  const method = request.method ?? 'POST';
  const at = new Date(request.at ?? '2026-11-02T10:14:10.000Z');
  const headers: Record<string, string> = {
    accept: '*/*; q=0.5, application/xml',
    'cache-control': 'no-cache',
    'content-type': 'application/json; charset=utf-8',
    host: 'k2x7p9q4ld.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'x-amzn-trace-id': 'Root=1-6907300a-3c1f6d2e4b5a69788e9f0a1b',
    'x-forwarded-for': '54.187.174.169',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  if (request.body !== undefined) {
    const bytes = request.isBase64Encoded
      ? Buffer.from(request.body, 'base64').length
      : Buffer.byteLength(request.body, 'utf8');
    headers['content-length'] = String(bytes);
  }
  return {
    version: '2.0',
    routeKey: `${method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'k2x7p9q4ld',
      domainName: 'k2x7p9q4ld.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'k2x7p9q4ld',
      http: {
        method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '54.187.174.169',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: 'J8mXqiT2joEEMvw=',
      routeKey: `${method} ${request.path}`,
      stage: '$default',
      time: formatRequestTime(at),
      timeEpoch: at.getTime(),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded ?? false,
  };
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`, e.g. `02/Nov/2026:10:14:10 +0000`. */
function formatRequestTime(at: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;
}

/** A Lambda invocation context for `functionName`. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/02/[$LATEST]0f5e1d2c3b4a59687766554433221100',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
