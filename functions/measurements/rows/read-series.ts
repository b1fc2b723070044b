import type { StoredMeasurement } from '../model/measurement';
import type { ValidationIssue } from '../model/validation-issues';
import { finishStats } from '../summaries/series-stats';
import {
  accumulatorOfAggregates,
  aggregateDays,
  dayBucketsFromAggregates,
  hourBucketsFromAggregates,
  type DailyAggregate,
} from '../summaries/daily-aggregate';
import { utcDateOf } from '../summaries/local-time';
import { seriesAnswer, type SeriesAnswer } from '../summaries/series-answer';
import { seriesKinds, type SeriesKind, type SeriesKindSpec } from '../summaries/series-kinds';
import { denseResolution } from '../summaries/series-points';
import { fittingCount, type AnswerBudget } from './answer-budget';
import { decodeSeriesCursor, encodeSeriesCursor, type PointPosition } from './position-cursors';
import type { DailyAggregateReader, MeasurementRowStore } from './row-store';

/** `GET /api/measurements/series`, as the handler validated it. */
export interface SeriesQuery {
  readonly kind: SeriesKind;
  /** 1–3650: the window is the last `days × 24 h` up to now. */
  readonly days: number;
  /** The `nextCursor` of a previous answer of this kind: the points after the last one it held. */
  readonly cursor?: string;
}

export interface SeriesInput {
  readonly userId: string;
  /** The caller's IANA zone: daily buckets and wake days are the user's. */
  readonly timeZone: string;
  readonly query: SeriesQuery;
  readonly now: Date;
  /** Where the answer stops by size: the points that would outgrow it go to the next page. */
  readonly budget?: AnswerBudget;
}

export interface SeriesRead {
  readonly series: SeriesAnswer;
  /** Rows and daily aggregates read to answer: what the request cost (logged, benchmarked). */
  readonly itemsRead: number;
}

export type SeriesOutcome =
  | ({ readonly status: 'read' } & SeriesRead)
  | { readonly status: 'invalid'; readonly issues: readonly ValidationIssue[] };

export const invalidSeriesCursorIssue: ValidationIssue = {
  path: 'cursor',
  code: 'invalid_cursor',
  message: 'Expected the nextCursor of a previous answer of this same chart',
};

