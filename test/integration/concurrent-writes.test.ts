import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { measurementKey } from '../../functions/measurements/storage/measurement-key';
import { measurementsTable } from '../../definitions/measurements-table';
import { createStreamsClient } from '../../local/dynamodb-stream';
import { auditTrailOf, imageString, imageValue, type AuditTrail } from '../support/audit-trail';
import { batchClient, entry, stepsDay, type BatchAnswer } from '../support/batch-client';
import { expectValidBatchAnswer, type AnsweredEntry } from '../support/batch-invariants';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient, type MeasurementsApi } from '../support/measurements-api-client';

/**
 * Issue 8, part 2: many batches at once on the same rows — two phones syncing the same day,
 * their retries, two users with the same HealthKit ids. The real handler and repository run
 * concurrently against DynamoDB Local, the audit trail comes from the table's real stream fed
 * to the real audit handler. DynamoDB Local may serialize the writes; the tests assert the
 * invariants that must hold under any interleaving, never a particular one.
 */

const STEPS = 'HKQuantityTypeIdentifierStepCount';
const PULSE = 'HKQuantityTypeIdentifierHeartRate';

// A loaded engine may take its time with these bursts; a slow run is not a failed one.
jest.setTimeout(120_000);

let table: LocalTable;
let post: ReturnType<typeof batchClient>;
let api: MeasurementsApi;
let streams: DynamoDBStreamsClient;
let logs: CapturedLogs;

beforeAll(async () => {
  // Up to 32 batches at once, each up to 16 writes, on a stream table, through one client: a slow
  // engine must not look like a lost call (timeouts have their own suite).
  table = await createLocalTable({ stream: true, loadedEngine: true });
  post = batchClient({ documentClient: table.documentClient, tableName: table.tableName });
  api = measurementsApiClient({ documentClient: table.documentClient, tableName: table.tableName });
  streams = createStreamsClient(table.endpoint);
});
afterAll(async () => {
  streams.destroy();
  await table.drop();
});
beforeEach(() => (logs = captureLogs()));
afterEach(() => logs.restore());

let userSeq = 0;
const newUser = (name: string) => `race-${name}-${++userSeq}-${Date.now()}`;

type Entry = Record<string, unknown>;
interface Call {
  readonly requestId: string;
  readonly userId: string;
  readonly entries: Entry[];
}
interface Answered extends Call {
  readonly answer: BatchAnswer;
  readonly outcomes: AnsweredEntry[];
}

/** Starts every call at once and checks each answer against the contract's invariants. */
async function postConcurrently(calls: Call[]): Promise<Answered[]> {
  const answers = await Promise.all(
    calls.map((call) =>
      post({ userId: call.userId, requestId: call.requestId, body: { entries: call.entries } }),
    ),
  );
  return calls.map((call, i) => {
    const answer = answers[i]!;
    const outcomes = expectValidBatchAnswer(answer, call.entries.length);
    // Nothing fails against a healthy engine: every answer is final for the phone.
    expect(outcomes.filter((outcome) => outcome.status === 'failed')).toEqual([]);
    return { ...call, answer, outcomes };
  });
}

/** Every outcome for one externalId across the answers, with the value its batch posted. */
function outcomesFor(answered: Answered[], externalId: string) {
  return answered.flatMap(({ requestId, userId, entries, outcomes }) =>
    entries.flatMap((posted, index) =>
      posted.externalId === externalId
        ? [{ requestId, userId, value: posted.value, outcome: outcomes[index]! }]
        : [],
    ),
  );
}

const sample = (externalId: string, value: number) =>
  entry({ externalId, value, startDate: '2026-08-14T06:00:00Z', endDate: '2026-08-14T06:00:00Z' });
const hrBucket = (value: number) =>
  entry({
    externalId: `stats:${PULSE}:2026-08-14T07:30:00.000Z`,
    value,
    startDate: '2026-08-14T07:30:00Z',
    endDate: '2026-08-14T07:40:00Z',
  });

/** The key's stream records (INSERT, MODIFY…), in stream order. */
function recordsOf(trail: AuditTrail, pk: string): DynamoDBRecord[] {
  return trail.records.filter((record) => record.dynamodb?.Keys?.pk?.S === pk);
}

