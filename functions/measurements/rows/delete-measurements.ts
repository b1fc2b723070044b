import { mapWithConcurrency } from '../../commons/bounded-concurrency';
import { resolveMeasurementId } from './measurement-row';
import type { MeasurementRowStore } from './row-store';

export type DeleteOutcome = { readonly status: 'deleted' } | { readonly status: 'not_found' };

/**
 * `DELETE /api/measurements/{id}`: a soft delete of one live row of the caller. The row keeps its
 * data with `deletedAt` set and leaves every list index; deleting it again is `not_found`.
 */
export async function deleteMeasurement(
  input: { readonly userId: string; readonly id: string; readonly requestId: string; readonly now: Date },
  store: Pick<MeasurementRowStore, 'softDeleteMeasurement'>,
): Promise<DeleteOutcome> {
  const ref = resolveMeasurementId(input.userId, input.id);
  const deleted =
    ref !== undefined &&
    (await store.softDeleteMeasurement(ref, { requestId: input.requestId, at: input.now.toISOString() }));
  return deleted ? { status: 'deleted' } : { status: 'not_found' };
}

/**
 * `DELETE /api/measurements/by-external-ids`: the phone learns from HealthKit that samples were
 * deleted and knows only their UUIDs, not their types. Each externalId is looked up in the
 * caller's partition of `byUserExternalId` (possibly several rows, one per type) and each row
 * found is soft-deleted. Only deletes that happened now count: an id with no live row, or a row a
 * concurrent request deleted first, adds nothing.
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
  const by = { requestId: input.requestId, at: input.now.toISOString() };
  const counts = await mapWithConcurrency(
    [...new Set(input.externalIds)],
    deps.concurrency,
    async (externalId) => {
      const refs = await deps.store.findMeasurementsByExternalId(input.userId, externalId);
      let deleted = 0;
      for (const ref of refs) {
        if (ref.userId === input.userId && (await deps.store.softDeleteMeasurement(ref, by))) deleted++;
      }
      return deleted;
    },
  );
  return { deletedCount: counts.reduce((sum, count) => sum + count, 0) };
}
