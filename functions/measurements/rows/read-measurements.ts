import { parseIsoDateTime } from './iso-date-time';
import { decodeListCursor, encodeListCursor } from './list-query';
import {
  isLiveRowOf,
  resolveMeasurementId,
  toMeasurementRow,
  type MeasurementRowStore,
} from './measurement-row';
import type { ListMeasurementsQuery, MeasurementPage, MeasurementRow } from './measurements-api-schema';
import type { ValidationIssue } from './validation-issues';

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
  const bounds = { userId, type: query.type, from: storedInstant(query.from), to: storedInstant(query.to) };
  const startKey = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, bounds);
  if (query.cursor !== undefined && !startKey) return { status: 'invalid', issues: [invalidCursorIssue] };

  const { items, lastEvaluatedKey } = await store.listMeasurements({
    ...bounds,
    limit: query.limit,
    startKey,
  });
  return {
    status: 'listed',
    page: {
      measurements: items.filter((item) => isLiveRowOf(item, userId)).map(toMeasurementRow),
      meta: { limit: query.limit, nextCursor: lastEvaluatedKey ? encodeListCursor(lastEvaluatedKey) : null },
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
