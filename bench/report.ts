import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { renderSvg, type LineChart } from './chart';
import { fillGeneratedTables } from './generated-blocks';
import type { BenchResults } from './results';
import { renderTables } from './tables';
import { scenarioTitles } from './workloads';

/**
 * What `npm run bench` writes into `outDir`: the raw results (benchmarks/results.json), the
 * charts (benchmarks/*.svg), and benchmarks.md — the hand-written `document` with its generated
 * tables filled from the results and every other line as it is.
 */

function latencyChart(results: BenchResults): LineChart {
  return {
    title: 'Batch latency vs batch size: handler (solid) and engine floor (dashed)',
    subtitle:
      `DynamoDB Local, ${results.settings.defaultConcurrency} writes in flight; median of ` +
      `${results.settings.measuredRuns} runs, bars min–max; ${results.machine.cpuModel} × ${results.machine.cores}`,
    xTitle: 'entries per batch',
    xScale: 'linear',
    xValues: results.settings.sizes,
    yTitle: 'ms per batch',
    points: results.latency.flatMap((cell) =>
      (['handler', 'floor'] as const).map((path) => ({
        x: cell.entries,
        series: scenarioTitles[cell.scenario],
        path,
        median: cell[path].wallMs.median,
        min: cell[path].wallMs.min,
        max: cell[path].wallMs.max,
      })),
    ),
  };
}

/** The charts by file name (under benchmarks/); the document must show each. */
const charts: Readonly<Record<string, (results: BenchResults) => LineChart>> = {
  'latency-vs-batch-size.svg': latencyChart,
};

/** Writes the results, the charts and the filled document into `outDir`; returns the paths. */
export async function writeReport(
  results: BenchResults,
  { document, outDir }: { readonly document: string; readonly outDir: string },
): Promise<string[]> {
  const assets = join(outDir, 'benchmarks');
  mkdirSync(assets, { recursive: true });
  const link = (path: string) => relative(outDir, path).split('\\').join('/');
  const filled = fillGeneratedTables(readFileSync(document, 'utf8'), renderTables(results));
  const files: Array<[string, string]> = [
    [join(outDir, 'benchmarks.md'), filled],
    [join(assets, 'results.json'), await formattedJson(results, join(assets, 'results.json'))],
  ];
  for (const [name, chart] of Object.entries(charts)) {
    const path = join(assets, name);
    if (!filled.includes(`](${link(path)})`))
      throw new Error(`${document} does not show the chart ${link(path)}`);
    files.push([path, await renderSvg(chart(results))]);
  }
  for (const [path, text] of files) writeFileSync(path, text);
  return files.map(([path]) => path);
}

/**
 * The repository's Prettier style (wherever the file is written), so `npm run format` leaves the
 * committed results file as it is.
 */
async function formattedJson(value: unknown, path: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(__filename)) ?? {};
  return prettier.format(JSON.stringify(value, null, 2), { ...options, filepath: path });
}
