import { readFileSync } from 'node:fs';
import type { ColdStartResult } from './cold-start';
import type { LifecycleResult } from './lifecycle';
import type { MachineInfo } from './machine';
import type { MeasureResult } from './measure';
import type { SeriesResult } from './series';
import type { BenchSettings } from './settings';

/**
 * What one `npm run bench` measured, saved as docs/benchmarks/results.json: raw figures only, no
 * prose. A new part of the benchmark is a new field here, a table function in `tables.ts` and a
 * marker in docs/benchmarks.md; the field is optional so that earlier results still render.
 */
export interface BenchResults extends MeasureResult {
  readonly generatedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly settings: BenchSettings;
  readonly coldStart: ColdStartResult;
  readonly series?: SeriesResult;
  readonly lifecycle?: LifecycleResult;
}

export function readResults(path: string): BenchResults {
  return JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
}