/**
 * The audit invariants of one `stats:` row, from the real stream: the row's versions chain
 * (each MODIFY's old value is the previous version's value), the function logged exactly one
 * `stats-overwrite` per version whose value differs from the one before, in stream order, and
 * a DEBUG line (no event) for each unchanged re-post; the last event ends at the stored value.
 */
function expectOneOverwritePerValueChange(trail: AuditTrail, pk: string, externalId: string, stored: number) {
  const records = recordsOf(trail, pk);
  expect(records[0]?.eventName).toBe('INSERT');
  expect(records.slice(1).every((record) => record.eventName === 'MODIFY')).toBe(true);
  for (let i = 1; i < records.length; i++) {
    expect(imageValue(records[i]!, 'OldImage')).toBe(imageValue(records[i - 1]!, 'NewImage'));
  }
  const changes = records
    .slice(1)
    .filter((record) => imageValue(record, 'OldImage') !== imageValue(record, 'NewImage'))
    .map((record) => ({
      previousValue: imageValue(record, 'OldImage'),
      value: imageValue(record, 'NewImage'),
      requestId: imageString(record, 'NewImage', 'requestId'),
      sequenceNumber: record.dynamodb!.SequenceNumber,
    }));
  const events = trail.overwrites
    .filter((line) => line.externalId === externalId)
    .map(({ previousValue, value, requestId, sequenceNumber }) => ({
      previousValue,
      value,
      requestId,
      sequenceNumber,
    }));
  expect(events).toEqual(changes);
  for (let i = 1; i < events.length; i++) expect(events[i]!.previousValue).toBe(events[i - 1]!.value);
  if (events.length > 0) {
    expect(events[0]!.previousValue).toBe(imageValue(records[0]!, 'NewImage'));
    expect(events.at(-1)!.value).toBe(stored);
  }
  const unchanged = records.length - 1 - changes.length;
  expect(trail.unchangedReposts.filter((line) => line.externalId === externalId)).toHaveLength(unchanged);
  return { records, events, unchanged };
}

