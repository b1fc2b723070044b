import { routes, type RouteDefinition } from '../../definitions/service-functions';
import { createRouter } from '../../local/router';

/** Declared parameter-first on purpose: specificity, not order, must decide. */
const ROUTES: RouteDefinition[] = [
  { method: 'GET', path: '/api/measurements', function: 'ingestBatch' },
  { method: 'DELETE', path: '/api/measurements/{id}', function: 'ingestBatch' },
  { method: 'DELETE', path: '/api/measurements/by-external-ids', function: 'ingestBatch' },
  { method: 'GET', path: '/api/measurements/{id}', function: 'ingestBatch' },
  { method: 'POST', path: '/api/measurements/batch', function: 'ingestBatch' },
];

const match = createRouter(ROUTES);

describe('the local router selects routes like API Gateway', () => {
  it('a literal segment beats a parameter, whatever the declaration order', () => {
    expect(match('DELETE', '/api/measurements/by-external-ids')?.route.path).toBe(
      '/api/measurements/by-external-ids',
    );
    expect(match('DELETE', '/api/measurements/abc')?.route.path).toBe('/api/measurements/{id}');
  });

  it('extracts path parameters, URL-decoded', () => {
    expect(match('GET', '/api/measurements/QUNU-x_1')).toEqual({
      route: ROUTES[3],
      pathParameters: { id: 'QUNU-x_1' },
    });
    expect(match('GET', '/api/measurements/a%20b')?.pathParameters).toEqual({ id: 'a b' });
  });

  it('a template without parameters matches with no path parameters', () => {
    expect(match('POST', '/api/measurements/batch')).toEqual({ route: ROUTES[4], pathParameters: {} });
  });

  it('the method must match (case-insensitively)', () => {
    expect(match('post', '/api/measurements/batch')?.route).toBe(ROUTES[4]);
    expect(match('GET', '/api/measurements/batch')?.route.path).toBe('/api/measurements/{id}');
    expect(match('PUT', '/api/measurements/batch')).toBeUndefined();
  });

  it('an unknown path, an extra segment, a trailing slash or an empty parameter matches nothing', () => {
    expect(match('GET', '/nope')).toBeUndefined();
    expect(match('GET', '/api/measurements/a/b')).toBeUndefined();
    expect(match('GET', '/api/measurements/')).toBeUndefined();
    expect(match('POST', '/api/measurements/batch/')).toBeUndefined();
    expect(match('GET', '/')).toBeUndefined();
  });

  it('every route the stack deploys is served by its own template', () => {
    const router = createRouter(routes);
    for (const route of routes) {
      const path = route.path.replace(/\{[^}]+\}/g, 'sample-id');
      expect(router(route.method, path)?.route).toBe(route);
    }
  });
});

describe('route templates the local router cannot match like API Gateway are refused', () => {
  it('a greedy path parameter throws when the router is built', () => {
    expect(() => createRouter([{ method: 'GET', path: '/files/{proxy+}', function: 'ingestBatch' }])).toThrow(
      /Greedy path parameters/,
    );
  });
});
