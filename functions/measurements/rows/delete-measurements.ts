import { mapWithConcurrency } from '../../commons/bounded-concurrency';
import { resolveMeasurementId } from './measurement-row';
import type { MeasurementRowStore, RowChange } from './row-store';

export type DeleteOutcome = { readonly status: 'deleted' } | { readonly status: 'not_found' };

const changeOf = (input: { readonly requestId: string; readonly now: Date }): RowChange => ({
  requestId: input.requestId,
  at: input.now.toISOString(),
});

/**
 * `DELETE /api/measurements/{id}`: a soft delete of one row of the caller. The row keeps its data
 * with `deletedAt` set and leaves every list index. Deleting one's own row again answers the same
 * `deleted` (the app retries deletes after network errors); an id naming no row of the caller is
 * `not_found`.
 */
export async function deleteMeasurement(
  input: { readonly userId: string; readonly id: string; readonly requestId: string; readonly now: Date },
  store: Pick<MeasurementRowStore, 'softDeleteMeasurement'>,
): Promise<DeleteOutcome> {
  const ref = resolveMeasurementId(input.userId, input.id);
  const outcome = ref === undefined ? 'not_found' : await store.softDeleteMeasurement(ref, changeOf(input));
  return outcome === 'not_found' ? { status: 'not_found' } : { status: 'deleted' };
}

/**
 * `POST /api/measurements/bulk-delete`: soft-deletes the caller's live rows among the ids. Ids
 * that name nothing of the caller's (unknown, foreign, synthetic) and rows already deleted are
 * skipped silently; only the rows this call deleted count.
 */
export async function bulkDeleteMeasurements(
  input: {
    readonly userId: string;
    readonly ids: readonly string[];
    readonly requestId: string;
    readonly now: Date;
  },
  deps: {
    readonly store: Pick<MeasurementRowStore, 'softDeleteMeasurement'>;
    readonly concurrency: number;
  },
): Promise<{ deleted: number }> {
  const by = changeOf(input);
  const refs = [...new Set(input.ids)].flatMap((id) => resolveMeasurementId(input.userId, id) ?? []);
  const outcomes = await mapWithConcurrency(refs, deps.concurrency, (ref) =>
    deps.store.softDeleteMeasurement(ref, by),
  );
  return { deleted: outcomes.filter((outcome) => outcome === 'deleted').length };
}

/**
 * The externalIds one `DELETE /api/measurements/by-external-ids` may name (the contract's 500),
 * and the rows it may then try to delete: a HealthKit sample is one row (one type), so 500 ids
 * of the phone's are at most 500 rows. One externalId posted under several types — which the app
 * never does — could otherwise make one request delete up to 77 rows an id, tens of thousands
 * of writes, far past the function's timeout; the rows beyond are left for a repeated request,
 * which finds only those still live.
 */
export const MAX_EXTERNAL_IDS_PER_DELETE = 500;

/**
 * `DELETE /api/measurements/by-external-ids`: the phone learns from HealthKit that samples were
 * deleted and knows only their UUIDs, not their types. Each externalId is looked up in the
 * caller's partition of `byUserExternalId` (possibly several rows, one per type) and each row
 * the phone synced from HealthKit (source APPLE_HEALTH) is soft-deleted; hand-entered rows and
 * rows of other sources stay. Only deletes that happened now count: an id with no live row, or
 * a row a concurrent request deleted first, adds nothing. One request makes at most 500 lookups
 * and 500 conditional deletes, `concurrency` at a time.
 */
export async function deleteMeasurementsByExternalIds(
  input: {
    readonly userId: string;
    readonly externalIds: readonly string[];
    readonly requestId: string;
    readonly now: Date;
  },
  deps: {
    readonly store: Pick<MeasurementRowStore, 'findMeasurementsByExternalId' | 'softDeleteMeasurement'>;
    readonly concurrency: number;
  },
): Promise<{ deletedCount: number }> {
  const by = changeOf(input);
  const ids = [...new Set(input.externalIds)].slice(0, MAX_EXTERNAL_IDS_PER_DELETE);
  const found = await mapWithConcurrency(ids, deps.concurrency, (externalId) =>
    deps.store.findMeasurementsByExternalId(input.userId, externalId),
  );
  const refs = found
    .flat()
    .filter((ref) => ref.userId === input.userId)
    .slice(0, MAX_EXTERNAL_IDS_PER_DELETE);
  const outcomes = await mapWithConcurrency(refs, deps.concurrency, (ref) =>
    deps.store.softDeleteMeasurement(ref, by, { onlyHealthKitRows: true }),
  );
  return { deletedCount: outcomes.filter((outcome) => outcome === 'deleted').length };
}
