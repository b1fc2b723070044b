import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { planBatch } from '../functions/measurements/batch/ingest-batch';
import { TableMeasurementWriter } from '../functions/measurements/storage/table-measurement-writer';
import { assertOutcomes, assertStatuses, batchEvent, lambdaContext } from './batch-event';
import {
  createServiceTables,
  documentClientFor,
  dropServiceTables,
  ingestEnvironment,
  loadIngestHandler,
  processCpuMs,
  seedRows,
} from './engine';
import { cpuMicrosSince, elapsedMs, summarize, type Summary } from './statistics';
import { workload, type ExpectedStatus, type Scenario, type Workload } from './workloads';

/** One side of a comparison: the real handler, or the bare writes it ends up issuing. */
export type Path = 'handler' | 'floor';

export interface RunSample {
  readonly wallMs: number;
  /** CPU this (Node) process spent during the run. */
  readonly nodeCpuMs: number;
  /** CPU DynamoDB Local's JVM spent during the run (10 ms resolution), when readable. */
  readonly engineCpuMs?: number;
}

export interface PathFigures {
  readonly wallMs: Summary;
  readonly nodeCpuMs: Summary;
  readonly engineCpuMs?: Summary;
  readonly runs: readonly RunSample[];
}

export interface LatencyCell {
  readonly scenario: Scenario;
  readonly entries: number;
  /** DynamoDB calls the batch needs (entries minus skipped and in-batch repeats). */
  readonly writes: number;
  readonly concurrency: number;
  /** Whether the requests carried an `Idempotency-Key` (the handler then also records the answer). */
  readonly idempotencyKey: boolean;
  readonly handler: PathFigures;
  readonly floor: PathFigures;
  /** median(handler wall) / median(floor wall). */
  readonly ratio: number;
  /** The ratio of each interleaved pair of runs. */
  readonly pairedRatio: Summary;
}

export interface LatencyOptions {
  readonly endpoint: string;
  /** DynamoDB Local's process id, to read its CPU time. */
  readonly enginePid?: number;
  readonly warmupRuns: number;
  readonly measuredRuns: number;
}

/**
 * A client that records the commands the repository would send instead of sending them, so the
 * floor replays exactly the repository's PutItem calls (item, condition, ReturnValues) without
 * restating them here.
 */
function recordingClient(): { client: DynamoDBDocumentClient; commands: unknown[] } {
  const commands: unknown[] = [];
  const client = { send: async (command: unknown) => (commands.push(command), {}) };
  return { client: client as unknown as DynamoDBDocumentClient, commands };
}

interface ReplayableCommand {
  readonly input: unknown;
  readonly constructor: new (input: unknown) => unknown;
}

/** The repository's commands for a batch's writes, built untimed. */
async function recordWrites(workloadToPost: Workload, userId: string, requestId: string, now: Date) {
  const { client, commands } = recordingClient();
  const repository = new TableMeasurementWriter(client, 'recorded');
  const writes = planBatch(workloadToPost.batch, now).flatMap((entry) =>
    entry.status === 'write' ? [entry] : [],
  );
  for (const { measurement } of writes) {
    await repository.writeMeasurement({ userId, requestId, writtenAt: now.toISOString(), measurement });
  }
  if (commands.length !== writes.length)
    throw new Error(`expected one command per write, got ${commands.length}`);
  return {
    commands: commands as ReplayableCommand[],
    expected: writes.map((entry) => workloadToPost.expected[entry.index]!),
  };
}

/**
 * The floor: the same PutItem calls sent straight through the SDK with the same concurrency,
 * no handler, no parsing, no planning, no item building. Outcomes are classified the way the
 * repository classifies them, so the run can be checked like the handler's.
 */
async function replay(
  client: DynamoDBDocumentClient,
  commands: readonly ReplayableCommand[],
  concurrency: number,
  tableName: string,
): Promise<string[]> {
  const statuses = new Array<string>(commands.length);
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const index = next++;
      const recorded = commands[index]!;
      const command = new recorded.constructor({ ...(recorded.input as object), TableName: tableName });
      try {
        const output = (await client.send(command as never)) as { Attributes?: unknown };
        statuses[index] = output.Attributes ? 'updated' : 'inserted';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        statuses[index] = 'duplicate';
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, commands.length)) }, worker));
  return statuses;
}

