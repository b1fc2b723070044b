import { generateKeyPair } from 'jose';
import { routeKey, routes, type RouteKey, type ServiceRoute } from '../../definitions/service-functions';
import { signLocalToken, type SigningKey } from '../../local/local-auth';
import { entry, stepsDay } from '../support/batch-client';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { startHealthLogStandIn, type HealthLogStandIn } from '../support/healthlog-stand-in';
import { callService } from '../support/http-call';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { createLocalRequestGuardsTable, type LocalRequestGuardsTable } from '../support/local-request-guards';
import { createLocalTable, dynamoDbLocalEndpoint, type LocalTable } from '../support/local-table';

/**
 * docs/authentication.md, "Shared records": a request carrying `X-HealthLog-Account` — any case, any value, even
 * empty — answers 403 `sharing.not_permitted` and does nothing else: no read, no write, no
 * rate-limit count, no Idempotency-Key record. A bad token is still 401. In every mode, on every
 * route of the stack's route table (definitions/service-functions.ts), served by the real
 * functions: a route added there is covered here without a change.
 */
const SHARING_REFUSAL = {
  data: null,
  error: 'Shared records are not available on this endpoint',
  meta: { errorCode: 'sharing.not_permitted' },
};

const HEADER_VARIANTS: ReadonlyArray<readonly [string, string]> = [
  ['X-HealthLog-Account', 'cmaccount123'],
  ['x-healthlog-account', 'cmaccount123'],
  ['X-HEALTHLOG-ACCOUNT', ''],
];

interface Mode {
  readonly name: string;
  start(tables: Tables): Promise<{ service: InProcessService; tokenFor(userId: string): Promise<string> }>;
  stop?(): Promise<void>;
}

interface Tables {
  readonly table: LocalTable;
  readonly guards: LocalRequestGuardsTable;
}

let standIn: HealthLogStandIn | undefined;

const modes: Mode[] = [
  {
    name: 'jwt mode (and cognito: the same JWT authorizer)',
    async start({ table, guards }) {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const key: SigningKey = { kid: 'shared-records', privateKey, publicKey };
      const service = await startInProcessService({
        tableName: table.tableName,
        requestGuardsTableName: guards.tableName,
        dailyAggregatesTableName: table.aggregatesTableName,
        auditKeysTableName: table.auditKeysTableName,
        dynamoDbEndpoint: dynamoDbLocalEndpoint(),
        auth: { signingKey: key },
      });
      return { service, tokenFor: (userId) => signLocalToken(userId, key) };
    },
  },
  {
    name: 'healthlog mode',
    async start({ table, guards }) {
      standIn = await startHealthLogStandIn();
      const service = await startInProcessService({
        tableName: table.tableName,
        requestGuardsTableName: guards.tableName,
        dailyAggregatesTableName: table.aggregatesTableName,
        auditKeysTableName: table.auditKeysTableName,
        dynamoDbEndpoint: dynamoDbLocalEndpoint(),
        auth: { healthLogUrl: standIn.url },
      });
      const issuer = standIn;
      return { service, tokenFor: async (userId) => issuer.issueToken({ id: userId, timezone: null }) };
    },
    stop: async () => standIn?.close(),
  },
];

/**
 * A request that would succeed on this route for a user with a seeded row: the row's id in the
 * path, and a body the route accepts where one is known. Where none is, `{}` — the refusal comes
 * before the body is read, so it is the same either way.
 */
function wouldSucceed(route: ServiceRoute, rowId: string): { path: string; body?: unknown; known: boolean } {
  const key = routeKey(route);
  const queries: Partial<Record<RouteKey, string>> = {
    'GET /api/measurements/series': '?kind=weight&days=30',
  };
  const path = route.path.replace(/\{[^}]+\}/g, encodeURIComponent(rowId)) + (queries[key] ?? '');
  const bodies: Partial<Record<RouteKey, unknown>> = {
    'POST /api/measurements/batch': { entries: [stepsDay('2026-05-25', 999)] },
    'PUT /api/measurements/{id}': { value: 72 },
    'PATCH /api/measurements/{id}': { value: 73 },
    'DELETE /api/measurements/by-external-ids': { externalIds: ['shared-records-sample'] },
    'POST /api/measurements': { type: 'WEIGHT', value: 80.5, measuredAt: '2026-05-25T08:00:00Z' },
    'POST /api/measurements/bulk-delete': { ids: [rowId] },
  };
  const known = key in bodies || route.method === 'GET' || route.method === 'DELETE';
  const body = key in bodies ? bodies[key] : route.method === 'GET' ? undefined : {};
  return { path, body, known };
}

describe.each(modes)('in $name', (mode) => {
  let tables: Tables;
  let service: InProcessService;
  let tokenFor: (userId: string) => Promise<string>;
  let logs: CapturedLogs;

  beforeAll(async () => {
    const [table, guards] = await Promise.all([createLocalTable(), createLocalRequestGuardsTable()]);
    tables = { table, guards };
    ({ service, tokenFor } = await mode.start(tables));
  });
  afterAll(async () => {
    await service?.close();
    await mode.stop?.();
    await Promise.all([tables?.table.drop(), tables?.guards.drop()]);
  });
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.restore());

  let userSeq = 0;
  /** A user of its own with one stored sample, and that sample's row id. */
  async function seededUser(): Promise<{ userId: string; token: string; rowId: string }> {
    const userId = `shared-${mode.name.slice(0, 4)}-${++userSeq}-${Date.now()}`;
    const token = await tokenFor(userId);
    const seeded = await send('POST', '/api/measurements/batch', token, {
      body: { entries: [entry({ externalId: 'shared-records-sample', value: 61 })] },
    });
    expect(seeded.status).toBe(200);
    return { userId, token, rowId: seeded.body.data.entries[0].id };
  }

  async function send(
    method: string,
    path: string,
    token: string | undefined,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const { status, body } = await callService(service.base, method, path, {
      ...options,
      ...(token === undefined ? {} : { token }),
    });
    return { status, body };
  }

  describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s',
    (_key, route) => {
      it.each(HEADER_VARIANTS)(
        'with %s: %p → 403 sharing.not_permitted, and nothing is read, written, counted or remembered',
        async (name, value) => {
          const { userId, token, rowId } = await seededUser();
          const itemsBefore = await tables.table.items();
          const guardsBefore = await tables.guards.items();
          const { path, body } = wouldSucceed(route, rowId);

          const answer = await send(route.method, path, token, {
            body,
            headers: { [name]: value, 'Idempotency-Key': `shared-${userId}` },
          });

          expect(answer).toEqual({ status: 403, body: SHARING_REFUSAL });
          expect(await tables.table.items()).toEqual(itemsBefore);
          expect(await tables.guards.items()).toEqual(guardsBefore);
          expect(JSON.stringify(logs.lines)).not.toContain(token);
        },
      );

      it('with a bad token as well: 401, whatever the header', async () => {
        const { rowId } = await seededUser();
        const { path, body } = wouldSucceed(route, rowId);
        const answer = await send(route.method, path, 'not-a-valid-token', {
          body,
          headers: { 'X-HealthLog-Account': 'cmaccount123' },
        });
        expect(answer.status).toBe(401);
      });

      it('without the header the same request is served (the 403 is the header’s doing)', async () => {
        const { token, rowId } = await seededUser();
        const { path, body } = wouldSucceed(route, rowId);
        const answer = await send(route.method, path, token, { body });
        // 201 for the hand entry, which creates a row; 200 for everything else.
        expect(answer.status).toBe(route.method === 'POST' && route.path === '/api/measurements' ? 201 : 200);
      });
    },
  );
});
