import { describe, expect, it } from 'vitest';
import { matchLocalRoute } from '../../../infra/local/local-routes.ts';

const routes = [
  'POST /webhooks/stripe',
  'GET /api/metrics',
  'ANY /portal/{proxy+}',
  'GET /portal/assets/{file}',
];

describe('matchLocalRoute', () => {
  it('matches exact routes by method and path', () => {
    expect(matchLocalRoute(routes, 'POST', '/webhooks/stripe')).toEqual({
      routeKey: 'POST /webhooks/stripe',
      pathParameters: {},
    });
    expect(matchLocalRoute(routes, 'GET', '/webhooks/stripe')).toBeUndefined();
  });

  it('matches a greedy proxy for any method and passes the rest of the path', () => {
    expect(matchLocalRoute(routes, 'POST', '/portal/l/v1.abc.def')).toEqual({
      routeKey: 'ANY /portal/{proxy+}',
      pathParameters: { proxy: 'l/v1.abc.def' },
    });
    expect(matchLocalRoute(routes, 'GET', '/portal')).toBeUndefined();
  });

  it('prefers the more specific route, as API Gateway does', () => {
    expect(matchLocalRoute(routes, 'GET', '/portal/assets/portal.css')).toEqual({
      routeKey: 'GET /portal/assets/{file}',
      pathParameters: { file: 'portal.css' },
    });
    expect(matchLocalRoute(routes, 'POST', '/portal/assets/portal.css')?.routeKey).toBe(
      'ANY /portal/{proxy+}',
    );
  });
});
