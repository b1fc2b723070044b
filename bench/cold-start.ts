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
import { createServiceTables, dropServiceTables, ingestEnvironment, type ServiceTables } from './engine';
import { summarize, type Summary } from './statistics';
import { workload } from './workloads';

const repositoryRoot = join(__dirname, '..');

/** `ingestWithKey` is the ingest bundle serving a batch with the `Idempotency-Key` the app sends. */
export type BundleName = 'baseline' | 'ingest' | 'ingestWithKey' | 'measurementsApi' | 'audit';

/**
 * How a bundle is built and loaded. `shipped` is whatever the stack does
 * (`serviceFunctionBundling`, no NODE_OPTIONS); the others are the alternatives it was chosen
 * from, each differing from it in one respect: the output format, or how source maps are shipped
 * and loaded.
 */
export type BuildVariant =
  | 'shipped'
  | 'esm'
  | 'enable-source-maps'
  | 'enable-source-maps-without-sources'
  | 'shipped-not-loaded'
  | 'none';

interface VariantBuild {
  readonly format: 'cjs' | 'esm';
  readonly sourcemap: boolean;
  readonly sourcesContent: boolean;
  readonly inject: readonly string[];
  readonly nodeOptions: string;
}

const shippedBuild: VariantBuild = {
  format: serviceFunctionBundling.format,
  sourcemap: serviceFunctionBundling.sourceMap,
  sourcesContent: serviceFunctionBundling.sourcesContent,
  inject: serviceFunctionBundling.inject,
  nodeOptions: '',
};

export const buildVariants: Record<BuildVariant, { readonly label: string } & VariantBuild> = {
  shipped: {
    label:
      `as shipped: ${shippedBuild.format === 'cjs' ? 'CommonJS' : 'ESM'}, map without the sources, read when a stack ` +
      'trace is first formatted',
    ...shippedBuild,
  },
  esm: {
    label: 'ESM output (the format before), maps as shipped',
    ...shippedBuild,
    format: 'esm',
  },
  'enable-source-maps': {
    label: 'map with the sources, `--enable-source-maps` (the setting before)',
    ...shippedBuild,
    sourcesContent: true,
    inject: [],
    nodeOptions: '--enable-source-maps',
  },
  'enable-source-maps-without-sources': {
    label: 'map without the sources, `--enable-source-maps`',
    ...shippedBuild,
    inject: [],
    nodeOptions: '--enable-source-maps',
  },
  'shipped-not-loaded': {
    label: 'map with the sources shipped but never read (minified stack traces)',
    ...shippedBuild,
    sourcesContent: true,
    inject: [],
  },
  none: {
    label: 'no map (minified stack traces)',
    ...shippedBuild,
    sourcemap: false,
    sourcesContent: false,
    inject: [],
  },
};

