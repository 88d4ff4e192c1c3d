import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { lazyHandler } from '../shared/adapters/lazy-handler.ts';
import { awsPortalDependencies } from '../shared/adapters/portal/aws-portal-dependencies.ts';
import { createPortalApp, type PortalAppOptions } from '../shared/adapters/portal/portal-app.ts';
import { loadPortalConfig } from '../shared/config.ts';
import type { PortalDependencies } from '../shared/use-cases/portal/portal-dependencies.ts';

/** Stripe's hosted pages a portal form may redirect to (CSP `form-action` applies to redirects). */
export const stripePaymentOrigins = [
  'https://invoice.stripe.com',
  'https://billing.stripe.com',
  'https://checkout.stripe.com',
];

/**
 * `ANY /portal/{proxy+}`: the debtor portal, one Hono app (routing, pages, forms) in one function.
 * API Gateway's payload format 2.0 in, its structured result (with `cookies`) out.
 */
export function createPortalHandler(deps: PortalDependencies, options: PortalAppOptions) {
  const run = handle(createPortalApp(deps, options));
  type HonoLambdaEvent = Parameters<typeof run>[0];
  return async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    // Hono's event type spells optional fields as `T | undefined`; the shapes are the same.
    const result = await run(event as unknown as HonoLambdaEvent, context);
    const cookies = (result as { cookies?: string[] }).cookies;
    return {
      statusCode: result.statusCode,
      body: result.body,
      isBase64Encoded: result.isBase64Encoded,
      headers: Object.fromEntries(
        Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
      ),
      ...(cookies && cookies.length > 0 ? { cookies } : {}),
    };
  };
}

export const handler = lazyHandler(() =>
  createPortalHandler(awsPortalDependencies(loadPortalConfig()), {
    secureCookies: true,
    paymentOrigins: stripePaymentOrigins,
  }),
);
