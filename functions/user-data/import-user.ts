import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { lifecycleEvents } from '../../definitions/user-lifecycle';
import { deriveUserRef } from '../audit/user-ref';
import { BoundedTasks } from '../commons/bounded-concurrency';
import type { StoredMeasurement } from '../measurements/model/measurement';
import { parseMeasurementId } from '../measurements/model/measurement-id';
import {
  describeIssues,
  exportEndSchema,
  exportFormat,
  exportHeaderSchema,
  exportRowOf,
  isDeletedRow,
  parseExportRow,
  type ExportHeader,
  type ExportRow,
} from './export-format';
import { numberedLines, type NumberedLine } from './numbered-lines';
import type {
  AuditKeyStore,
  LifecycleAnnouncer,
  RestoreTarget,
  RestoreWrite,
  UserItemStore,
} from './user-data-store';

/**
 * `npm run import-user`: restores the rows of an export exactly (docs/data-lifecycle.md, "Import").
 *
 * Two passes over the file. The first validates all of it — the header, every row line, the end
 * line and the counts — holding nothing but counters, and refuses a bad file with the line
 * number before anything is written. The second restores it in batches of 100 rows: what the
 * table holds at each row's key (and its reading marker's) is read first; an identical row is
 * left (no write, so a second import writes nothing and the stream carries nothing); a missing one
 * is written; a different one is a conflict, left alone unless `overwrite`. Then the user's daily
 * aggregates are rebuilt and one `user.imported` lifecycle event is announced, if anything was
 * written.
 */

export interface ImportUserDependencies {
  readonly items: Pick<UserItemStore, 'readRestoreTargets' | 'writeRestored'>;
  readonly announcer: LifecycleAnnouncer;
  readonly auditKeys: Pick<AuditKeyStore, 'getOrCreateKey'>;
  /** The user's daily aggregates rebuilt from the rows; answers how many days failed. */
  readonly rebuildAggregates: (userId: string) => Promise<{ readonly failedDays: number }>;
}

export interface ImportUserOptions {
  readonly file: string;
  /** Restore the rows as this user's instead of the export's user. */
  readonly asUser?: string;
  readonly overwrite?: boolean;
  /** Skip (and count) row lines that are not valid rows instead of refusing the file. */
  readonly skipInvalid?: boolean;
  /** Batches of 100 rows in flight at once. */
  readonly concurrency?: number;
  readonly now?: () => Date;
  readonly onProgress?: (progress: { readonly rows: number; readonly total: number }) => void;
}

/** Why the file was refused; nothing was written. `line` is 1-based. */
export interface ImportRefusal {
  readonly refused: true;
  readonly line: number;
  readonly reason: string;
}

export interface ImportCounts {
  /** Live rows written where there was none. */
  readonly rows: number;
  /** Soft-deleted rows (tombstones) written where there was none. */
  readonly deletedRows: number;
  /** Rows that replaced a different stored version (`overwrite`). */
  readonly overwrittenRows: number;
  readonly readingMarkers: number;
  /** Rows already stored exactly so: nothing written. */
  readonly identicalRows: number;
  /** Rows stored differently (or whose instant another reading holds): left alone. */
  readonly conflicts: number;
  /** Row lines skipped as invalid (`skipInvalid`). */
  readonly invalidLines: number;
}

export interface ImportSummary extends ImportCounts {
  readonly refused: false;
  readonly userId: string;
  /** The first conflicting rows' ids (ids name a type and an externalId, never a value). */
  readonly conflictIds: readonly string[];
  /** Days the aggregate rebuild could not write (0 when nothing was written: no rebuild). */
  readonly failedAggregateDays: number;
  /** Whether a `user.imported` event was announced (only when something was written). */
  readonly announced: boolean;
}

const RESTORE_BATCH = 100;
const LISTED_CONFLICTS = 100;

