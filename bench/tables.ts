import type { BundleName } from './cold-start';
import type { LatencyCell } from './latency';
import { markdownTable } from './markdown-table';
import type { BenchResults } from './results';
import type { Summary } from './statistics';
import { scenarioTitles } from './workloads';

/**
 * The generated tables of docs/benchmarks.md, one function per `<!-- bench:table <name> -->`
 * block: figures from the results, never sentences. The prose around them is written by hand.
 * A new section of the benchmark adds its table here under the name its marker carries.
 */

const count = (value: number) => value.toLocaleString('en');
/** Three or four significant digits: 4.2, 42.0, 421, 4,213. */
const figure = (value: number) =>
  Math.abs(value) >= 10_000 ? count(Math.round(value)) : value.toFixed(Math.abs(value) >= 100 ? 0 : 1);
const ratio = (value: number) => value.toFixed(2);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
/** Median (min–max), or the one value of a single run. */
const range = (summary: Summary, format: (value: number) => string = figure) =>
  summary.runs === 1
    ? format(summary.median)
    : `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;

/** What a block shows when the results hold no figures for it (an older run, or one section only). */
const notMeasured = '_Not measured in these results._';

/** The headline cell: the 500-entry mix at the ingest function's write concurrency. */
function headlineCell(results: BenchResults): LatencyCell | undefined {
  return results.latency.find(
    (cell) =>
      cell.scenario === 'mix' &&
      cell.entries === 500 &&
      cell.concurrency === results.settings.defaultConcurrency &&
      !cell.idempotencyKey,
  );
}

const bundleTitles: Record<BundleName, string> = {
  baseline: 'baseline',
  ingest: 'ingest',
  ingestWithKey: 'ingest',
  measurementsApi: 'row API',
  audit: 'audit',
};

function bundleFigures(results: BenchResults, name: BundleName) {
  return results.coldStart.bundles.find((figures) => figures.bundle === name);
}

/** The Lambda function's CPU per DynamoDB write (SDK and our code), µs. */
const cpuPerWrite = (cell: LatencyCell, path: 'handler' | 'floor') =>
  (cell[path].nodeCpuMs.median * 1000) / cell.writes;

interface Target {
  readonly name: string;
  /** Met when the figure is at most this (with `atLeast`, at least this). */
  readonly limit: number;
  readonly atLeast?: boolean;
  readonly unit: string;
  readonly format: (value: number) => string;
  /** The figure compared with the limit and what qualifies it; undefined when not measured. */
  figure(results: BenchResults): { readonly value: number; readonly detail: string } | undefined;
}

function coldStartTarget(name: BundleName): Target {
  return {
    name: `${bundleTitles[name]} cold start, total over the baseline bundle's (process start to first answer)`,
    limit: 1.3,
    unit: '×',
    format: ratio,
    figure: (results) => {
      const ratios = bundleFigures(results, name)?.totalToBaseline;
      return (
        ratios && {
          value: ratios.median,
          detail: `${ratio(ratios.min)}–${ratio(ratios.max)}, ${ratios.runs} rounds`,
        }
      );
    },
  };
}

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(0);
const rowsPerSecond = (rows: number, seconds: number) => rows / seconds;

/** The import's or the erasure's rows per second over its floor's. */
function writeTarget(tool: 'import' | 'erase', title: string): Target {
  return {
    name: `${title} rows/s over the engine floor's (the same requests sent straight)`,
    limit: 0.8,
    atLeast: true,
    unit: '×',
    format: ratio,
    figure: ({ lifecycle }) => {
      const cell = lifecycle?.writes.find((figures) => figures.tool === tool);
      return (
        cell && {
          value: cell.floorSeconds / cell.toolSeconds,
          detail:
            `${count(cell.rows)} rows: ${figure(rowsPerSecond(cell.rows, cell.toolSeconds))} against ` +
            `${figure(rowsPerSecond(cell.rows, cell.floorSeconds))} rows/s`,
        }
      );
    },
  };
}

/** The exports of users with rows, smallest to largest. */
const exportsWithRows = (results: BenchResults) =>
  (results.lifecycle?.exports ?? []).filter((figures) => figures.rows > 0);

