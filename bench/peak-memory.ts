import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Loaded with `--import` into a tool the benchmark runs as its npm script does: when the process
 * exits, writes its peak resident set size (the kernel's high-water mark, so no peak between two
 * samples is missed) and its lifetime to the file `BENCH_PEAK_MEMORY_FILE` names.
 */

export interface ProcessPeak {
  readonly peakRssBytes: number;
  readonly lifetimeMs: number;
}

const file = process.env.BENCH_PEAK_MEMORY_FILE;
if (file) {
  process.once('exit', () => {
    const peak: ProcessPeak = {
      // maxRSS is in KiB.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      lifetimeMs: performance.now(),
    };
    writeFileSync(file, JSON.stringify(peak));
  });
}
