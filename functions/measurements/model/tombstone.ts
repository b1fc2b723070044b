import { measurementsTable } from '../../../definitions/measurements-table';
import { fieldsWhere, type FieldsWhere, type MeasurementKind, type Writer } from './measurement';

/**
 * What a soft delete (by id, bulk, by externalId) leaves of a row: a **tombstone** that keeps only
 * what duplicate detection and resurrection need, and drops the health data the moment the row is
 * deleted (docs/row-api.md, "What a deleted row keeps"). The `measurement.deleted` audit event
 * still records the previous value, from the stream's old image; the table does not keep it.
 *
 * - kept: the key, the owner (`userId`, which finds the tombstone for an export or an erasure),
 *   the id, kind, type and externalId — a deleted sample re-posted is still a `duplicate` with its
 *   id, a deleted `stats:` row re-posted comes back whole, an id still resolves to "deleted";
 * - set: `deletedAt`, and the bookkeeping of the write (`writer: delete`, `requestId`,
 *   `updatedAt`) the audit function classifies the change by;
 * - kept on a hand-entered row only: `measuredAt` and `source`, the address of its reading marker
 *   (`userId#@reading#type#measuredAt#source`), which stays so that a new reading at that instant
 *   is still a duplicate. They hold nothing the marker's own key does not, and without them an
 *   export could not restore the marker and an erasure could not find one written before markers
 *   named their user;
 * - dropped: everything else — values, units, instants, notes, device fields, subtypes, the
 *   client's unit string, `createdAt`, `restoredWriter` and the list indexes' keys.
 *
 * Each attribute's fate is written beside it in `measurementFields` (measurement.ts), so a new
 * attribute does not compile until someone decides whether a deleted row keeps it.
 */

const droppedByEveryDelete = fieldsWhere((spec) => spec.deleted === 'dropped');
const keptIfEnteredByHand = fieldsWhere((spec) => spec.deleted === 'kept-if-entered-by-hand');

/** What one soft delete writes: the attributes it sets and those it removes, in one UpdateItem. */
export interface SoftDelete {
  readonly set: { readonly [K in FieldsWhere<'deleted', 'set'>]: K extends 'writer' ? Writer : string };
  readonly remove: readonly string[];
}

/** The soft delete of a row of that kind, by that request at that instant. */
export function softDeleteOf(
  kind: MeasurementKind,
  by: { readonly requestId: string; readonly at: string },
): SoftDelete {
  return {
    set: { deletedAt: by.at, updatedAt: by.at, writer: 'delete', requestId: by.requestId },
    remove: [
      ...droppedByEveryDelete,
      ...(kind === 'manual' ? [] : keptIfEnteredByHand),
      ...Object.values(measurementsTable.indexAttributes),
    ],
  };
}