/** The benchmark's targets: each a figure of the results and the most (or least) it may be. */
export const targets: readonly Target[] = [
  {
    name: 'handler / floor for the 500-entry mix (median of the interleaved pairs)',
    limit: 1.15,
    unit: '',
    format: ratio,
    figure: (results) => {
      const pairs = headlineCell(results)?.pairedRatio;
      return (
        pairs && {
          value: pairs.median,
          detail: `${ratio(pairs.min)}–${ratio(pairs.max)}, ${pairs.runs} pairs`,
        }
      );
    },
  },
  {
    name: 'CPU per entry: validation, mapping, supersession, response shaping',
    limit: 20,
    unit: ' µs',
    format: figure,
    figure: ({ cpu: { handlerCpuMicrosPerEntry: perEntry } }) => ({
      value: perEntry.median,
      detail: `${figure(perEntry.min)}–${figure(perEntry.max)}, ${perEntry.runs} rounds`,
    }),
  },
  coldStartTarget('ingest'),
  coldStartTarget('measurementsApi'),
  {
    name: 'the longest pulse chart series, through the row-API handler',
    limit: 1000,
    unit: ' ms',
    format: figure,
    figure: ({ series }) => {
      const longest = series?.cells.reduce((a, b) => (b.days > a.days ? b : a));
      return (
        longest && {
          value: longest.latencyMs.median,
          detail:
            `${figure(longest.latencyMs.min)}–${figure(longest.latencyMs.max)}; ${longest.days} days, ` +
            `${count(longest.itemsRead)} items read`,
        }
      );
    },
  },
  {
    name: 'export-user: peak memory (RSS) of the largest export over the smallest (the most of its runs)',
    limit: 50,
    unit: ' MB',
    format: (value) => value.toFixed(0),
    figure: (results) => {
      const exports = exportsWithRows(results);
      const [smallest, largest] = [exports[0], exports[exports.length - 1]];
      if (!smallest || !largest || smallest === largest) return undefined;
      return {
        value: (largest.peakRssBytes.max - smallest.peakRssBytes.max) / 1e6,
        detail:
          `${megabytes(smallest.peakRssBytes.max)} MB at ${count(smallest.rows)} rows, ` +
          `${megabytes(largest.peakRssBytes.max)} MB at ${count(largest.rows)}`,
      };
    },
  },
  writeTarget('import', 'import-user'),
  writeTarget('erase', 'erase-user'),
];

/** `≤ 50 MB`, `≥ 0.8×`. */
export const limitOf = (target: Target) => `${target.atLeast ? '≥' : '≤'} ${target.limit}${target.unit}`;

export interface TargetVerdict {
  readonly target: Target;
  /** The figure with its unit, and what qualifies it; undefined when not measured. */
  readonly shown?: { readonly value: string; readonly detail: string };
  readonly met?: boolean;
}

export function verdictOf(target: Target, results: BenchResults): TargetVerdict {
  const measured = target.figure(results);
  if (!measured) return { target };
  return {
    target,
    shown: { value: `${target.format(measured.value)}${target.unit}`, detail: measured.detail },
    met: target.atLeast ? measured.value >= target.limit : measured.value <= target.limit,
  };
}

export function targetVerdicts(results: BenchResults): TargetVerdict[] {
  return targets.map((target) => verdictOf(target, results));
}

function targetsTable(results: BenchResults): string {
  return markdownTable(
    ['target', 'limit', 'result', ''],
    targetVerdicts(results).map(({ target, shown, met }) => [
      target.name,
      limitOf(target),
      shown ? `**${shown.value}** (${shown.detail})` : 'not measured',
      met === undefined ? '' : met ? 'met' : '**missed**',
    ]),
  );
}

