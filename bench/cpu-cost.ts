import { createLogger } from '../functions/commons/logger';
import { createIngestBatchHandler } from '../functions/ingest-batch/create-ingest-batch-handler';
import { success } from '../functions/http/envelope';
import { batchRequestSchema, type BatchEntry } from '../functions/measurements/batch/batch-schema';
import {
  ingestBatch,
  planBatch,
  summarize as summarizeOutcomes,
  type EntryOutcome,
} from '../functions/measurements/batch/ingest-batch';
import { serviceFunctions } from '../definitions/service-functions';
import { noGuards } from '../functions/request-guards/request-guards';
import { assertOutcomes, batchEvent, lambdaContext } from './batch-event';
import { InMemoryWriter } from './in-memory-writer';
import { cpuMicrosSince, summarize, type Summary } from './statistics';
import { workload } from './workloads';

export interface CpuCostOptions {
  readonly entries: number;
  /** Calls before measuring (JIT warm-up). */
  readonly warmupCalls: number;
  /** Each round's figure is the mean over this many calls; the report is the median of rounds. */
  readonly callsPerRound: number;
  readonly rounds: number;
  readonly writeConcurrency: number;
}

export interface CpuPhase {
  readonly phase: string;
  readonly description: string;
  /** CPU µs per entry. */
  readonly cpuMicrosPerEntry: Summary;
}

export interface CpuCostResult {
  readonly entries: number;
  readonly scenario: 'mix';
  /** The whole handler with the in-memory writer: CPU µs per entry. */
  readonly handlerCpuMicrosPerEntry: Summary;
  /** The same, wall-clock µs per entry (≈ CPU on one thread; GC threads make CPU a little higher). */
  readonly handlerWallMicrosPerEntry: Summary;
  readonly phases: readonly CpuPhase[];
}

async function seededWriter(seed: readonly BatchEntry[], now: Date): Promise<InMemoryWriter> {
  const writer = new InMemoryWriter();
  for (const planned of planBatch(seed, now)) {
    if (planned.status !== 'write') continue;
    await writer.writeMeasurement({
      userId: 'bench-user',
      requestId: 'seed',
      writtenAt: now.toISOString(),
      measurement: planned.measurement,
    });
  }
  return writer;
}

/** CPU µs per entry of `fn` over rounds of calls; `prepare` runs untimed before every call. */
async function measure<S>(
  options: CpuCostOptions,
  prepare: () => S,
  fn: (state: S) => unknown,
): Promise<{ cpu: Summary; wall: Summary }> {
  for (let i = 0; i < options.warmupCalls; i++) await fn(prepare());
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let cpuMicros = 0;
    let wallNanos = 0n;
    for (let call = 0; call < options.callsPerRound; call++) {
      const state = prepare();
      const startCpu = process.cpuUsage();
      const startWall = process.hrtime.bigint();
      await fn(state);
      wallNanos += process.hrtime.bigint() - startWall;
      cpuMicros += cpuMicrosSince(startCpu);
    }
    const calls = options.callsPerRound * options.entries;
    cpu.push(cpuMicros / calls);
    wall.push(Number(wallNanos) / 1000 / calls);
  }
  return { cpu: summarize(cpu), wall: summarize(wall) };
}

/**
 * Item 2 of the benchmark: what the service itself costs per entry, with DynamoDB out of the
 * picture. The whole handler runs with the repository replaced by an in-memory writer, then each
 * phase runs alone on the same batch so the total can be attributed.
 */
export async function measureCpuCost(options: CpuCostOptions): Promise<CpuCostResult> {
  const now = new Date();
  const { seed, batch, expected } = workload('mix', options.entries, now.getTime());
  const base = await seededWriter(seed, now);
  const event = batchEvent('bench-user', batch, 'bench-cpu');
  const handler = (writer: InMemoryWriter) =>
    createIngestBatchHandler({
      logger: createLogger(serviceFunctions.ingestBatch.serviceName),
      writer,
      writeConcurrency: options.writeConcurrency,
      deadlineSafetyMarginMs: 1500,
      guards: noGuards,
    });

  // The answer must be the contract's before any figure counts.
  assertOutcomes(await handler(base.fork())(event, lambdaContext), expected, 'cpu-cost handler');

  const body = event.body!;
  const raw = JSON.parse(body) as unknown;
  const parsed = batchRequestSchema.parse(raw);
  const planned = planBatch(parsed.entries, now);
  const outcomes = planned.map((entry): EntryOutcome =>
    entry.status === 'write' ? { index: entry.index, status: 'inserted', id: entry.measurement.id } : entry,
  );
  const result = summarizeOutcomes(outcomes);
  const ingestDeps = (writer: InMemoryWriter) => ({ writer, writeConcurrency: options.writeConcurrency });
  const ingestInput = {
    userId: 'bench-user',
    requestId: 'bench-cpu',
    entries: parsed.entries,
    now,
    deadlineAt: Number.MAX_SAFE_INTEGER,
  };

  const whole = await measure(
    options,
    () => handler(base.fork()),
    (run) => run(event, lambdaContext),
  );
  const phase = async (
    name: string,
    description: string,
    prepare: () => unknown,
    fn: (state: any) => unknown,
  ): Promise<CpuPhase> => ({
    phase: name,
    description,
    cpuMicrosPerEntry: (await measure(options, prepare, fn)).cpu,
  });
  const none = () => undefined;
  const phases = [
    await phase('json-parse', 'JSON.parse of the request body', none, () => JSON.parse(body)),
    await phase('schema', 'zod: batchRequestSchema.safeParse (validation of every field)', none, () =>
      batchRequestSchema.safeParse(raw),
    ),
    await phase(
      'plan',
      'planBatch: mapping, conversion, plausibility, ids, in-batch supersession',
      none,
      () => planBatch(parsed.entries, now),
    ),
    await phase(
      'ingest',
      'ingestBatch: plan + writes through the in-memory writer (item building, bounded concurrency) + summarize',
      () => base.fork(),
      (writer: InMemoryWriter) => ingestBatch(ingestInput, ingestDeps(writer)),
    ),
    await phase('summarize', 'summarize: counts and the skipped list', none, () =>
      summarizeOutcomes(outcomes),
    ),
    await phase('response', 'response shaping: the envelope and JSON.stringify', none, () =>
      success(result, {}),
    ),
  ];
  return {
    entries: options.entries,
    scenario: 'mix',
    handlerCpuMicrosPerEntry: whole.cpu,
    handlerWallMicrosPerEntry: whole.wall,
    phases,
  };
}
