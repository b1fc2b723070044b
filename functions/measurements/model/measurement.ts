import * as z from 'zod';
import { measurementsTable } from '../../../definitions/measurements-table';
import { isWellFormedText } from './field-schemas';
import { isIsoDateTime } from './iso-date-time';
import type { SyncedKind } from './measurement-id';
import { isMeasurementType } from './measurement-types';

export type { MeasurementKind, SyncedKind } from './measurement-id';

/**
 * The measurement model: every attribute of a stored row, written once in `measurementFields`,
 * and every view of a row derived from it. One name per concept:
 * - `StoredMeasurement`: a row as it sits in the table, whoever wrote it.
 * - `Measurement`: what a batch entry becomes — a value of a type at an instant, with its
 *   HealthKit origin. The batch pipeline decides one per stored entry.
 * - `ManualReading`: a reading entered by hand in the app (`POST /api/measurements`).
 * - `MeasurementRow`: the row as the API returns it (docs/row-api.md, "The row").
 * The audit's user-visible fields, what a soft delete keeps (tombstone.ts) and the export format
 * (user-data/export-format.ts) read the same table, so a new attribute is one entry here plus the
 * code that sets it.
 */

/**
 * Who wrote a stored measurement's current version: the batch (a new row or a `stats:` re-post),
 * a hand entry (`create`), an edit or a soft delete through the row API, or `npm run import-user`
 * restoring an export (`import`). The audit function classifies stream records by it, and its
 * stream filter keeps imported writes out (the import logs one `user.imported` instead).
 */
export const writers = ['batch', 'create', 'edit', 'delete', 'import'] as const;
export type Writer = (typeof writers)[number];

/** The writers a row can have had before an export: everything but the import itself. */
export type RestorableWriter = Exclude<Writer, 'import'>;
export const restorableWriters = writers.filter((writer): writer is RestorableWriter => writer !== 'import');

/** Text as DynamoDB and the logs carry it (field-schemas.ts): no lone UTF-16 surrogate. */
const text = z.string().refine(isWellFormedText, { message: 'Expected well-formed Unicode text' });
/** Instants are stored in `toISOString()` form; any ISO-8601 date-time reads back. */
const instant = z.string().refine(isIsoDateTime, { message: 'Expected an ISO-8601 date-time' });

/**
 * Where an attribute's value comes from:
 * - `key`: the table key and the owner, built from the user and the row's address;
 * - `identity`: what the key slot says of the row (its id, kind and externalId);
 * - `reading`: what every row is a reading of, synced from HealthKit or entered by hand;
 * - `healthKit`: what only a synced row has: a hand-entered row holds null, or lacks the
 *   attribute where a row may lack it;
 * - `byHand`: what only a hand entry or an edit sets: a synced row lacks it until an edit does;
 * - `write`: the bookkeeping of the write that made this version.
 */
export type FieldOrigin = 'key' | 'identity' | 'reading' | 'healthKit' | 'byHand' | 'write';

/**
 * How the row API shows an attribute: `shown` in the row (a change to it is a change the user
 * sees, which the audit reports); `stamp`, in the row but set by every write, so never a change
 * of its own; `hidden`, bookkeeping the API never returns.
 */
export type RowRole = 'shown' | 'stamp' | 'hidden';

/**
 * What a soft delete does with an attribute (tombstone.ts): keeps it, sets it, drops it, or keeps
 * it on a hand-entered row only (the address of its reading marker).
 */
export type DeletedFate = 'kept' | 'set' | 'dropped' | 'kept-if-entered-by-hand';

export interface FieldSpec<Schema extends z.ZodType = z.ZodType> {
  /** The attribute as stored: absent (optional) or null (nullable) only where a row may have it so. */
  readonly schema: Schema;
  readonly origin: FieldOrigin;
  readonly row: RowRole;
  readonly deleted: DeletedFate;
}

const field = <const Schema extends z.ZodType, const Spec extends Omit<FieldSpec, 'schema'>>(
  schema: Schema,
  spec: Spec,
): { readonly schema: Schema } & Spec => ({ schema, ...spec });

