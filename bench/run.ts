import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { measureColdStart } from './cold-start';
import { measureLifecycle, type LifecycleSettings } from './lifecycle';
import { measureSeries } from './series';
import { useLocalCredentials } from './engine';
import { currentLoadAverage, describeMachine } from './machine';
import type { MeasureResult } from './measure';
import { writeReport } from './report';
import { readResults, type BenchResults } from './results';
import { benchSettings, type BenchSettings } from './settings';
import { limitOf, targetVerdicts } from './tables';

/**
 * `npm run bench`: starts its own DynamoDB Local (in memory, free port), measures, and writes the
 * raw results and charts (docs/benchmarks/) and the generated tables of docs/benchmarks.md, whose
 * prose is written by hand. `-- --quick` checks the harness in a fraction of the time and writes
 * to a temporary directory unless `--out <dir>` is given; `-- --from <results.json>` measures
 * nothing and only re-renders the tables and charts from earlier results. `-- --cold-start` (about
 * a minute), `-- --series` (the ten-year chart user, mostly loading its rows) and `-- --lifecycle`
 * (the user-data tools, mostly loading users) measure that section alone and merge it into
 * earlier results (docs/benchmarks/results.json, or `--from`).
 */

const docs = join(__dirname, '..', 'docs');
/** The hand-written document whose tables are filled; a run elsewhere (`--out`) fills a copy. */
const document = join(docs, 'benchmarks.md');

const log = (line: string) => process.stderr.write(`${line}\n`);

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The DynamoDB Local measurements, in a child process whose stdout (the handler's log lines) is discarded. */
async function measureOnEngine(engine: DynamoDbLocal, settings: BenchSettings): Promise<MeasureResult> {
  const work = mkdtempSync(join(tmpdir(), 'health-ingest-bench-'));
  const outPath = join(work, 'measured.json');
  try {
    await new Promise<void>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          pathToFileURL(require.resolve('tsx')).href,
          join(__dirname, 'measure.ts'),
          engine.endpoint,
          String(engine.process.pid ?? ''),
          outPath,
        ],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, BENCH_SETTINGS: JSON.stringify(settings) },
        },
      );
      child.once('error', fail);
      child.once('exit', (code) =>
        code === 0 ? done() : fail(new Error(`measurements failed (exit ${code})`)),
      );
    });
    return JSON.parse(readFileSync(outPath, 'utf8')) as MeasureResult;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function outDir(quick: boolean): string {
  return resolve(
    option('--out') ?? (quick ? mkdtempSync(join(tmpdir(), 'health-ingest-bench-quick-')) : docs),
  );
}

async function report(results: BenchResults, quick: boolean): Promise<void> {
  const out = outDir(quick);
  mkdirSync(out, { recursive: true });
  const written = await writeReport(results, { document, outDir: out });
  log(`bench: wrote ${written.join(', ')}`);
  for (const { target, shown, met } of targetVerdicts(results)) {
    const verdict = shown ? `${shown.value} (${shown.detail}): ${met ? 'met' : 'MISSED'}` : 'not measured';
    log(`  target ${target.name} ${limitOf(target)}: ${verdict}`);
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  if (process.argv.includes('--cold-start')) {
    return sectionOnly(quick, 'cold start', async (engine, settings) => ({
      settings: { coldStart: settings.coldStart },
      coldStart: await measureColdStart({ endpoint: engine.endpoint, ...settings.coldStart }, (line) =>
        log(`  ${line}`),
      ),
    }));
  }
  if (process.argv.includes('--series')) {
    return sectionOnly(quick, 'chart series', async (engine, settings) => ({
      settings: { series: settings.series },
      series: await measureSeries(engine.endpoint, settings.series, (line) => log(`  ${line}`)),
    }));
  }
  if (process.argv.includes('--lifecycle')) {
    return sectionOnly(quick, 'user-data tools', async (engine, settings) => {
      const lifecycle = smallerLifecycle(settings.lifecycle);
      return {
        settings: { lifecycle },
        lifecycle: await measureLifecycle(engine.endpoint, lifecycle, (line) => log(`  ${line}`)),
      };
    });
  }
  const from = option('--from');
  if (from) return report(readResults(resolve(from)), false);

  const settings = benchSettings(quick);
  const startedAt = new Date();
  const machine = describeMachine();
  log(
    `bench: ${machine.cpuModel} × ${machine.cores}, Node ${machine.node}, load ${machine.loadAverageAtStart}` +
      (quick ? ' (quick: harness check only)' : ''),
  );
  useLocalCredentials();
  const engine = await startDynamoDbLocal();
  let results: BenchResults;
  try {
    log(`DynamoDB Local at ${engine.endpoint}`);
    const measured = await measureOnEngine(engine, settings);
    log('cold start');
    const coldStart = await measureColdStart({ endpoint: engine.endpoint, ...settings.coldStart }, (line) =>
      log(`  ${line}`),
    );
    log('chart series');
    const series = await measureSeries(engine.endpoint, settings.series, (line) => log(`  ${line}`));
    log('user-data tools');
    const lifecycle = await measureLifecycle(engine.endpoint, settings.lifecycle, (line) => log(`  ${line}`));
    results = {
      generatedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      machine: { ...machine, loadAverageAtEnd: currentLoadAverage() },
      settings,
      ...measured,
      coldStart,
      series,
      lifecycle,
    };
  } finally {
    await engine.stop();
  }
  log(`bench: done in ${results.durationSeconds} s`);
  await report(results, quick);
}

/**
 * `--lifecycle` on a smaller scale where the full one does not fit the time at hand:
 * `--export-days 70,695` (users of 10,080 and 100,080 rows) and `--write-days 70`. The results
 * keep the settings, so the tables say what was measured.
 */
function smallerLifecycle(settings: LifecycleSettings): LifecycleSettings {
  const days = (text: string | undefined) =>
    text?.split(',').map((part) => {
      const value = Number(part);
      if (!Number.isInteger(value) || value < 1) throw new Error(`not a number of days: ${part}`);
      return value;
    });
  const exportDays = days(option('--export-days'));
  const writeDays = days(option('--write-days'))?.[0];
  return {
    ...settings,
    ...(exportDays ? { exportDays } : {}),
    ...(writeDays ? { writeDays, warmupDays: Math.min(settings.warmupDays, Math.ceil(writeDays / 10)) } : {}),
  };
}

/** One section alone (`--cold-start`, `--series`, `--lifecycle`), merged into the earlier results of the others. */
async function sectionOnly(
  quick: boolean,
  name: string,
  measure: (
    engine: DynamoDbLocal,
    settings: BenchSettings,
  ) => Promise<{ settings: Partial<BenchSettings> } & Partial<Omit<BenchResults, 'settings'>>>,
): Promise<void> {
  const earlierPath = resolve(option('--from') ?? join(docs, 'benchmarks', 'results.json'));
  const earlier = readResults(earlierPath);
  log(
    `bench: ${name} only${quick ? ' (quick: harness check only)' : ''}, other sections from ${earlierPath}`,
  );
  useLocalCredentials();
  const engine = await startDynamoDbLocal();
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    measured = await measure(engine, benchSettings(quick));
  } finally {
    await engine.stop();
  }
  const { settings, ...sections } = measured;
  // One quick section makes the whole report a harness check.
  const merged = { ...earlier.settings, ...settings, quick: earlier.settings.quick || quick };
  await report({ ...earlier, ...sections, settings: merged }, quick);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
