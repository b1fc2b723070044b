import { ANSWER_BYTE_BUDGET, READ_ITEM_BUDGET, lambdaPayloadLimits } from '../../definitions/answer-limits';
import { bodyJsonBytes } from '../../functions/http/answer-size';
import { measurementPageSchema, seriesSchema } from '../../functions/measurements-api/read-schemas';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { encodeNightsCursor, encodeSeriesCursor } from '../../functions/measurements/rows/position-cursors';
import type { MeasurementRowStore } from '../../functions/measurements/rows/row-store';
import { encodeListCursor } from '../../functions/measurements/storage/list-pages';
import { TableRowStore } from '../../functions/measurements/storage/table-row-store';
import { putItems } from '../support/bulk-items';
import { createLocalTable, type LocalTable } from '../support/local-table';
import { measurementsApiClient, type ApiAnswer } from '../support/measurements-api-client';
import { storedItem } from '../support/stored-items';

/**
 * How much one read may cost and answer (docs/read-api.md, "How much one request reads and
 * answers"), through the real row-API handler on DynamoDB Local: every list mode honours its
 * cursor or refuses it, the sleep list reads within its item budget however long the history,
 * and lists and charts stop at the answer byte budget with a cursor that returns every row once.
 */

const NOW = new Date('2026-11-20T12:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

let table: LocalTable;
let api: ReturnType<typeof measurementsApiClient>;

beforeAll(async () => {
  table = await createLocalTable();
  api = measurementsApiClient({
    documentClient: table.documentClient,
    tableName: table.tableName,
    aggregatesTableName: table.aggregatesTableName,
    clock: () => NOW,
  });
});
afterAll(async () => table.drop());

let userSeq = 0;
const newUser = () => `bounds-user-${++userSeq}-${Date.now()}`;

const put = (items: readonly Record<string, unknown>[]) =>
  putItems(table.documentClient, table.tableName, items);

/** A sleep stage segment of `minutes` ending at `end`, as the batch stores it. */
const segmentItem = (userId: string, end: number, minutes: number, stage = 'CORE', externalId?: string) =>
  storedItem({
    userId,
    type: 'SLEEP_DURATION',
    hkIdentifier: 'HKCategoryTypeIdentifierSleepAnalysis',
    unit: 'minutes',
    clientUnit: 'min',
    value: minutes,
    measuredAt: iso(end),
    startDate: iso(end - minutes * MINUTE),
    sleepStage: stage,
    externalId: externalId ?? `sleep-${end}-${stage}`,
  });

/** `nights` nights of `perNight` 15-minute segments, the newest waking at 06:00 UTC the day before NOW. */
function sleepHistory(userId: string, nights: number, perNight: number) {
  const lastWake = Date.parse('2026-11-19T06:00:00.000Z');
  return Array.from({ length: nights }, (_, night) => {
    const wake = lastWake - night * DAY;
    return Array.from({ length: perNight }, (_, i) =>
      segmentItem(userId, wake - i * 15 * MINUTE, 15, ['CORE', 'DEEP', 'REM'][i % 3]),
    );
  }).flat();
}

/** A day total of active energy, as the phone posts it. */
const dayTotalItem = (userId: string, day: string, value: number, source = 'APPLE_HEALTH') =>
  storedItem({
    userId,
    type: 'ACTIVE_ENERGY_BURNED',
    hkIdentifier: 'HKQuantityTypeIdentifierActiveEnergyBurned',
    unit: 'kcal',
    value,
    measuredAt: `${day}T10:00:00.000Z`,
    source,
    externalId:
      source === 'APPLE_HEALTH'
        ? `stats:HKQuantityTypeIdentifierActiveEnergyBurned:${day}`
        : `${source}-${day}`,
  });

const pulseItem = (userId: string, at: number, externalId: string, value = 64) =>
  storedItem({ userId, type: 'PULSE', value, measuredAt: iso(at), startDate: iso(at), externalId });

/** Every page of a list or chart, following `nextCursor` until there is none. */
async function allPages(
  read: (cursor: string | undefined) => Promise<ApiAnswer>,
  cursorOf: (answer: ApiAnswer) => string | null | undefined,
): Promise<ApiAnswer[]> {
  const pages: ApiAnswer[] = [];
  let cursor: string | undefined;
  do {
    const answer = await read(cursor);
    expect(answer.status).toBe(200);
    pages.push(answer);
    cursor = cursorOf(answer) ?? undefined;
  } while (cursor && pages.length < 200);
  expect(cursor).toBeUndefined();
  return pages;
}
const listCursor = (answer: ApiAnswer) => answer.body.data.meta.nextCursor;
const seriesCursor = (answer: ApiAnswer) => answer.body.data.nextCursor;

describe('every list mode honours its cursor or refuses it with 422 on cursor', () => {
  let alice: string;
  let bob: string;
  /** A genuine cursor of each mode, for alice and for bob. */
  const cursors: Record<string, Record<string, string>> = {};

  const modes = {
    'the typed list': { type: 'PULSE', limit: 1 },
    'the untyped list': { limit: 1 },
    'day totals': { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day', limit: 1 },
    'sleep nights': { type: 'SLEEP_DURATION', limit: 1 },
  } as const;
  type Mode = keyof typeof modes;

  const list = (userId: string, mode: Mode, cursor: string) => api.list(userId, { ...modes[mode], cursor });
  const expectCursorRefused = (answer: ApiAnswer) => {
    expect(answer.status).toBe(422);
    expect(answer.body.details.issues).toEqual([
      expect.objectContaining({ path: 'cursor', code: 'invalid_cursor' }),
    ]);
  };

  beforeAll(async () => {
    [alice, bob] = [newUser(), newUser()];
    for (const userId of [alice, bob]) {
      await put([
        ...Array.from({ length: 3 }, (_, i) =>
          pulseItem(userId, Date.parse('2026-11-01T10:00:00Z') + i * DAY, `p-${i}`),
        ),
        ...['2026-11-01', '2026-11-02', '2026-11-03'].map((day, i) => dayTotalItem(userId, day, 100 + i)),
        ...sleepHistory(userId, 3, 8),
      ]);
      cursors[userId] = {};
      for (const mode of Object.keys(modes) as Mode[]) {
        const answer = await api.list(userId, modes[mode]);
        expect(answer.status).toBe(200);
        cursors[userId]![mode] = listCursor(answer);
        expect(typeof cursors[userId]![mode]).toBe('string');
      }
    }
  });

  test.each(Object.keys(modes) as Mode[])('%s: its own cursor continues it', async (mode) => {
    const next = await list(alice, mode, cursors[alice]![mode]!);
    expect(next.status).toBe(200);
    expect(next.body.data.measurements).toHaveLength(1);
  });

  test.each(Object.keys(modes) as Mode[])(
    '%s: garbage, another user’s cursor, and the cursors of the other modes are 422',
    async (mode) => {
      expectCursorRefused(await list(alice, mode, 'not-a-cursor'));
      expectCursorRefused(await list(alice, mode, `${cursors[alice]![mode]}A`));
      expectCursorRefused(await list(alice, mode, cursors[bob]![mode]!));
      for (const other of Object.keys(modes) as Mode[]) {
        if (other !== mode) expectCursorRefused(await list(alice, mode, cursors[alice]![other]!));
      }
      expectCursorRefused(
        await list(
          alice,
          mode,
          encodeSeriesCursor(alice, 'pulse', { at: '2026-11-01T10:00:00.000Z', id: 'x' }),
        ),
      );
    },
  );

  describe('a key tampered into something no row of the caller has', () => {
    const at = '2026-11-02T10:00:00.000Z';
    const tampered = (userId: string) => ({
      'another user’s row key': `${bob}#PULSE#p-1`,
      'a reading marker’s key': `${userId}#@reading#PULSE#${at}#MANUAL`,
      'an unknown type': `${userId}#STEPS#p-1`,
      'a NUL in the user': `${userId}\u0000#PULSE#p-1`,
      'a control character in the type': `${userId}#PULSE\u0001#p-1`,
    });

    test.each(['the typed list', 'the untyped list', 'day totals'] as const)('%s', async (mode) => {
      const type = mode === 'day totals' ? 'ACTIVE_ENERGY_BURNED' : 'PULSE';
      const pageKind = mode === 'day totals' ? 'dayTotals' : 'rows';
      const index = mode === 'the untyped list' ? { gsiUser: alice } : { gsiUserType: `${alice}#${type}` };
      for (const pk of Object.values(tampered(alice))) {
        const key = { pk: pk.replace('#PULSE', `#${type}`), ...index, measuredAt: at };
        expectCursorRefused(await list(alice, mode, encodeListCursor(key, pageKind)));
      }
      const genuine = { pk: `${alice}#${type}#p-1`, ...index, measuredAt: at };
      expectCursorRefused(
        await list(alice, mode, encodeListCursor({ ...genuine, measuredAt: `${at}\u0000` }, pageKind)),
      );
      expectCursorRefused(
        await list(
          alice,
          mode,
          encodeListCursor({ ...genuine, measuredAt: '2026-11-02T10:00:00Z' }, pageKind),
        ),
      );
    });

    test('sleep nights: an instant that is not canonical, carries a control character, or lies past to', async () => {
      for (const nightsBefore of ['2026-11-02T10:00:00Z', '2026-11-02T10:00:00.000Z\u0000', 'yesterday']) {
        const forged = Buffer.from(JSON.stringify({ user: alice, nightsBefore })).toString('base64url');
        expectCursorRefused(await list(alice, 'sleep nights', forged));
      }
      const late = encodeNightsCursor(alice, Date.parse('2026-11-10T00:00:00.000Z'));
      expectCursorRefused(
        await api.list(alice, { type: 'SLEEP_DURATION', to: '2026-11-05T00:00:00Z', cursor: late }),
      );
    });

    test('a chart: a cursor of another kind, a point id with a control character, a list’s cursor', async () => {
      const series = (cursor: string) => api.series(alice, { kind: 'pulse', cursor });
      expectCursorRefused(await series(encodeSeriesCursor(alice, 'glucose', { at, id: 'x' })));
      expectCursorRefused(await series(encodeSeriesCursor(bob, 'pulse', { at, id: 'x' })));
      expectCursorRefused(await series(encodeSeriesCursor(alice, 'pulse', { at, id: 'x\u0000' })));
      expectCursorRefused(await series(cursors[alice]!['the typed list']!));
      expectCursorRefused(await series('not-a-cursor'));
    });
  });
});

describe('groupBy=day pages through every row once, a day cut by the boundary partial on both sides', () => {
  test('5 days of two sources, 3 rows a page', async () => {
    const userId = newUser();
    const days = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05'];
    await put(
      days.flatMap((day, i) => [
        dayTotalItem(userId, day, 100 + i),
        dayTotalItem(userId, day, 1, 'WITHINGS'),
      ]),
    );
    const query = { type: 'ACTIVE_ENERGY_BURNED', groupBy: 'day', limit: 3 };
    const pages = await allPages(
      (cursor) => api.list(userId, { ...query, ...(cursor ? { cursor } : {}) }),
      listCursor,
    );
    const answered = pages.map((page) => measurementPageSchema.parse(page.body.data));
    // Every row read once: those kept plus those the ladder dropped.
    const read = answered.reduce(
      (sum, page) =>
        sum +
        (page.meta.droppedDuplicates ?? 0) +
        page.measurements.reduce(
          (rows, day) => rows + ('sampleCount' in day ? (day.sampleCount ?? 0) : 0),
          0,
        ),
      0,
    );
    expect(read).toBe(10);
    const rows = answered.flatMap((page) => page.measurements) as Array<{ dayKey: string; partial?: true }>;
    expect(new Set(rows.map((row) => row.dayKey))).toEqual(new Set(days));
    // A day on two pages is partial on both; one not known to be whole is the oldest of its page.
    for (const dayKey of days) {
      const parts = rows.filter((row) => row.dayKey === dayKey);
      if (parts.length > 1) expect(parts.every((part) => part.partial)).toBe(true);
    }
    for (const page of answered) {
      const days = page.measurements as Array<{ partial?: true }>;
      days.forEach((day, index) => {
        if (day.partial && index > 0) expect(index).toBe(days.length - 1);
      });
    }
  });
});

describe('the sleep list reads within its budget of index items, and its cursor continues the nights', () => {
  /** The row API over a repository whose reads are counted through the store port. */
  function countingApi() {
    const repository = new TableRowStore(table.documentClient, table.tableName);
    const counted = { itemsRead: 0 };
    const store: MeasurementRowStore = Object.create(repository);
    store.listMeasurements = async (query) => {
      const page = await repository.listMeasurements(query);
      if (page.status === 'page') counted.itemsRead += page.itemsRead;
      return page;
    };
    store.readRows = async (query) => {
      const read = await repository.readRows(query);
      counted.itemsRead += read.itemsRead;
      return read;
    };
    const client = measurementsApiClient({
      store,
      documentClient: table.documentClient,
      aggregatesTableName: table.aggregatesTableName,
      clock: () => NOW,
    });
    return { counted, api: client };
  }

  test('a 30,000-segment history with an early from: a page reads at most 10,000 items; 7 nights far fewer', async () => {
    const userId = newUser();
    await put(sleepHistory(userId, 1_000, 30));
    const from = '2023-01-01T00:00:00Z';

    const wide = countingApi();
    const page = await wide.api.list(userId, { type: 'SLEEP_DURATION', from, limit: 5000 });
    expect(page.status).toBe(200);
    expect(wide.counted.itemsRead).toBeLessThanOrEqual(READ_ITEM_BUDGET);
    const nights = measurementPageSchema.parse(page.body.data);
    // 10,000 segments of 30 a night, less the night the budget ended in.
    expect(nights.measurements.length).toBeGreaterThanOrEqual(Math.floor(READ_ITEM_BUDGET / 30) - 1);
    expect(nights.measurements.every((night) => !('partial' in night))).toBe(true);
    expect(nights.meta.nextCursor).toEqual(expect.any(String));

    const tile = countingApi();
    const week = await tile.api.list(userId, { type: 'SLEEP_DURATION', from, limit: 7 });
    expect(week.body.data.measurements).toHaveLength(7);
    expect(tile.counted.itemsRead).toBeLessThanOrEqual(1_000);
  }, 600_000);

  test('following the cursor answers every night once, as one page of them all would', async () => {
    const userId = newUser();
    await put(sleepHistory(userId, 12, 9));
    const all = await api.list(userId, { type: 'SLEEP_DURATION', limit: 100 });
    expect(all.body.data.measurements).toHaveLength(12);
    expect(all.body.data.meta.nextCursor).toBeNull();
    const pages = await allPages(
      (cursor) => api.list(userId, { type: 'SLEEP_DURATION', limit: 5, ...(cursor ? { cursor } : {}) }),
      listCursor,
    );
    expect(pages.map((page) => page.body.data.measurements.length)).toEqual([5, 5, 2]);
    expect(pages.flatMap((page) => page.body.data.measurements)).toEqual(all.body.data.measurements);
  });
});

describe('a list stops at the answer byte budget and hands back a cursor to the rest', () => {
  test('limit=5000 over rows of maximal escaped size: 200 under the budget, every row once across the pages', async () => {
    const userId = newUser();
    const control = (length: number) => '\u0001'.repeat(length);
    const start = Date.parse('2026-10-01T00:00:00Z');
    const items = Array.from({ length: 5_000 }, (_, i) => ({
      ...pulseItem(userId, start + i * MINUTE, `${String(i).padStart(5, '0')}${control(115)}`),
      externalSourceVersion: control(120),
      // What an edit may add to any row: a note of 200 characters.
      notes: control(200),
    }));
    await put(items);

    const pages = await allPages(
      (cursor) => api.list(userId, { type: 'PULSE', limit: 5000, ...(cursor ? { cursor } : {}) }),
      listCursor,
    );
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page.resultBytes).toBeLessThanOrEqual(ANSWER_BYTE_BUDGET);
      measurementPageSchema.parse(page.body.data);
    }
    expect(pages[0]!.body.data.meta.nextCursor).toEqual(expect.any(String));
    const rows = pages.flatMap(
      (page) => page.body.data.measurements as Array<{ id: string; measuredAt: string }>,
    );
    expect(rows.map((row) => row.id).sort()).toEqual(items.map((item) => item.id).sort());
    expect(rows.map((row) => row.measuredAt)).toEqual(items.map((item) => item.measuredAt).reverse());
    // One page of them all would have been over Lambda's response limit: a 5xx on AWS.
    expect(rows.reduce((sum, row) => sum + bodyJsonBytes(row) + 1, 0)).toBeGreaterThan(
      lambdaPayloadLimits.responseBytes,
    );
  }, 600_000);
});

