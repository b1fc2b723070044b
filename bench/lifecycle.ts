import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { measurementsTable as measurementsDefinition } from '../definitions/measurements-table';
import { documentClientOver } from '../functions/commons/dynamodb-client';
import { eraseUser } from '../functions/user-data/erase-user';
import { importUser } from '../functions/user-data/import-user';
import { measurementsCreateTableInput } from '../local/create-tables';
import { operatorClient } from '../scripts/cli/operator-cli';
import { eraseDependencies, importDependencies, toolDefaults } from '../scripts/cli/user-data-tools';
import { nodeArgumentsOf, repositoryRoot } from '../scripts/package-scripts';
import { createServiceTables, dropServiceTables } from './engine';
import { currentLoadAverage } from './machine';
import type { ProcessPeak } from './peak-memory';
import { RequestRecorder } from './request-replay';
import { batchWrite, heartRateDay } from './series';
import { summarize, type Summary } from './statistics';

/**
 * The user-data tools (docs/data-lifecycle.md) on DynamoDB Local, with users of 10-minute
 * heart-rate buckets (144 rows a day, as the chart user's):
 * - export: `npm run export-user` itself, spawned as package.json runs it, for users of several
 *   sizes up to the ten-year chart user: wall time, and the process's peak resident set size
 *   (bench/peak-memory.ts), so the memory is the tool's own and not the benchmark's;
 * - import and erase: the tools' cores (functions/user-data/) on the CLIs' dependencies, client
 *   and defaults, recorded request by request, beside the engine's floor for the same requests
 *   (bench/request-replay.ts): the user is imported (into empty tables) and erased, then the
 *   import's requests are sent again to the tables as the import found them, and the erasure's
 *   to the tables as it found them.
 */

export interface LifecycleSettings {
  /** Days of history of each user whose export is measured (70: 10,080 rows; 3650: the chart user's). */
  readonly exportDays: readonly number[];
  /** Runs of each export but the largest (measured once). */
  readonly exportRuns: number;
  /** Days of history of the user imported and erased (695: 100,080 rows). */
  readonly writeDays: number;
  /** Days of the import and erasure run first and discarded (the engine's JIT, the sockets). */
  readonly warmupDays: number;
}

export interface ExportFigures {
  readonly rows: number;
  readonly fileBytes: number;
  /** From spawning the process to its exit. */
  readonly seconds: Summary;
  readonly peakRssBytes: Summary;
}

export interface WriteFigures {
  readonly tool: 'import' | 'erase';
  /** The user's rows (the erasure also deletes their daily aggregates, and the audit key). */
  readonly rows: number;
  readonly requests: number;
  /** The most requests the tool had in flight at once (the floor's limit too). */
  readonly concurrency: number;
  readonly toolSeconds: number;
  readonly floorSeconds: number;
}

