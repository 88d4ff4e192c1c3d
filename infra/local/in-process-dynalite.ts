import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';

/** What the AWS SDK hands its request handler (an `HttpRequest` of `@smithy/core/protocols`). */
interface SdkRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string | readonly string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** What it expects back: the status, the headers (lower case, as Node's HTTP client gives them) and the body. */
interface SdkResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

type DynaliteListener = (request: EventEmitter, response: object) => void;

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('the in-process DynamoDB handler takes string or byte bodies only');
}

function pathWithQuery(request: SdkRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) query.append(name, one ?? '');
  }
  const text = query.toString();
  return text === '' ? request.path : `${request.path}?${text}`;
}

/**
 * An AWS SDK request handler that hands each request to dynalite's own HTTP request listener in
 * this process, without a socket: the SDK still serializes, signs (see `unsignedLocalRequests`),
 * retries and parses as it does against DynamoDB, and dynalite reads the same method, path,
 * headers and body as from the wire. The loopback round trip (HTTP client, agent, parser) cost
 * about as much as dynalite's own work on each of the hundred thousand requests of a simulation.
 */
export function inProcessDynaliteHandler(server: Server) {
  const [listener] = server.listeners('request') as DynaliteListener[];
  if (listener === undefined) throw new Error('the dynalite server has no request listener');
  return {
    handle: (request: SdkRequest, options?: { abortSignal?: { aborted: boolean } }) =>
      new Promise<{ response: SdkResponse }>((resolve, reject) => {
        if (options?.abortSignal?.aborted) {
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          return;
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
        const incoming = Object.assign(new EventEmitter(), {
          method: request.method,
          url: pathWithQuery(request),
          headers,
        });
        const answerHeaders: Record<string, string> = {};
        const outgoing = {
          statusCode: 200,
          setHeader: (name: string, value: unknown) => {
            answerHeaders[name.toLowerCase()] = String(value);
          },
          end: (body?: string | Buffer) => {
            const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
            resolve({ response: { statusCode: outgoing.statusCode, headers: answerHeaders, body: bytes } });
          },
        };
        try {
          listener(incoming, outgoing);
          const body = bodyBytes(request.body);
          if (body !== undefined) incoming.emit('data', body);
          incoming.emit('end');
        } catch (error) {
          reject(error);
        }
      }),
    updateHttpClientConfig: (): void => undefined,
    httpHandlerConfigs: (): Record<string, never> => ({}),
    destroy: (): void => undefined,
  };
}

/**
 * Stands in for SigV4 locally: dynalite checks that a request carries an AWS4 `Authorization`
 * header and a date, never the signature, and computing one (a canonical request and four HMACs)
 * took a third of the SDK's time per request.
 */
export const unsignedLocalRequests = {
  sign: async <T extends { headers: Record<string, string> }>(request: T): Promise<T> => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    request.headers['x-amz-date'] = date;
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/local/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=unsigned-local-request`;
    return request;
  },
};
