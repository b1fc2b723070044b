import { randomUUID } from 'node:crypto';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { aggregateSettleQueue } from '../../definitions/aggregate-settle';
import { aggregateEvents, auditEvents, ingestEvents } from '../../definitions/log-events';
import { serviceFunctions, type ServiceFunctionName } from '../../definitions/service-functions';
import { startDelayQueue } from '../../local/delay-queue';
import { latestStreamArn, readStreamRecords, toStreamEvents } from '../../local/dynamodb-stream';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AuditKeysStore } from '../../functions/audit/audit-keys-store';
import { batchClient, entry, stepsDay, type BatchAnswer } from '../support/batch-client';
import { startHealthLogStandIn } from '../support/healthlog-stand-in';
import { captureLogs } from '../support/captured-logs';
import { measurementsApiClient } from '../support/measurements-api-client';
import type { ShippedFunction } from './support/cloud-assembly';
import { httpEvent, invokeHttp } from './support/http-events';
import type { LambdaSandbox, LogLine } from './support/lambda-sandbox';
import type { LocalResources } from './support/local-resources';

/**
 * What each shipped function must do when it runs from its bundle, keyed by the function's name
 * in `definitions/service-functions.ts`. The shipped-artifact test (shipped-functions.test.ts)
 * runs every check under Node.js 24 and under the machine's Node.js, and fails for a function of
 * the template that has no check here.
 *
 * To add one: a new entry `<definition name>: { rule, run }`. `rule` states what the function
 * does (it is the test's name); `run` starts the bundle with `context.start()` — optionally
 * pointing variables the template sets at local stand-ins, e.g. an outside service's URL at a
 * node:http server on a loopback port that the check starts and stops itself — invokes it with
 * real events, and asserts answers, log lines and what landed in DynamoDB Local. Seed data
 * through the repository's own code (test/support), never by hand-written items. A variable
 * whose template value is a reference the harness cannot resolve (it resolves table names only)
 * needs a fixed stand-in in `standIns`, used whenever the bundle starts.
 */
export interface CheckContext {
  readonly fn: ShippedFunction;
  /** The function's variables as the sandbox receives them (references resolved, stand-ins applied). */
  readonly environment: Readonly<Record<string, string>>;
  readonly local: LocalResources;
  /**
   * Starts the bundle under the Node.js being tested (a cold start). `overrides` may only
   * replace variables the template sets — a check cannot add configuration the deployed
   * function lacks.
   */
  start(overrides?: Readonly<Record<string, string>>): Promise<LambdaSandbox>;
}

export interface FunctionCheck {
  /** What the check proves, in the contract's words: the test's name. */
  readonly rule: string;
  /** Local values for variables the template sets to references the harness cannot resolve. */
  readonly standIns?: Readonly<Record<string, string>>;
  run(context: CheckContext): Promise<void>;
}

/** A function the stack deploys: a defined one, or the HealthLog authorizer (`healthlog` mode). */
export type ShippedFunctionName = ServiceFunctionName | 'healthLogAuthorizer';

