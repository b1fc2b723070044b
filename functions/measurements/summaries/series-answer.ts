/**
 * The body of `GET /api/measurements/series?kind=&days=` from the window's rows: the kind's table
 * row picks the point shape, the shape's builder makes points and stats.
 */
import { sleepSeriesPoints, type NightPoint } from './sleep-nights';
import { seriesKinds, type PointShape, type SeriesKind, type SeriesKindSpec } from './series-kinds';
import {
  denseSeries,
  pairSeries,
  rawSeries,
  type DensePoint,
  type PairPoint,
  type RawPoint,
  type ShapedSeries,
} from './series-points';
import { statsOf, type SeriesStats } from './series-stats';
import type { SummaryRow } from './summary-row';

export type SeriesPoint = RawPoint | PairPoint | DensePoint | NightPoint;

export interface SeriesInput {
  /** The window's live rows of the kind's types (the last `days × 24 h` up to now). */
  readonly rows: readonly SummaryRow[];
  readonly days: number;
  /** The user's IANA zone: daily buckets and wake days are local. */
  readonly zone: string;
}

export interface SeriesAnswer {
  readonly kind: SeriesKind;
  readonly unit: string;
  readonly points: SeriesPoint[];
  readonly stats: SeriesStats;
  /** Only when the points continue on another page (an answer that would outgrow its byte budget). */
  readonly nextCursor?: string;
}

/** The rows of one type; the usual case, every row of the kind's one type, copies nothing. */
const ofType = (rows: readonly SummaryRow[], type: string | undefined) =>
  rows.every((row) => row.type === type) ? rows : rows.filter((row) => row.type === type);

const shapeBuilders: Readonly<
  Record<PointShape, (spec: SeriesKindSpec, input: SeriesInput) => ShapedSeries<SeriesPoint>>
> = {
  raw: (spec, { rows }) => rawSeries(ofType(rows, spec.types[0]), spec),
  pairs: (spec, { rows }) => pairSeries(ofType(rows, spec.types[0]), ofType(rows, spec.types[1])),
  dense: (spec, { rows, days, zone }) => denseSeries(ofType(rows, spec.types[0]), spec, { days, zone }),
  // A night's value is the point's rounded hours: that is the number the chart shows for it.
  nights: (spec, { rows, zone }) => {
    const points = sleepSeriesPoints(ofType(rows, spec.types[0]), zone);
    return { points, stats: statsOf(points.map((point) => point.value)) };
  },
};

export function seriesAnswer(kind: SeriesKind, input: SeriesInput): SeriesAnswer {
  const spec = seriesKinds[kind];
  const { points, stats } = shapeBuilders[spec.points](spec, input);
  return { kind, unit: spec.unit, points, stats };
}
