import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import { build } from 'esbuild';
import { planBatch } from '../functions/measurements/batch/ingest-batch';
import { toMeasurementItem } from '../functions/measurements/storage/measurement-item';
import { serviceFunctionBundling } from '../lib/constructs/service-function';
import { serviceFunctions } from '../definitions/service-functions';
import { localCredentials, localRegion } from '../local/dynamodb-local';
import { toHttpApiEvent } from '../local/http-api-event';
import { ensureLambdaNode, lambdaNode } from '../scripts/lambda-node';
import { batchEvent } from './batch-event';
import { startTlsEndpoint, type TlsEndpoint } from './cold-start/tls-endpoint';
import {
  createServiceTables,
  deployedEnvironment,
  dropServiceTables,
  ingestEnvironment,
  type ServiceTables,
} from './engine';
import { summarize, type Summary } from './statistics';
import { workload } from './workloads';

const repositoryRoot = join(__dirname, '..');

/** `ingestWithKey` is the ingest bundle serving a batch with the `Idempotency-Key` the app sends. */
export type BundleName = 'baseline' | 'ingest' | 'ingestWithKey' | 'measurementsApi' | 'audit';

export interface BundleFigures {
  readonly bundle: BundleName;
  /** What the first event is (e.g. `a one-entry batch`). */
  readonly firstEvent: string;
  readonly entry: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  /** Node's own start, before the bundle is imported. */
  readonly bootstrapMs: Summary;
  /** Importing the bundle: parsing it and running its module-level code (the Lambda "Init"). */
  readonly importMs: Summary;
  /** CPU of the process (all its threads) while importing: less sensitive to a busy machine. */
  readonly importCpuMs: Summary;
  /** The first invocation: the handler's work plus the SDK's first connection. */
  readonly firstEventMs: Summary;
  /** Process start → first answer. */
  readonly totalMs: Summary;
  /** Total over the baseline's total in the same round (the median of those paired ratios). */
  readonly totalToBaseline: Summary;
  /** Resident memory after the first answer. */
  readonly rssMiB: Summary;
}

export interface ColdStartResult {
  readonly takenAt: string;
  /** The Node.js the bundles ran on (Lambda's runtime major, from scripts/lambda-node.ts). */
  readonly node: string;
  readonly runtime: string;
  readonly loadAverageAtStart: number;
  readonly loadAverageAtEnd: number;
  readonly warmupRounds: number;
  readonly measuredRounds: number;
  readonly bundles: readonly BundleFigures[];
}

export interface ColdStartOptions {
  readonly endpoint: string;
  readonly warmupProcesses: number;
  readonly measuredProcesses: number;
}