export const functionChecks: Partial<Record<ShippedFunctionName, FunctionCheck>> = {
  ingestBatch: {
    rule:
      'posts a batch (inserted), re-posts it (updated for the stats row, duplicate for the sample), ' +
      'replays an Idempotency-Key and answers a bad entry with the same 422 as the sources',
    async run({ start, environment, local }) {
      const userId = newUser();
      const sample = entry({ externalId: randomUUID().toUpperCase(), value: 64 });
      const post = (steps: number, headers: Record<string, string> = {}) =>
        httpEvent({
          method: 'POST',
          route: '/api/measurements/batch',
          userId,
          headers: { 'content-type': 'application/json', ...headers },
          body: { entries: [stepsDay('2026-05-24', steps), sample] },
        });
      const fn = await start();
      try {
        const first = await invokeHttp(fn, post(300));
        expect(first.answer.status).toBe(200);
        expect(statuses(first.answer)).toEqual(['inserted', 'inserted']);
        expect(first.logs).toContainEqual(
          expect.objectContaining({ message: ingestEvents.summary, userId, inserted: 2, processed: 2 }),
        );

        const key = { 'idempotency-key': randomUUID() };
        const second = await invokeHttp(fn, post(5300, key));
        expect(second.answer.status).toBe(200);
        expect(statuses(second.answer)).toEqual(['updated', 'duplicate']);
        expect(second.answer.body.data.entries.map((e: { id: string }) => e.id)).toEqual(
          first.answer.body.data.entries.map((e: { id: string }) => e.id),
        );

        const replay = await invokeHttp(fn, post(5300, key));
        expect(replay.answer.headers['x-idempotent-replay']).toBe('true');
        expect(replay.answer.rawBody).toBe(second.answer.rawBody);

        // Validation inside the bundle (zod as bundled) answers word for word like the sources.
        const invalid = { entries: [{ ...sample, value: 'sixty-four' }] };
        const rejected = await invokeHttp(
          fn,
          httpEvent({ method: 'POST', route: '/api/measurements/batch', userId, body: invalid }),
        );
        const fromSources = await quietly(() =>
          batchClient({ documentClient: local.documentClient, tableName: environment.TABLE_NAME! })({
            userId,
            body: invalid,
          }),
        );
        expect(rejected.answer.status).toBe(422);
        expect(rejected.answer.body).toEqual(fromSources.body);
      } finally {
        await fn.stop();
      }
      const rows = measurementsApiClient({
        documentClient: local.documentClient,
        tableName: environment.TABLE_NAME!,
      });
      const stored = await quietly(() => rows.list(userId));
      expect(
        stored.body.data.measurements.map((row: { externalId: string; value: number }) => [
          row.externalId,
          row.value,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['stats:HKQuantityTypeIdentifierStepCount:2026-05-24', 5300],
          [sample.externalId, 64],
        ]),
      );
    },
  },

  measurementsApi: {
    rule: 'lists, reads and edits the rows of the caller only',
    async run({ start, environment, local }) {
      const userId = newUser();
      const seeded = await quietly(() =>
        batchClient({ documentClient: local.documentClient, tableName: environment.TABLE_NAME! })({
          userId,
          body: { entries: [stepsDay('2026-05-24', 4200)] },
        }),
      );
      const id = seeded.body.data.entries[0].id as string;
      const row = (method: 'GET' | 'PATCH', body?: unknown, caller = userId) =>
        httpEvent({ method, route: '/api/measurements/{id}', id, userId: caller, body });
      const fn = await start();
      try {
        const list = await invokeHttp(
          fn,
          httpEvent({ method: 'GET', route: '/api/measurements', userId, query: { type: 'ACTIVITY_STEPS' } }),
        );
        expect(list.answer.status).toBe(200);
        expect(list.answer.body.data.measurements).toEqual([expect.objectContaining({ id, value: 4200 })]);

        const read = await invokeHttp(fn, row('GET'));
        expect(read.answer.status).toBe(200);
        expect(read.answer.body.data).toEqual(expect.objectContaining({ id, value: 4200 }));

        const edited = await invokeHttp(fn, row('PATCH', { value: 4321 }));
        expect(edited.answer.status).toBe(200);
        expect(edited.answer.body.data).toEqual(expect.objectContaining({ id, value: 4321 }));
        expect((await invokeHttp(fn, row('GET'))).answer.body.data.value).toBe(4321);

        const stranger = await invokeHttp(fn, row('GET', undefined, newUser()));
        expect(stranger.answer.status).toBe(404);
      } finally {
        await fn.stop();
      }
    },
  },

  auditStream: {
    rule: "turns the table's real stream records (overwrite, edit, delete) into audit events on stdout, naming the user by the userRef of the key it creates",
    async run({ start, fn: shipped, local, environment }) {
      const [source] = shipped.streamEventSources;
      expect(source).toBeDefined();
      const tableName = local.tableName(source!.tableLogicalId);
      const userId = newUser();
      const post = batchClient({ documentClient: local.documentClient, tableName });
      const rows = measurementsApiClient({ documentClient: local.documentClient, tableName });
      await quietly(async () => {
        await post({ userId, body: { entries: [stepsDay('2026-05-24', 300)] } });
        const answer = await post({ userId, body: { entries: [stepsDay('2026-05-24', 5300)] } });
        const id = answer.body.data.entries[0].id as string;
        await rows.patch(userId, id, { value: 5400 });
        await rows.delete(userId, id);
      });

      const streamArn = await latestStreamArn(local.client, tableName);
      const records = (await readStreamRecords(local.streams, streamArn)).filter((record) =>
        record.dynamodb?.Keys?.pk?.S?.startsWith(`${userId}#`),
      );
      // What the event source mapping would deliver: the template's own filters and batch size.
      const events: DynamoDBStreamEvent[] = toStreamEvents(records, source!);
      expect(events.flatMap((event) => event.Records)).toHaveLength(3);

      const fn = await start();
      const logs: LogLine[] = [];
      try {
        for (const event of events) {
          const invocation = await fn.invoke(event);
          if (!invocation.ok) throw new Error(`audit failed: ${JSON.stringify(invocation.error)}`);
          expect(invocation.result).toEqual({ batchItemFailures: [] });
          logs.push(...invocation.logs);
        }
      } finally {
        await fn.stop();
      }
      // The key the function created on first use, in the table the template named for it.
      const keys = new AuditKeysStore(local.documentClient, environment.AUDIT_KEYS_TABLE_NAME!);
      const userRef = await keys.currentUserRef(userId);
      expect(userRef).toBeDefined();
      expect(JSON.stringify(logs)).not.toContain(userId);
      const audit = logs.filter((line) => line.userRef === userRef);
      expect(audit.map((line) => line.message)).toEqual([
        auditEvents.statsOverwrite,
        auditEvents.valueUpdated,
        auditEvents.deleted,
      ]);
      expect(audit[0]).toEqual(
        expect.objectContaining({
          previousValue: 300,
          value: 5300,
          service: 'measurement-audit',
          level: 'INFO',
        }),
      );
      expect(audit[1]).toEqual(expect.objectContaining({ previousValue: 5300, value: 5400 }));
    },
  },

  dailyAggregates: {
    rule:
      "recomputes a day's heart-rate aggregate from the table's real stream records and queues the day on its " +
      'settle queue (SendMessageBatch through the bundled SQS client); the settle message recomputes the day ' +
      'again; a redelivered batch changes nothing',
    // The template's queue URL is a reference; the check starts a local queue and points the bundle at it.
    standIns: { [aggregateSettleQueue.queueUrlVariable]: 'http://127.0.0.1:9/000000000000/aggregate-settle' },
    async run({ start, fn: shipped, local, environment }) {
      const [source] = shipped.streamEventSources;
      expect(source).toBeDefined();
      expect(shipped.queueEventSources).toEqual([
        { queueLogicalId: expect.stringContaining('SettleQueue'), batchSize: aggregateSettleQueue.batchSize },
      ]);
      // The settle queue's messages, collected as its event source would deliver them.
      const settleEvents: SQSEvent[] = [];
      const queue = await startDelayQueue({
        name: 'aggregate-settle',
        settings: { deliveryDelayMs: 0, batchSize: 100, visibilityTimeoutMs: 60_000, maxReceiveCount: 1 },
        log: () => undefined,
      });
      queue.attach({
        name: 'settle-recorder',
        definition: { ...serviceFunctions.dailyAggregates, id: 'SettleRecorder' },
        handler: async (event) => {
          settleEvents.push(event as SQSEvent);
          return { batchItemFailures: [] };
        },
      });
      const tableName = local.tableName(source!.tableLogicalId);
      const userId = newUser();
      const day = Date.UTC(2026, 9, 5);
      const buckets = [61, 63, 65].map((value, b) => {
        const bucketStart = new Date(day + (8 * 60 + b * 10) * 60_000).toISOString();
        return entry({
          value,
          valueMin: value - 5,
          valueMax: value + 9,
          startDate: bucketStart,
          endDate: new Date(Date.parse(bucketStart) + 600_000).toISOString(),
          externalId: `stats:HKQuantityTypeIdentifierHeartRate:${bucketStart}`,
        });
      });
      await quietly(() =>
        batchClient({ documentClient: local.documentClient, tableName })({
          userId,
          body: { entries: buckets },
        }),
      );
      const streamArn = await latestStreamArn(local.client, tableName);
      const records = (await readStreamRecords(local.streams, streamArn)).filter((record) =>
        record.dynamodb?.Keys?.pk?.S?.startsWith(`${userId}#`),
      );
      const events: DynamoDBStreamEvent[] = toStreamEvents(records, source!);
      expect(events.flatMap((event) => event.Records)).toHaveLength(3);

      const stored = async () => {
        const { Items = [] } = await local.documentClient.send(
          new QueryCommand({
            TableName: environment.DAILY_AGGREGATES_TABLE_NAME!,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `${userId}#PULSE` },
            ConsistentRead: true,
          }),
        );
        return Items.map(({ day: itemDay, count, sum, min, max, low, high }) => ({
          day: itemDay,
          count,
          sum,
          min,
          max,
          low,
          high,
        }));
      };
      const fn = await start({ [aggregateSettleQueue.queueUrlVariable]: queue.url });
      try {
        for (const delivery of [1, 2]) {
          for (const event of events) {
            const invocation = await fn.invoke(event);
            if (!invocation.ok)
              throw new Error(`delivery ${delivery} failed: ${JSON.stringify(invocation.error)}`);
            expect(invocation.result).toEqual({ batchItemFailures: [] });
            expect(invocation.logs).toContainEqual(
              expect.objectContaining({ message: aggregateEvents.batch, days: 1, settleQueued: 1 }),
            );
          }
          expect(await stored()).toEqual([
            { day: '2026-10-05', count: 3, sum: 189, min: 61, max: 65, low: 56, high: 74 },
          ]);
        }
        // Each delivery queued the day once.
        const deadline = Date.now() + 5000;
        while (queue.pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const messages = settleEvents.flatMap((event) => event.Records);
        expect(messages.map((message) => JSON.parse(message.body))).toEqual([
          expect.objectContaining({ userId, type: 'PULSE', day: '2026-10-05' }),
          expect.objectContaining({ userId, type: 'PULSE', day: '2026-10-05' }),
        ]);
        const settle = await fn.invoke({ Records: messages });
        if (!settle.ok) throw new Error(`the settle recompute failed: ${JSON.stringify(settle.error)}`);
        expect(settle.result).toEqual({ batchItemFailures: [] });
        expect(settle.logs).toContainEqual(
          expect.objectContaining({ message: aggregateEvents.settleBatch, messages: 2, days: 1, failed: 0 }),
        );
        expect(await stored()).toEqual([
          { day: '2026-10-05', count: 3, sum: 189, min: 61, max: 65, low: 56, high: 74 },
        ]);
      } finally {
        await fn.stop();
        await queue.stop();
      }
    },
  },

  healthLogAuthorizer: {
    rule:
      'introspects the bearer with HealthLog byte for byte and without X-HealthLog-Account: a known token ' +
      'passes its user and zone on, an unknown one passes as unauthenticated, HealthLog failing is an error',
    async run({ start }) {
      const standIn = await startHealthLogStandIn();
      const token = standIn.issueToken({
        id: `cm${randomUUID().replaceAll('-', '')}`,
        timezone: 'America/New_York',
      });
      const event = (authorization: string) => ({
        version: '2.0',
        type: 'REQUEST',
        routeArn: 'arn:aws:execute-api:eu-central-1:123456789012:api/$default/GET/api/measurements',
        identitySource: [authorization],
        routeKey: 'GET /api/measurements',
        rawPath: '/api/measurements',
        rawQueryString: '',
        headers: { authorization, 'x-healthlog-account': 'cmsomeoneelse' },
        requestContext: { requestId: randomUUID(), http: { method: 'GET', path: '/api/measurements' } },
      });
      try {
        // The template's HealthLog URL is replaced by the stand-in's (a loopback URL may be http).
        const fn = await start({ HEALTHLOG_URL: standIn.url });
        const logs: LogLine[] = [];
        try {
          const known = await fn.invoke(event(`Bearer ${token}`));
          logs.push(...known.logs);
          expect(known).toMatchObject({
            ok: true,
            result: {
              isAuthorized: true,
              context: {
                authenticated: true,
                userId: expect.stringMatching(/^cm/),
                timeZone: 'America/New_York',
              },
            },
          });
          const [request] = standIn.received;
          const sent = Object.fromEntries(
            (request?.rawHeaders ?? []).flatMap((value, i, all) =>
              i % 2 === 0 ? [[value.toLowerCase(), all[i + 1]]] : [],
            ),
          );
          expect(sent.authorization).toBe(`Bearer ${token}`);
          expect(sent['x-healthlog-account']).toBeUndefined();

          const unknown = await fn.invoke(event(`Bearer hlk_${'0'.repeat(64)}`));
          logs.push(...unknown.logs);
          expect(unknown).toMatchObject({
            ok: true,
            result: { isAuthorized: true, context: { authenticated: false } },
          });

          const failing = await fn.invoke(event(`Bearer ${standIn.failingToken}`));
          logs.push(...failing.logs);
          expect(failing.ok).toBe(false);
        } finally {
          await fn.stop();
        }
        expect(JSON.stringify(logs)).not.toContain(token.slice(4));
        expect(JSON.stringify(logs)).not.toContain(standIn.failingToken.slice(4));
      } finally {
        await standIn.close();
      }
    },
  },
};

let users = 0;
const newUser = () => `artifact-${++users}-${randomUUID()}`;

/** Runs source-side helpers (seeding through the repository) without their log lines in the test output. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const logs = captureLogs();
  try {
    return await work();
  } finally {
    logs.restore();
  }
}

const statuses = (answer: BatchAnswer) =>
  (answer.body.data.entries as Array<{ status: string }>).map((e) => e.status);