function runTable(results: BenchResults): string {
  const { machine, settings, coldStart, series } = results;
  return markdownTable(
    ['', ''],
    [
      [
        'taken',
        `${results.generatedAt} (${results.durationSeconds} s for the whole run)` +
          (settings.quick
            ? '; **a quick run**: it checks the harness, its figures are not to be quoted'
            : ''),
      ],
      ['OS', `${machine.os}, ${machine.arch}`],
      ['CPU', `${machine.cpuModel}, ${machine.cores} cores`],
      ['memory', `${machine.memoryGiB} GiB (${machine.freeMemoryGiB} GiB free at the start)`],
      ['Node.js', machine.node],
      ['Java / engine', `${machine.java}; ${machine.dynamoDbLocal} (in memory)`],
      [
        'load average (1 min)',
        `${machine.loadAverageAtStart} at the start, ${machine.loadAverageAtEnd ?? '?'} at the end`,
      ],
      [
        'runs per cell',
        `${settings.warmupRuns} discarded + ${settings.measuredRuns} measured of each path ` +
          `(${settings.headlineRuns} for the 500-entry mix), after ${settings.engineWarmupRuns} warm-up runs of the engine`,
      ],
      ['writes in flight', `${settings.defaultConcurrency} (the ingest function's \`WRITE_CONCURRENCY\`)`],
      [
        'CPU cost',
        `${settings.cpu.warmupCalls} warm-up calls, then ${settings.cpu.rounds} rounds of ${settings.cpu.callsPerRound} calls`,
      ],
      [
        'cold start',
        `${coldStart.takenAt} on Node.js ${coldStart.node} (\`${coldStart.runtime}\`), ${coldStart.warmupRounds} ` +
          `warm-up + ${coldStart.measuredRounds} measured rounds; load average ${coldStart.loadAverageAtStart} at ` +
          `the start, ${coldStart.loadAverageAtEnd} at the end`,
      ],
      [
        'chart series',
        series
          ? `${series.historyDays} days of 10-minute heart-rate buckets: ${count(series.rows)} rows and ` +
            `${count(series.aggregates)} daily aggregates, loaded in ${series.loadSeconds.toFixed(0)} s`
          : 'not measured',
      ],
      [
        'user-data tools',
        results.lifecycle
          ? `${results.lifecycle.takenAt}; load average ${results.lifecycle.loadAverageAtStart} at the start, ` +
            `${results.lifecycle.loadAverageAtEnd} at the end`
          : 'not measured',
      ],
    ],
  );
}

function latencyTable(results: BenchResults): string {
  const row = (cell: LatencyCell, workload: string) => [
    workload,
    String(cell.entries),
    String(cell.writes),
    range(cell.handler.wallMs),
    range(cell.floor.wallMs),
    figure(cell.handler.wallMs.median - cell.floor.wallMs.median),
    `${ratio(cell.pairedRatio.median)} (${ratio(cell.ratio)})`,
    `${figure(cpuPerWrite(cell, 'handler'))} / ${figure(cpuPerWrite(cell, 'floor'))}`,
  ];
  return markdownTable(
    [
      'workload',
      { title: 'entries', align: 'right' },
      { title: 'writes', align: 'right' },
      'handler ms',
      'floor ms',
      { title: 'handler − floor ms', align: 'right' },
      'handler / floor: paired (of medians)',
      'CPU µs per write: handler / floor',
    ],
    [
      ...results.latency.map((cell) => row(cell, scenarioTitles[cell.scenario])),
      row(results.idempotency, `${scenarioTitles[results.idempotency.scenario]} with an Idempotency-Key`),
    ],
  );
}

function cpuTable({ cpu }: BenchResults): string {
  return markdownTable(
    ['part', 'what', 'CPU µs per entry'],
    [
      [
        'handler',
        `the whole handler on the ${cpu.entries}-entry mix, in-memory writer, no request guards`,
        range(cpu.handlerCpuMicrosPerEntry),
      ],
      ...cpu.phases.map((phase) => [`\`${phase.phase}\``, phase.description, range(phase.cpuMicrosPerEntry)]),
    ],
  );
}

