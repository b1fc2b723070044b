import { decodeCursor, encodeCursor, hasExactlyKeys } from '../model/cursor-text';
import { parseIsoDateTime } from '../model/iso-date-time';
import { MAX_ID_LENGTH } from '../model/measurement-id';

/**
 * The cursors of answers that continue at a position rather than after an index key: a sleep
 * list continues before an instant, a chart after a point. Each has a key of its own, so no
 * cursor is taken for another query's (a list's cursors: storage/list-pages.ts).
 */

const NIGHTS_BEFORE = 'nightsBefore';
const SERIES_KIND = 'seriesKind';
const AFTER_AT = 'afterAt';
const AFTER_ID = 'afterId';

/** A canonical instant (`toISOString()`), as every position is written. */
function canonicalInstant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseIsoDateTime(value);
  return parsed?.toISOString() === value ? parsed.getTime() : undefined;
}

/** The next sleep list page holds the segments that end before this instant (epoch ms). */
export function encodeNightsCursor(before: number): string {
  return encodeCursor({ [NIGHTS_BEFORE]: new Date(before).toISOString() });
}

export function decodeNightsCursor(cursor: string): number | undefined {
  const decoded = decodeCursor(cursor);
  return decoded && hasExactlyKeys(decoded, [NIGHTS_BEFORE])
    ? canonicalInstant(decoded[NIGHTS_BEFORE])
    : undefined;
}

/** Where a chart's points continue: right after this point (points are ordered by `at`, then `id`). */
export interface PointPosition {
  readonly at: string;
  readonly id: string;
}

/** Point ids are row ids (base64url) or `hour:`/`day:`/`sleep:` with an instant or a date. */
const POINT_ID = /^[A-Za-z0-9_:.-]+$/;

export function encodeSeriesCursor(kind: string, after: PointPosition): string {
  return encodeCursor({ [SERIES_KIND]: kind, [AFTER_AT]: after.at, [AFTER_ID]: after.id });
}

export function decodeSeriesCursor(cursor: string, kind: string): PointPosition | undefined {
  const decoded = decodeCursor(cursor);
  if (!decoded || !hasExactlyKeys(decoded, [SERIES_KIND, AFTER_AT, AFTER_ID])) return undefined;
  const { [SERIES_KIND]: cursorKind, [AFTER_AT]: at, [AFTER_ID]: id } = decoded;
  if (cursorKind !== kind || canonicalInstant(at) === undefined) return undefined;
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH || !POINT_ID.test(id)) return undefined;
  return { at: at as string, id };
}
