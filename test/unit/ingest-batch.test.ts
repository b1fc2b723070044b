import type { BatchEntry } from '../../functions/measurements/batch/batch-schema';
import {
  countSkippedByReason,
  ingestBatch,
  summarize,
  type BatchResult,
  type EntryOutcome,
  type IngestBatchInput,
} from '../../functions/measurements/batch/ingest-batch';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { HR_BUCKET_PREFIX, NOW, QUANTITY, URL_SAFE, dailyStats, entry, heartRateBucket } from './fixtures';
import { InMemoryMeasurementWriter } from './in-memory-writer';
import { mixedSamplesExample } from '../support/contract-examples';
import { expectValidBatchPayload } from '../support/batch-invariants';

const USER = 'user-7f3a';
/** A Lambda-like deadline: far enough never to be reached by these tests (and small enough for a timer). */
const TEN_MINUTES = 10 * 60 * 1000;

function input(entries: readonly BatchEntry[], overrides: Partial<IngestBatchInput> = {}): IngestBatchInput {
  return {
    userId: USER,
    requestId: 'req-1',
    entries,
    now: NOW,
    deadlineAt: Date.now() + TEN_MINUTES,
    ...overrides,
  };
}

/** `n` distinct valid samples. */
function samples(n: number): BatchEntry[] {
  return Array.from({ length: n }, (_, i) => entry({ externalId: `SAMPLE-${i}`, value: 60 + (i % 10) }));
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('batch-api §6: summarize — inserted + updated + duplicates + failed + skipped.length == processed; skipped mirrors skipped entries as {index, reason}', () => {
  const outcomes: EntryOutcome[] = [
    { index: 0, status: 'inserted', id: 'a' },
    { index: 1, status: 'updated', id: 'b' },
    { index: 2, status: 'duplicate', id: 'c' },
    { index: 3, status: 'duplicate', reason: 'superseded_in_batch', id: 'd' },
    { index: 4, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
    {
      index: 5,
      status: 'skipped',
      reason: 'value_out_of_range',
      convertedValue: 90,
      range: { min: 1, max: 80, unit: '%' },
    },
    { index: 6, status: 'skipped', reason: 'unmappable_identifier' },
    { index: 7, status: 'failed', reason: 'deadline_exceeded' },
    { index: 8, status: 'skipped', reason: 'unmappable_identifier' },
    { index: 9, status: 'inserted', id: 'e' },
  ];

  it('counts each status; duplicates include superseded_in_batch', () => {
    expect(summarize(outcomes)).toMatchObject({
      processed: 10,
      inserted: 2,
      updated: 1,
      duplicates: 2,
      failed: 2,
    });
  });

  it('skipped holds {index, reason} only — no convertedValue/range — in entry order', () => {
    expect(summarize(outcomes).skipped).toEqual([
      { index: 5, reason: 'value_out_of_range' },
      { index: 6, reason: 'unmappable_identifier' },
      { index: 8, reason: 'unmappable_identifier' },
    ]);
    for (const s of summarize(outcomes).skipped) expect(Object.keys(s)).toEqual(['index', 'reason']);
  });

  it('entries are passed through unchanged, one per index, in order', () => {
    expect(summarize(outcomes).entries).toEqual(outcomes);
  });

  it('the payload keys are in the contract order: processed, inserted, updated, duplicates, failed, skipped, entries', () => {
    expect(Object.keys(summarize(outcomes))).toEqual([
      'processed',
      'inserted',
      'updated',
      'duplicates',
      'failed',
      'skipped',
      'entries',
    ]);
    expect(Object.keys(summarize([]))).toEqual([
      'processed',
      'inserted',
      'updated',
      'duplicates',
      'failed',
      'skipped',
      'entries',
    ]);
  });

  it('the invariant holds for every mix', () => {
    for (let n = 0; n <= outcomes.length; n++) {
      const r = summarize(outcomes.slice(0, n));
      expect(r.inserted + r.updated + r.duplicates + r.failed + r.skipped.length).toBe(r.processed);
    }
  });

  it('countSkippedByReason counts the skipped list by reason', () => {
    expect(countSkippedByReason(summarize(outcomes))).toEqual({
      value_out_of_range: 1,
      unmappable_identifier: 2,
    });
    expect(countSkippedByReason(summarize([]))).toEqual({});
  });
});

describe('batch-api §6: the key order of each entry', () => {
  it('inserted {index, status, id}; duplicate {index, status, id}; superseded {index, status, reason, id}; skipped {index, status, reason[, convertedValue, range]}; failed {index, status, reason}', async () => {
    const writer = new InMemoryMeasurementWriter({
      intercept: (r) =>
        r.measurement.externalId === 'FAILS' ? { status: 'failed', reason: 'write_failed' } : undefined,
    });
    writer.seed(USER, { type: 'WEIGHT', externalId: 'STORED', value: 70 });
    const result = await ingestBatch(
      input([
        entry({ externalId: 'NEW' }),
        entry({ externalId: 'STORED' }),
        dailyStats('StepCount', '2026-08-13', 1),
        dailyStats('StepCount', '2026-08-13', 2),
        entry({ hkIdentifier: 'x' }),
        entry({ externalId: 'OUT-OF-RANGE', value: 0 }),
        entry({ externalId: 'FAILS' }),
      ]),
      { writer, writeConcurrency: 4 },
    );
    expect(result.entries.map((e) => [e.status, Object.keys(e)])).toEqual([
      ['inserted', ['index', 'status', 'id']],
      ['duplicate', ['index', 'status', 'id']],
      ['duplicate', ['index', 'status', 'reason', 'id']],
      ['inserted', ['index', 'status', 'id']],
      ['skipped', ['index', 'status', 'reason']],
      ['skipped', ['index', 'status', 'reason', 'convertedValue', 'range']],
      ['failed', ['index', 'status', 'reason']],
    ]);
    expectValidBatchPayload(result, 7);
  });
});

describe('batch-api §3 step 7 / §4: ingestBatch writes only the planned writes, one call per entry', () => {
  it('skipped entries and in-batch repeats are never written', async () => {
    const writer = new InMemoryMeasurementWriter();
    const entries = [
      dailyStats('StepCount', '2026-08-13', 100),
      entry({ externalId: '0x1f' }),
      entry({ externalId: 'A' }),
      entry({ externalId: 'A', value: 99 }),
      entry({ hkIdentifier: `${QUANTITY}Height` }),
      dailyStats('StepCount', '2026-08-13', 200),
      heartRateBucket('2026-08-14T07:35:00.000Z'),
      entry({ endDate: '2027-01-01T00:00:00Z' }),
    ];
    const result = await ingestBatch(input(entries), { writer, writeConcurrency: 3 });
    expect(writer.calls.map((c) => [c.measurement.externalId, c.measurement.value])).toEqual([
      ['A', 72.4],
      [`stats:${QUANTITY}StepCount:2026-08-13`, 200],
    ]);
    expect(result.entries.map((e) => [e.status, 'reason' in e ? e.reason : undefined])).toEqual([
      ['duplicate', 'superseded_in_batch'],
      ['skipped', 'unstable_external_id'],
      ['inserted', undefined],
      ['duplicate', undefined],
      ['skipped', 'unmappable_identifier'],
      ['inserted', undefined],
      ['skipped', 'malformed_hr_bucket_id'],
      ['skipped', 'implausible_timestamp'],
    ]);
    expectValidBatchPayload(result, entries.length);
  });

  it('each write carries the caller, the request id and now as writtenAt', async () => {
    const writer = new InMemoryMeasurementWriter();
    await ingestBatch(input([entry()], { requestId: 'req-xyz' }), { writer, writeConcurrency: 1 });
    expect(writer.calls[0]).toMatchObject({
      userId: USER,
      requestId: 'req-xyz',
      writtenAt: '2026-08-14T08:00:00.000Z',
    });
  });

  it('stats rows: no old row → inserted, an old row → updated, with the row id', async () => {
    const writer = new InMemoryMeasurementWriter();
    const row = dailyStats('StepCount', '2026-08-13', 100);
    const id = measurementId('ACTIVITY_STEPS', row.externalId);
    expect((await ingestBatch(input([row]), { writer, writeConcurrency: 1 })).entries).toEqual([
      { index: 0, status: 'inserted', id },
    ]);
    expect(
      (await ingestBatch(input([{ ...row, value: 150 }]), { writer, writeConcurrency: 1 })).entries,
    ).toEqual([{ index: 0, status: 'updated', id }]);
  });

  it("samples: an existing row → duplicate carrying the existing row's id (as the writer reports it)", async () => {
    const writer = new InMemoryMeasurementWriter({
      intercept: () => ({ status: 'duplicate', id: 'the-existing-row-id' }),
    });
    const result = await ingestBatch(input([entry()]), { writer, writeConcurrency: 1 });
    expect(result.entries).toEqual([{ index: 0, status: 'duplicate', id: 'the-existing-row-id' }]);
    expect(result.duplicates).toBe(1);
  });
});

describe('batch-api §4: a write that fails becomes failed with its reason and does not affect other entries', () => {
  it('one entry failing with ProvisionedThroughputExceededException, the others inserted', async () => {
    const writer = new InMemoryMeasurementWriter({
      intercept: (r) =>
        r.measurement.externalId === 'SAMPLE-2'
          ? { status: 'failed', reason: 'ProvisionedThroughputExceededException' }
          : undefined,
    });
    const result = await ingestBatch(input(samples(5)), { writer, writeConcurrency: 2 });
    expect(result.entries.map((e) => e.status)).toEqual([
      'inserted',
      'inserted',
      'failed',
      'inserted',
      'inserted',
    ]);
    expect(result.entries[2]).toEqual({
      index: 2,
      status: 'failed',
      reason: 'ProvisionedThroughputExceededException',
    });
    expect(result).toMatchObject({ processed: 5, inserted: 4, failed: 1 });
    expect(writer.calls).toHaveLength(5);
    expectValidBatchPayload(result, 5);
  });

  it('a failed entry carries no id: nothing is reported written unless the writer acknowledged it', async () => {
    const writer = new InMemoryMeasurementWriter({
      intercept: () => ({ status: 'failed', reason: 'write_failed' }),
    });
    const result = await ingestBatch(input(samples(3)), { writer, writeConcurrency: 3 });
    expect(result).toMatchObject({ inserted: 0, updated: 0, duplicates: 0, failed: 3 });
    for (const e of result.entries)
      expect(e).toEqual({ index: e.index, status: 'failed', reason: 'write_failed' });
  });
});

describe('batch-api §3 step 6 + §4: an in-batch repeat never claims a row its winning copy failed to store', () => {
  const throttled = (externalId: string) =>
    new InMemoryMeasurementWriter({
      intercept: (r) =>
        r.measurement.externalId === externalId
          ? { status: 'failed', reason: 'ProvisionedThroughputExceededException' }
          : undefined,
    });

  it('a later repeat of a sample whose first copy failed is failed too, with the same reason', async () => {
    const writer = throttled('SAMPLE-0');
    const result = await ingestBatch(input([...samples(2), entry({ externalId: 'SAMPLE-0', value: 61 })]), {
      writer,
      writeConcurrency: 2,
    });
    expect(result.entries).toEqual([
      { index: 0, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
      { index: 1, status: 'inserted', id: expect.any(String) },
      { index: 2, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
    ]);
    expectValidBatchPayload(result, 3);
  });

  it('earlier copies of a stats row whose last copy failed are failed too, not superseded_in_batch', async () => {
    const day = 'stats:HKQuantityTypeIdentifierStepCount:2026-08-13';
    const writer = throttled(day);
    const result = await ingestBatch(
      input([dailyStats('StepCount', '2026-08-13', 100), dailyStats('StepCount', '2026-08-13', 200)]),
      { writer, writeConcurrency: 2 },
    );
    expect(result.entries).toEqual([
      { index: 0, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
      { index: 1, status: 'failed', reason: 'ProvisionedThroughputExceededException' },
    ]);
  });

  it('a repeat of a winner that was stored stays duplicate with the winner id', async () => {
    const result = await ingestBatch(input([entry({ externalId: 'X' }), entry({ externalId: 'X' })]), {
      writer: new InMemoryMeasurementWriter(),
      writeConcurrency: 1,
    });
    expect(result.entries[1]).toEqual({
      index: 1,
      status: 'duplicate',
      id: (result.entries[0] as { id: string }).id,
    });
  });
});

describe('batch-api §4: a writer that throws fails only its own entry', () => {
  it('the throwing write is failed / write_failed and every other entry is written', async () => {
    const writer = new InMemoryMeasurementWriter();
    const write = writer.writeMeasurement.bind(writer);
    writer.writeMeasurement = (request, options) =>
      request.measurement.externalId === 'SAMPLE-1'
        ? Promise.reject(new TypeError('bug'))
        : write(request, options);
    const result = await ingestBatch(input(samples(3)), { writer, writeConcurrency: 3 });
    expect(result.entries.map((e) => e.status)).toEqual(['inserted', 'failed', 'inserted']);
    expect(result.entries[1]).toEqual({ index: 1, status: 'failed', reason: 'write_failed' });
  });
});

describe('batch-api §4: entries not yet written when the deadline has passed are failed / deadline_exceeded', () => {
  it('a deadline already past: no write starts, every planned write is failed / deadline_exceeded, skips stay skips', async () => {
    const writer = new InMemoryMeasurementWriter();
    const clock = () => 1_000_000;
    const result = await ingestBatch(
      input([...samples(3), entry({ hkIdentifier: 'x' })], { deadlineAt: 999_999 }),
      {
        writer,
        writeConcurrency: 2,
        clock,
      },
    );
    expect(writer.calls).toHaveLength(0);
    expect(result.entries).toEqual([
      { index: 0, status: 'failed', reason: 'deadline_exceeded' },
      { index: 1, status: 'failed', reason: 'deadline_exceeded' },
      { index: 2, status: 'failed', reason: 'deadline_exceeded' },
      { index: 3, status: 'skipped', reason: 'unmappable_identifier' },
    ]);
    expectValidBatchPayload(result, 4);
  });

  it('the deadline passing mid-batch: written entries keep their outcome, the ones not started fail', async () => {
    let now = 1_000_000;
    const writer = new InMemoryMeasurementWriter({
      delay: async () => {
        now += 100; // every write takes 100 ms of the (fake) clock
      },
    });
    const result = await ingestBatch(input(samples(5), { deadlineAt: 1_000_250 }), {
      writer,
      writeConcurrency: 1,
      clock: () => now,
    });
    // Writes start at 0, 100, 200 ms; at 300 ms the deadline (250 ms) has passed.
    expect(writer.calls).toHaveLength(3);
    expect(result.entries.map((e) => e.status)).toEqual([
      'inserted',
      'inserted',
      'inserted',
      'failed',
      'failed',
    ]);
    expect(result.entries[3]).toEqual({ index: 3, status: 'failed', reason: 'deadline_exceeded' });
    expectValidBatchPayload(result, 5);
  });

  it('writes in flight when the deadline arrives are aborted through the signal the writer receives', async () => {
    const writer = new InMemoryMeasurementWriter({
      delay: (_r, signal) =>
        new Promise<void>((resolve) => {
          if (signal?.aborted) resolve();
          signal?.addEventListener('abort', () => resolve());
        }),
      intercept: (_r, signal) =>
        signal?.aborted ? { status: 'failed', reason: 'deadline_exceeded' } : undefined,
    });
    // The injected clock stands still, so only the deadline timer (50 ms of real time) can stop the writes.
    const result = await ingestBatch(input(samples(4), { deadlineAt: 50 }), {
      writer,
      writeConcurrency: 2,
      clock: () => 0,
    });
    expect(writer.calls).toHaveLength(2);
    expect(result.entries.map((e) => [e.status, 'reason' in e ? e.reason : undefined])).toEqual(
      Array.from({ length: 4 }, () => ['failed', 'deadline_exceeded']),
    );
  });
});

describe('batch-api §4: the deadline timer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('fires when the deadline is reached: after deadlineAt − clock() ms, whatever the clock reads', async () => {
    const setTimer = jest.spyOn(global, 'setTimeout');
    await ingestBatch(input(samples(1), { deadlineAt: 5_000_050 }), {
      writer: new InMemoryMeasurementWriter(),
      writeConcurrency: 1,
      clock: () => 5_000_000,
    });
    expect(setTimer).toHaveBeenCalledTimes(1);
    expect(setTimer.mock.calls[0]![1]).toBe(50);
  });

  it('is cleared on the way out, so a finished batch leaves no timer behind to abort anything', async () => {
    const setTimer = jest.spyOn(global, 'setTimeout');
    const clearTimer = jest.spyOn(global, 'clearTimeout');
    await ingestBatch(input(samples(2)), { writer: new InMemoryMeasurementWriter(), writeConcurrency: 2 });
    const timer = setTimer.mock.results[0]!.value;
    expect(clearTimer).toHaveBeenCalledWith(timer);
  });

  it('is cleared even when shaping the answer throws', async () => {
    const setTimer = jest.spyOn(global, 'setTimeout');
    const clearTimer = jest.spyOn(global, 'clearTimeout');
    const writer = new InMemoryMeasurementWriter();
    // An outcome no code path knows makes summarize() throw inside the try block.
    jest.spyOn(writer, 'writeMeasurement').mockResolvedValue({ status: 'bogus' } as never);
    await expect(ingestBatch(input(samples(1)), { writer, writeConcurrency: 1 })).rejects.toThrow();
    expect(clearTimer).toHaveBeenCalledWith(setTimer.mock.results[0]!.value);
  });

  it('a write due exactly at the deadline does not start (the deadline is inclusive)', async () => {
    const writer = new InMemoryMeasurementWriter();
    const result = await ingestBatch(input(samples(2), { deadlineAt: 1_000_000 }), {
      writer,
      writeConcurrency: 1,
      clock: () => 1_000_000,
    });
    expect(writer.calls).toHaveLength(0);
    expect(result.entries.map((e) => 'reason' in e && e.reason)).toEqual([
      'deadline_exceeded',
      'deadline_exceeded',
    ]);
  });

  it('one millisecond before the deadline the write still starts', async () => {
    const writer = new InMemoryMeasurementWriter();
    const result = await ingestBatch(input(samples(1), { deadlineAt: 1_000_001 }), {
      writer,
      writeConcurrency: 1,
      clock: () => 1_000_000,
    });
    expect(writer.calls).toHaveLength(1);
    expect(result.entries[0]).toMatchObject({ status: 'inserted' });
  });
});

describe('batch-api §4: at most writeConcurrency writes are in flight at once', () => {
  it.each([1, 2, 3, 8])(
    'with writeConcurrency %p, the fake writer never sees more in flight',
    async (writeConcurrency) => {
      const writer = new InMemoryMeasurementWriter({
        delay: async () => {
          await tick();
          await tick();
        },
      });
      const result = await ingestBatch(input(samples(20)), { writer, writeConcurrency });
      expect(writer.calls).toHaveLength(20);
      expect(writer.maxInFlight).toBeLessThanOrEqual(writeConcurrency);
      expect(writer.maxInFlight).toBe(writeConcurrency); // and the bound is actually used
      expectValidBatchPayload(result, 20);
    },
  );

  it('results stay in request order even when writes finish out of order', async () => {
    const writer = new InMemoryMeasurementWriter({
      delay: async (r) => {
        const n = Number(r.measurement.externalId.split('-')[1]);
        for (let i = 0; i < (10 - n) * 2; i++) await tick();
      },
    });
    const result = await ingestBatch(input(samples(10)), { writer, writeConcurrency: 10 });
    expect(result.entries.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.entries.map((e) => 'id' in e && e.id)).toEqual(
      samples(10).map((e) => measurementId('WEIGHT', e.externalId)),
    );
  });
});

describe('batch-api §6 addition: row ids are deterministic for (type, externalId), URL-safe and never contain the user id', () => {
  it('two users posting the same entry get the same id, which contains neither user id', async () => {
    const ids = [];
    for (const userId of ['alice-0001', 'bob-0002']) {
      const result = await ingestBatch(input([entry()], { userId }), {
        writer: new InMemoryMeasurementWriter(),
        writeConcurrency: 1,
      });
      const outcome = result.entries[0]!;
      if (!('id' in outcome)) throw new Error('expected an id');
      expect(outcome.id).toMatch(URL_SAFE);
      expect(outcome.id).not.toContain(userId);
      expect(Buffer.from(outcome.id, 'base64url').toString('utf8')).not.toContain(userId);
      ids.push(outcome.id);
    }
    expect(ids[0]).toBe(ids[1]);
  });
});

/** Puts a contract example's `"<id>"` placeholders on the actual ids, so the whole body can be compared, key order included. */
function withPlaceholderIds(result: BatchResult): unknown {
  return { ...result, entries: result.entries.map((e) => ('id' in e ? { ...e, id: '<id>' } : e)) };
}

describe('contract example 02-mixed-samples, end to end through the use case with an in-memory store', () => {
  it("answers exactly the example's payload and leaves the stored pulse at 64", async () => {
    const writer = new InMemoryMeasurementWriter();
    writer.seed(USER, { type: 'PULSE', externalId: 'C0FFEE00-0000-4000-8000-000000000000', value: 64 });
    const result = await ingestBatch(
      input([...mixedSamplesExample.entries], { now: new Date('2026-08-14T08:00:00Z') }),
      { writer, writeConcurrency: 4 },
    );
    expect(JSON.stringify(withPlaceholderIds(result))).toBe(JSON.stringify(mixedSamplesExample.response));
    expect(result.entries[1]).toMatchObject({
      id: measurementId('PULSE', 'C0FFEE00-0000-4000-8000-000000000000'),
    });
    expect(writer.row(USER, 'PULSE', 'C0FFEE00-0000-4000-8000-000000000000')?.value).toBe(64);
  });
});

describe('contract example 03-superseded-and-buckets, end to end through the use case with an in-memory store', () => {
  it("answers exactly the example's payload and stores the buckets as the example says", async () => {
    const writer = new InMemoryMeasurementWriter();
    const b0730 = `${HR_BUCKET_PREFIX}2026-08-14T07:30:00.000Z`;
    const b0740 = `${HR_BUCKET_PREFIX}2026-08-14T07:40:00.000Z`;
    const result = await ingestBatch(
      input(
        [
          {
            hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
            value: 70,
            valueMin: 58,
            valueMax: 90,
            unit: 'count/min',
            startDate: '2026-08-14T07:30:00Z',
            endDate: '2026-08-14T07:40:00Z',
            externalId: b0730,
          },
          {
            hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
            value: 78,
            valueMin: 58,
            valueMax: 110,
            unit: 'count/min',
            startDate: '2026-08-14T07:30:00Z',
            endDate: '2026-08-14T07:40:00Z',
            externalId: b0730,
          },
          {
            hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
            value: 72,
            valueMin: 80,
            valueMax: 96,
            unit: 'count/min',
            startDate: '2026-08-14T07:40:00Z',
            endDate: '2026-08-14T07:50:00Z',
            externalId: b0740,
          },
        ],
        { now: new Date('2026-08-14T08:00:00Z') },
      ),
      { writer, writeConcurrency: 4 },
    );
    expect(JSON.stringify(withPlaceholderIds(result))).toBe(
      JSON.stringify({
        processed: 3,
        inserted: 2,
        updated: 0,
        duplicates: 1,
        failed: 0,
        skipped: [],
        entries: [
          { index: 0, status: 'duplicate', reason: 'superseded_in_batch', id: '<id>' },
          { index: 1, status: 'inserted', id: '<id>' },
          { index: 2, status: 'inserted', id: '<id>' },
        ],
      }),
    );
    expect(result.entries[0]).toMatchObject({ id: (result.entries[1] as { id: string }).id });
    expect(writer.calls).toHaveLength(2);
    expect(writer.row(USER, 'PULSE', b0730)).toMatchObject({ value: 78, valueMin: 58, valueMax: 110 });
    expect(writer.row(USER, 'PULSE', b0740)).toMatchObject({ value: 72, valueMin: null, valueMax: null });
  });
});
