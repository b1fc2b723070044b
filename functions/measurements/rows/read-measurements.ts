import { READ_ITEM_BUDGET } from '../../../definitions/answer-limits';
import { isCumulativeType } from '../../../definitions/cumulative-types';
import { parseIsoDateTime } from '../model/iso-date-time';
import type { StoredMeasurement } from '../model/measurement';
import type { ValidationIssue } from '../model/validation-issues';
import { dayTotals, type DayTotalRow } from '../summaries/day-totals';
import { sleepNightsPage, type SleepNightRow, type SleepNightsPage } from '../summaries/sleep-nights';
import { fittingCount, type AnswerBudget } from './answer-budget';
import { isLiveRowOf, resolveMeasurementId, toMeasurementRow, type MeasurementRow } from './measurement-row';
import { decodeNightsCursor, encodeNightsCursor } from './position-cursors';
import type { ListQuery, MeasurementRowStore } from './row-store';

/** `GET /api/measurements`, as the handler validated it. */
export interface ListMeasurementsQuery {
  readonly type?: string;
  /** ISO-8601 date-times with `Z` or `±HH:MM` (any accepted form; compared as instants). */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
  /** Only rows of this source (ignored for sleep nights). */
  readonly sourceEq?: string;
  /** One row per local day, for a cumulative type (ignored for any other type). */
  readonly groupBy?: 'day';
}

interface ListMeta {
  readonly limit: number;
  /** Pages continue with `nextCursor`; an offset other than 0 is refused. */
  readonly offset: 0;
  readonly nextCursor: string | null;
}

/** The rows of a list: stored rows, or one synthetic row per day total or per night. */
export type ListedRow = MeasurementRow | DayTotalRow | SleepNightRow;

export interface MeasurementPage {
  readonly measurements: readonly ListedRow[];
  readonly meta: ListMeta & {
    readonly groupBy?: 'day' | 'night';
    /** Day totals only: rows read minus rows kept by the source ladder. */
    readonly droppedDuplicates?: number;
  };
}

export interface ListInput {
  readonly userId: string;
  /** The caller's IANA zone: days and nights are cut at the user's local midnight. */
  readonly timeZone: string;
  readonly query: ListMeasurementsQuery;
  readonly now: Date;
  /**
   * Where a plain list stops by size: the rows that would outgrow it go to the next page. Day
   * totals and nights need none: their rows are small and few by construction (docs/read-api.md,
   * "How much one request reads and answers").
   */
  readonly budget?: AnswerBudget;
}

/** Sleep lists look back one year unless `from` says otherwise. */
const SLEEP_LOOKBACK_MS = 365 * 24 * 60 * 60 * 1000;
/** The first read of a sleep list: about a month of a watch's nights (~40 segments each), plenty for the app's tile. */
const FIRST_SEGMENT_READ = 1_000;

export type ListOutcome =
  | {
      readonly status: 'listed';
      readonly page: MeasurementPage;
      /** Index items read to answer: what the request cost (logged). */
      readonly itemsRead: number;
    }
  | { readonly status: 'invalid'; readonly issues: readonly ValidationIssue[] };

export type GetOutcome =
  { readonly status: 'found'; readonly row: MeasurementRow } | { readonly status: 'not_found' };

/** `from`/`to` in the stored form of measuredAt, so the index compares like with like. */
function storedInstant(text: string | undefined): string | undefined {
  return text === undefined ? undefined : parseIsoDateTime(text)?.toISOString();
}

export const invalidCursorIssue: ValidationIssue = {
  path: 'cursor',
  code: 'invalid_cursor',
  message: 'Expected the nextCursor of a previous page of this same list',
};

const invalidCursor: ListOutcome = { status: 'invalid', issues: [invalidCursorIssue] };

type ListStore = Pick<MeasurementRowStore, 'listMeasurements' | 'listCursorAfter'>;

/**
 * `GET /api/measurements`: a page of the caller's rows, newest first, optionally of one type,
 * source and time range — or, for sleep, one row per night, and for a cumulative type with
 * `groupBy=day`, one row per local day. Every mode honours `cursor`; a cursor that is not one
 * this very list handed to this very caller is a validation error.
 */
export async function listMeasurements(input: ListInput, store: ListStore): Promise<ListOutcome> {
  const { query } = input;
  if (query.type === 'SLEEP_DURATION') return listNights(input, store);
  if (query.groupBy === 'day' && query.type !== undefined && isCumulativeType(query.type)) {
    return listDayTotals(input, query.type, store);
  }
  const { userId, budget } = input;
  const listQuery: ListQuery = {
    userId,
    type: query.type,
    from: storedInstant(query.from),
    to: storedInstant(query.to),
    source: query.sourceEq,
    limit: query.limit,
    cursor: query.cursor,
  };
  const page = await store.listMeasurements(listQuery);
  if (page.status === 'invalid_cursor') return invalidCursor;
  const live = page.items.filter((item) => isLiveRowOf(item, userId));
  const rows = live.map(toMeasurementRow);
  const meta = { limit: query.limit, offset: 0 as const };
  let kept = rows.length;
  let nextCursor = page.nextCursor;
  if (budget) {
    // A page cut short continues right after its last row; a whole page keeps the read's cursor.
    const cursorAt = (count: number) =>
      count === rows.length ? page.nextCursor : store.listCursorAfter(listQuery, live[count - 1]!);
    const empty = budget.bytesOf({ measurements: [], meta: { ...meta, nextCursor: null } });
    kept = fittingCount(rows, budget.maxBytes - empty, budget.costOf, (count) => {
      const cursor = cursorAt(count);
      return cursor === null ? 0 : budget.costOf(cursor) - budget.costOf(null);
    });
    if (kept < rows.length) nextCursor = cursorAt(kept);
  }
  return {
    status: 'listed',
    page: { measurements: rows.slice(0, kept), meta: { ...meta, nextCursor } },
    itemsRead: page.itemsRead,
  };
}

