/**
 * The report's charts, drawn by Vega (a declarative charting library) as SVG in Node: no
 * browser, no canvas, no native dependency. Vega is ESM-only, hence the dynamic import.
 */

export interface ChartPoint {
  readonly x: number;
  /** Line colour: one per series. */
  readonly series: string;
  /** Solid for the handler, dashed for the floor. */
  readonly path: 'handler' | 'floor';
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface LineChart {
  readonly title: string;
  readonly subtitle: string;
  readonly xTitle: string;
  /** `linear` puts the x values at their distance; `point` spaces them evenly (e.g. 1, 8, 16, 32, 64). */
  readonly xScale: 'linear' | 'point';
  readonly xValues: readonly number[];
  readonly yTitle: string;
  readonly points: readonly ChartPoint[];
}

function spec(chart: LineChart): object {
  const points = [...chart.points].sort((a, b) => a.x - b.x);
  const series = [...new Set(points.map((point) => point.series))];
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: 760,
    height: 340,
    padding: 10,
    background: 'white',
    title: {
      text: chart.title,
      subtitle: chart.subtitle,
      anchor: 'start',
      fontSize: 14,
      subtitleFontSize: 11,
    },
    data: [{ name: 'points', values: points }],
    scales: [
      chart.xScale === 'linear'
        ? { name: 'x', type: 'linear', domain: [0, Math.max(...chart.xValues)], range: 'width', nice: false }
        : { name: 'x', type: 'point', domain: chart.xValues, range: 'width', padding: 0.5 },
      {
        name: 'y',
        type: 'linear',
        domain: { data: 'points', field: 'max' },
        range: 'height',
        nice: true,
        zero: true,
      },
      { name: 'color', type: 'ordinal', domain: series, range: 'category' },
      {
        name: 'dash',
        type: 'ordinal',
        domain: ['handler', 'floor'],
        range: [
          [1, 0],
          [6, 4],
        ],
      },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: chart.xTitle, values: chart.xValues, grid: false },
      { orient: 'left', scale: 'y', title: chart.yTitle, grid: true, gridOpacity: 0.4 },
    ],
    legends: [
      {
        stroke: 'color',
        title: 'workload',
        orient: 'top-left',
        symbolType: 'stroke',
        symbolStrokeWidth: 2,
        offset: 6,
      },
      {
        strokeDash: 'dash',
        title: 'path',
        orient: 'top-left',
        symbolType: 'stroke',
        symbolStrokeWidth: 2,
        offset: 6,
        direction: 'horizontal',
        legendY: 0,
      },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'line', data: 'points', groupby: ['series', 'path'] } },
        marks: [
          {
            type: 'line',
            from: { data: 'line' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x', offset: { signal: "datum.path === 'handler' ? -4 : 4" } },
                y: { scale: 'y', field: 'median' },
                stroke: { scale: 'color', field: 'series' },
                strokeDash: { scale: 'dash', field: 'path' },
                strokeWidth: { value: 2 },
              },
            },
          },
        ],
      },
      {
        type: 'rule',
        from: { data: 'points' },
        encode: {
          enter: {
            // Handler and floor bars side by side rather than on top of each other.
            x: { scale: 'x', field: 'x', offset: { signal: "datum.path === 'handler' ? -4 : 4" } },
            y: { scale: 'y', field: 'min' },
            y2: { scale: 'y', field: 'max' },
            stroke: { scale: 'color', field: 'series' },
            strokeWidth: { value: 4 },
            strokeOpacity: { value: 0.35 },
          },
        },
      },
      {
        type: 'symbol',
        from: { data: 'points' },
        encode: {
          enter: {
            x: { scale: 'x', field: 'x', offset: { signal: "datum.path === 'handler' ? -4 : 4" } },
            y: { scale: 'y', field: 'median' },
            stroke: { scale: 'color', field: 'series' },
            fill: { signal: "datum.path === 'handler' ? scale('color', datum.series) : 'white'" },
            size: { value: 36 },
            tooltip: { signal: "datum.series + ' ' + datum.path + ': ' + format(datum.median, '.1f')" },
          },
        },
      },
    ],
  };
}

/** The chart as an SVG document. */
export async function renderSvg(chart: LineChart): Promise<string> {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(spec(chart) as never), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}
