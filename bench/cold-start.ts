import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import { build } from 'esbuild';
import { planBatch } from '../functions/measurements/batch/ingest-batch';
import { toMeasurementItem } from '../functions/measurements/storage/measurement-item';
import { serviceFunctionBundling } from '../lib/constructs/service-function';
import { serviceFunctions, type FunctionDefinition } from '../definitions/service-functions';
import { localCredentials, localRegion } from '../local/dynamodb-local';
import { batchEvent } from './batch-event';
import { createServiceTables, dropServiceTables, ingestEnvironment, type ServiceTables } from './engine';
import { summarize, type Summary } from './statistics';
import { workload } from './workloads';

const repositoryRoot = join(__dirname, '..');

export type BundleName = 'baseline' | 'ingest' | 'audit';

export interface BundleFigures {
  readonly bundle: BundleName;
  readonly entry: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** NODE_OPTIONS of the fresh processes (the stack sets `--enable-source-maps`). */
  readonly nodeOptions: string;
  /** Node's own start, before the bundle is imported. */
  readonly bootstrapMs: Summary;
  /** Importing the bundle: parsing it and running its module-level code (the Lambda "Init"). */
  readonly importMs: Summary;
  /** The first invocation: the handler's work plus the SDK's first connection. */
  readonly firstEventMs: Summary;
  /** Process start → first answer. */
  readonly totalMs: Summary;
}

export interface ColdStartResult {
  readonly bundles: readonly BundleFigures[];
  /** Bundles that could not be measured, and why. */
  readonly skipped: ReadonlyArray<{ readonly bundle: BundleName; readonly reason: string }>;
}

export interface ColdStartOptions {
  readonly endpoint: string;
  readonly warmupProcesses: number;
  readonly measuredProcesses: number;
}

/** esbuild with the stack's own bundling settings (lib/constructs/service-function.ts). */
async function bundle(entry: string, outDir: string): Promise<string> {
  const settings = serviceFunctionBundling;
  const outfile = join(outDir, 'index.mjs');
  await build({
    entryPoints: [join(repositoryRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: settings.format,
    target: settings.target,
    minify: settings.minify,
    sourcemap: settings.sourceMap,
    mainFields: [...settings.mainFields],
    banner: { js: settings.banner },
    // bundleAwsSDK: nothing is external, the SDK is inside the bundle.
    external: settings.bundleAwsSDK ? [] : ['@aws-sdk/*'],
    logLevel: 'error',
  });
  return outfile;
}

interface FirstEventReport {
  readonly bootstrapMs: number;
  readonly importMs: number;
  readonly firstEventMs: number;
  readonly totalMs: number;
  readonly answer: unknown;
}

function serveFirstEvent(
  bundlePath: string,
  eventPath: string,
  env: NodeJS.ProcessEnv,
): Promise<FirstEventReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(__dirname, 'cold-start', 'serve-first-event.mjs'), bundlePath, eventPath],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = stdout.split('\n').find((text) => text.startsWith('BENCH '));
      if (code !== 0 || !line)
        return reject(new Error(`cold-start process exited ${code}: ${stderr.slice(-2000)}`));
      resolve(JSON.parse(line.slice('BENCH '.length)) as FirstEventReport);
    });
  });
}

interface BundleCase {
  readonly name: BundleName;
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  /** A fresh first event for each process, and the check of its answer. */
  event(): unknown;
  check(answer: unknown): void;
}