/**
 * `groupBy=day`: `limit` caps the rows read, not the days answered; the days are the user's. The
 * cursor continues after the last row read, so a day the page boundary cuts is answered in two
 * parts, each `partial`.
 */
async function listDayTotals(
  { userId, timeZone, query }: ListInput,
  type: Parameters<typeof dayTotals>[0]['type'],
  store: ListStore,
): Promise<ListOutcome> {
  const page = await store.listMeasurements({
    userId,
    type,
    from: storedInstant(query.from),
    to: storedInstant(query.to),
    source: query.sourceEq,
    limit: query.limit,
    cursor: query.cursor,
    pageKind: 'dayTotals',
  });
  if (page.status === 'invalid_cursor') return invalidCursor;
  const { days, droppedDuplicates } = dayTotals({
    rows: page.items,
    type,
    zone: timeZone,
    hitLimit: page.nextCursor !== null,
    continuesAfter: page.continuesAfter,
  });
  return {
    status: 'listed',
    page: {
      measurements: days,
      meta: {
        limit: query.limit,
        offset: 0,
        nextCursor: page.nextCursor,
        groupBy: 'day',
        droppedDuplicates,
      },
    },
    itemsRead: page.itemsRead,
  };
}

/**
 * Sleep is stored as one row per stage segment and listed as one row per night, so a night needs
 * every segment before it in its session. The segments are read newest first, a growing slice at
 * a time, until the page has `limit` complete nights, the range (a year back unless `from` says
 * otherwise) is read, or the request has read its budget of index items; the nights no unread
 * segment can change are answered (summaries/sleep-nights.ts, `sleepNightsPage`), and the cursor
 * continues before them.
 */
async function listNights(
  { userId, timeZone, query, now }: ListInput,
  store: ListStore,
): Promise<ListOutcome> {
  const to = storedInstant(query.to);
  let before: string | undefined;
  if (query.cursor !== undefined) {
    const continueBefore = decodeNightsCursor(query.cursor, userId);
    if (continueBefore === undefined || (to !== undefined && continueBefore - 1 > Date.parse(to))) {
      return invalidCursor;
    }
    before = new Date(continueBefore - 1).toISOString();
  }
  const range = {
    userId,
    type: 'SLEEP_DURATION',
    from: storedInstant(query.from) ?? new Date(now.getTime() - SLEEP_LOOKBACK_MS).toISOString(),
    to: before ?? to,
  };
  if (range.to !== undefined && range.to < range.from) return listedNights(userId, query, { nights: [] }, 0);

  const segments: StoredMeasurement[] = [];
  let itemsRead = 0;
  let cursor: string | undefined;
  for (;;) {
    const wanted = Math.min(READ_ITEM_BUDGET - itemsRead, Math.max(FIRST_SEGMENT_READ, itemsRead));
    const read = await store.listMeasurements({ ...range, limit: wanted, cursor });
    // The cursor is the previous read's own; it cannot be refused.
    if (read.status === 'invalid_cursor') throw new Error('A sleep list read its own cursor back as invalid');
    segments.push(...read.items);
    itemsRead += read.itemsRead;
    cursor = read.nextCursor ?? undefined;
    const oldestRead = segments.at(-1);
    const page = sleepNightsPage({
      rows: segments,
      zone: timeZone,
      limit: query.limit,
      ...(cursor && oldestRead ? { unreadEndAtOrBefore: Date.parse(oldestRead.measuredAt) } : {}),
    });
    const enough = page.nights.length >= query.limit && !page.nights.some((night) => night.partial);
    if (!cursor || enough || itemsRead >= READ_ITEM_BUDGET) {
      return listedNights(userId, query, page, itemsRead);
    }
  }
}

function listedNights(
  userId: string,
  query: ListMeasurementsQuery,
  page: SleepNightsPage,
  itemsRead: number,
): ListOutcome {
  return {
    status: 'listed',
    page: {
      measurements: page.nights,
      meta: {
        limit: query.limit,
        offset: 0,
        nextCursor:
          page.continueBefore === undefined ? null : encodeNightsCursor(userId, page.continueBefore),
        groupBy: 'night',
      },
    },
    itemsRead,
  };
}

/** The caller's live row with that id; missing, soft-deleted, foreign and malformed ids are all `not_found`. */
export async function getMeasurement(
  input: { readonly userId: string; readonly id: string },
  store: Pick<MeasurementRowStore, 'getMeasurement'>,
): Promise<GetOutcome> {
  const ref = resolveMeasurementId(input.userId, input.id);
  const item = ref && (await store.getMeasurement(ref));
  return isLiveRowOf(item, input.userId)
    ? { status: 'found', row: toMeasurementRow(item) }
    : { status: 'not_found' };
}