describe('two phones and their retries race on the same stats: rows', () => {
  it('32 concurrent batches: every batch answers 200 with each index once; one inserted, the rest updated; the stored value is a posted one; one overwrite event per value change, chained in stream order, ending at the stored value', async () => {
    const userId = newUser('phones');
    const day = '2026-06-01';
    const stepsId = `stats:${STEPS}:${day}`;
    const bucketId = `stats:${PULSE}:2026-08-14T07:30:00.000Z`;
    // Phone A and phone B each sync 12 growing totals; 8 of those syncs are retried (same body).
    const calls: Call[] = [];
    for (let i = 0; i < 12; i++) {
      for (const [phone, base, bpm] of [
        ['a', 1000, 60],
        ['b', 2000, 100],
      ] as const) {
        const entries = [stepsDay(day, base + 10 * i), hrBucket(bpm + i), sample(`race-${phone}-${i}`, 70)];
        calls.push({ requestId: `phone-${phone}-${i}`, userId, entries });
        if (i % 3 === 0) calls.push({ requestId: `phone-${phone}-${i}-retry`, userId, entries });
      }
    }
    expect(calls).toHaveLength(32);
    const answered = await postConcurrently(calls);

    for (const [externalId, type] of [
      [stepsId, 'ACTIVITY_STEPS'],
      [bucketId, 'PULSE'],
    ] as const) {
      const outcomes = outcomesFor(answered, externalId);
      expect(outcomes.filter(({ outcome }) => outcome.status === 'inserted')).toHaveLength(1);
      expect(outcomes.filter(({ outcome }) => outcome.status === 'updated')).toHaveLength(calls.length - 1);
      expect(new Set(outcomes.map(({ outcome }) => outcome.id))).toEqual(
        new Set([measurementId(type, externalId)]),
      );
      const stored = await table.item(userId, type, externalId);
      // The last write wins whole: the stored value and request are one batch's, as it posted them.
      const writer = outcomes.find(({ requestId }) => requestId === stored?.requestId);
      expect(writer).toBeDefined();
      expect(stored?.value).toBe(writer!.value);
    }

    const trail = await auditTrailOf(table, streams, logs, userId);
    expect(trail.responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
    for (const [externalId, type] of [
      [stepsId, 'ACTIVITY_STEPS'],
      [bucketId, 'PULSE'],
    ] as const) {
      const stored = (await table.item(userId, type, externalId))!.value as number;
      const pk = measurementKey(userId, type, externalId);
      const { records } = expectOneOverwritePerValueChange(trail, pk, externalId, stored);
      // Every acknowledged write is exactly one version of the row.
      expect(records).toHaveLength(calls.length);
    }
    // New samples (INSERTs) never reach the audit function.
    expect(trail.delivered.every((record) => record.dynamodb?.NewImage?.kind?.S === 'stats')).toBe(true);

    // A later re-post of the stored total is a version with the same value: DEBUG, no event.
    const storedSteps = (await table.item(userId, 'ACTIVITY_STEPS', stepsId))!.value as number;
    const repost = await post({
      userId,
      requestId: 'repost-same',
      body: { entries: [stepsDay(day, storedSteps)] },
    });
    expect(expectValidBatchAnswer(repost, 1)).toEqual([
      { index: 0, status: 'updated', id: measurementId('ACTIVITY_STEPS', stepsId) },
    ]);
    logs.lines.length = 0;
    const after = await auditTrailOf(table, streams, logs, userId);
    const pk = measurementKey(userId, 'ACTIVITY_STEPS', stepsId);
    const { records, events, unchanged } = expectOneOverwritePerValueChange(after, pk, stepsId, storedSteps);
    expect(records.at(-1)).toMatchObject({ eventName: 'MODIFY' });
    expect(imageString(records.at(-1)!, 'NewImage', 'requestId')).toBe('repost-same');
    expect(events.every((event) => event.requestId !== 'repost-same')).toBe(true);
    expect(unchanged).toBeGreaterThanOrEqual(1);
  });
});

describe('samples raced: write-once under concurrency', () => {
  it('24 concurrent batches posting one sample UUID with different values: exactly one inserted in total, every other answer duplicate with the same id, the stored value is the inserted one, one row, one INSERT on the stream', async () => {
    const userId = newUser('sample');
    const externalId = 'RACE0000-0000-4000-8000-000000000001';
    const calls: Call[] = Array.from({ length: 24 }, (_, i) => ({
      requestId: `sample-race-${i}`,
      userId,
      entries: [sample(externalId, 50 + i)],
    }));
    const answered = await postConcurrently(calls);
    const outcomes = outcomesFor(answered, externalId);
    const inserted = outcomes.filter(({ outcome }) => outcome.status === 'inserted');
    expect(inserted).toHaveLength(1);
    expect(outcomes.filter(({ outcome }) => outcome.status === 'duplicate')).toHaveLength(23);
    expect(new Set(outcomes.map(({ outcome }) => outcome.id))).toEqual(
      new Set([measurementId('PULSE', externalId)]),
    );

    const items = (await table.items()).filter((item) => item.userId === userId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ value: inserted[0]!.value, requestId: inserted[0]!.requestId });

    const trail = await auditTrailOf(table, streams, logs, userId);
    expect(trail.records.map((record) => record.eventName)).toEqual(['INSERT']);
    expect(trail.delivered).toEqual([]);
  });
});