export interface LifecycleResult {
  readonly takenAt: string;
  readonly loadAverageAtStart: number;
  readonly loadAverageAtEnd: number;
  readonly exports: readonly ExportFigures[];
  readonly writes: readonly WriteFigures[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const now = Date.parse('2026-11-20T12:00:00.000Z');
const writtenAt = new Date(now).toISOString();

/** Puts `days` days of heart-rate buckets of the user, up to `now`; answers how many rows. */
async function loadUser(
  documents: DynamoDBDocumentClient,
  table: string,
  userId: string,
  days: number,
  log: (line: string) => void,
): Promise<number> {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  let rows = 0;
  const starts = Array.from({ length: days }, (_, i) => today - (days - 1 - i) * DAY_MS);
  const loadDay = async (dayStart: number) => {
    const items = heartRateDay(userId, dayStart, writtenAt).filter(
      (row) => Date.parse(row.measuredAt) <= now,
    );
    await batchWrite(documents, table, items);
    rows += items.length;
  };
  for (let i = 0; i < starts.length; i += 16) {
    await Promise.all(starts.slice(i, i + 16).map(loadDay));
    if (i % 365 === 0 && i > 0) log(`lifecycle: loaded ${i} of ${days} days (${rows} rows)`);
  }
  return rows;
}

/** `npm run export-user` as package.json runs it, with the peak-memory hook loaded before the script. */
async function exportOnce(
  endpoint: string,
  table: string,
  userId: string,
  out: string,
): Promise<{ rows: number; seconds: number; peak: ProcessPeak }> {
  const peakFile = `${out}.peak.json`;
  const args = nodeArgumentsOf('export-user');
  const script = args[args.length - 1]!;
  const hook = pathToFileURL(join(__dirname, 'peak-memory.ts')).href;
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (done, fail) => {
      const child = spawn(
        process.execPath,
        [
          ...args.slice(0, -1),
          '--import',
          hook,
          script,
          ...['--table', table, '--endpoint', endpoint, '--user', userId, '--out', out],
        ],
        { cwd: repositoryRoot, env: { ...process.env, BENCH_PEAK_MEMORY_FILE: peakFile } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', fail);
      child.once('close', (code) => done({ code, stdout, stderr }));
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`export-user exited ${code}: ${stderr.slice(-2000)}`);
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { rows: number };
  const peak = JSON.parse(readFileSync(peakFile, 'utf8')) as ProcessPeak;
  rmSync(peakFile, { force: true });
  return { rows: summary.rows, seconds, peak };
}

async function measureExport(
  endpoint: string,
  table: string,
  userId: string,
  runs: number,
  work: string,
  log: (line: string) => void,
): Promise<{ figures: ExportFigures; file: string }> {
  const file = join(work, `${userId}.ndjson`);
  const seconds: number[] = [];
  const peaks: number[] = [];
  let rows = 0;
  for (let run = 0; run < runs; run++) {
    const once = await exportOnce(endpoint, table, userId, file);
    rows = once.rows;
    seconds.push(once.seconds);
    peaks.push(once.peak.peakRssBytes);
  }
  const figures: ExportFigures = {
    rows,
    fileBytes: statSync(file).size,
    seconds: summarize(seconds),
    peakRssBytes: summarize(peaks),
  };
  log(
    `lifecycle: export of ${rows} rows in ${figures.seconds.median.toFixed(1)} s, ` +
      `peak RSS ${(figures.peakRssBytes.max / 1e6).toFixed(0)} MB`,
  );
  return { figures, file };
}

/**
 * A user exported (from tables of its own), then imported into empty tables and erased from
 * them, each recorded; then each tool's requests sent again to the tables as the tool found them.
 */
async function measureWrites(
  endpoint: string,
  days: number,
  work: string,
  log: (line: string) => void,
): Promise<{ exported: ExportFigures; writes: WriteFigures[] }> {
  const suffix = `${days}-${Date.now()}`;
  const userId = `bench-lifecycle-user-${days}`;
  const client = operatorClient(endpoint);
  const documents = documentClientOver(client);
  const source = await createServiceTables(endpoint, `bench-lifecycle-source-${suffix}`);
  const target = await createServiceTables(endpoint, `bench-lifecycle-${suffix}`);
  try {
    const loaded = await loadUser(documents, source.measurements, userId, days, log);
    const { figures: exported, file } = await measureExport(
      endpoint,
      source.measurements,
      userId,
      1,
      work,
      log,
    );
    await dropServiceTables(endpoint, source);
    if (exported.rows !== loaded) throw new Error(`exported ${exported.rows} rows of ${loaded}`);

    const importing = new RequestRecorder();
    let started = performance.now();
    const imported = await importUser(
      importDependencies(importing.documents(documents), target, {
        rebuildConcurrency: toolDefaults.importRebuildConcurrency,
      }),
      { file, concurrency: toolDefaults.importConcurrency },
    );
    const importSeconds = (performance.now() - started) / 1000;
    if (imported.refused || imported.rows !== loaded || imported.failedAggregateDays > 0)
      throw new Error(`the import did not restore the user: ${JSON.stringify(imported)}`);

    const erasing = new RequestRecorder();
    started = performance.now();
    const erased = await eraseUser(
      eraseDependencies(erasing.client(client), erasing.documents(documents), target),
      { userId, concurrency: toolDefaults.eraseConcurrency },
    );
    const eraseSeconds = (performance.now() - started) / 1000;
    if (!erased.erased || erased.deleted.measurements.rows !== loaded)
      throw new Error(`the erasure did not erase the user: ${JSON.stringify(erased.deleted)}`);

    // The tables are empty again, as the import found them; once replayed, as the erasure did.
    const importFloor = await importing.replay({ client, documents });
    const eraseFloor = await erasing.replay({ client, documents });
    const writes: WriteFigures[] = [
      {
        tool: 'import',
        rows: loaded,
        requests: importing.requests,
        concurrency: importing.concurrency,
        toolSeconds: importSeconds,
        floorSeconds: importFloor,
      },
      {
        tool: 'erase',
        rows: loaded,
        requests: erasing.requests,
        concurrency: erasing.concurrency,
        toolSeconds: eraseSeconds,
        floorSeconds: eraseFloor,
      },
    ];
    for (const figures of writes) {
      log(
        `lifecycle: ${figures.tool} of ${loaded} rows: ${figures.toolSeconds.toFixed(1)} s, floor ` +
          `${figures.floorSeconds.toFixed(1)} s (${figures.requests} requests, ${figures.concurrency} at once)`,
      );
    }
    return { exported, writes };
  } finally {
    await dropServiceTables(endpoint, source).catch(() => undefined);
    await dropServiceTables(endpoint, target).catch(() => undefined);
    client.destroy();
  }
}

export async function measureLifecycle(
  endpoint: string,
  settings: LifecycleSettings,
  log: (line: string) => void,
): Promise<LifecycleResult> {
  const takenAt = new Date().toISOString();
  const loadAverageAtStart = currentLoadAverage();
  const work = mkdtempSync(join(tmpdir(), 'health-ingest-bench-lifecycle-'));
  const admin = new DynamoDBClient({ endpoint });
  const client = operatorClient(endpoint);
  const documents = documentClientOver(client);
  const table = `bench-lifecycle-export-${Date.now()}`;
  try {
    log(`lifecycle: warm-up with ${settings.warmupDays} days`);
    await measureWrites(endpoint, settings.warmupDays, work, log);
    const { exported: written, writes } = await measureWrites(endpoint, settings.writeDays, work, log);

    // The export reads the `byOwner` index alone: the others would only slow the loading.
    const { StreamSpecification: _stream, ...measurements } = measurementsCreateTableInput(table);
    const byOwner = measurements.GlobalSecondaryIndexes!.filter(
      (index) => index.IndexName === measurementsDefinition.indexes.byOwner.indexName,
    );
    const keys = new Set(
      [...measurements.KeySchema!, ...byOwner.flatMap((index) => index.KeySchema!)].map(
        (key) => key.AttributeName,
      ),
    );
    await admin.send(
      new CreateTableCommand({
        ...measurements,
        AttributeDefinitions: measurements.AttributeDefinitions!.filter((attribute) =>
          keys.has(attribute.AttributeName),
        ),
        GlobalSecondaryIndexes: byOwner,
      }),
    );
    const largest = Math.max(...settings.exportDays);
    const exports: ExportFigures[] = [written];
    // A user with no rows: what starting the tool and writing an empty file cost.
    exports.push(
      (await measureExport(endpoint, table, 'bench-lifecycle-nobody', settings.exportRuns, work, log))
        .figures,
    );
    for (const days of [...settings.exportDays].sort((a, b) => a - b)) {
      const userId = `bench-lifecycle-export-${days}`;
      const started = performance.now();
      const rows = await loadUser(documents, table, userId, days, log);
      log(`lifecycle: ${rows} rows loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      const runs = days === largest ? 1 : settings.exportRuns;
      exports.push((await measureExport(endpoint, table, userId, runs, work, log)).figures);
      rmSync(join(work, `${userId}.ndjson`), { force: true });
    }
    return {
      takenAt,
      loadAverageAtStart,
      loadAverageAtEnd: currentLoadAverage(),
      exports: exports.sort((a, b) => a.rows - b.rows),
      writes,
    };
  } finally {
    await admin.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    admin.destroy();
    client.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}