/**
 * Every attribute of a stored row, in the order the row API answers those it shows. A hand-entered
 * row has no HealthKit origin: `externalId`, `hkIdentifier` and `startDate` are null; a batch row
 * has no `notes` or `glucoseContext` until an edit sets a note. Beside these, a live row holds the
 * list indexes' keys (definitions/measurements-table.ts), which exist only to feed an index.
 */
export const measurementFields = {
  [measurementsTable.partitionKey]: field(z.string(), { origin: 'key', row: 'hidden', deleted: 'kept' }),
  /** The owner (never removed): finds the tombstone too, for an export or an erasure. */
  [measurementsTable.ownerAttribute]: field(z.string(), { origin: 'key', row: 'hidden', deleted: 'kept' }),
  id: field(z.string(), { origin: 'identity', row: 'shown', deleted: 'kept' }),
  kind: field(z.enum(measurementsTable.rowKinds), { origin: 'identity', row: 'hidden', deleted: 'kept' }),
  type: field(z.string().refine(isMeasurementType, { message: 'Expected one of the measurement types' }), {
    origin: 'reading',
    row: 'shown',
    deleted: 'kept',
  }),
  value: field(z.number(), { origin: 'reading', row: 'shown', deleted: 'dropped' }),
  /** The stored unit of the type (healthkit-types.ts, measurement-types.ts), not the client's string. */
  unit: field(text, { origin: 'reading', row: 'shown', deleted: 'dropped' }),
  /** The unit string the client sent, kept for information only. */
  clientUnit: field(text.nullish(), { origin: 'healthKit', row: 'hidden', deleted: 'dropped' }),
  source: field(text, { origin: 'reading', row: 'shown', deleted: 'kept-if-entered-by-hand' }),
  /** `toISOString()`; for a hand entry, the millisecond its uniqueness is decided on. */
  measuredAt: field(instant, { origin: 'reading', row: 'shown', deleted: 'kept-if-entered-by-hand' }),
  /** Free text of the user's, never logged; absent when the row has no note (clearing one removes it). */
  notes: field(text.optional(), { origin: 'byHand', row: 'shown', deleted: 'dropped' }),
  valueMin: field(z.number().nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  valueMax: field(z.number().nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  externalId: field(text.nullable(), { origin: 'identity', row: 'shown', deleted: 'kept' }),
  externalSourceVersion: field(text.nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  hkIdentifier: field(text.nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  startDate: field(instant.nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  sleepStage: field(text.nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  rhythmClassification: field(text.nullable(), { origin: 'healthKit', row: 'shown', deleted: 'dropped' }),
  /** Only on a BLOOD_GLUCOSE reading entered by hand. */
  glucoseContext: field(text.nullish(), { origin: 'byHand', row: 'shown', deleted: 'dropped' }),
  deviceType: field(text.nullable(), { origin: 'reading', row: 'shown', deleted: 'dropped' }),
  createdAt: field(instant, { origin: 'write', row: 'stamp', deleted: 'dropped' }),
  updatedAt: field(instant, { origin: 'write', row: 'stamp', deleted: 'set' }),
  /** The API request that wrote this version of the item. */
  requestId: field(text, { origin: 'write', row: 'hidden', deleted: 'set' }),
  writer: field(z.enum(writers), { origin: 'write', row: 'hidden', deleted: 'set' }),
  /** On a row `npm run import-user` wrote (`writer: import`): the writer the export named. */
  restoredWriter: field(z.enum(restorableWriters).optional(), {
    origin: 'write',
    row: 'hidden',
    deleted: 'dropped',
  }),
  /**
   * Set by a soft delete; a deleted row is kept as a tombstone (tombstone.ts), which holds little
   * more than its identity, and is never listed or returned.
   */
  deletedAt: field(instant.optional(), { origin: 'write', row: 'hidden', deleted: 'set' }),
};

type Fields = typeof measurementFields;
export type MeasurementField = keyof Fields;

/** The attributes whose spec has `facet` among `values`, e.g. `FieldsWhere<'origin', 'healthKit'>`. */
export type FieldsWhere<Facet extends Exclude<keyof FieldSpec, 'schema'>, Values> = {
  [K in MeasurementField]: Fields[K][Facet] extends Values ? K : never;
}[MeasurementField];

/** Every attribute's name, in the table's order. */
export const measurementFieldNames = Object.keys(measurementFields) as MeasurementField[];

/** The attributes whose spec passes `test`, in the table's order. */
export function fieldsWhere<Name extends MeasurementField>(
  test: (spec: FieldSpec, name: MeasurementField) => boolean,
): Name[] {
  return measurementFieldNames.filter((name) => test(measurementFields[name], name)) as Name[];
}

/** A stored row, as the export reads and the import checks it. */
export const storedMeasurementSchema = z.object(
  Object.fromEntries(measurementFieldNames.map((name) => [name, measurementFields[name].schema])) as {
    [K in MeasurementField]: Fields[K]['schema'];
  },
);

/** A row as the table holds it, whoever wrote it, live or soft-deleted. */
export type StoredMeasurement = Readonly<z.output<typeof storedMeasurementSchema>>;

/** Every attribute present: one a row may lack is null instead. */
type Present<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K];
};

export type MeasurementRowField = FieldsWhere<'row', 'shown' | 'stamp'>;

/**
 * The row as the API returns it: exactly the shown attributes, in the table's order, each present
 * (null when it has no value), nothing of the storage (no key, user, index attributes, kind,
 * writer or request id).
 */
export type MeasurementRow = Present<Pick<StoredMeasurement, MeasurementRowField>>;

export const measurementRowFields: readonly MeasurementRowField[] = fieldsWhere(
  (spec) => spec.row !== 'hidden',
);

/**
 * The attributes a user sees of a row: what the row API returns of it except the stamps every
 * write sets. Everything else an item holds is bookkeeping and never counts as a change.
 */
export const userVisibleFields: readonly MeasurementRowField[] = fieldsWhere((spec) => spec.row === 'shown');

/** A schema that reads an absent value as absent no more: the attribute as the row API writes it. */
function presentSchemaOf(schema: z.ZodType): z.ZodType {
  if (!(schema instanceof z.ZodOptional)) return schema;
  const inner = schema.unwrap() as z.ZodType;
  return inner instanceof z.ZodNullable ? inner : inner.nullable();
}

/** The row's attributes as zod schemas, in order, for the API's answer schemas to document. */
export const measurementRowShape = Object.fromEntries(
  measurementRowFields.map((name) => [name, presentSchemaOf(measurementFields[name].schema)]),
) as { readonly [K in MeasurementRowField]: z.ZodType<MeasurementRow[K]> };

/** What a batch entry decides of its row: all of it but the key, the hand entry's own and the write. */
type SyncedField = FieldsWhere<'origin', 'identity' | 'reading' | 'healthKit'>;

/** A batch row always names its HealthKit origin. */
type HealthKitOrigin = 'externalId' | 'hkIdentifier' | 'startDate' | 'clientUnit';

export type Measurement = Omit<Pick<StoredMeasurement, SyncedField>, 'kind' | HealthKitOrigin> & {
  readonly kind: SyncedKind;
} & { readonly [K in HealthKitOrigin]-?: NonNullable<StoredMeasurement[K]> };

/**
 * A reading entered by hand, as the create use case decided it (the type's unit stamped, the
 * instant in stored form, `null` where there is no note, glucose context or device).
 */
export type ManualReading = Present<Pick<StoredMeasurement, FieldsWhere<'origin', 'reading' | 'byHand'>>>;

type NoHealthKitOrigin = {
  readonly [
    K in FieldsWhere<'origin', 'healthKit'> as undefined extends StoredMeasurement[K] ? never : K
  ]: null;
};

/**
 * What a hand-entered row holds where a synced row has its HealthKit origin: null in every such
 * attribute a row must have, nothing where a row may lack it (the client's unit string).
 */
export const noHealthKitOrigin = Object.fromEntries(
  fieldsWhere((spec) => spec.origin === 'healthKit' && !spec.schema.safeParse(undefined).success).map(
    (name) => [name, null],
  ),
) as NoHealthKitOrigin;

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
