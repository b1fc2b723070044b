/**
 * The measurement model. One name per concept:
 * - `Measurement`: what a row holds — a value of a type at an instant, with its origin. The batch
 *   pipeline decides one per stored entry.
 * - `StoredMeasurement`: a measurement as it sits in the table — the same fields plus who owns it,
 *   who wrote its current version and when (`writer`, `requestId`, `updatedAt`, `deletedAt`).
 * - `MeasurementRow` (rows/measurement-row.ts): the row as the API returns it.
 */

/** `stats:` rows are aggregates the phone re-posts as they grow; samples are write-once readings. */
export type MeasurementKind = 'stats' | 'sample';

export interface Measurement {
  readonly kind: MeasurementKind;
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

/**
 * Who wrote a stored measurement's current version: the batch (a new row or a `stats:` re-post),
 * an edit or a soft delete through the row API. The audit function classifies stream records by it.
 */
export type Writer = 'batch' | 'edit' | 'delete';

export const writers: readonly Writer[] = ['batch', 'edit', 'delete'];

export interface StoredMeasurement extends Measurement {
  /** The table key (storage/measurement-key.ts). */
  readonly pk: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The API request that wrote this version of the item. */
  readonly requestId: string;
  readonly writer: Writer;
  /** Set by a soft delete; a deleted row is kept but never listed or returned. */
  readonly deletedAt?: string;
}
