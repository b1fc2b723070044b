import type { ExportFigures, LifecycleResult, WriteFigures } from '../../bench/lifecycle';
import type { BenchResults } from '../../bench/results';
import { summarize } from '../../bench/statistics';
import { targets, verdictOf } from '../../bench/tables';

/**
 * The user-data tools' targets (docs/benchmarks.md): export memory flat (peak RSS of the largest
 * export at most 50 MB over the smallest's), import and erase at 0.8× their engine floor's rows/s
 * or better.
 */

const MB = 1e6;
const exported = (rows: number, peakMb: number): ExportFigures => ({
  rows,
  fileBytes: rows * 500,
  seconds: summarize([1 + rows / 5000]),
  peakRssBytes: summarize([peakMb * MB]),
});
const write = (tool: WriteFigures['tool'], toolSeconds: number, floorSeconds: number): WriteFigures => ({
  tool,
  rows: 100_000,
  requests: 5_000,
  concurrency: 4,
  toolSeconds,
  floorSeconds,
});
const results = (lifecycle: Partial<LifecycleResult>) =>
  ({
    lifecycle: {
      takenAt: '',
      loadAverageAtStart: 0,
      loadAverageAtEnd: 0,
      exports: [],
      writes: [],
      ...lifecycle,
    },
  }) as unknown as BenchResults;
const target = (name: RegExp) => targets.find((candidate) => name.test(candidate.name))!;

describe('the export memory target', () => {
  const memory = target(/^export-user: peak memory/);

  test('compares the largest export with the smallest that has rows, not the empty one', () => {
    const verdict = verdictOf(
      memory,
      results({ exports: [exported(0, 90), exported(10_080, 120), exported(525_529, 169)] }),
    );
    expect(verdict.shown?.value).toBe('49 MB');
    expect(verdict.met).toBe(true);
  });

  test('is missed when the peak grows by more than 50 MB', () => {
    const verdict = verdictOf(memory, results({ exports: [exported(10_080, 120), exported(525_529, 171)] }));
    expect(verdict.met).toBe(false);
  });

  test('is not measured with one export of rows only, or none', () => {
    expect(verdictOf(memory, results({ exports: [exported(0, 90), exported(10_080, 120)] })).shown).toBe(
      undefined,
    );
    expect(verdictOf(memory, {} as BenchResults).shown).toBe(undefined);
  });
});

describe.each(['import', 'erase'] as const)('the %s target: rows/s at least 0.8× the floor', (tool) => {
  const rate = target(new RegExp(`^${tool}-user rows/s`));

  test('a ratio at or above the limit is met; the figure is the floor time over the tool time', () => {
    const verdict = verdictOf(rate, results({ writes: [write(tool, 100, 80)] }));
    expect(verdict.shown?.value).toBe('0.80×');
    expect(verdict.met).toBe(true);
  });

  test('a tool slower than 1.25× its floor misses it', () => {
    expect(verdictOf(rate, results({ writes: [write(tool, 100, 79)] })).met).toBe(false);
  });

  test('the other tool’s figures do not count', () => {
    const other = tool === 'import' ? 'erase' : 'import';
    expect(verdictOf(rate, results({ writes: [write(other, 100, 100)] })).shown).toBe(undefined);
  });
});
