import { measurementsTable } from '../../../definitions/measurements-table';
import type { MeasurementKind, StoredMeasurement, Writer } from './measurement';

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
 * Typed over every attribute of a stored row, so a new attribute does not compile until someone
 * decides whether a deleted row keeps it.
 */
const fateOf: Record<keyof StoredMeasurement, 'kept' | 'set' | 'dropped' | 'kept-if-entered-by-hand'> = {
  pk: 'kept',
  userId: 'kept',
  kind: 'kept',
  id: 'kept',
  type: 'kept',
  externalId: 'kept',
  deletedAt: 'set',
  updatedAt: 'set',
  writer: 'set',
  requestId: 'set',
  measuredAt: 'kept-if-entered-by-hand',
  source: 'kept-if-entered-by-hand',
  hkIdentifier: 'dropped',
  value: 'dropped',
  valueMin: 'dropped',
  valueMax: 'dropped',
  unit: 'dropped',
  clientUnit: 'dropped',
  startDate: 'dropped',
  sleepStage: 'dropped',
  rhythmClassification: 'dropped',
  deviceType: 'dropped',
  externalSourceVersion: 'dropped',
  notes: 'dropped',
  glucoseContext: 'dropped',
  createdAt: 'dropped',
  restoredWriter: 'dropped',
};

const attributes = Object.entries(fateOf) as [
  keyof StoredMeasurement,
  (typeof fateOf)[keyof StoredMeasurement],
][];

/** What one soft delete writes: the attributes it sets and those it removes, in one UpdateItem. */
export interface SoftDelete {
  readonly set: {
    readonly deletedAt: string;
    readonly updatedAt: string;
    readonly writer: Writer;
    readonly requestId: string;
  };
  readonly remove: readonly string[];
}

/** The soft delete of a row of that kind, by that request at that instant. */
export function softDeleteOf(
  kind: MeasurementKind,
  by: { readonly requestId: string; readonly at: string },
): SoftDelete {
  const dropped = (fate: (typeof fateOf)[keyof StoredMeasurement]) =>
    fate === 'dropped' || (fate === 'kept-if-entered-by-hand' && kind !== 'manual');
  return {
    set: { deletedAt: by.at, updatedAt: by.at, writer: 'delete', requestId: by.requestId },
    remove: [
      ...attributes.filter(([, fate]) => dropped(fate)).map(([name]) => name),
      ...Object.values(measurementsTable.indexAttributes),
    ],
  };
}
