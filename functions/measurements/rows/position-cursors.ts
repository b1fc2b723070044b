import { decodeCursor, encodeCursor, hasExactlyKeys } from '../model/cursor-text';
import { parseIsoDateTime } from '../model/iso-date-time';
import { MAX_ID_LENGTH } from '../model/measurement-id';

/**
 * The cursors of answers that continue at a position rather than after an index key: a sleep
 * list continues before an instant, a chart after a point. Like a list's cursor
 * (storage/list-pages.ts) each is bound to the caller — it names the user it was handed to, which
 * tells the caller nothing they do not know — and to its query, with keys of its own, so no
 * cursor is taken for another query's.
 */

const USER = 'user';
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
export function encodeNightsCursor(userId: string, before: number): string {
  return encodeCursor({ [USER]: userId, [NIGHTS_BEFORE]: new Date(before).toISOString() });
}

export function decodeNightsCursor(cursor: string, userId: string): number | undefined {
  const decoded = decodeCursor(cursor);
  if (!decoded || !hasExactlyKeys(decoded, [USER, NIGHTS_BEFORE]) || decoded[USER] !== userId) {
    return undefined;
  }
  return canonicalInstant(decoded[NIGHTS_BEFORE]);
}

/** Where a chart's points continue: right after this point (points are ordered by `at`, then `id`). */
export interface PointPosition {
  readonly at: string;
  readonly id: string;
}

/** Point ids are row ids (base64url) or `hour:`/`day:`/`sleep:` with an instant or a date. */
const POINT_ID = /^[A-Za-z0-9_:.-]+$/;

export function encodeSeriesCursor(userId: string, kind: string, after: PointPosition): string {
  return encodeCursor({ [USER]: userId, [SERIES_KIND]: kind, [AFTER_AT]: after.at, [AFTER_ID]: after.id });
}

export function decodeSeriesCursor(cursor: string, userId: string, kind: string): PointPosition | undefined {
  const decoded = decodeCursor(cursor);
  if (!decoded || !hasExactlyKeys(decoded, [USER, SERIES_KIND, AFTER_AT, AFTER_ID])) return undefined;
  const { [USER]: user, [SERIES_KIND]: cursorKind, [AFTER_AT]: at, [AFTER_ID]: id } = decoded;
  if (user !== userId || cursorKind !== kind || canonicalInstant(at) === undefined) return undefined;
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH || !POINT_ID.test(id)) return undefined;
  return { at: at as string, id };
}
