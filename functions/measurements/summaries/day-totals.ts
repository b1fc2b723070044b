/**
 * `GET /api/measurements?groupBy=day` for a cumulative type (docs/read-api.md,
 * "groupBy=day"): the rows read become one total per local day of the user.
 */
import type { CumulativeType } from '../../../definitions/cumulative-types';
import { epochMsOf, isoOf, localDateOf, localNoon } from './local-time';
import { withoutBinaryNoise } from './rounding';
import { highestSourceMask } from './source-ladder';
import type { SummaryRow } from './summary-row';

/**
 * Cumulative types whose day keeps every source instead of the highest one (step 3). Daylight and
 * falls are not recorded twice by two sources the way steps or energy are, so dropping a source
 * would lose real minutes and real falls.
 */
const keepsEverySource: ReadonlySet<CumulativeType> = new Set(['TIME_IN_DAYLIGHT', 'FALL_COUNT']);

export type DayTotalInputRow = Pick<SummaryRow, 'value' | 'unit' | 'source' | 'measuredAt'>;

export interface DayTotalsInput {
  /** The rows read (step 1): newest first, `from`/`to`/`sourceEq` applied, at most `limit`. */
  readonly rows: readonly DayTotalInputRow[];
  readonly type: CumulativeType;
  /** The user's IANA zone. */
  readonly zone: string;
  /** Whether reading stopped at `limit`, so the oldest day may miss rows. */
  readonly hitLimit: boolean;
  /**
   * The `measuredAt` of the row a previous page ended with, when this page continues it: that
   * row's day, if it is this page's newest, had rows on the previous page too.
   */
  readonly continuesAfter?: string;
}

export interface DayTotalRow {
  readonly id: string;
  readonly type: CumulativeType;
  readonly value: number;
  readonly unit: string;
  readonly source: string;
  /** 12:00 local time of the day: inside the day whatever the client's zone, and clear of DST switches. */
  readonly measuredAt: string;
  readonly notes: null;
  readonly dayKey: string;
  readonly sampleCount: number;
  /**
   * Present (and true) only on a day that may miss rows: the oldest, when reading hit `limit`, and
   * the newest, when a previous page ended inside it; absent otherwise.
   */
  readonly partial?: true;
}

export interface DayTotals {
  /** Newest day first. */
  readonly days: DayTotalRow[];
  /** Rows read minus rows kept (meta.droppedDuplicates). */
  readonly droppedDuplicates: number;
}

interface DayBucket {
  readonly dayKey: string;
  sum: number;
  count: number;
  /** Index of the day's newest kept row. */
  newest: number;
}

/** Steps 2–5 of groupBy=day over the rows step 1 read. */
export function dayTotals(input: DayTotalsInput): DayTotals {
  const { rows, type, zone, hitLimit, continuesAfter } = input;
  // Parallel arrays instead of an object per row: the same code runs over whole histories.
  const at = new Float64Array(rows.length);
  const dayKeys = new Array<string>(rows.length);
  rows.forEach((row, i) => {
    at[i] = epochMsOf(row.measuredAt);
    dayKeys[i] = localDateOf(at[i]!, zone);
  });
  const kept = keepsEverySource.has(type)
    ? new Uint8Array(rows.length).fill(1)
    : highestSourceMask(
        rows.length,
        (i) => rows[i]!.source,
        (i) => dayKeys[i]!,
      );

  const byDay = new Map<string, DayBucket>();
  let bucket: DayBucket | undefined;
  let keptCount = 0;
  rows.forEach((row, i) => {
    if (!kept[i]) return;
    keptCount += 1;
    const dayKey = dayKeys[i]!;
    // Rows come newest first, so a row's day is usually the previous row's.
    if (bucket?.dayKey !== dayKey) bucket = byDay.get(dayKey);
    if (!bucket) {
      bucket = { dayKey, sum: 0, count: 0, newest: i };
      byDay.set(dayKey, bucket);
    }
    bucket.sum += row.value;
    bucket.count += 1;
    // Equal instants keep the row read first: rows arrive newest first.
    if (at[i]! > at[bucket.newest]!) bucket.newest = i;
  });

  const newestDayFirst = [...byDay.values()].sort((a, b) => (a.dayKey < b.dayKey ? 1 : -1));
  const oldest = newestDayFirst.at(-1);
  const continued = continuesAfter === undefined ? undefined : localDateOf(epochMsOf(continuesAfter), zone);
  const isPartial = (day: DayBucket, index: number) =>
    (hitLimit && day === oldest) || (index === 0 && day.dayKey === continued);
  return {
    days: newestDayFirst.map((day, index) => {
      const newest = rows[day.newest]!;
      return {
        id: `day:${type}:${day.dayKey}`,
        type,
        value: withoutBinaryNoise(day.sum),
        unit: newest.unit,
        source: newest.source,
        measuredAt: isoOf(localNoon(day.dayKey, zone)),
        notes: null,
        dayKey: day.dayKey,
        sampleCount: day.count,
        ...(isPartial(day, index) ? { partial: true as const } : {}),
      };
    }),
    droppedDuplicates: rows.length - keptCount,
  };
}
