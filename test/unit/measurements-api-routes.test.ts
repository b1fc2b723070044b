import { measurementsApiRouteKeys } from '../../functions/measurements-api/create-measurements-api-handler';
import { routes } from '../../definitions/service-functions';

describe('the row API function serves exactly its defined routes', () => {
  test('every route of measurementsApi has a handler, and every handler a route', () => {
    const defined = routes
      .filter((route) => route.function === 'measurementsApi')
      .map((route) => `${route.method} ${route.path}`);
    expect([...measurementsApiRouteKeys].sort()).toEqual(defined.sort());
  });
});