function cases(endpoint: string, tables: ServiceTables): BundleCase[] {
  const now = new Date();
  const single = () => workload('new', 1, now.getTime());
  const itemOf = (userId: string) => {
    const planned = planBatch(single().batch, now)[0]!;
    if (planned.status !== 'write') throw new Error('the cold-start entry must be a write');
    return toMeasurementItem({
      userId,
      requestId: randomUUID(),
      writtenAt: now.toISOString(),
      measurement: planned.measurement,
    });
  };
  const auditDefinition = Object.values(serviceFunctions as Record<string, FunctionDefinition>).find(
    (definition) => definition.entry.startsWith('functions/audit-stream/'),
  );
  const statusOf = (answer: unknown) => (answer as { statusCode?: number }).statusCode;
  return [
    {
      name: 'baseline',
      entry: 'bench/cold-start/baseline-handler.ts',
      environment: { TABLE_NAME: tables.measurements, DYNAMODB_ENDPOINT: endpoint },
      event: () => ({ item: itemOf(`cold-${randomUUID()}`) }),
      check: (answer) => {
        if (statusOf(answer) !== 200) throw new Error(`baseline answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'ingest',
      entry: serviceFunctions.ingestBatch.entry,
      environment: ingestEnvironment(endpoint, tables),
      event: () => batchEvent(`cold-${randomUUID()}`, single().batch),
      check: (answer) => {
        const body = JSON.parse((answer as { body?: string }).body ?? '{}') as {
          data?: { inserted?: number };
        };
        if (statusOf(answer) !== 200 || body.data?.inserted !== 1)
          throw new Error(`ingest answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'audit',
      entry: auditDefinition?.entry ?? 'functions/audit-stream/handler.ts',
      environment: {
        ...auditDefinition?.environment,
        POWERTOOLS_SERVICE_NAME: auditDefinition?.serviceName ?? 'measurement-audit',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      // One stats re-post that changed the stored value: the record the audit function exists for.
      event: () => {
        const userId = `cold-${randomUUID()}`;
        const statsEntry = workload('stats', 1, now.getTime()).batch[0]!;
        const planned = planBatch([statsEntry], now)[0]!;
        if (planned.status !== 'write') throw new Error('the audit record must be a write');
        const newItem = toMeasurementItem({
          userId,
          requestId: randomUUID(),
          writtenAt: now.toISOString(),
          measurement: planned.measurement,
        });
        const oldItem = { ...newItem, value: (newItem.value as number) - 100 };
        return {
          Records: [
            {
              eventID: randomUUID(),
              eventName: 'MODIFY',
              eventVersion: '1.1',
              eventSource: 'aws:dynamodb',
              awsRegion: localRegion,
              eventSourceARN: `arn:aws:dynamodb:${localRegion}:000000000000:table/${tables.measurements}/stream/2026-01-01T00:00:00.000`,
              dynamodb: {
                ApproximateCreationDateTime: Math.floor(now.getTime() / 1000),
                Keys: marshall({ pk: newItem.pk }),
                NewImage: marshall(newItem, { removeUndefinedValues: true }),
                OldImage: marshall(oldItem, { removeUndefinedValues: true }),
                SequenceNumber: '100000000000000000001',
                SizeBytes: 900,
                StreamViewType: 'NEW_AND_OLD_IMAGES',
              },
            },
          ],
        };
      },
      check: (answer) => {
        const failures = (answer as { batchItemFailures?: unknown[] }).batchItemFailures;
        if (!Array.isArray(failures) || failures.length > 0)
          throw new Error(`audit answered ${JSON.stringify(answer)}`);
      },
    },
  ];
}

/**
 * Item 4 of the benchmark: each function's bundle, built as the stack builds it, imported by a
 * fresh Node process that then serves one event against DynamoDB Local; the baseline is a bundle
 * that only creates the DynamoDB client and puts one item. Run with the stack's NODE_OPTIONS
 * (`--enable-source-maps`), and the ingest bundle also without, to show what that option costs.
 */
export async function measureColdStart(
  options: ColdStartOptions,
  log: (line: string) => void,
): Promise<ColdStartResult> {
  const tables = await createServiceTables(options.endpoint, 'bench-cold-start');
  const work = mkdtempSync(join(tmpdir(), 'health-ingest-bench-'));
  const figures: BundleFigures[] = [];
  const skipped: Array<{ bundle: BundleName; reason: string }> = [];
  try {
    for (const bundleCase of cases(options.endpoint, tables)) {
      if (!existsSync(join(repositoryRoot, bundleCase.entry))) {
        skipped.push({ bundle: bundleCase.name, reason: `${bundleCase.entry} does not exist` });
        continue;
      }
      const outDir = join(work, bundleCase.name);
      const bundlePath = await bundle(bundleCase.entry, outDir);
      const variants = bundleCase.name === 'ingest' ? ['--enable-source-maps', ''] : ['--enable-source-maps'];
      for (const nodeOptions of variants) {
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH,
          AWS_REGION: localRegion,
          AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
          ...bundleCase.environment,
          ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        };
        const reports: FirstEventReport[] = [];
        for (let run = 0; run < options.warmupProcesses + options.measuredProcesses; run++) {
          const eventPath = join(outDir, `event-${run}.json`);
          writeFileSync(eventPath, JSON.stringify(bundleCase.event()));
          const report = await serveFirstEvent(bundlePath, eventPath, env);
          bundleCase.check(report.answer);
          if (run >= options.warmupProcesses) reports.push(report);
        }
        const bytes = readFileSync(bundlePath);
        const field = (name: keyof Omit<FirstEventReport, 'answer'>) =>
          summarize(reports.map((report) => report[name]));
        figures.push({
          bundle: bundleCase.name,
          entry: bundleCase.entry,
          bytes: bytes.length,
          gzipBytes: gzipSync(bytes).length,
          sourceMapBytes: existsSync(`${bundlePath}.map`) ? statSync(`${bundlePath}.map`).size : 0,
          nodeOptions: nodeOptions || '(none)',
          bootstrapMs: field('bootstrapMs'),
          importMs: field('importMs'),
          firstEventMs: field('firstEventMs'),
          totalMs: field('totalMs'),
        });
        log(
          `cold start ${bundleCase.name} ${nodeOptions || '(no NODE_OPTIONS)'}: ${field('totalMs').median.toFixed(0)} ms`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await dropServiceTables(options.endpoint, tables);
  }
  return { bundles: figures, skipped };
}