describe('two users posting identical externalIds at the same time never see each other’s rows', () => {
  it('16 concurrent batches of two users with the same ids: each user gets its own inserts, stores only its own values under its own key, and the row API answers another user’s id with 404', async () => {
    const [alice, bob, carol] = [newUser('alice'), newUser('bob'), newUser('carol')];
    const sampleIds = Array.from({ length: 6 }, (_, i) => `SHARED00-0000-4000-8000-00000000000${i}`);
    const days = ['2026-07-01', '2026-07-02', '2026-07-03'];
    const bobOnly = 'BOBONLY0-0000-4000-8000-000000000000';
    // Disjoint values: Alice posts 60–79 bpm and 1000–1999 steps, Bob 120–139 bpm and 50000+ steps.
    const batchOf = (userId: string, j: number): Entry[] => {
      const isAlice = userId === alice;
      const entries = [
        ...sampleIds.map((id, i) => sample(id, (isAlice ? 60 : 120) + ((i + j) % 20))),
        ...days.map((d, i) => stepsDay(d, (isAlice ? 1000 : 50000) + 100 * i + j)),
        hrBucket(isAlice ? 70 + j : 130 + j),
      ];
      return isAlice ? entries : [...entries, sample(bobOnly, 125)];
    };
    const calls: Call[] = [];
    for (let j = 0; j < 8; j++) {
      calls.push({ requestId: `alice-${j}`, userId: alice, entries: batchOf(alice, j) });
      calls.push({ requestId: `bob-${j}`, userId: bob, entries: batchOf(bob, j) });
    }
    const answered = await postConcurrently(calls);

    const sharedIds = [
      ...sampleIds,
      ...days.map((d) => `stats:${STEPS}:${d}`),
      `stats:${PULSE}:2026-08-14T07:30:00.000Z`,
    ];
    const typeOf = (externalId: string) =>
      externalId.startsWith(`stats:${STEPS}`) ? 'ACTIVITY_STEPS' : 'PULSE';
    for (const userId of [alice, bob]) {
      const own = answered.filter((call) => call.userId === userId);
      for (const externalId of sharedIds) {
        const outcomes = outcomesFor(own, externalId);
        // The other user's row never makes this user's first write a duplicate or an update.
        expect(outcomes.filter(({ outcome }) => outcome.status === 'inserted')).toHaveLength(1);
        const repeat = externalId.startsWith('stats:') ? 'updated' : 'duplicate';
        expect(outcomes.filter(({ outcome }) => outcome.status === repeat)).toHaveLength(own.length - 1);
        // Ids are per (type, externalId), user-free: the same for both users, never another key.
        expect(new Set(outcomes.map(({ outcome }) => outcome.id))).toEqual(
          new Set([measurementId(typeOf(externalId), externalId)]),
        );
      }
    }

    const items = await table.items();
    for (const userId of [alice, bob]) {
      const own = items.filter((item) => item.userId === userId);
      expect(own).toHaveLength(sharedIds.length + (userId === bob ? 1 : 0));
      const postedValues = (externalId: string) =>
        new Set(
          outcomesFor(
            answered.filter((call) => call.userId === userId),
            externalId,
          ).map(({ value }) => value),
        );
      for (const item of own) {
        const externalId = item.externalId as string;
        // Its own key and index keys, and a value this user posted (the other user's are disjoint).
        expect(item.pk).toBe(measurementKey(userId, item.type as string, externalId));
        expect(item).toMatchObject({
          [measurementsTable.indexAttributes.user]: userId,
          [measurementsTable.indexAttributes.userType]: `${userId}#${item.type as string}`,
          [measurementsTable.indexAttributes.userExternalId]: `${userId}#${externalId}`,
        });
        expect(postedValues(externalId).has(item.value)).toBe(true);
        // The stored version is one this user's own request wrote.
        expect(String(item.requestId)).toMatch(userId === alice ? /^alice-/ : /^bob-/);
      }
    }
    expect(items.filter((item) => item.externalId === bobOnly).map((item) => item.userId)).toEqual([bob]);

    // The row API resolves an id only together with the caller's own identity.
    for (const externalId of sharedIds) {
      const id = measurementId(typeOf(externalId), externalId);
      const [asAlice, asBob, asCarol] = await Promise.all([
        api.get(alice, id),
        api.get(bob, id),
        api.get(carol, id),
      ]);
      expect([asAlice.status, asBob.status, asCarol.status]).toEqual([200, 200, 404]);
      expect(asAlice.body.data.value).toBe((await table.item(alice, typeOf(externalId), externalId))!.value);
      expect(asBob.body.data.value).toBe((await table.item(bob, typeOf(externalId), externalId))!.value);
      expect(asAlice.body.data.value).not.toBe(asBob.body.data.value);
    }
    const bobOnlyId = measurementId('PULSE', bobOnly);
    expect((await api.get(alice, bobOnlyId)).status).toBe(404);
    expect((await api.get(bob, bobOnlyId)).status).toBe(200);
    const aliceList = await api.list(alice, { limit: 100 });
    expect(aliceList.status).toBe(200);
    expect(aliceList.body.data.measurements).toHaveLength(sharedIds.length);
    expect(aliceList.body.data.measurements.map((row: { id: string }) => row.id)).not.toContain(bobOnlyId);
    expect(aliceList.rawBody).not.toContain(bob);
  });
});
