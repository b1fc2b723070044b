import { aggregatedTypes } from '../../../definitions/daily-aggregates-table';
import { mapWithConcurrency } from '../../commons/bounded-concurrency';
import type { StoredMeasurement } from '../model/measurement';
import { aggregateDay } from '../summaries/daily-aggregate';
import { utcDateOf } from '../summaries/local-time';
import { denseKindOfType, seriesKinds } from '../summaries/series-kinds';
import type { AggregateDay, AggregateVersion, AggregateWrite, DailyAggregateStore } from './aggregate-store';

/** One item change of the measurements table: its images before and after (as the stream has them). */
export interface RowChange {
  /** Identifies the change for a retry (the stream record's sequence number). */
  readonly id: string;
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
}

/** What one change says about one row on one day: its state after the change, as of `updatedAt`. */
export interface RowState {
  readonly pk: string;
  readonly updatedAt: string;
  /** The row as it now is on that day, or null when it is no longer a live row of that day. */
  readonly row: StoredMeasurement | null;
}

export interface DayToRecompute {
  readonly day: AggregateDay;
  /** The newest state of every changed row on that day, by key. */
  readonly changed: ReadonlyMap<string, RowState>;
  /** The changes that touched the day (to retry when its recompute fails). */
  readonly changeIds: readonly string[];
}

const aggregated: ReadonlySet<string> = new Set(aggregatedTypes);
const measurementKinds: ReadonlySet<string> = new Set(['stats', 'sample', 'manual']);

function asRow(image: Readonly<Record<string, unknown>> | undefined): StoredMeasurement | undefined {
  if (!image) return undefined;
  const { pk, userId, type, kind, measuredAt, updatedAt, value } = image;
  const readable =
    typeof pk === 'string' &&
    typeof userId === 'string' &&
    typeof type === 'string' &&
    typeof kind === 'string' &&
    typeof measuredAt === 'string' &&
    typeof updatedAt === 'string' &&
    typeof value === 'number' &&
    aggregated.has(type) &&
    measurementKinds.has(kind);
  return readable ? (image as unknown as StoredMeasurement) : undefined;
}

const dayOf = (row: StoredMeasurement) => utcDateOf(Date.parse(row.measuredAt));
/** Identifies one (user, type, UTC day) aggregate within a batch. */
export const aggregateDayKey = ({ userId, type, day }: AggregateDay) => `${userId}#${type}#${day}`;

/**
 * When the new image is a row's tombstone (model/tombstone.ts), the instant of the soft delete:
 * a tombstone keeps neither the value nor (but on a hand-entered row) the instant, so it is no
 * readable row, yet it says the row left its day at that moment.
 */
function deletedAt(image: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const { deletedAt: at, updatedAt } = image ?? {};
  return typeof at === 'string' && typeof updatedAt === 'string' ? updatedAt : undefined;
}

/**
 * The (user, type, UTC day) aggregates a batch of changes touches, each with the newest state of
 * every changed row. An edit that moves a row to another day touches both days: on the old one
 * the row is gone. A soft-deleted row is gone from its day — the old image's day, since the
 * tombstone has none — as of the delete.
 */
export function daysToRecompute(changes: readonly RowChange[]): DayToRecompute[] {
  const days = new Map<string, { day: AggregateDay; changed: Map<string, RowState>; changeIds: string[] }>();
  const note = (row: StoredMeasurement, state: RowState, changeId: string) => {
    const day: AggregateDay = { userId: row.userId, type: row.type, day: dayOf(row) };
    const key = aggregateDayKey(day);
    let entry = days.get(key);
    if (!entry) days.set(key, (entry = { day, changed: new Map(), changeIds: [] }));
    if (!entry.changeIds.includes(changeId)) entry.changeIds.push(changeId);
    const known = entry.changed.get(state.pk);
    if (!known || known.updatedAt <= state.updatedAt) entry.changed.set(state.pk, state);
  };
  for (const change of changes) {
    const before = asRow(change.oldImage);
    const after = asRow(change.newImage);
    const stamp = after?.updatedAt ?? deletedAt(change.newImage) ?? before?.updatedAt;
    if (stamp === undefined) continue;
    const live = after !== undefined && after.deletedAt === undefined;
    if (after) note(after, { pk: after.pk, updatedAt: after.updatedAt, row: live ? after : null }, change.id);
    if (before && (!after || dayOf(before) !== dayOf(after))) {
      // The row left this day (deleted outright or soft-deleted to a tombstone, or its instant moved).
      note(before, { pk: before.pk, updatedAt: stamp, row: null }, change.id);
    }
  }
  return [...days.values()];
}