function coldStartTable({ coldStart }: BenchResults): string {
  const mib = (value: number) => value.toFixed(0);
  return markdownTable(
    [
      'bundle',
      'first event',
      { title: 'size', align: 'right' },
      { title: 'gzip', align: 'right' },
      { title: 'map', align: 'right' },
      'import ms',
      { title: 'import CPU ms', align: 'right' },
      'first event ms',
      'total ms',
      { title: '× baseline', align: 'right' },
      { title: 'memory MiB', align: 'right' },
    ],
    coldStart.bundles.map((figures) => [
      bundleTitles[figures.bundle],
      figures.firstEvent,
      kib(figures.bytes),
      kib(figures.gzipBytes),
      figures.sourceMapBytes ? kib(figures.sourceMapBytes) : '—',
      range(figures.importMs),
      figure(figures.importCpuMs.median),
      range(figures.firstEventMs),
      range(figures.totalMs),
      figures.bundle === 'baseline' ? '1' : ratio(figures.totalToBaseline.median),
      mib(figures.rssMiB.median),
    ]),
  );
}

function seriesTable({ series }: BenchResults): string {
  if (!series) return notMeasured;
  return markdownTable(
    [
      { title: 'days', align: 'right' },
      { title: 'points', align: 'right' },
      { title: 'items read', align: 'right' },
      { title: 'latency ms', align: 'right' },
      { title: 'raw: items read', align: 'right' },
      { title: 'raw: latency ms', align: 'right' },
    ],
    series.cells.map((cell) => [
      String(cell.days),
      String(cell.points),
      count(cell.itemsRead),
      range(cell.latencyMs),
      count(cell.raw.itemsRead),
      range(cell.raw.latencyMs),
    ]),
  );
}

function lifecycleExportTable({ lifecycle }: BenchResults): string {
  if (!lifecycle) return notMeasured;
  // The export of a user with no rows: starting the process, the first Query, an empty file.
  const empty = lifecycle.exports.find((figures) => figures.rows === 0);
  return markdownTable(
    [
      { title: 'rows', align: 'right' },
      { title: 'file MB', align: 'right' },
      's (process start to exit)',
      { title: 'rows/s', align: 'right' },
      { title: 'rows/s after start-up', align: 'right' },
      'peak RSS MB',
    ],
    lifecycle.exports.map((figures) => [
      count(figures.rows),
      figure(figures.fileBytes / 1e6),
      range(figures.seconds),
      figures.rows === 0 ? '—' : count(Math.round(rowsPerSecond(figures.rows, figures.seconds.median))),
      figures.rows === 0 || !empty
        ? '—'
        : count(Math.round(rowsPerSecond(figures.rows, figures.seconds.median - empty.seconds.median))),
      range(figures.peakRssBytes, megabytes),
    ]),
  );
}

function lifecycleWritesTable({ lifecycle }: BenchResults): string {
  if (!lifecycle) return notMeasured;
  return markdownTable(
    [
      'tool',
      { title: 'rows', align: 'right' },
      { title: 'requests', align: 'right' },
      { title: 'at once', align: 'right' },
      { title: 'tool s', align: 'right' },
      { title: 'floor s', align: 'right' },
      { title: 'tool rows/s', align: 'right' },
      { title: 'floor rows/s', align: 'right' },
      { title: 'tool / floor', align: 'right' },
    ],
    lifecycle.writes.map((cell) => [
      `\`${cell.tool}-user\``,
      count(cell.rows),
      count(cell.requests),
      String(cell.concurrency),
      figure(cell.toolSeconds),
      figure(cell.floorSeconds),
      count(Math.round(rowsPerSecond(cell.rows, cell.toolSeconds))),
      count(Math.round(rowsPerSecond(cell.rows, cell.floorSeconds))),
      ratio(cell.floorSeconds / cell.toolSeconds),
    ]),
  );
}

/** Every generated table of docs/benchmarks.md, by the name its marker carries. */
export const benchTables = {
  targets: targetsTable,
  run: runTable,
  latency: latencyTable,
  cpu: cpuTable,
  'cold-start': coldStartTable,
  series: seriesTable,
  'lifecycle-export': lifecycleExportTable,
  'lifecycle-writes': lifecycleWritesTable,
} as const satisfies Record<string, (results: BenchResults) => string>;

export type TableName = keyof typeof benchTables;

export function renderTables(results: BenchResults): Record<TableName, string> {
  return Object.fromEntries(
    Object.entries(benchTables).map(([name, table]) => [name, table(results)]),
  ) as Record<TableName, string>;
}
