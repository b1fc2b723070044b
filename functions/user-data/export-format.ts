import * as z from 'zod';
import { measurementsTable } from '../../definitions/measurements-table';
import { isIsoDateTime } from '../measurements/model/iso-date-time';
import {
  effectiveWriter,
  fieldsWhere,
  measurementFieldNames,
  measurementFields,
  restorableWriters,
  type FieldsWhere,
  type MeasurementField,
  type StoredMeasurement,
} from '../measurements/model/measurement';
import {
  MANUAL_PREFIX,
  kindOfExternalId,
  measurementId,
  parseMeasurementId,
} from '../measurements/model/measurement-id';
import { isUsableUserId } from '../measurements/model/user-id';

/**
 * The export format (docs/data-lifecycle.md, "The export format"), defined once: `npm run
 * export-user` writes lines of these schemas and `npm run import-user` validates against them.
 *
 * NDJSON: a header line, one line per row of the user (live and soft-deleted, in key order), an
 * end line repeating the counts. A row line holds every attribute of the stored row except what
 * the import derives again — the key, the user, the list indexes' keys — with `writer` the writer
 * of the row's history (`effectiveWriter`): an export of a restored row names who really wrote it.
 * An attribute the row does not have is absent from its line, one it has as null is null, so an
 * import writes back exactly the item that was read.
 */
export const exportFormat = { name: 'health-ingest-export', version: 1 } as const;

const instant = z.string().refine(isIsoDateTime, { message: 'Expected an ISO-8601 date-time' });
const count = z.number().int().min(0);

/**
 * What a stored item holds beside its row line, derived again on import: the key and the owner,
 * the list indexes' keys, and `restoredWriter` (the line's `writer` already names who wrote the row).
 */
const derivedAttributes: ReadonlySet<string> = new Set([
  ...fieldsWhere((spec) => spec.origin === 'key'),
  'restoredWriter',
  ...Object.values(measurementsTable.indexAttributes),
]);

type Fields = typeof measurementFields;
type LineField = Exclude<MeasurementField, FieldsWhere<'origin', 'key'> | 'restoredWriter'>;
type LiveLineField = Exclude<LineField, 'deletedAt'>;

/** Every attribute a row line may carry, in the model's order. */
const lineFields = measurementFieldNames.filter((name): name is LineField => !derivedAttributes.has(name));

const restorableWriter = z.enum(restorableWriters);
type LineSchema<K extends LineField> = K extends 'writer' ? typeof restorableWriter : Fields[K]['schema'];
/** A line names who wrote the row's history: never the import itself. */
const lineSchemaOf = (name: LineField): z.ZodType =>
  name === 'writer' ? restorableWriter : measurementFields[name].schema;

type Present<S> = S extends z.ZodOptional<infer Inner> ? Inner : S;
const present = (schema: z.ZodType): z.ZodType =>
  schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

/**
 * A live row: everything a reading is made of. An attribute a row may hold as null may also be
 * absent (an item need not carry it), except the identity a tombstone keeps.
 */
type MayBeAbsent<K extends LiveLineField> =
  undefined extends z.output<LineSchema<K>>
    ? true
    : null extends z.output<LineSchema<K>>
      ? Fields[K]['deleted'] extends 'kept'
        ? false
        : true
      : false;
const liveRowSchema = z.strictObject(
  Object.fromEntries(
    lineFields
      .filter((name): name is LiveLineField => name !== 'deletedAt')
      .map((name) => {
        const schema = lineSchemaOf(name);
        const mayBeAbsent =
          accepts(schema, undefined) || (measurementFields[name].deleted !== 'kept' && accepts(schema, null));
        return [name, mayBeAbsent ? present(schema).optional() : schema];
      }),
  ) as {
    [K in LiveLineField]: MayBeAbsent<K> extends true ? z.ZodOptional<Present<LineSchema<K>>> : LineSchema<K>;
  },
);

/**
 * A soft-deleted row: `deletedAt`, what every tombstone keeps and every soft delete sets (its
 * identity, who deleted it and when), and whatever else the tombstone still carries.
 */
