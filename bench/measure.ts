import { writeFileSync } from 'node:fs';
import { measureCpuCost, type CpuCostResult } from './cpu-cost';
import { useLocalCredentials } from './engine';
import { measureCell, type LatencyCell, type LatencyOptions } from './latency';
import type { BenchSettings } from './settings';
import { scenarios } from './workloads';

export interface MeasureResult {
  /** Every scenario × batch size at the default write concurrency: handler beside floor. */
  readonly latency: readonly LatencyCell[];
  /** The 500-entry mix with an `Idempotency-Key` (the handler then also stores its answer). */
  readonly idempotency: LatencyCell;
  readonly cpu: CpuCostResult;
}

/**
 * The DynamoDB Local measurements, run in a process of their own: the handler logs one JSON line
 * per request to stdout, as in Lambda, and the parent sends that stdout to /dev/null so the
 * terminal shows progress only. Arguments: endpoint, engine pid, output path; settings in
 * BENCH_SETTINGS.
 */
async function main(): Promise<void> {
  const [endpoint, enginePid, outPath] = process.argv.slice(2);
  if (!endpoint || !outPath) throw new Error('usage: measure.ts <endpoint> <engine pid> <output.json>');
  const settings = JSON.parse(process.env.BENCH_SETTINGS ?? '') as BenchSettings;
  useLocalCredentials();
  const log = (line: string) => process.stderr.write(`  ${line}\n`);
  const options: LatencyOptions = {
    endpoint,
    enginePid: enginePid ? Number(enginePid) : undefined,
    warmupRuns: settings.warmupRuns,
    measuredRuns: settings.measuredRuns,
  };
  const describe = (cell: LatencyCell) =>
    `${cell.scenario} ×${cell.entries} c${cell.concurrency}${cell.idempotencyKey ? ' +Idempotency-Key' : ''}: ` +
    `handler ${cell.handler.wallMs.median.toFixed(1)} ms, floor ${cell.floor.wallMs.median.toFixed(1)} ms, ` +
    `ratio ${cell.ratio.toFixed(3)}`;

  log(
    `warming up DynamoDB Local (${settings.engineWarmupRuns} runs of the 500-entry mix through both paths)`,
  );
  await measureCell('mix', 500, settings.defaultConcurrency, {
    ...options,
    warmupRuns: settings.engineWarmupRuns,
    measuredRuns: 1,
  });

  const latency: LatencyCell[] = [];
  for (const scenario of scenarios) {
    for (const size of settings.sizes) {
      const headline = scenario === 'mix' && size === 500;
      const cell = await measureCell(scenario, size, settings.defaultConcurrency, {
        ...options,
        measuredRuns: headline ? settings.headlineRuns : settings.measuredRuns,
      });
      latency.push(cell);
      log(describe(cell));
    }
  }
  const idempotency = await measureCell('mix', 500, settings.defaultConcurrency, {
    ...options,
    idempotencyKey: true,
  });
  log(describe(idempotency));

  log('CPU cost per entry (in-memory writer)');
  const cpu = await measureCpuCost({
    entries: 500,
    writeConcurrency: settings.defaultConcurrency,
    ...settings.cpu,
  });
  log(`handler ${cpu.handlerCpuMicrosPerEntry.median.toFixed(2)} µs CPU per entry`);

  const result: MeasureResult = { latency, idempotency, cpu };
  writeFileSync(outPath, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
