/**
 * `GET /api/measurements?groupBy=day` for a cumulative type (contract/measurements-api.md,
 * "groupBy=day"): the rows read become one total per local day of the user.
 */
import { epochMsOf, isoOf, localDateOf, localNoon } from './local-time';
import { withoutBinaryNoise } from './rounding';
import { keepHighestSourcePerGroup } from './source-ladder';
import type { SummaryRow } from './summary-row';

/**
 * The cumulative types, and whether a day keeps every source instead of the highest one (step 3).
 * Daylight and falls are not recorded twice by two sources the way steps or energy are, so
 * dropping a source would lose real minutes and real falls.
 */
export const cumulativeTypes = {
  ACTIVITY_STEPS: { keepsEverySource: false },
  ACTIVE_ENERGY_BURNED: { keepsEverySource: false },
  FLIGHTS_CLIMBED: { keepsEverySource: false },
  WALKING_RUNNING_DISTANCE: { keepsEverySource: false },
  TIME_IN_DAYLIGHT: { keepsEverySource: true },
  FALL_COUNT: { keepsEverySource: true },
} as const satisfies Record<string, { readonly keepsEverySource: boolean }>;

export type CumulativeType = keyof typeof cumulativeTypes;

/** Whether `groupBy=day` applies to `type`; for any other type the plain list answers. */
export function isCumulativeType(type: string): type is CumulativeType {
  return Object.hasOwn(cumulativeTypes, type);
}

export type DayTotalInputRow = Pick<SummaryRow, 'value' | 'unit' | 'source' | 'measuredAt'>;

export interface DayTotalsInput {
  /** The rows read (step 1): newest first, `from`/`to`/`sourceEq` applied, at most `limit`. */
  readonly rows: readonly DayTotalInputRow[];
  readonly type: CumulativeType;
  /** The user's IANA zone. */
  readonly zone: string;
  /** Whether reading stopped at `limit`, so the oldest day may miss rows. */
  readonly hitLimit: boolean;
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
  /** Present (and true) only on the oldest day, only when reading hit `limit`; absent otherwise. */
  readonly partial?: true;
}

export interface DayTotals {
  /** Newest day first. */
  readonly days: DayTotalRow[];
  /** Rows read minus rows kept (meta.droppedDuplicates). */
  readonly droppedDuplicates: number;
}

interface DatedRow {
  readonly source: string;
  readonly row: DayTotalInputRow;
  readonly at: number;
  readonly dayKey: string;
}

interface DayBucket {
  readonly dayKey: string;
  sum: number;
  count: number;
  newest: DatedRow;
}

/** Steps 2–5 of groupBy=day over the rows step 1 read. */
export function dayTotals(input: DayTotalsInput): DayTotals {
  const { rows, type, zone, hitLimit } = input;
  const dated = rows.map((row): DatedRow => {
    const at = epochMsOf(row.measuredAt);
    return { source: row.source, row, at, dayKey: localDateOf(at, zone) };
  });
  const kept = cumulativeTypes[type].keepsEverySource
    ? dated
    : keepHighestSourcePerGroup(dated, (entry) => entry.dayKey);

  const byDay = new Map<string, DayBucket>();
  for (const entry of kept) {
    const bucket = byDay.get(entry.dayKey);
    if (!bucket) {
      byDay.set(entry.dayKey, { dayKey: entry.dayKey, sum: entry.row.value, count: 1, newest: entry });
      continue;
    }
    bucket.sum += entry.row.value;
    bucket.count += 1;
    // Equal instants keep the row read first: rows arrive newest first.
    if (entry.at > bucket.newest.at) bucket.newest = entry;
  }

  const newestDayFirst = [...byDay.values()].sort((a, b) => (a.dayKey < b.dayKey ? 1 : -1));
  const oldest = newestDayFirst.at(-1);
  return {
    days: newestDayFirst.map((bucket) => ({
      id: `day:${type}:${bucket.dayKey}`,
      type,
      value: withoutBinaryNoise(bucket.sum),
      unit: bucket.newest.row.unit,
      source: bucket.newest.row.source,
      measuredAt: isoOf(localNoon(bucket.dayKey, zone)),
      notes: null,
      dayKey: bucket.dayKey,
      sampleCount: bucket.count,
      ...(hitLimit && bucket === oldest ? { partial: true as const } : {}),
    })),
    droppedDuplicates: rows.length - kept.length,
  };
}
