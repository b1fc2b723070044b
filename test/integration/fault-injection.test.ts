import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/commons/dynamodb-client';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { measurementKey } from '../../functions/measurements/storage/measurement-key';
import { serviceFunctions } from '../../definitions/service-functions';
import { createStreamsClient } from '../../local/dynamodb-stream';
import { auditTrailOf, imageValue } from '../support/audit-trail';
import { batchClient, entry, stepsDay } from '../support/batch-client';
import {
  expectIngestSummaryMatches,
  expectValidBatchAnswer,
  type AnsweredEntry,
} from '../support/batch-invariants';
import { captureLogs, type CapturedLogs } from '../support/captured-logs';
import {
  faults,
  seededFaults,
  seededUnit,
  startFaultyDynamoDb,
  type Fault,
  type FaultPlan,
  type FaultyDynamoDb,
} from '../support/fault-injection';
import { createLocalTable, type LocalTable } from '../support/local-table';

/**
 * Issue 8, part 1: the batch endpoint keeps its promises while DynamoDB throttles, fails with
 * 5xx, never answers, or answers slowly. The faults are injected on the wire, below the SDK's
 * retry loop (test/support/fault-injection.ts): the real handler, repository and production
 * client (`createDocumentClient`: maxAttempts 3, requestTimeout, keep-alive) run above them
 * against DynamoDB Local, so some calls recover on the SDK's own retries and some exhaust them.
 * Every invariant is checked against the table, never against the answer alone.
 *
 * Which calls fail is decided by SEED from each call's identity (operation, item key, attempt),
 * so a run is reproducible whatever order the writes interleave in. The SDK's back-off jitter
 * and its retry quota are its own, so timings (and rarely which retry is refused) still vary.
 */
const SEED = 0x8_2026;
/** Short, so a call that never gets an answer costs little; well above DynamoDB Local's latency. */
const REQUEST_TIMEOUT_MS = 1000;
const MAX_ATTEMPTS = 3;
/** The phone's re-send loop: the fault rate halves each round, a round cap keeps the test bounded. */
const FIRST_ROUND_FAULT_RATE = 0.3;
const MAX_ROUNDS = 8;

const PULSE = 'HKQuantityTypeIdentifierHeartRate';
const STEPS = 'HKQuantityTypeIdentifierStepCount';
const typeOf: Record<string, string> = { [PULSE]: 'PULSE', [STEPS]: 'ACTIVITY_STEPS' };

let table: LocalTable;
let faulty: FaultyDynamoDb;
let streams: DynamoDBStreamsClient;
let logs: CapturedLogs;
const clients: DynamoDBDocumentClient[] = [];

beforeAll(async () => {
  table = await createLocalTable({ stream: true });
  faulty = await startFaultyDynamoDb(table.endpoint);
  streams = createStreamsClient(table.endpoint);
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  streams.destroy();
  await faulty.close();
  await table.drop();
});
beforeEach(() => {
  logs = captureLogs();
  faulty.setPlan(undefined);
});
afterEach(() => logs.restore());

/**
 * The production client, talking to DynamoDB Local through the faulty endpoint. One per test:
 * the SDK's retry quota is per client, so a test never inherits another's spent quota.
 */
function clientThroughFaults(requestTimeoutMs = REQUEST_TIMEOUT_MS): DynamoDBDocumentClient {
  const client = createDocumentClient({
    DYNAMODB_ENDPOINT: faulty.endpoint,
    DYNAMODB_MAX_ATTEMPTS: MAX_ATTEMPTS,
    DYNAMODB_REQUEST_TIMEOUT_MS: requestTimeoutMs,
    WRITE_CONCURRENCY: 16,
  });
  clients.push(client);
  return client;
}

type Entry = Record<string, unknown>;
type Post = ReturnType<typeof batchClient>;

const pkOf = (userId: string, posted: Entry) =>
  measurementKey(userId, typeOf[posted.hkIdentifier as string]!, posted.externalId as string);