function figures(runs: RunSample[]): PathFigures {
  const engine = runs.map((run) => run.engineCpuMs).filter((value): value is number => value !== undefined);
  return {
    wallMs: summarize(runs.map((run) => run.wallMs)),
    nodeCpuMs: summarize(runs.map((run) => run.nodeCpuMs)),
    ...(engine.length === runs.length ? { engineCpuMs: summarize(engine) } : {}),
    runs,
  };
}

let tableSeq = 0;

/**
 * One cell of the comparison: `scenario` × `entries` at `concurrency`. Handler and floor runs are
 * interleaved (alternating which goes first) on one table, each run with its own user so that
 * every run starts from the same stored state; warm-up runs are discarded.
 */
export async function measureCell(
  scenario: Scenario,
  entries: number,
  concurrency: number,
  options: LatencyOptions & { readonly idempotencyKey?: boolean },
): Promise<LatencyCell> {
  const tables = await createServiceTables(
    options.endpoint,
    `bench-${scenario}-${entries}-c${concurrency}-${++tableSeq}`,
  );
  const tableName = tables.measurements;
  // The handler as Lambda loads it; seeding and the floor use clients of the same settings.
  const handler = loadIngestHandler(ingestEnvironment(options.endpoint, tables, concurrency));
  const seedClient = documentClientFor(options.endpoint, concurrency);
  const floorClient = documentClientFor(options.endpoint, concurrency);

  const timed = async (body: () => Promise<void>): Promise<RunSample> => {
    const engineBefore = processCpuMs(options.enginePid);
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await body();
    const wallMs = elapsedMs(start);
    const nodeCpuMs = cpuMicrosSince(cpu) / 1000;
    const engineAfter = processCpuMs(options.enginePid);
    return {
      wallMs,
      nodeCpuMs,
      ...(engineBefore !== undefined && engineAfter !== undefined
        ? { engineCpuMs: engineAfter - engineBefore }
        : {}),
    };
  };

  const runHandler = async (run: number): Promise<RunSample> => {
    const now = new Date();
    const userId = `h${run}-${randomUUID()}`;
    const posted = workload(scenario, entries, now.getTime());
    await seedRows(seedClient, tableName, userId, posted.seed, now);
    const event = batchEvent(
      userId,
      posted.batch,
      randomUUID(),
      options.idempotencyKey ? randomUUID() : undefined,
    );
    let answer: Awaited<ReturnType<typeof handler>> | undefined;
    const sample = await timed(async () => {
      answer = await handler(event, lambdaContext);
    });
    assertOutcomes(answer!, posted.expected, `handler ${scenario}/${entries}/c${concurrency}`);
    return sample;
  };

  let writes = 0;
  const runFloor = async (run: number): Promise<RunSample> => {
    const now = new Date();
    const userId = `f${run}-${randomUUID()}`;
    const posted = workload(scenario, entries, now.getTime());
    await seedRows(seedClient, tableName, userId, posted.seed, now);
    const { commands, expected } = await recordWrites(posted, userId, randomUUID(), now);
    writes = commands.length;
    let statuses: string[] = [];
    const sample = await timed(async () => {
      statuses = await replay(floorClient, commands, concurrency, tableName);
    });
    assertStatuses(statuses, expected as ExpectedStatus[], `floor ${scenario}/${entries}/c${concurrency}`);
    return sample;
  };

  const handlerRuns: RunSample[] = [];
  const floorRuns: RunSample[] = [];
  try {
    for (let run = 0; run < options.warmupRuns + options.measuredRuns; run++) {
      const pair =
        run % 2 === 0
          ? [await runHandler(run), await runFloor(run)]
          : [await runFloor(run), await runHandler(run)].reverse();
      if (run < options.warmupRuns) continue;
      handlerRuns.push(pair[0]!);
      floorRuns.push(pair[1]!);
    }
  } finally {
    seedClient.destroy();
    floorClient.destroy();
    await dropServiceTables(options.endpoint, tables);
  }
  const handlerFigures = figures(handlerRuns);
  const floorFigures = figures(floorRuns);
  return {
    scenario,
    entries,
    writes,
    concurrency,
    idempotencyKey: options.idempotencyKey ?? false,
    handler: handlerFigures,
    floor: floorFigures,
    ratio: handlerFigures.wallMs.median / floorFigures.wallMs.median,
    pairedRatio: summarize(handlerRuns.map((run, i) => run.wallMs / floorRuns[i]!.wallMs)),
  };
}