export async function importUser(
  deps: ImportUserDependencies,
  options: ImportUserOptions,
): Promise<ImportSummary | ImportRefusal> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const before = await stat(options.file);
  const checked = await validateExportFile(options.file, { skipInvalid: options.skipInvalid ?? false });
  if (checked.refused) return checked;
  const after = await stat(options.file);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs)
    return { refused: true, line: 0, reason: 'The file changed while it was being read' };

  const userId = options.asUser ?? checked.header.userId;
  const counts = {
    rows: 0,
    deletedRows: 0,
    overwrittenRows: 0,
    readingMarkers: 0,
    identicalRows: 0,
    conflicts: 0,
    invalidLines: checked.invalidLines.size,
  };
  const conflictIds: string[] = [];
  let done = 0;
  const restoreBatch = async (rows: readonly ExportRow[]) => {
    const targets = await deps.items.readRestoreTargets(userId, rows);
    const writes: RestoreWrite[] = [];
    const markers: ExportRow[] = [];
    rows.forEach((row, i) => {
      const decision = decideRestore(row, targets[i]!, options.overwrite ?? false);
      if (decision.row === 'conflict') {
        counts.conflicts++;
        if (conflictIds.length < LISTED_CONFLICTS) conflictIds.push(row.id);
      } else if (decision.row === 'identical') counts.identicalRows++;
      else {
        writes.push(decision.row === 'overwrite' ? { row, replaces: targets[i]!.existing! } : { row });
        if (decision.row === 'overwrite') counts.overwrittenRows++;
        else if (isDeletedRow(row)) counts.deletedRows++;
        else counts.rows++;
      }
      if (decision.marker === 'write') {
        markers.push(row);
        counts.readingMarkers++;
      }
    });
    if (writes.length + markers.length > 0)
      await deps.items.writeRestored(userId, { rows: writes, markers }, startedAt);
    done += rows.length;
    options.onProgress?.({ rows: done, total: checked.header.rows - checked.invalidLines.size });
  };

  const tasks = new BoundedTasks(options.concurrency ?? 4);
  let batch: ExportRow[] = [];
  for await (const row of validRows(options.file, checked.invalidLines)) {
    batch.push(row);
    if (batch.length < RESTORE_BATCH) continue;
    const full = batch;
    batch = [];
    await tasks.add(() => restoreBatch(full));
  }
  if (batch.length > 0) await tasks.add(() => restoreBatch(batch));
  await tasks.drain();

  const written = counts.rows + counts.deletedRows + counts.overwrittenRows + counts.readingMarkers;
  let failedAggregateDays = 0;
  if (written > 0) {
    ({ failedDays: failedAggregateDays } = await deps.rebuildAggregates(userId));
    const key = await deps.auditKeys.getOrCreateKey(userId);
    await deps.announcer.announce({
      event: lifecycleEvents.imported,
      userRef: deriveUserRef(userId, key),
      counts,
      startedAt,
      endedAt: now().toISOString(),
    });
  }
  return {
    refused: false,
    userId,
    ...counts,
    conflictIds,
    failedAggregateDays,
    announced: written > 0,
  };
}

export type RowDecision = 'write' | 'overwrite' | 'identical' | 'conflict';
export type MarkerDecision = 'write' | 'keep' | 'none';

/**
 * What the import does with one row, given what the table holds at its key (and at its reading
 * marker's, for a live hand-entered row). Identical means the stored item exports to exactly this
 * line. A row whose instant another hand-entered reading holds is a conflict even with
 * `overwrite`: writing it would leave two readings at one instant, the thing the marker forbids.
 */
export function decideRestore(
  row: ExportRow,
  target: RestoreTarget,
  overwrite: boolean,
): { readonly row: RowDecision; readonly marker: MarkerDecision } {
  if (target.marker === 'other-row') return { row: 'conflict', marker: 'none' };
  const marker: MarkerDecision =
    target.marker === 'missing' ? 'write' : target.marker === 'this-row' ? 'keep' : 'none';
  if (!target.existing) return { row: 'write', marker };
  if (storedAs(target.existing, row)) return { row: 'identical', marker };
  return overwrite ? { row: 'overwrite', marker } : { row: 'conflict', marker: 'none' };
}

function storedAs(existing: StoredMeasurement, row: ExportRow): boolean {
  try {
    return isDeepStrictEqual(exportRowOf(existing), row);
  } catch {
    // A stored item outside the format is not this row.
    return false;
  }
}

/** A valid export file's header, and the row lines to skip (`skipInvalid`). */
export interface CheckedExport {
  readonly refused: false;
  readonly header: ExportHeader;
  readonly invalidLines: ReadonlySet<number>;
}

/**
 * The first pass: the whole file checked line by line, holding only counters (and the numbers of
 * skipped lines). Refusal reasons name attributes and rules, never a value of the file.
 */
export function validateExportFile(
  file: string,
  options: { readonly skipInvalid: boolean },
): Promise<CheckedExport | ImportRefusal> {
  return validateExport(numberedLines(createReadStream(file)), options);
}

