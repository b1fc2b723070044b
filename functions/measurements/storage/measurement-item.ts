import { measurementsTable } from '../../../definitions/measurements-table';
import type { WriteRequest } from '../batch/measurement-writer';
import type { StoredMeasurement } from '../model/measurement';
import { measurementKey } from './measurement-key';

const { indexAttributes } = measurementsTable;

/**
 * The item a batch write puts: the measurement, its owner and bookkeeping, and the index keys of
 * a live row (a soft delete removes them, which drops the row from every list).
 */
export function toMeasurementItem({
  userId,
  requestId,
  writtenAt,
  measurement,
}: WriteRequest): Record<string, unknown> {
  // One literal, index keys included: copying a finished item into a second object to add them
  // costs V8 about 20 times the CPU of building it, and this runs for every entry of every batch.
  return {
    pk: measurementKey(userId, measurement.type, measurement.externalId),
    userId,
    ...measurement,
    createdAt: writtenAt,
    updatedAt: writtenAt,
    requestId,
    writer: 'batch',
    // Index keys of a live row; a soft delete removes them, which drops the row from every list.
    [indexAttributes.user]: userId,
    [indexAttributes.userType]: `${userId}#${measurement.type}`,
    [indexAttributes.userExternalId]: `${userId}#${measurement.externalId}`,
  } satisfies StoredMeasurement & Record<IndexAttribute, string>;
}

type IndexAttribute = (typeof indexAttributes)[keyof typeof indexAttributes];