/**
 * The rows of the day as they stand after the changes: what the index returned, with every
 * changed row whose index entry is older than the change replaced by the change's own state (the
 * index may not have caught up with the write the change reports yet).
 */
export function dayRows(
  indexed: readonly StoredMeasurement[],
  changed: ReadonlyMap<string, RowState>,
): StoredMeasurement[] {
  const rows = new Map(indexed.map((row) => [row.pk, row]));
  for (const state of changed.values()) {
    const current = rows.get(state.pk);
    if (current && current.updatedAt >= state.updatedAt) continue;
    if (state.row) rows.set(state.pk, state.row);
    else rows.delete(state.pk);
  }
  return [...rows.values()];
}

/** See `AggregateVersion`: the latest write the rows reflect, and how many rows reflect it. */
export function aggregateVersion(
  rows: readonly StoredMeasurement[],
  changed: ReadonlyMap<string, RowState>,
): AggregateVersion {
  const stamps = [
    ...rows.map((row) => row.updatedAt),
    ...[...changed.values()].filter((s) => !s.row).map((s) => s.updatedAt),
  ];
  const latest = stamps.reduce((max, stamp) => (stamp > max ? stamp : max), '');
  const atLatest = stamps.filter((stamp) => stamp === latest).length;
  return `${latest}#${String(atLatest).padStart(6, '0')}`;
}

/** How storing a day's aggregate ended, and the version the aggregate claimed. */
export interface StoredDay {
  readonly result: AggregateWrite;
  readonly version: AggregateVersion;
}

/**
 * The aggregate of one day computed from `rows` (all of that day's live rows of the type), stored
 * unless one from more complete rows is already there: the one step the stream's recompute, the
 * settle recompute and an operator's rebuild share. `versionFloor` is a version the read is known
 * to be complete for (a settle recompute's or a rebuild's: every write older than the settle time
 * had reached the index when it read); the aggregate then claims at least that. Without
 * `createEmpty` a day with no rows only clears an aggregate that is stored, and creates none.
 */
export async function storeDayAggregate(
  store: Pick<DailyAggregateStore, 'writeAggregate'>,
  day: AggregateDay,
  rows: readonly StoredMeasurement[],
  options: {
    readonly changed?: ReadonlyMap<string, RowState>;
    readonly versionFloor?: AggregateVersion;
    readonly createEmpty?: boolean;
  } = {},
): Promise<StoredDay> {
  const kind = denseKindOfType(day.type);
  if (!kind) throw new RangeError(`${day.type} has no daily aggregates`);
  const own = aggregateVersion(rows, options.changed ?? new Map());
  const floor = options.versionFloor;
  const version = floor !== undefined && floor > own ? floor : own;
  const aggregate = aggregateDay(rows, seriesKinds[kind]);
  const replaceOnly = aggregate === null && options.createEmpty === false;
  const result = await store.writeAggregate(day, aggregate, version, { replaceOnly });
  return { result, version };
}

/** The version of a read known to hold every write made before `instant`. */
export function versionAsOf(instant: Date): AggregateVersion {
  return `${instant.toISOString()}#000000`;
}

export type RecomputeOutcome =
  | {
      readonly day: AggregateDay;
      readonly result: AggregateWrite;
      /** The version the aggregate claimed (what the day's settle recompute may claim). */
      readonly version: AggregateVersion;
      readonly changeIds: readonly string[];
    }
  | {
      readonly day: AggregateDay;
      readonly result: 'failed';
      readonly changeIds: readonly string[];
      readonly error: unknown;
    };

/**
 * Recomputes every touched day from its rows — never adds a change to a stored total, so a change
 * delivered twice, or out of order, cannot count twice — and stores the aggregate unless a more
 * complete one is already there.
 */
export async function recomputeDays(
  changes: readonly RowChange[],
  deps: { readonly store: DailyAggregateStore; readonly concurrency: number },
): Promise<RecomputeOutcome[]> {
  return mapWithConcurrency<DayToRecompute, RecomputeOutcome>(
    daysToRecompute(changes),
    deps.concurrency,
    async ({ day, changed, changeIds }) => {
      try {
        const rows = dayRows(await deps.store.readDayRows(day), changed);
        const { result, version } = await storeDayAggregate(deps.store, day, rows, { changed });
        return { day, result, version, changeIds };
      } catch (error) {
        return { day, result: 'failed', changeIds, error };
      }
    },
  );
}