export interface BundleFigures {
  readonly bundle: BundleName;
  /** The Node.js it ran on: Lambda's (`ColdStartResult.node`), or the machine's for comparison. */
  readonly node: string;
  /** What the first event is (e.g. `a one-entry batch`). */
  readonly firstEvent: string;
  /** What serving it takes beyond the baseline's one PutItem. */
  readonly firstEventWork: string;
  readonly entry: string;
  readonly variant: BuildVariant;
  readonly nodeOptions: string;
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
  /** Total over the baseline's total on the same Node.js in the same round (the median of those paired ratios). */
  readonly totalToBaseline: Summary;
  /** Resident memory after the first answer. */
  readonly rssMiB: Summary;
  /** When Node's bundled undici was loaded in most processes: at `import`, in the `first event`, or `never`. */
  readonly undici: string;
  /** For a map read on demand: reading and parsing it, paid by the first formatted stack trace. */
  readonly mapLoadMs?: Summary;
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

/** esbuild with the stack's own bundling settings (lib/constructs/service-function.ts), as `variant` differs. */
async function bundle(entry: string, outDir: string, variant: VariantBuild): Promise<string> {
  const settings = serviceFunctionBundling;
  const outfile = join(outDir, variant.format === 'esm' ? 'index.mjs' : 'index.js');
  await build({
    entryPoints: [join(repositoryRoot, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: variant.format,
    target: settings.target,
    minify: settings.minify,
    sourcemap: variant.sourcemap,
    sourcesContent: variant.sourcesContent,
    inject: [...variant.inject],
    mainFields: [...settings.mainFields],
    // CommonJS dependencies inside an ESM bundle still call `require`; give them one.
    ...(variant.format === 'esm'
      ? {
          banner: {
            js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
          },
        }
      : {}),
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
  readonly undici: string;
  readonly mapLoadMs?: number;
  readonly answer: unknown;
}

function serveFirstEvent(
  node: string,
  bundlePath: string,
  eventPath: string,
  env: NodeJS.ProcessEnv,
  measureMapLoad: boolean,
): Promise<FirstEventReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      node,
      [
        join(__dirname, 'cold-start', 'serve-first-event.mjs'),
        bundlePath,
        eventPath,
        ...(measureMapLoad ? ['--map-load'] : []),
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
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
  /** What serving it takes beyond the baseline's one PutItem. */
  readonly firstEventWork: string;
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly settings: readonly BuildVariant[];
  /** Also run (as shipped) on the machine's Node.js, to compare the Node.js majors. */
  readonly onMachineNode: boolean;
  /** A fresh first event for each process, and the check of its answer. */
  event(): unknown;
  check(answer: unknown): void;
}

const ALL_VARIANTS = Object.keys(buildVariants) as BuildVariant[];

function functionEnvironment(name: keyof typeof serviceFunctions): Record<string, string> {
  const definition = serviceFunctions[name];
  return {
    ...definition.environment,
    POWERTOOLS_SERVICE_NAME: definition.serviceName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
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
      firstEventWork: '',
      entry: 'bench/cold-start/baseline-handler.ts',
      environment: { TABLE_NAME: tables.measurements, DYNAMODB_ENDPOINT: endpoint },
      settings: ['shipped', 'esm'],
      onMachineNode: true,
      event: () => ({ item: itemOf(`cold-${randomUUID()}`) }),
      check: (answer) => {
        if (statusOf(answer) !== 200) throw new Error(`baseline answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'ingest',
      firstEvent: 'a one-entry batch',
      firstEventWork:
        "the rate limiter's UpdateItem before the PutItem, and the batch's parsing, validation and planning " +
        'running for the first time',
      entry: serviceFunctions.ingestBatch.entry,
      environment: ingestEnvironment(endpoint, tables),
      settings: ALL_VARIANTS,
      onMachineNode: true,
      event: () => batchEvent(`cold-${randomUUID()}`, single().batch),
      check: (answer) => {
        if (statusOf(answer) !== 200 || bodyOf(answer).data?.inserted !== 1)
          throw new Error(`ingest answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'ingestWithKey',
      firstEvent: 'a one-entry batch with an Idempotency-Key',
      firstEventWork:
        "the rate limiter's UpdateItem, the idempotency record's PutItem before the write and its UpdateItem after, and the " +
        "batch's parsing, validation and planning running for the first time",
      entry: serviceFunctions.ingestBatch.entry,
      environment: ingestEnvironment(endpoint, tables),
      settings: ['shipped'],
      onMachineNode: false,
      event: () => batchEvent(`cold-${randomUUID()}`, single().batch, undefined, randomUUID()),
      check: (answer) => {
        if (statusOf(answer) !== 200 || bodyOf(answer).data?.inserted !== 1)
          throw new Error(`ingest with a key answered ${JSON.stringify(answer)}`);
      },
    },
    {
      name: 'measurementsApi',
      firstEvent: 'a list of one type',
      firstEventWork:
        'a Query of an index instead of a PutItem, and the route and query parsing running for the first time',
      entry: serviceFunctions.measurementsApi.entry,
      environment: {
        ...functionEnvironment('measurementsApi'),
        TABLE_NAME: tables.measurements,
        REQUEST_GUARDS_TABLE_NAME: tables.requestGuards,
        DAILY_AGGREGATES_TABLE_NAME: tables.dailyAggregates,
        DYNAMODB_ENDPOINT: endpoint,
      },
      settings: ALL_VARIANTS,
      onMachineNode: true,
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
      firstEventWork:
        "the user's audit key read and created (a GetItem and a conditional PutItem), then one log line",
      entry: serviceFunctions.auditStream.entry,
      environment: {
        ...functionEnvironment('auditStream'),
        TABLE_NAME: tables.measurements,
        AUDIT_KEYS_TABLE_NAME: tables.auditKeys,
        DYNAMODB_ENDPOINT: endpoint,
      },
      settings: ['shipped'],
      onMachineNode: false,
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

interface NodeBinary {
  readonly path: string;
  readonly version: string;
}

interface Variant {
  readonly bundleCase: BundleCase;
  readonly setting: BuildVariant;
  readonly node: NodeBinary;
  readonly bundlePath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly reports: FirstEventReport[];
  /** This variant's total over the baseline's, per measured round. */
  readonly ratios: number[];
}

/**
 * Item 4 of the benchmark: each function's bundle, built as the stack builds it, imported by a
 * fresh process of Lambda's Node.js that then serves one first event against DynamoDB Local;
 * the baseline is a bundle that only creates the DynamoDB client and puts one item. The ingest
 * and row-API bundles are also built and run with each alternative way of shipping and loading
 * source maps. Variants take turns within each round, so a busy machine slows them alike, and
 * every variant's total is compared with the baseline's of the same round.
 */
export async function measureColdStart(
  options: ColdStartOptions,
  log: (line: string) => void,
): Promise<ColdStartResult> {
  const versionOf = (path: string) => execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  const lambdaBinary = ensureLambdaNode(log);
  const node: NodeBinary = { path: lambdaBinary, version: versionOf(lambdaBinary) };
  const machineNode: NodeBinary = { path: process.execPath, version: process.version };
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
      for (const setting of bundleCase.settings) {
        const build = buildVariants[setting];
        const bundlePath = await bundle(bundleCase.entry, join(work, `${bundleCase.name}-${setting}`), build);
        const nodes =
          setting === 'shipped' && bundleCase.onMachineNode && machineNode.version !== node.version
            ? [node, machineNode]
            : [node];
        for (const runOn of nodes)
          variants.push({
            bundleCase,
            setting,
            node: runOn,
            bundlePath,
            env: {
              PATH: process.env.PATH,
              AWS_REGION: localRegion,
              AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
              NODE_EXTRA_CA_CERTS: tls.caFile,
              ...bundleCase.environment,
              ...(build.nodeOptions ? { NODE_OPTIONS: build.nodeOptions } : {}),
            },
            reports: [],
            ratios: [],
          });
      }
    }
    const baselineOn = (runOn: NodeBinary) =>
      variants.find((variant) => variant.bundleCase.name === 'baseline' && variant.node === runOn)!;
    const rounds = options.warmupProcesses + options.measuredProcesses;
    for (let round = 0; round < rounds; round++) {
      const totals = new Map<Variant, number>();
      for (const variant of variants) {
        const eventPath = join(
          work,
          `event-${round}-${variant.bundleCase.name}-${variant.setting}-${variant.node.version}.json`,
        );
        writeFileSync(eventPath, JSON.stringify(variant.bundleCase.event()));
        const measureMapLoad = variant.setting === 'shipped' && buildVariants.shipped.inject.length > 0;
        const report = await serveFirstEvent(
          variant.node.path,
          variant.bundlePath,
          eventPath,
          variant.env,
          measureMapLoad,
        );
        variant.bundleCase.check(report.answer);
        totals.set(variant, report.totalMs);
        if (round >= options.warmupProcesses) variant.reports.push(report);
      }
      if (round >= options.warmupProcesses) {
        for (const variant of variants)
          variant.ratios.push(totals.get(variant)! / totals.get(baselineOn(variant.node))!);
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
      const mapLoads = variant.reports.flatMap((report) =>
        report.mapLoadMs === undefined ? [] : [report.mapLoadMs],
      );
      return {
        bundle: variant.bundleCase.name,
        node: variant.node.version,
        firstEvent: variant.bundleCase.firstEvent,
        firstEventWork: variant.bundleCase.firstEventWork,
        entry: variant.bundleCase.entry,
        variant: variant.setting,
        nodeOptions: buildVariants[variant.setting].nodeOptions || '(none)',
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
        undici: mostFrequent(variant.reports.map((report) => report.undici)),
        ...(mapLoads.length > 0 ? { mapLoadMs: summarize(mapLoads) } : {}),
      };
    });
    return {
      takenAt,
      node: node.version,
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

function mostFrequent(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
}