export interface SeriesDependencies {
  readonly rows: Pick<MeasurementRowStore, 'readRows'>;
  readonly aggregates: DailyAggregateReader;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Sleep charts look back at most a year, whatever `days` asks for. */
const SLEEP_MAX_DAYS = 365;

/**
 * A chart's points and stats. Dense kinds (heart rate, glucose, oxygen saturation, HRV) with many
 * rows are answered from the stored daily aggregates of the window's whole UTC days and the rows of
 * its two partial edge days — reads that grow with the days asked for, not with the rows stored;
 * everything else from the window's rows.
 */
export async function readSeries(input: SeriesInput, deps: SeriesDependencies): Promise<SeriesOutcome> {
  const { cursor, kind } = input.query;
  const after = cursor === undefined ? undefined : decodeSeriesCursor(cursor, input.userId, kind);
  if (cursor !== undefined && !after) return { status: 'invalid', issues: [invalidSeriesCursorIssue] };
  const { series, itemsRead } = await readWholeSeries(input, deps);
  return { status: 'read', series: pageOfSeries(input.userId, series, after, input.budget), itemsRead };
}

/** Points are ordered by `at`, then by `id` (summaries/series-points.ts): this is that order. */
function comparePosition(point: PointPosition, position: PointPosition): number {
  if (point.at !== position.at) return point.at < position.at ? -1 : 1;
  return point.id === position.id ? 0 : point.id < position.id ? -1 : 1;
}

/**
 * The points after `after` (all of them without), cut where the answer would outgrow the budget;
 * the cursor then names the last point kept. Stats stay the whole window's on every page.
 */
function pageOfSeries(
  userId: string,
  series: SeriesAnswer,
  after: PointPosition | undefined,
  budget: AnswerBudget | undefined,
): SeriesAnswer {
  const start = after === undefined ? 0 : series.points.findIndex((p) => comparePosition(p, after) > 0);
  const rest = start === -1 ? [] : series.points.slice(start);
  if (!budget) return { ...series, points: rest };
  const cursorAfter = (count: number) => encodeSeriesCursor(userId, series.kind, rest[count - 1]!);
  const empty = budget.bytesOf({ ...series, points: [] });
  // A cursor is one more property at the end of the answer: a comma and `"nextCursor":"…"`.
  const kept = fittingCount(rest, budget.maxBytes - empty, budget.costOf, (count) =>
    count === rest.length ? 0 : budget.costOf({ nextCursor: cursorAfter(count) }) - budget.costOf({}) + 1,
  );
  return kept === rest.length
    ? { ...series, points: rest }
    : { ...series, points: rest.slice(0, kept), nextCursor: cursorAfter(kept) };
}

async function readWholeSeries(input: SeriesInput, deps: SeriesDependencies): Promise<SeriesRead> {
  const spec = seriesKinds[input.query.kind];
  if (spec.points === 'dense') return readDenseSeries(input, spec, deps);
  const days = spec.points === 'nights' ? Math.min(input.query.days, SLEEP_MAX_DAYS) : input.query.days;
  const from = input.now.getTime() - days * DAY_MS;
  const rows = await readWindow(input, spec.types, from, input.now.getTime(), deps);
  return {
    series: seriesAnswer(input.query.kind, { rows, days: input.query.days, zone: input.timeZone }),
    itemsRead: rows.length,
  };
}

async function readWindow(
  { userId }: SeriesInput,
  types: readonly string[],
  fromMs: number,
  toMs: number,
  deps: SeriesDependencies,
): Promise<StoredMeasurement[]> {
  if (toMs < fromMs) return [];
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const reads = await Promise.all(types.map((type) => deps.rows.readRows({ userId, type, from, to })));
  return reads.flatMap(({ items }) => items);
}

/**
 * The window `[now − days × 24 h, now]` is its first, partial UTC day, the whole UTC days after
 * it, and today (partial, and the day whose aggregate the stream may not have caught up with yet).
 * The edges are read as rows; the whole days as aggregates. Only when the answer must be raw points
 * (up to 90 days and at most 10,000 rows) are the whole days' rows read too.
 */
async function readDenseSeries(
  input: SeriesInput,
  spec: SeriesKindSpec,
  deps: SeriesDependencies,
): Promise<SeriesRead> {
  const { userId, query, now, timeZone } = input;
  const type = spec.types[0]!;
  const end = now.getTime();
  const start = end - query.days * DAY_MS;
  const today = Math.floor(end / DAY_MS) * DAY_MS;
  const firstWholeDay = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastWholeDay = today - DAY_MS;
  const hasWholeDays = firstWholeDay <= lastWholeDay;

  const [leadingRows, trailingRows, stored] = await Promise.all([
    readWindow(input, [type], start, Math.min(firstWholeDay, today) - 1, deps),
    readWindow(input, [type], Math.max(today, start), end, deps),
    hasWholeDays
      ? deps.aggregates.readAggregates(userId, type, utcDateOf(firstWholeDay), utcDateOf(lastWholeDay))
      : Promise.resolve([] as readonly DailyAggregate[]),
  ]);
  const edgeRows = [...leadingRows, ...trailingRows];
  let itemsRead = edgeRows.length + stored.length;
  const rowCount = edgeRows.length + stored.reduce((sum, aggregate) => sum + aggregate.count, 0);

  const resolution = denseResolution(query.days, rowCount);
  if (resolution === 'raw') {
    const wholeDays = hasWholeDays ? await readWindow(input, [type], firstWholeDay, today - 1, deps) : [];
    itemsRead += wholeDays.length;
    const rows = [...leadingRows, ...wholeDays, ...trailingRows];
    return { series: seriesAnswer(query.kind, { rows, days: query.days, zone: timeZone }), itemsRead };
  }

  const aggregates = [...stored, ...aggregateDays(edgeRows, spec)];
  const points =
    resolution === 'day'
      ? dayBucketsFromAggregates(aggregates, timeZone, spec)
      : hourBucketsFromAggregates(aggregates, spec);
  return {
    series: {
      kind: query.kind,
      unit: spec.unit,
      points,
      stats: finishStats(accumulatorOfAggregates(aggregates)),
    },
    itemsRead,
  };
}