describe('a chart stops at the answer byte budget too', () => {
  test('a 30-day raw pulse series of 10,000 rows with the longest ids: pages under the budget, every point once', async () => {
    const userId = newUser();
    const start = NOW.getTime() - 29 * DAY;
    // The longest row id: 120 characters of three UTF-8 bytes each in the externalId.
    const items = Array.from({ length: 10_000 }, (_, i) =>
      pulseItem(
        userId,
        start + i * 4 * MINUTE,
        `${String(i).padStart(5, '0')}${'€'.repeat(115)}`,
        64.12345678901234,
      ),
    );
    await put(items);

    const pages = await allPages(
      (cursor) => api.series(userId, { kind: 'pulse', days: 30, ...(cursor ? { cursor } : {}) }),
      seriesCursor,
    );
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page.resultBytes).toBeLessThanOrEqual(ANSWER_BYTE_BUDGET);
      const series = seriesSchema.parse(page.body.data);
      // Stats are the window's on every page.
      expect(series.stats.count).toBe(10_000);
    }
    const points = pages.flatMap((page) => page.body.data.points as Array<{ id: string; at: string }>);
    expect(points.map((point) => point.id)).toEqual(
      items.map((item) => measurementId('PULSE', item.externalId as string)),
    );
  }, 600_000);
});
