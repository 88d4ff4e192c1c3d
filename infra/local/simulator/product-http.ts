import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface ProductHttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * Kept-alive connections to the product. A simulation makes tens of thousands of requests, one
 * after the other; `fetch` spent about as much CPU on each again as the request itself, and the
 * product waits while the simulator does.
 */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** One request to the product: the status and the body as text. */
export function productRequest(
  url: string,
  init: { readonly method: string; readonly headers?: Record<string, string>; readonly body?: string },
): Promise<ProductHttpAnswer> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new Error(`the product's URL must be http or https: ${url}`));
  const secure = target.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  const headers = {
    ...init.headers,
    ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }),
  };
  return new Promise((resolve, reject) => {
    const outgoing = send(
      target,
      { method: init.method, headers, agent: secure ? agents.https : agents.http },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}
