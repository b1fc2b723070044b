import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { measureColdStart } from './cold-start';
import { measureSeries } from './series';
import { useLocalCredentials } from './engine';
import { currentLoadAverage, describeMachine } from './machine';
import type { MeasureResult } from './measure';
import { writeReport, type BenchResults } from './report';
import { benchSettings, type BenchSettings } from './settings';

/**
 * `npm run bench`: starts its own DynamoDB Local (in memory, free port), measures, and writes
 * docs/benchmarks.md, its charts and the raw results (docs/benchmarks/). `-- --quick` checks the
 * harness in a fraction of the time and writes to a temporary directory unless `--out <dir>` is
 * given; `-- --from <results.json>` only rewrites the report from earlier raw results.
 * `-- --cold-start` (about a minute) and `-- --series` (the ten-year chart user, mostly loading
 * its rows) measure that section alone and rewrite the report with it and the other sections'
 * earlier results (docs/benchmarks/results.json, or `--from`).
 */

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

async function main(): Promise<void> {
  const from = option('--from');
  if (from) {
    // Only the report, from the raw results of an earlier run.
    const outDir = resolve(option('--out') ?? join(__dirname, '..', 'docs'));
    const written = await writeReport(JSON.parse(readFileSync(from, 'utf8')) as BenchResults, outDir);
    log(`bench: wrote ${written.join(', ')}`);
    return;
  }
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
  const outDir = resolve(
    option('--out') ??
      (quick ? mkdtempSync(join(tmpdir(), 'health-ingest-bench-quick-')) : join(__dirname, '..', 'docs')),
  );
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
    results = {
      generatedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      machine: { ...machine, loadAverageAtEnd: currentLoadAverage() },
      settings,
      ...measured,
      coldStart,
      series,
    };
  } finally {
    await engine.stop();
  }
  mkdirSync(outDir, { recursive: true });
  const written = await writeReport(results, outDir);
  log(`bench: done in ${results.durationSeconds} s; wrote ${written.join(', ')}`);
}

/** One section alone (`--cold-start`, `--series`), merged into the earlier results of the others. */
async function sectionOnly(
  quick: boolean,
  name: string,
  measure: (
    engine: DynamoDbLocal,
    settings: BenchSettings,
  ) => Promise<{ settings: Partial<BenchSettings> } & Partial<Omit<BenchResults, 'settings'>>>,
): Promise<void> {
  const earlierPath = resolve(
    option('--from') ?? join(__dirname, '..', 'docs', 'benchmarks', 'results.json'),
  );
  const earlier = JSON.parse(readFileSync(earlierPath, 'utf8')) as BenchResults;
  const outDir = resolve(
    option('--out') ??
      (quick ? mkdtempSync(join(tmpdir(), 'health-ingest-bench-quick-')) : join(__dirname, '..', 'docs')),
  );
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
  mkdirSync(outDir, { recursive: true });
  const { settings, ...sections } = measured;
  const written = await writeReport(
    { ...earlier, ...sections, settings: { ...earlier.settings, ...settings } },
    outDir,
  );
  log(`bench: wrote ${written.join(', ')}`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
