import { isCumulativeType } from '../../../definitions/cumulative-types';
import { parseIsoDateTime } from '../model/iso-date-time';
import type { ValidationIssue } from '../model/validation-issues';
import { dayTotals, type DayTotalRow } from '../summaries/day-totals';
import { sleepNights, type SleepNightRow } from '../summaries/sleep-nights';
import { isLiveRowOf, resolveMeasurementId, toMeasurementRow, type MeasurementRow } from './measurement-row';
import type { MeasurementRowStore } from './row-store';

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
}

/** Sleep lists look back one year unless `from` says otherwise. */
const SLEEP_LOOKBACK_MS = 365 * 24 * 60 * 60 * 1000;

export type ListOutcome =
  | { readonly status: 'listed'; readonly page: MeasurementPage }
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

/**
 * `GET /api/measurements`: a page of the caller's rows, newest first, optionally of one type,
 * source and time range — or, for sleep, one row per night, and for a cumulative type with
 * `groupBy=day`, one row per local day. A cursor that is not one this very list handed to this
 * very caller is a validation error.
 */
export async function listMeasurements(
  input: ListInput,
  store: Pick<MeasurementRowStore, 'listMeasurements' | 'readRows'>,
): Promise<ListOutcome> {
  const { query } = input;
  if (query.type === 'SLEEP_DURATION') return listNights(input, store);
  if (query.groupBy === 'day' && query.type !== undefined && isCumulativeType(query.type)) {
    return listDayTotals(input, query.type, store);
  }
  const { userId } = input;
  const page = await store.listMeasurements({
    userId,
    type: query.type,
    from: storedInstant(query.from),
    to: storedInstant(query.to),
    source: query.sourceEq,
    limit: query.limit,
    cursor: query.cursor,
  });
  if (page.status === 'invalid_cursor') return { status: 'invalid', issues: [invalidCursorIssue] };
  return {
    status: 'listed',
    page: {
      measurements: page.items.filter((item) => isLiveRowOf(item, userId)).map(toMeasurementRow),
      meta: { limit: query.limit, offset: 0, nextCursor: page.nextCursor },
    },
  };
}

/** `groupBy=day`: `limit` caps the rows read, not the days answered; the days are the user's. */
async function listDayTotals(
  { userId, timeZone, query }: ListInput,
  type: Parameters<typeof dayTotals>[0]['type'],
  store: Pick<MeasurementRowStore, 'readRows'>,
): Promise<ListOutcome> {
  const { items, hitLimit } = await store.readRows({
    userId,
    type,
    from: storedInstant(query.from),
    to: storedInstant(query.to),
    source: query.sourceEq,
    limit: query.limit,
  });
  const { days, droppedDuplicates } = dayTotals({ rows: items, type, zone: timeZone, hitLimit });
  return {
    status: 'listed',
    page: {
      measurements: days,
      meta: { limit: query.limit, offset: 0, nextCursor: null, groupBy: 'day', droppedDuplicates },
    },
  };
}

/**
 * Sleep is stored as one row per stage segment and listed as one row per night: every segment of
 * the range is read (a year back unless `from` says otherwise) and `limit` caps the nights.
 */
async function listNights(
  { userId, timeZone, query, now }: ListInput,
  store: Pick<MeasurementRowStore, 'readRows'>,
): Promise<ListOutcome> {
  const { items } = await store.readRows({
    userId,
    type: 'SLEEP_DURATION',
    from: storedInstant(query.from) ?? new Date(now.getTime() - SLEEP_LOOKBACK_MS).toISOString(),
    to: storedInstant(query.to),
  });
  return {
    status: 'listed',
    page: {
      measurements: sleepNights(items, timeZone).slice(0, query.limit),
      meta: { limit: query.limit, offset: 0, nextCursor: null, groupBy: 'night' },
    },
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
