import { serviceFunctions } from '../definitions/service-functions';
import type { LifecycleSettings } from './lifecycle';
import type { SeriesSettings } from './series';

/** How much the benchmark measures; `npm run bench -- --quick` is for checking the harness only. */
export interface BenchSettings {
  readonly quick: boolean;
  readonly sizes: readonly number[];
  /** The deployed write concurrency: the comparison with the floor runs at it. */
  readonly defaultConcurrency: number;
  /** Discarded runs (per cell, after the engine's global warm-up) and measured runs. */
  readonly warmupRuns: number;
  readonly measuredRuns: number;
  /** Measured runs of the headline cell (the 500-entry mix at the default concurrency). */
  readonly headlineRuns: number;
  /** Writes through both paths before any cell, for the JVM's JIT and the sockets. */
  readonly engineWarmupRuns: number;
  readonly cpu: { readonly warmupCalls: number; readonly callsPerRound: number; readonly rounds: number };
  readonly coldStart: { readonly warmupProcesses: number; readonly measuredProcesses: number };
  /** The chart benchmark: a user with this many days of 10-minute heart-rate buckets. */
  readonly series: SeriesSettings;
  /** The user-data tools: exports of users of these sizes, an import and erasure of one user. */
  readonly lifecycle: LifecycleSettings;
}

export function benchSettings(quick: boolean): BenchSettings {
  return {
    quick,
    sizes: [1, 50, 200, 500],
    defaultConcurrency: serviceFunctions.ingestBatch.settings.WRITE_CONCURRENCY.default,
    warmupRuns: 1,
    measuredRuns: quick ? 3 : 7,
    headlineRuns: quick ? 3 : 15,
    engineWarmupRuns: quick ? 2 : 6,
    cpu: quick
      ? { warmupCalls: 20, callsPerRound: 10, rounds: 3 }
      : { warmupCalls: 200, callsPerRound: 40, rounds: 7 },
    // Rounds: every bundle and source-map variant once per round, in turn.
    coldStart: quick
      ? { warmupProcesses: 1, measuredProcesses: 2 }
      : { warmupProcesses: 1, measuredProcesses: 11 },
    series: quick
      ? { historyDays: 40, windows: [30, 365], measuredRuns: 2 }
      : { historyDays: 3650, windows: [30, 365, 3650], measuredRuns: 7 },
    // 144 rows a day: 10,080 rows and the chart user's ~525,000; 100,080 imported and erased.
    lifecycle: quick
      ? { exportDays: [7, 40], exportRuns: 1, writeDays: 35, warmupDays: 3 }
      : { exportDays: [70, 3650], exportRuns: 3, writeDays: 695, warmupDays: 14 },
  };
}
