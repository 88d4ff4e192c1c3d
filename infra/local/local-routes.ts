/**
 * Matches a request against the HTTP API's route keys as API Gateway does: `METHOD /path` with
 * `{name}` (one segment) and `{name+}` (greedy, the rest of the path) parameters, `ANY` for every
 * method, and the most specific route first (an exact route beats a parameterised one).
 */
export interface MatchedRoute {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

function specificity(routeKey: string): number[] {
  const [method = '', path = ''] = routeKey.split(' ');
  const segments = path.split('/').filter((segment) => segment !== '');
  const literal = segments.filter((segment) => !segment.startsWith('{')).length;
  const greedy = segments.some((segment) => segment.endsWith('+}')) ? 1 : 0;
  return [-greedy, literal, segments.length, method === 'ANY' ? 0 : 1];
}

function compareSpecificity(a: string, b: string): number {
  const left = specificity(a);
  const right = specificity(b);
  for (let index = 0; index < left.length; index += 1) {
    const difference = (right[index] ?? 0) - (left[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.localeCompare(b);
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const patternSegments = pattern.split('/').filter((segment) => segment !== '');
  const pathSegments = path.split('/').filter((segment) => segment !== '');
  const parameters: Record<string, string> = {};
  for (let index = 0; index < patternSegments.length; index += 1) {
    const segment = patternSegments[index] ?? '';
    const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
    if (greedy) {
      const rest = pathSegments.slice(index);
      if (rest.length === 0 || index !== patternSegments.length - 1) return undefined;
      parameters[greedy[1] ?? 'proxy'] = rest.map((part) => decodeURIComponent(part)).join('/');
      return parameters;
    }
    const value = pathSegments[index];
    if (value === undefined) return undefined;
    const parameter = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
    if (parameter) parameters[parameter[1] ?? ''] = decodeURIComponent(value);
    else if (segment !== value) return undefined;
  }
  return pathSegments.length === patternSegments.length ? parameters : undefined;
}

export function matchLocalRoute(
  routeKeys: readonly string[],
  method: string,
  path: string,
): MatchedRoute | undefined {
  for (const routeKey of [...routeKeys].sort(compareSpecificity)) {
    const [routeMethod = '', pattern = ''] = routeKey.split(' ');
    if (routeMethod !== 'ANY' && routeMethod !== method) continue;
    const pathParameters = matchPath(pattern, path);
    if (pathParameters) return { routeKey, pathParameters };
  }
  return undefined;
}