type RequiredInTombstone = FieldsWhere<'deleted', 'kept' | 'set'>;
const deletedRowSchema = z.strictObject(
  Object.fromEntries(
    lineFields.map((name) => {
      const { deleted } = measurementFields[name];
      const schema = present(lineSchemaOf(name));
      return [name, deleted === 'kept' || deleted === 'set' ? schema : schema.optional()];
    }),
  ) as {
    [K in LineField]: K extends RequiredInTombstone
      ? Present<LineSchema<K>>
      : z.ZodOptional<Present<LineSchema<K>>>;
  },
);

/** The row's id must be the one its type and key slot derive, and its kind the one its externalId says. */
function checkIdentity(
  row: { id: string; kind: string; type: string; externalId: string | null },
  ctx: z.RefinementCtx,
): void {
  const slot = parseMeasurementId(row.id);
  const belongs =
    slot !== undefined &&
    slot.type === row.type &&
    measurementId(row.type, slot.externalId) === row.id &&
    (row.kind === 'manual'
      ? row.externalId === null && slot.externalId.startsWith(MANUAL_PREFIX)
      : row.externalId === slot.externalId && kindOfExternalId(row.externalId) === row.kind);
  if (!belongs)
    ctx.addIssue({
      code: 'custom',
      path: ['id'],
      message: 'The id, type, kind and externalId do not belong together',
    });
}

const liveRow = liveRowSchema.superRefine(checkIdentity);
const deletedRow = deletedRowSchema.superRefine(checkIdentity);

export type LiveExportRow = z.infer<typeof liveRowSchema>;
export type DeletedExportRow = z.infer<typeof deletedRowSchema>;
/** A row line: a live row, or (with `deletedAt`) a soft-deleted one. */
export type ExportRow = LiveExportRow | DeletedExportRow;

/**
 * A row line's value checked against the one schema its `deletedAt` selects, so that an invalid
 * line is told what is wrong with it as the row it claims to be.
 */
export function parseExportRow(value: unknown): z.ZodSafeParseResult<ExportRow> {
  const deleted = typeof value === 'object' && value !== null && 'deletedAt' in value;
  return deleted ? deletedRow.safeParse(value) : liveRow.safeParse(value);
}

export const exportHeaderSchema = z.strictObject({
  format: z.literal(exportFormat.name),
  version: z.number(),
  userId: z.string().refine(isUsableUserId, { message: 'Expected a usable user id' }),
  exportedAt: instant,
  /** Row lines in the file, live and deleted. */
  rows: count,
  /** Of those, the soft-deleted ones. */
  deletedRows: count,
});

export type ExportHeader = z.infer<typeof exportHeaderSchema>;

export const exportEndSchema = z.strictObject({
  end: z.literal(true),
  rows: count,
  deletedRows: count,
});

export type ExportEnd = z.infer<typeof exportEndSchema>;

export function isDeletedRow(row: ExportRow): row is DeletedExportRow {
  return 'deletedAt' in row;
}

/** A stored item that does not fit the format: exporting it would not be exact. */
export class UnexportableRowError extends Error {
  override readonly name = 'UnexportableRowError';
}

/**
 * A stored row as its export line. Attributes outside the format refuse the export of the row
 * (UnexportableRowError, naming the attributes and the row id, never a value): an export that
 * silently left them out would not restore exactly.
 */
export function exportRowOf(item: StoredMeasurement): ExportRow {
  const line: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [attribute, value] of Object.entries(item)) {
    if (derivedAttributes.has(attribute)) continue;
    if (attribute in deletedRowSchema.shape) line[attribute] = value;
    else unknown.push(attribute);
  }
  if (unknown.length > 0)
    throw new UnexportableRowError(
      `Row ${item.id} has attributes the export format does not know: ${unknown.sort().join(', ')}`,
    );
  line.writer = effectiveWriter(item);
  const parsed = parseExportRow(line);
  if (!parsed.success)
    throw new UnexportableRowError(
      `Row ${item.id} does not fit the export format: ${describeIssues(parsed.error)}`,
    );
  return parsed.data;
}

/**
 * What is wrong with a line, by attribute name and rule, never by value (zod's messages name the
 * expected type, not what was found).
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown attribute(s) ${issue.keys.join(', ')}`;
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
