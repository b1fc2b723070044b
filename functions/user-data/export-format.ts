import * as z from 'zod';
import { measurementsTable } from '../../definitions/measurements-table';
import { isWellFormedText } from '../measurements/model/field-schemas';
import { isIsoDateTime } from '../measurements/model/iso-date-time';
import {
  effectiveWriter,
  writers,
  type RestorableWriter,
  type StoredMeasurement,
} from '../measurements/model/measurement';
import {
  MANUAL_PREFIX,
  kindOfExternalId,
  measurementId,
  parseMeasurementId,
} from '../measurements/model/measurement-id';
import { isMeasurementType } from '../measurements/model/measurement-types';
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

const text = z.string().refine(isWellFormedText, { message: 'Expected well-formed Unicode text' });
const instant = z.string().refine(isIsoDateTime, { message: 'Expected an ISO-8601 date-time' });
const count = z.number().int().min(0);
const restorableWriters = writers.filter((writer): writer is RestorableWriter => writer !== 'import');

/** Every attribute a row line may carry, as a stored live row has it. */
const rowAttributes = {
  id: z.string(),
  kind: z.enum(measurementsTable.rowKinds),
  type: z.string().refine(isMeasurementType, { message: 'Expected one of the measurement types' }),
  /** null on a hand-entered row (its key slot is in the id). */
  externalId: text.nullable(),
  hkIdentifier: text.nullable().optional(),
  value: z.number(),
  valueMin: z.number().nullable().optional(),
  valueMax: z.number().nullable().optional(),
  unit: text,
  clientUnit: text.nullable().optional(),
  measuredAt: instant,
  startDate: instant.nullable().optional(),
  sleepStage: text.nullable().optional(),
  rhythmClassification: text.nullable().optional(),
  source: text,
  deviceType: text.nullable().optional(),
  externalSourceVersion: text.nullable().optional(),
  notes: text.optional(),
  glucoseContext: text.nullable().optional(),
  createdAt: instant,
  updatedAt: instant,
  requestId: text,
  writer: z.enum(restorableWriters as [RestorableWriter, ...RestorableWriter[]]),
};

/** A live row: everything a reading is made of. */
const liveRowSchema = z.strictObject(rowAttributes);

/**
 * A soft-deleted row: `deletedAt`, its identity, and whatever the tombstone still carries (a
 * tombstone keeps only what duplicate detection and resurrection need).
 */
const deletedRowSchema = z.strictObject({
  ...z.object(rowAttributes).partial().shape,
  id: rowAttributes.id,
  kind: rowAttributes.kind,
  type: rowAttributes.type,
  externalId: rowAttributes.externalId,
  // Who deleted it and when: every soft delete writes them.
  updatedAt: rowAttributes.updatedAt,
  requestId: rowAttributes.requestId,
  writer: rowAttributes.writer,
  deletedAt: instant,
});

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

/** What a stored item holds beside its row line: derived again on import, so never exported. */
const derivedAttributes: ReadonlySet<string> = new Set([
  measurementsTable.partitionKey,
  measurementsTable.ownerAttribute,
  ...Object.values(measurementsTable.indexAttributes),
  'restoredWriter',
]);

const exportedAttributes: ReadonlySet<string> = new Set([...Object.keys(rowAttributes), 'deletedAt']);

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
    if (exportedAttributes.has(attribute)) line[attribute] = value;
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