const idOf = (posted: Entry) =>
  measurementId(typeOf[posted.hkIdentifier as string]!, posted.externalId as string);

const sample = (externalId: string, value: number) =>
  entry({ externalId, value, startDate: '2026-08-14T06:00:00Z', endDate: '2026-08-14T06:00:00Z' });
const unmappable = (externalId: string) =>
  entry({ externalId, hkIdentifier: 'HKQuantityTypeIdentifierHeight' });
const day = (offset: number) => new Date(Date.UTC(2025, 0, 1 + offset)).toISOString().slice(0, 10);

/** The user's stored items by key, read straight from DynamoDB Local (no faults, consistent). */
async function storedItems(userId: string): Promise<Map<string, Record<string, unknown>>> {
  const items = (await table.items()).filter((item) => item.userId === userId);
  return new Map(items.map((item) => [item.pk as string, item]));
}

/**
 * Checked right after each answer, against the table: an entry answered `inserted`/`updated` is
 * stored with exactly the value it posted and the id it was answered with; a `duplicate` names a
 * row that exists; every row belongs to the caller.
 */
async function expectStoredAsAnswered(userId: string, posted: Entry[], answered: AnsweredEntry[]) {
  const stored = await storedItems(userId);
  const wrong: unknown[] = [];
  for (const outcome of answered) {
    const sent = posted[outcome.index]!;
    if (outcome.status === 'failed' || outcome.status === 'skipped') continue;
    const item = stored.get(pkOf(userId, sent));
    const ok =
      item !== undefined &&
      item.userId === userId &&
      item.id === outcome.id &&
      outcome.id === idOf(sent) &&
      (outcome.status === 'duplicate' || item.value === sent.value);
    if (!ok) wrong.push({ outcome, posted: sent.value, stored: item?.value ?? 'nothing' });
  }
  expect(wrong).toEqual([]);
}

interface Sync {
  /** Each posted index's final outcome (its first non-failed answer). */
  readonly final: AnsweredEntry[];
  /** Original indexes answered `failed` in the first round. */
  readonly failedFirst: number[];
  /** Every failure reason seen in any round. */
  readonly reasons: Set<string>;
  readonly rounds: number;
}

/**
 * The phone's sync: post the batch, then re-send only the entries answered `failed`, while the
 * service recovers (the fault rate halves each round), until none fails. Every answer is checked
 * for the contract's invariants, its log summary and against the table.
 */
async function syncLikeThePhone(options: {
  post: Post;
  userId: string;
  entries: Entry[];
  tag: string;
  setRate?: (rate: number) => void;
}): Promise<Sync> {
  const { post, userId, entries, tag, setRate } = options;
  const final: (AnsweredEntry | undefined)[] = new Array(entries.length);
  const reasons = new Set<string>();
  let failedFirst: number[] = [];
  let pending = entries.map((_, index) => index);
  let round = 0;
  for (; round < MAX_ROUNDS && pending.length > 0; round++) {
    setRate?.(FIRST_ROUND_FAULT_RATE / 2 ** round);
    const batch = pending.map((index) => entries[index]!);
    const requestId = `${tag}-round-${round}`;
    const answer = await post({ userId, requestId, body: { entries: batch } });
    const answered = expectValidBatchAnswer(answer, batch.length);
    expectIngestSummaryMatches(logs, requestId, answer);
    await expectStoredAsAnswered(userId, batch, answered);
    const stillFailed: number[] = [];
    for (const outcome of answered) {
      const original = pending[outcome.index]!;
      if (outcome.status === 'failed') {
        stillFailed.push(original);
        reasons.add(outcome.reason!);
      } else {
        final[original] = { ...outcome, index: original };
      }
    }
    if (round === 0) failedFirst = stillFailed;
    pending = stillFailed;
  }
  expect({ pendingAfterRounds: pending }).toEqual({ pendingAfterRounds: [] });
  return { final: final as AnsweredEntry[], failedFirst, reasons, rounds: round };
}

