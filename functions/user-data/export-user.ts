import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { measurementsTable } from '../../definitions/measurements-table';
import { chunks } from '../commons/bounded-concurrency';
import type { StoredMeasurement } from '../measurements/model/measurement';
import { exportFormat, exportRowOf, isDeletedRow, type ExportEnd, type ExportHeader } from './export-format';
import type { UserItemStore } from './user-data-store';

/**
 * `npm run export-user`: every row of a user, live and soft-deleted, as the export format's lines
 * (export-format.ts), in key order (the `byOwner` index's), so two exports of unchanged data are
 * the same lines in the same order.
 *
 * The header must carry the counts, which are only known at the end; the rows are therefore
 * written to a scratch file first (beside the output: the same place the data ends up in), counted,
 * and copied out after the header; the scratch file is removed in every case. Memory holds a few
 * batches of 100 rows, however many rows the user has.
 */

export interface ExportUserDependencies {
  readonly items: Pick<UserItemStore, 'ownerKeys' | 'readItems'>;
}

export interface ExportUserOptions {
  readonly userId: string;
  /** Where the file goes (left open: the caller ends it). */
  readonly output: Writable;
  /** A directory for the scratch file. */
  readonly scratchDirectory: string;
  /** Batches of 100 keys read at once. */
  readonly readConcurrency?: number;
  readonly now?: () => Date;
  readonly onProgress?: (progress: { readonly rows: number }) => void;
}

export interface ExportSummary {
  readonly userId: string;
  readonly exportedAt: string;
  /** Row lines written, live and deleted. */
  readonly rows: number;
  readonly deletedRows: number;
}

/** Keys read in one BatchGetItem. */
const READ_BATCH = 100;
const isRowKind = (kind: unknown) => (measurementsTable.rowKinds as readonly unknown[]).includes(kind);

export async function exportUser(
  deps: ExportUserDependencies,
  options: ExportUserOptions,
): Promise<ExportSummary> {
  const exportedAt = (options.now?.() ?? new Date()).toISOString();
  const scratch = await mkdtemp(join(options.scratchDirectory, '.export-user-'));
  try {
    const rowsFile = join(scratch, 'rows.ndjson');
    const counts = await writeRows(deps, options, rowsFile);
    const header: ExportHeader = {
      format: exportFormat.name,
      version: exportFormat.version,
      userId: options.userId,
      exportedAt,
      ...counts,
    };
    const end: ExportEnd = { end: true, ...counts };
    await write(options.output, `${JSON.stringify(header)}\n`);
    for await (const chunk of createReadStream(rowsFile)) await write(options.output, chunk as Buffer);
    await write(options.output, `${JSON.stringify(end)}\n`);
    return { userId: options.userId, exportedAt, ...counts };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeRows(
  { items }: ExportUserDependencies,
  options: ExportUserOptions,
  path: string,
): Promise<{ rows: number; deletedRows: number }> {
  // Only the operator who runs the export may read what waits here.
  const file = createWriteStream(path, { mode: 0o600 });
  const closed = once(file, 'close');
  let rows = 0;
  let deletedRows = 0;
  const concurrency = options.readConcurrency ?? 4;
  try {
    let window: string[][] = [];
    const flush = async () => {
      // A few batches are read at once; their lines are written in key order all the same.
      const batches = await Promise.all(window.map((keys) => items.readItems(keys)));
      window = [];
      let text = '';
      for (const item of batches.flat()) {
        if (!isRowKind(item.kind)) continue;
        const row = exportRowOf(item as unknown as StoredMeasurement);
        text += `${JSON.stringify(row)}\n`;
        rows++;
        if (isDeletedRow(row)) deletedRows++;
      }
      if (text) await write(file, text);
      options.onProgress?.({ rows });
    };
    for await (const page of items.ownerKeys(options.userId)) {
      for (const batch of chunks(page, READ_BATCH)) {
        window.push(batch);
        if (window.length >= concurrency) await flush();
      }
    }
    if (window.length > 0) await flush();
  } finally {
    file.end();
    await closed;
  }
  return { rows, deletedRows };
}

/** Writes and waits while the stream's buffer is full, so a slow output never fills memory. */
async function write(stream: Writable, data: string | Buffer): Promise<void> {
  if (!stream.write(data)) await once(stream, 'drain');
}
