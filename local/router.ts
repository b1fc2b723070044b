import type { RouteDefinition } from '../definitions/service-functions';

export interface RouteMatch<R extends RouteDefinition = RouteDefinition> {
  readonly route: R;
  /** Values of the template's `{name}` segments, URL-decoded. */
  readonly pathParameters: Record<string, string>;
}

type Segment = { readonly literal: string } | { readonly parameter: string };

interface CompiledRoute<R extends RouteDefinition> {
  readonly route: R;
  readonly segments: readonly Segment[];
}

/**
 * API Gateway's route selection for the routes the stack deploys: the method must match, and
 * of the templates that match the path the most specific wins — segment by segment from the
 * left, a literal beats a `{parameter}` (so `DELETE /api/measurements/by-external-ids` is
 * never taken for `DELETE /api/measurements/{id}`). A parameter matches exactly one non-empty
 * segment.
 */
export function createRouter<R extends RouteDefinition>(routes: readonly R[]) {
  const compiled: CompiledRoute<R>[] = routes.map((route) => ({
    route,
    segments: splitPath(route.path).map((segment) => {
      // Greedy `{name+}` and `$default` routes would need API Gateway's other matching rules.
      if (segment.endsWith('+}')) throw new Error(`Greedy path parameters are not supported: ${route.path}`);
      const parameter = /^\{([^{}]+)\}$/.exec(segment)?.[1];
      return parameter ? { parameter } : { literal: segment };
    }),
  }));
  compiled.sort((a, b) => compareSpecificity(a.segments, b.segments));

  return function match(method: string, path: string): RouteMatch<R> | undefined {
    const wanted = method.toUpperCase();
    const segments = splitPath(path);
    for (const candidate of compiled) {
      if (candidate.route.method !== wanted || candidate.segments.length !== segments.length) continue;
      const pathParameters = matchSegments(candidate.segments, segments);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return undefined;
  };
}

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

/** Literals before parameters, position by position; otherwise declaration order stays. */
function compareSpecificity(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const aLiteral = 'literal' in a[i]!;
    const bLiteral = 'literal' in b[i]!;
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

function matchSegments(template: readonly Segment[], segments: readonly string[]) {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const expected = template[i]!;
    const actual = segments[i]!;
    if ('literal' in expected) {
      if (expected.literal !== actual) return undefined;
    } else {
      if (actual === '') return undefined;
      parameters[expected.parameter] = decodeSegment(actual);
    }
  }
  return parameters;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