/**
 * Keys the engine received more than one write for. Only there may a first write be answered as
 * a repeat (`updated`, `duplicate`): an earlier attempt of the service's own landed, and its
 * answer was lost (injected, or DynamoDB Local answering after the client's requestTimeout).
 */
function keysWrittenMoreThanOnce(): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const call of faulty.forwarded) {
    if (call.operation !== 'PutItem' || call.key === undefined) continue;
    if (seen.has(call.key)) repeated.add(call.key);
    seen.add(call.key);
  }
  return repeated;
}

describe('faults on a seeded share of DynamoDB calls, below the SDK retry loop, through the phone re-send loop', () => {
  it('inserted/updated ⇒ stored with the posted value; failed ⇒ no-store and stored once re-sent; every index answered once; nothing lost; summaries equal answers; one overwrite event per changed stats row', async () => {
    const userId = 'fault-user-seeded';
    const seeded = seededFaults({ seed: SEED, rate: FIRST_ROUND_FAULT_RATE, menu: Object.values(faults) });
    faulty.setPlan(seeded.plan);
    const post = batchClient({ documentClient: clientThroughFaults(), tableName: table.tableName });

    // Morning: 100 samples, 40 day totals, an in-batch repeat of each kind, 20 skipped entries.
    const morning: Entry[] = [stepsDay(day(0), 1)]; // superseded by day 0's later copy
    for (let i = 0; i < 100; i++) {
      morning.push(sample(`fault-sample-${i}`, 50 + i));
      if (i % 5 === 4) morning.push(unmappable(`fault-unmappable-${i}`));
      if (i < 40) morning.push(stepsDay(day(i), 1000 + 37 * i));
    }
    morning.push(sample('fault-sample-0', 299)); // a later repeat of a sample: the first one wins
    const morningSync = await syncLikeThePhone({
      post,
      userId,
      entries: morning,
      tag: 'morning',
      setRate: seeded.setRate,
    });

    // Evening: even days changed, odd days re-posted unchanged, 20 samples re-posted with other
    // values (write-once: duplicate), 40 new samples.
    const evening: Entry[] = [];
    for (let d = 0; d < 40; d++) evening.push(stepsDay(day(d), 1000 + 37 * d + (d % 2 === 0 ? 500 : 0)));
    for (let i = 0; i < 20; i++) evening.push(sample(`fault-sample-${i}`, 200));
    for (let i = 100; i < 140; i++) evening.push(sample(`fault-sample-${i}`, i - 10));
    const eveningSync = await syncLikeThePhone({
      post,
      userId,
      entries: evening,
      tag: 'evening',
      setRate: seeded.setRate,
    });

    // The faults really happened, some calls recovered on the SDK's retries, some exhausted them.
    const ours = faulty.injected.filter(({ call }) => call.key?.startsWith(`${userId}#`));
    const injectedKinds = new Set(ours.map(({ fault }) => faultLabel(fault)));
    expect([...injectedKinds].sort()).toEqual(Object.keys(faults).sort());
    expect(morningSync.failedFirst.length).toBeGreaterThan(0);
    expect(eveningSync.failedFirst.length).toBeGreaterThan(0);
    const faultedFirstAttempt = new Set(
      ours.filter(({ call }) => call.attempt === 1).map(({ call }) => call.key),
    );
    const recoveredByRetry = morning.filter(
      (posted, index) =>
        faultedFirstAttempt.has(pkOf(userId, posted)) && !morningSync.failedFirst.includes(index),
    );
    expect(recoveredByRetry.length).toBeGreaterThan(0);
    const allowedReasons = new Set([...Object.values(faults).map(faultName), 'TimeoutError']);
    for (const reason of [...morningSync.reasons, ...eveningSync.reasons]) {
      expect(allowedReasons).toContain(reason);
    }

    // Nothing lost: the table holds exactly the winning copy of every non-skipped entry.
    const expected = new Map<string, number>();
    for (let i = 0; i < 140; i++) {
      expected.set(measurementKey(userId, 'PULSE', `fault-sample-${i}`), i < 100 ? 50 + i : i - 10);
    }
    for (let d = 0; d < 40; d++) {
      expected.set(
        measurementKey(userId, 'ACTIVITY_STEPS', `stats:${STEPS}:${day(d)}`),
        1000 + 37 * d + (d % 2 === 0 ? 500 : 0),
      );
    }
    const stored = await storedItems(userId);
    expect(new Map([...stored].map(([pk, item]) => [pk, item.value]))).toEqual(expected);

    // Final statuses: only the service's own landed-then-lost write may turn an insert into
    // updated/duplicate; an existing stats row is always `updated`, an existing sample `duplicate`.
    const landed = keysWrittenMoreThanOnce();
    const surprises: unknown[] = [];
    morning.forEach((posted, index) => {
      const outcome = morningSync.final[index]!;
      const pk = posted.hkIdentifier === PULSE || posted.hkIdentifier === STEPS ? pkOf(userId, posted) : '';
      const expectedStatus =
        posted.hkIdentifier === 'HKQuantityTypeIdentifierHeight'
          ? ['skipped']
          : index === 0 || index === morning.length - 1
            ? ['duplicate'] // the in-batch repeats
            : landed.has(pk)
              ? ['inserted', 'updated', 'duplicate']
              : ['inserted'];
      if (!expectedStatus.includes(outcome.status)) surprises.push({ phase: 'morning', index, outcome });
    });
    evening.forEach((posted, index) => {
      const outcome = eveningSync.final[index]!;
      const externalId = posted.externalId as string;
      const isNew = posted.hkIdentifier === PULSE && Number(externalId.split('-').pop()) >= 100;
      const expectedStatus =
        posted.hkIdentifier === STEPS
          ? ['updated']
          : !isNew
            ? ['duplicate']
            : landed.has(pkOf(userId, posted))
              ? ['inserted', 'duplicate']
              : ['inserted'];
      if (!expectedStatus.includes(outcome.status)) surprises.push({ phase: 'evening', index, outcome });
    });
    expect(surprises).toEqual([]);

    // The audit trail from the real stream: retried and re-sent writes of one value are no
    // overwrite; exactly one event per changed day total, morning value → evening value.
    const trail = await auditTrailOf(table, streams, logs, userId);
    expect(trail.responses.every((response) => response.batchItemFailures.length === 0)).toBe(true);
    const overwrites = trail.overwrites.map((line) => ({
      externalId: line.externalId,
      previousValue: line.previousValue,
      value: line.value,
    }));
    const changedDays = Array.from({ length: 20 }, (_, k) => 2 * k).map((d) => ({
      externalId: `stats:${STEPS}:${day(d)}`,
      previousValue: 1000 + 37 * d,
      value: 1000 + 37 * d + 500,
    }));
    expect(sortBy(overwrites, 'externalId')).toEqual(sortBy(changedDays, 'externalId'));
    const sequence = trail.overwrites.map((line) => BigInt(line.sequenceNumber as string));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // Every unchanged version (odd days, and re-sends of a write that had landed) is DEBUG only.
    // (The SDK's own retries rewrite an identical item, which DynamoDB leaves out of the stream.)
    const unchangedWrites = trail.records.filter(
      (record) =>
        record.eventName === 'MODIFY' &&
        imageValue(record, 'OldImage') === imageValue(record, 'NewImage') &&
        record.dynamodb?.NewImage?.kind?.S === 'stats',
    );
    expect(unchangedWrites.length).toBeGreaterThanOrEqual(20);
    expect(trail.unchangedReposts).toHaveLength(unchangedWrites.length);
  }, 60_000);
});