export async function validateExport(
  lines: AsyncIterable<NumberedLine>,
  options: { readonly skipInvalid: boolean },
): Promise<CheckedExport | ImportRefusal> {
  const refuse = (line: number, reason: string): ImportRefusal => ({ refused: true, line, reason });
  let header: ExportHeader | undefined;
  let endLine: number | undefined;
  let rows = 0;
  let deletedRows = 0;
  let lastSlot: Buffer | undefined;
  let lastLine = 0;
  const invalidLines = new Set<number>();
  // A line that is not JSON is refused when the next one arrives: if it was the last, the file was
  // cut inside it, which is said as such.
  let notJson: number | undefined;
  for await (const line of lines) {
    lastLine = line.number;
    if (notJson !== undefined) return refuse(notJson, 'Not a JSON value');
    if (endLine !== undefined) return refuse(line.number, 'A line after the end line');
    const value = line.text === undefined ? undefined : parseJson(line.text);
    if (header === undefined) {
      const parsed = exportHeaderSchema.safeParse(value);
      if (isObject(value) && value.format === exportFormat.name && typeof value.version === 'number') {
        if (value.version !== exportFormat.version)
          return refuse(
            line.number,
            `Export format version ${value.version} is not supported (this import reads version ${exportFormat.version})`,
          );
      }
      if (!parsed.success)
        return refuse(
          line.number,
          `Not the header of a ${exportFormat.name} file: ${describeIssues(parsed.error)}`,
        );
      header = parsed.data;
      continue;
    }
    if (isObject(value) && 'end' in value) {
      const parsed = exportEndSchema.safeParse(value);
      if (!parsed.success)
        return refuse(line.number, `Not a valid end line: ${describeIssues(parsed.error)}`);
      if (parsed.data.rows !== header.rows || parsed.data.deletedRows !== header.deletedRows)
        return refuse(line.number, 'The end line’s counts differ from the header’s');
      endLine = line.number;
      continue;
    }
    rows++;
    const invalid = (reason: string) => {
      if (!options.skipInvalid) return refuse(line.number, reason);
      invalidLines.add(line.number);
      return undefined;
    };
    if (line.text === undefined) {
      const refusal = invalid('Not UTF-8 text');
      if (refusal) return refusal;
      continue;
    }
    if (value === undefined) {
      if (options.skipInvalid) invalidLines.add(line.number);
      else notJson = line.number;
      continue;
    }
    const parsed = parseExportRow(value);
    if (!parsed.success) {
      const refusal = invalid(`Not a valid row: ${describeIssues(parsed.error)}`);
      if (refusal) return refusal;
      continue;
    }
    // Key order, as the export writes it: a row repeated or out of place is found with one
    // comparison, without remembering every key.
    const { type, externalId } = parseMeasurementId(parsed.data.id)!;
    const slot = Buffer.from(`${type}#${externalId}`, 'utf8');
    if (lastSlot !== undefined && Buffer.compare(lastSlot, slot) >= 0) {
      const refusal = invalid('A row repeated, or out of the export’s key order');
      if (refusal) return refusal;
      continue;
    }
    lastSlot = slot;
    if (isDeletedRow(parsed.data)) deletedRows++;
  }
  if (header === undefined) return refuse(1, 'The file is empty');
  if (notJson !== undefined)
    return refuse(notJson, `The file ends at line ${notJson} without its end line: it is truncated`);
  if (endLine === undefined)
    return refuse(lastLine, `The file ends at line ${lastLine} without its end line: it is truncated`);
  if (rows !== header.rows)
    return refuse(endLine, `The file has ${rows} row line(s); its header says ${header.rows}`);
  if (invalidLines.size === 0 && deletedRows !== header.deletedRows)
    return refuse(
      endLine,
      `The file has ${deletedRows} deleted row(s); its header says ${header.deletedRows}`,
    );
  return { refused: false, header, invalidLines };
}

/** The second pass: the row lines the first pass found valid, parsed again. */
async function* validRows(file: string, invalidLines: ReadonlySet<number>): AsyncGenerator<ExportRow> {
  let seenHeader = false;
  for await (const line of numberedLines(createReadStream(file))) {
    if (!seenHeader) {
      seenHeader = true;
      continue;
    }
    if (invalidLines.has(line.number) || line.text === undefined) continue;
    const value = parseJson(line.text);
    if (isObject(value) && 'end' in value) return;
    const parsed = parseExportRow(value);
    if (!parsed.success) throw new Error(`Line ${line.number} changed after it was checked`);
    yield parsed.data;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text, which may be a note: only "not JSON" is said.
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
