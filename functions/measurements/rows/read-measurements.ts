import { parseIsoDateTime } from '../model/iso-date-time';
import type { ValidationIssue } from '../model/validation-issues';
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
}

export interface MeasurementPage {
  readonly measurements: readonly MeasurementRow[];
  readonly meta: { readonly limit: number; readonly nextCursor: string | null };
}

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
 * One page of the caller's rows, newest first, optionally of one type and between two instants.
 * A cursor that is not one this very list handed to this very caller is a validation error.
 */
export async function listMeasurements(
  input: { readonly userId: string; readonly query: ListMeasurementsQuery },
  store: Pick<MeasurementRowStore, 'listMeasurements'>,
): Promise<ListOutcome> {
  const { userId, query } = input;
  const page = await store.listMeasurements({
    userId,
    type: query.type,
    from: storedInstant(query.from),
    to: storedInstant(query.to),
    limit: query.limit,
    cursor: query.cursor,
  });
  if (page.status === 'invalid_cursor') return { status: 'invalid', issues: [invalidCursorIssue] };
  return {
    status: 'listed',
    page: {
      measurements: page.items.filter((item) => isLiveRowOf(item, userId)).map(toMeasurementRow),
      meta: { limit: query.limit, nextCursor: page.nextCursor },
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
