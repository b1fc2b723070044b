import type { measurementsTable } from '../../../definitions/measurements-table';

/**
 * The measurement model. One name per concept:
 * - `Measurement`: what a batch entry becomes — a value of a type at an instant, with its
 *   HealthKit origin. The batch pipeline decides one per stored entry.
 * - `ManualReading`: a reading entered by hand in the app (`POST /api/measurements`).
 * - `StoredMeasurement`: either of them as it sits in the table — the row's fields plus who owns
 *   it, who wrote its current version and when (`writer`, `requestId`, `updatedAt`, `deletedAt`).
 * - `MeasurementRow` (rows/measurement-row.ts): the row as the API returns it.
 */

/**
 * `stats:` rows are aggregates the phone re-posts as they grow; samples are write-once readings;
 * `manual` rows were entered by hand through the row API and have no HealthKit origin.
 */
export type MeasurementKind = (typeof measurementsTable.rowKinds)[number];

/** The kinds the batch writes, told apart by the externalId (measurement-id.ts). */
export type SyncedKind = Exclude<MeasurementKind, 'manual'>;

export interface Measurement {
  readonly kind: SyncedKind;
  readonly id: string;
  readonly type: string;
  readonly externalId: string;
  readonly hkIdentifier: string;
  readonly value: number;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
  /** The stored unit of the type (healthkit-types.ts), not the client's string. */
  readonly unit: string;
  /** The unit string the client sent, kept for information only. */
  readonly clientUnit: string;
  readonly measuredAt: string;
  readonly startDate: string;
  readonly sleepStage: string | null;
  readonly rhythmClassification: string | null;
  readonly source: string;
  readonly deviceType: string | null;
  readonly externalSourceVersion: string | null;
}

/** A reading entered by hand, as the create use case decided it (unit stamped, instant in stored form). */
export interface ManualReading {
  readonly type: string;
  readonly value: number;
  /** The type's unit (measurement-types.ts). */
  readonly unit: string;
  /** `toISOString()`: the millisecond the uniqueness of hand-entered readings is decided on. */
  readonly measuredAt: string;
  readonly source: string;
  /** Free text of the user's, never logged; `null` when there is none. */
  readonly notes: string | null;
  /** Only on a BLOOD_GLUCOSE reading. */
  readonly glucoseContext: string | null;
  readonly deviceType: string | null;
}

/**
 * Who wrote a stored measurement's current version: the batch (a new row or a `stats:` re-post),
 * a hand entry (`create`), an edit or a soft delete through the row API, or `npm run import-user`
 * restoring an export (`import`). The audit function classifies stream records by it, and its
 * stream filter keeps imported writes out (the import logs one `user.imported` instead).
 */
export type Writer = 'batch' | 'create' | 'edit' | 'delete' | 'import';

export const writers: readonly Writer[] = ['batch', 'create', 'edit', 'delete', 'import'];

/** The writers a row can have had before an export: everything but the import itself. */
export type RestorableWriter = Exclude<Writer, 'import'>;

/**
 * Who wrote the version a row shows: its `writer`, except on a row restored by the import, which
 * keeps the exported writer in `restoredWriter` — so a restored row that had been edited by hand
 * still counts as edited by hand (the audit's `overwroteEdit`, the export).
 */
export function effectiveWriter(
  item: Pick<StoredMeasurement, 'writer' | 'restoredWriter'>,
): Writer | undefined {
  return item.writer === 'import' ? item.restoredWriter : item.writer;
}

/**
 * A row as the table holds it, whoever wrote it. A hand-entered row has no HealthKit origin:
 * `externalId`, `hkIdentifier` and `startDate` are null; a batch row has no `notes` or
 * `glucoseContext` until an edit sets a note.
 */
export interface StoredMeasurement {
  /** The table key (storage/measurement-key.ts). */
  readonly pk: string;
  readonly userId: string;
  readonly kind: MeasurementKind;
  readonly id: string;
  readonly type: string;
  readonly externalId: string | null;
  readonly hkIdentifier: string | null;
  readonly value: number;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
  readonly unit: string;
  readonly clientUnit?: string | null;
  readonly measuredAt: string;
  readonly startDate: string | null;
  readonly sleepStage: string | null;
  readonly rhythmClassification: string | null;
  readonly source: string;
  readonly deviceType: string | null;
  readonly externalSourceVersion: string | null;
  /** Absent when the row has no note (an edit that clears one removes the attribute). */
  readonly notes?: string;
  readonly glucoseContext?: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The API request that wrote this version of the item. */
  readonly requestId: string;
  readonly writer: Writer;
  /** On a row `npm run import-user` wrote (`writer: import`): the writer the export named. */
  readonly restoredWriter?: RestorableWriter;
  /** Set by a soft delete; a deleted row is kept but never listed or returned. */
  readonly deletedAt?: string;
}