/** esbuild with the stack's own bundling settings (lib/constructs/service-function.ts). */
async function bundle(entry: string, outDir: string): Promise<string> {
  const settings = serviceFunctionBundling;
  const outfile = join(outDir, `index.${settings.format === 'cjs' ? 'js' : 'mjs'}`);
  await build({
    entryPoints: [join(repositoryRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: settings.format,
    target: settings.target,
    minify: settings.minify,
    sourcemap: settings.sourceMap,
    sourcesContent: settings.sourcesContent,
    inject: [...settings.inject],
    mainFields: [...settings.mainFields],
    // bundleAwsSDK: nothing is external, the SDK is inside the bundle.
    external: settings.bundleAwsSDK ? [] : ['@aws-sdk/*'],
    logLevel: 'error',
  });
  return outfile;
}

interface FirstEventReport {
  readonly bootstrapMs: number;
  readonly importMs: number;
  readonly importCpuMs: number;
  readonly firstEventMs: number;
  readonly totalMs: number;
  readonly rssMiB: number;
  readonly answer: unknown;
}

function serveFirstEvent(
  node: string,
  bundlePath: string,
  eventPath: string,
  env: NodeJS.ProcessEnv,
): Promise<FirstEventReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      node,
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
  readonly firstEvent: string;
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
  const statusOf = (answer: unknown) => (answer as { statusCode?: number }).statusCode;
  const bodyOf = (answer: unknown) => JSON.parse((answer as { body?: string }).body ?? '{}');
  return [
    {
      name: 'baseline',
      firstEvent: 'one PutItem',
      entry: 'bench/cold-start/baseline-handler.ts',
      environment: { TABLE_NAME: tables.measurements, DYNAMODB_ENDPOINT: endpoint },
      event: () => ({ item: itemOf(`cold-${randomUUID()}`) }),
      check: (answer) => {
        if (statusOf(answer) !== 200) throw new Error(`baseline answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'ingest',
      firstEvent: 'a one-entry batch',
      entry: serviceFunctions.ingestBatch.entry,
      environment: ingestEnvironment(endpoint, tables),
      event: () => batchEvent(`cold-${randomUUID()}`, single().batch),
      check: (answer) => {
        if (statusOf(answer) !== 200 || bodyOf(answer).data?.inserted !== 1)
          throw new Error(`ingest answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'ingestWithKey',
      firstEvent: 'a one-entry batch with an Idempotency-Key',
      entry: serviceFunctions.ingestBatch.entry,
      environment: ingestEnvironment(endpoint, tables),
      event: () => batchEvent(`cold-${randomUUID()}`, single().batch, undefined, randomUUID()),
      check: (answer) => {
        if (statusOf(answer) !== 200 || bodyOf(answer).data?.inserted !== 1)
          throw new Error(`ingest with a key answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'measurementsApi',
      firstEvent: 'a list of one type',
      entry: serviceFunctions.measurementsApi.entry,
      environment: deployedEnvironment(serviceFunctions.measurementsApi, endpoint, tables),
      event: () =>
        toHttpApiEvent({
          method: 'GET',
          rawPath: '/api/measurements',
          routePath: '/api/measurements',
          rawQueryString: 'type=ACTIVITY_STEPS',
          claims: { sub: `cold-${randomUUID()}` },
        }),
      check: (answer) => {
        if (statusOf(answer) !== 200 || !Array.isArray(bodyOf(answer).data?.measurements))
          throw new Error(`row API answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'audit',
      firstEvent: 'one stream record of a stats overwrite',
      entry: serviceFunctions.auditStream.entry,
      environment: deployedEnvironment(serviceFunctions.auditStream, endpoint, tables),
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

interface Variant {
  readonly bundleCase: BundleCase;
  readonly bundlePath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly reports: FirstEventReport[];
  /** This bundle's total over the baseline's, per measured round. */
  readonly ratios: number[];
}

/**
 * The cold-start regression check: each function's bundle, built as the stack builds it, imported
 * by a fresh process of Lambda's Node.js that then serves one first event against DynamoDB Local;
 * the baseline is a bundle that only creates the DynamoDB client and puts one item. Bundles take
 * turns within each round, so a busy machine slows them alike, and every bundle's total is
 * compared with the baseline's of the same round.
 */
export async function measureColdStart(
  options: ColdStartOptions,
  log: (line: string) => void,
): Promise<ColdStartResult> {
  const node = ensureLambdaNode(log);
  const loadAverageAtStart = Math.round(loadavg()[0]! * 100) / 100;
  const takenAt = new Date().toISOString();
  const tables = await createServiceTables(options.endpoint, 'bench-cold-start');
  const work = mkdtempSync(join(tmpdir(), 'health-ingest-bench-'));
  let tls: TlsEndpoint | undefined;
  try {
    // The functions reach DynamoDB over HTTPS, as on AWS (see tls-endpoint.ts).
    tls = await startTlsEndpoint(options.endpoint, work);
    const variants: Variant[] = [];
    for (const bundleCase of cases(tls.endpoint, tables)) {
      if (!existsSync(join(repositoryRoot, bundleCase.entry)))
        throw new Error(`${bundleCase.entry} does not exist`);
      variants.push({
        bundleCase,
        bundlePath: await bundle(bundleCase.entry, join(work, bundleCase.name)),
        env: {
          PATH: process.env.PATH,
          AWS_REGION: localRegion,
          AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
          NODE_EXTRA_CA_CERTS: tls.caFile,
          ...bundleCase.environment,
        },
        reports: [],
        ratios: [],
      });
    }
    const baseline = variants.find((variant) => variant.bundleCase.name === 'baseline')!;
    const rounds = options.warmupProcesses + options.measuredProcesses;
    for (let round = 0; round < rounds; round++) {
      const totals = new Map<Variant, number>();
      for (const variant of variants) {
        const eventPath = join(work, `event-${round}-${variant.bundleCase.name}.json`);
        writeFileSync(eventPath, JSON.stringify(variant.bundleCase.event()));
        const report = await serveFirstEvent(node, variant.bundlePath, eventPath, variant.env);
        variant.bundleCase.check(report.answer);
        totals.set(variant, report.totalMs);
        if (round >= options.warmupProcesses) variant.reports.push(report);
      }
      if (round >= options.warmupProcesses) {
        for (const variant of variants) variant.ratios.push(totals.get(variant)! / totals.get(baseline)!);
      }
      log(
        `cold start: round ${round + 1} of ${rounds}${round < options.warmupProcesses ? ' (warm-up)' : ''}`,
      );
    }

    const bundles = variants.map((variant): BundleFigures => {
      const bytes = readFileSync(variant.bundlePath);
      const field = (
        name: 'bootstrapMs' | 'importMs' | 'importCpuMs' | 'firstEventMs' | 'totalMs' | 'rssMiB',
      ) => summarize(variant.reports.map((report) => report[name]));
      return {
        bundle: variant.bundleCase.name,
        firstEvent: variant.bundleCase.firstEvent,
        entry: variant.bundleCase.entry,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes).length,
        sourceMapBytes: existsSync(`${variant.bundlePath}.map`)
          ? statSync(`${variant.bundlePath}.map`).size
          : 0,
        bootstrapMs: field('bootstrapMs'),
        importMs: field('importMs'),
        importCpuMs: field('importCpuMs'),
        firstEventMs: field('firstEventMs'),
        totalMs: field('totalMs'),
        totalToBaseline: summarize(variant.ratios),
        rssMiB: field('rssMiB'),
      };
    });
    return {
      takenAt,
      node: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
      runtime: lambdaNode.runtime,
      loadAverageAtStart,
      loadAverageAtEnd: Math.round(loadavg()[0]! * 100) / 100,
      warmupRounds: options.warmupProcesses,
      measuredRounds: options.measuredProcesses,
      bundles,
    };
  } finally {
    await tls?.close();
    rmSync(work, { recursive: true, force: true });
    await dropServiceTables(options.endpoint, tables);
  }
}