describe('timeouts: NodeHttpHandler requestTimeout abandons a call DynamoDB never answers', () => {
  it('a call with no answer is abandoned after requestTimeout and retried by the SDK, not left hanging until the deadline', async () => {
    const userId = 'fault-user-hang-once';
    const entries = [sample('hang-once-sample', 61), stepsDay(day(100), 4321)];
    const hung = new Set(entries.map((posted) => pkOf(userId, posted)));
    faulty.setPlan((call) =>
      call.operation === 'PutItem' && hung.has(call.key!) && call.attempt === 1
        ? faults.timeoutBeforeWrite
        : undefined,
    );
    const post = batchClient({ documentClient: clientThroughFaults(), tableName: table.tableName });
    const startedAt = Date.now();
    const answer = await post({ userId, requestId: 'hang-once', body: { entries }, remainingTimeMs: 25_000 });
    const elapsed = Date.now() - startedAt;
    const answered = expectValidBatchAnswer(answer, entries.length);
    expect(answered.map((outcome) => outcome.status)).toEqual(['inserted', 'inserted']);
    await expectStoredAsAnswered(userId, entries, answered);
    // One requestTimeout plus a transient back-off (≤ 100 ms), far from the 23.5 s deadline.
    expect(elapsed).toBeLessThan(3 * REQUEST_TIMEOUT_MS);
    for (const pk of hung) expect(faulty.calls.filter((call) => call.key === pk)).toHaveLength(2);
  });

  it('a call never answered on any attempt fails TimeoutError after maxAttempts, is not stored, and is stored once re-sent', async () => {
    const userId = 'fault-user-hang-always';
    const entries = [sample('hang-always-sample', 62), sample('hang-never-sample', 63)];
    const hung = pkOf(userId, entries[0]!);
    faulty.setPlan((call) => (call.key === hung ? faults.timeoutBeforeWrite : undefined));
    const post = batchClient({ documentClient: clientThroughFaults(), tableName: table.tableName });
    const startedAt = Date.now();
    const answer = await post({ userId, requestId: 'hang-always', body: { entries } });
    const elapsed = Date.now() - startedAt;
    expect(expectValidBatchAnswer(answer, 2)).toEqual([
      { index: 0, status: 'failed', reason: 'TimeoutError' },
      { index: 1, status: 'inserted', id: idOf(entries[1]!) },
    ]);
    expect(faulty.calls.filter((call) => call.key === hung)).toHaveLength(MAX_ATTEMPTS);
    expect(elapsed).toBeGreaterThanOrEqual(MAX_ATTEMPTS * REQUEST_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(MAX_ATTEMPTS * REQUEST_TIMEOUT_MS + 2000);
    expect((await storedItems(userId)).has(hung)).toBe(false);

    faulty.setPlan(undefined);
    const resent = await post({ userId, requestId: 'hang-always-resent', body: { entries: [entries[0]] } });
    expect(expectValidBatchAnswer(resent, 1)).toEqual([
      { index: 0, status: 'inserted', id: idOf(entries[0]!) },
    ]);
    expect((await storedItems(userId)).get(hung)?.value).toBe(62);
  });
});

describe('lost answers: the write reached the table, the answer did not', () => {
  it('a stats write whose every answer was lost is failed, and re-sent answers updated with the same id and the value, one row, no overwrite event', async () => {
    const userId = 'fault-user-lost-stats';
    const posted = stepsDay(day(200), 8765);
    const pk = pkOf(userId, posted);
    faulty.setPlan((call) => (call.key === pk ? faults.timeoutAfterWrite : undefined));
    const post = batchClient({ documentClient: clientThroughFaults(), tableName: table.tableName });

    const first = await post({ userId, requestId: 'lost-stats', body: { entries: [posted] } });
    expect(expectValidBatchAnswer(first, 1)).toEqual([
      { index: 0, status: 'failed', reason: 'TimeoutError' },
    ]);
    expect(first.headers['cache-control']).toBe('private, no-store');
    // Every attempt landed: the SDK re-sent the same upsert three times.
    expect(faulty.appliedButUnanswered.filter((call) => call.key === pk)).toHaveLength(MAX_ATTEMPTS);
    expect((await storedItems(userId)).get(pk)).toMatchObject({ value: 8765, id: idOf(posted) });

    faulty.setPlan(undefined);
    const resent = await post({ userId, requestId: 'lost-stats-resent', body: { entries: [posted] } });
    expect(expectValidBatchAnswer(resent, 1)).toEqual([{ index: 0, status: 'updated', id: idOf(posted) }]);
    expectIngestSummaryMatches(logs, 'lost-stats-resent', resent);
    const stored = await storedItems(userId);
    expect(stored.size).toBe(1);
    expect(stored.get(pk)).toMatchObject({ value: 8765, requestId: 'lost-stats-resent' });

    // The SDK's retries rewrote an identical item, which DynamoDB leaves out of the stream; the
    // re-send (a new request id) is one MODIFY with the same value: DEBUG, not an overwrite.
    const trail = await auditTrailOf(table, streams, logs, userId);
    expect(trail.records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(trail.overwrites).toEqual([]);
    expect(trail.unchangedReposts).toHaveLength(1);
  });

  it('a sample write whose every answer was lost is failed, and re-sent answers duplicate with the same id, never a second row', async () => {
    const userId = 'fault-user-lost-sample';
    const posted = sample('lost-sample', 77);
    const pk = pkOf(userId, posted);
    faulty.setPlan((call) => (call.key === pk ? faults.timeoutAfterWrite : undefined));
    const post = batchClient({ documentClient: clientThroughFaults(), tableName: table.tableName });

    const first = await post({ userId, requestId: 'lost-sample', body: { entries: [posted] } });
    // Attempt 1 landed; the SDK's retries met the condition and were refused, their answers lost too.
    expect(expectValidBatchAnswer(first, 1)).toEqual([
      { index: 0, status: 'failed', reason: 'TimeoutError' },
    ]);

    faulty.setPlan(undefined);
    const resent = await post({ userId, requestId: 'lost-sample-resent', body: { entries: [posted] } });
    expect(expectValidBatchAnswer(resent, 1)).toEqual([{ index: 0, status: 'duplicate', id: idOf(posted) }]);
    const stored = await storedItems(userId);
    expect([...stored.keys()]).toEqual([pk]);
    expect(stored.get(pk)).toMatchObject({ value: 77, requestId: 'lost-sample' });
  });

  it.each([
    ['a lost answer (requestTimeout)', faults.timeoutAfterWrite],
    ['a 500 after the write', faults.internalServerErrorAfterWrite],
  ])(
    'when only the first attempt’s answer is lost to %s, the SDK retry answers updated (stats) / duplicate (sample) in the same request, with the posted value and one row each',
    async (_name, fault: Fault) => {
      const userId = `fault-user-lost-once-${fault.kind}`;
      const entries = [stepsDay(day(300), 2468), sample('lost-once-sample', 88)];
      const keys = new Set(entries.map((posted) => pkOf(userId, posted)));
      faulty.setPlan((call) => (keys.has(call.key!) && call.attempt === 1 ? fault : undefined));
      const post = batchClient({ documentClient: clientThroughFaults(), tableName: table.tableName });
      const answer = await post({ userId, requestId: `lost-once-${fault.kind}`, body: { entries } });
      expect(expectValidBatchAnswer(answer, 2)).toEqual([
        { index: 0, status: 'updated', id: idOf(entries[0]!) },
        { index: 1, status: 'duplicate', id: idOf(entries[1]!) },
      ]);
      const stored = await storedItems(userId);
      expect(new Map([...stored].map(([key, item]) => [key, item.value]))).toEqual(
        new Map(entries.map((posted) => [pkOf(userId, posted), posted.value])),
      );
    },
  );
});

describe('the deadline: a slow engine never makes the function outlive its Lambda timeout', () => {
  it('with 3000 ms left and every call slow (some throttled into back-off), the answer leaves before the deadline; unstarted and aborted writes are failed/deadline_exceeded; inserted ⇒ stored; a re-send stores the rest', async () => {
    const userId = 'fault-user-deadline';
    const REMAINING_MS = 3000;
    const SLOW_MS = 800;
    // Every write is slow; a seeded fifth is throttled first, so it sits in the SDK's back-off.
    const slow: FaultPlan = (call) =>
      call.operation !== 'PutItem'
        ? undefined
        : call.attempt === 1 && seededUnit(SEED, call.key!) < 0.2
          ? faults.provisionedThroughputExceeded
          : { kind: 'delay', ms: SLOW_MS };
    faulty.setPlan(slow);
    // The production requestTimeout (3 s): the engine is slow, not dead.
    const post = batchClient({
      documentClient: clientThroughFaults(
        Number(serviceFunctions.ingestBatch.settings.DYNAMODB_REQUEST_TIMEOUT_MS.default),
      ),
      tableName: table.tableName,
    });
    const entries: Entry[] = [];
    for (let i = 0; i < 100; i++) entries.push(sample(`deadline-sample-${i}`, 40 + i));
    for (let d = 0; d < 20; d++) entries.push(stepsDay(day(400 + d), 500 + d));

    const startedAt = Date.now();
    const answer = await post({
      userId,
      requestId: 'deadline',
      body: { entries },
      remainingTimeMs: REMAINING_MS,
    });
    const elapsed = Date.now() - startedAt;
    // Before the Lambda deadline, and within moments of its own (remaining − 1500 ms margin).
    expect(elapsed).toBeLessThan(REMAINING_MS);
    expect(elapsed).toBeLessThan(REMAINING_MS - 1500 + 500);

    const answered = expectValidBatchAnswer(answer, entries.length);
    expectIngestSummaryMatches(logs, 'deadline', answer);
    await expectStoredAsAnswered(userId, entries, answered);
    const failed = answered.filter((outcome) => outcome.status === 'failed');
    expect(new Set(failed.map((outcome) => outcome.reason))).toEqual(new Set(['deadline_exceeded']));
    expect(failed.length).toBeGreaterThan(entries.length / 2);
    expect(answered.filter((outcome) => outcome.status === 'inserted').length).toBeGreaterThan(0);
    // Writes were in flight at the deadline (started, not answered): aborted, not awaited.
    const started = new Set(
      faulty.calls.filter((call) => call.key?.startsWith(`${userId}#`)).map((c) => c.key),
    );
    const abortedInFlight = failed.filter((outcome) => started.has(pkOf(userId, entries[outcome.index]!)));
    expect(abortedInFlight.length).toBeGreaterThan(0);

    // The phone re-sends exactly the failed entries; a write the slow engine applied after the
    // abort comes back as the same row (duplicate sample / updated total), never a second one.
    faulty.setPlan(undefined);
    const pending = failed.map((outcome) => outcome.index);
    const resentEntries = pending.map((index) => entries[index]!);
    const resent = await post({ userId, requestId: 'deadline-resent', body: { entries: resentEntries } });
    const resentAnswered = expectValidBatchAnswer(resent, resentEntries.length);
    expect(resentAnswered.filter((outcome) => outcome.status === 'failed')).toEqual([]);
    await expectStoredAsAnswered(userId, resentEntries, resentAnswered);
    const stored = await storedItems(userId);
    expect(new Map([...stored].map(([pk, item]) => [pk, item.value]))).toEqual(
      new Map(entries.map((posted) => [pkOf(userId, posted), posted.value])),
    );
  });
});

/** The failure reason a fault becomes once the SDK gives up on it. */
function faultName(fault: Fault): string {
  return fault.kind === 'error' ? fault.name : fault.kind === 'hang' ? 'TimeoutError' : 'delay';
}

/** The fault's name in `faults`. */
function faultLabel(fault: Fault): string {
  return Object.entries(faults).find(([, known]) => known === fault)?.[0] ?? faultName(fault);
}

function sortBy<T extends Record<string, unknown>>(items: T[], key: keyof T): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
