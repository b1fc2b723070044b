import type { ManualReading, StoredMeasurement } from '../model/measurement';
import type { DailyAggregate } from '../summaries/daily-aggregate';

/**
 * One stored row, addressed the way its key is built: the caller, the type, and the externalId —
 * or, for a hand-entered row, the `manual:<uuid>` that stands in its place (model/measurement-id.ts).
 */
export interface MeasurementRef {
  readonly userId: string;
  readonly type: string;
  readonly externalId: string;
}

/** Who changes a row and when: recorded on the item, so the audit function can tell a create, an edit or a delete. */
export interface RowChange {
  readonly requestId: string;
  /** ISO instant; becomes `updatedAt` (and `createdAt` for a create, `deletedAt` for a delete). */
  readonly at: string;
}

export interface MeasurementEditChange {
  readonly value?: number;
  /** Stored form (`toISOString()`). */
  readonly measuredAt?: string;
  /** A new note; `null` removes the row's note. */
  readonly notes?: string | null;
}

/** A reading entered by hand, with the key and id the create use case chose for it. */
export interface NewManualReading {
  /** `externalId` is `manual:<random UUID>`. */
  readonly ref: MeasurementRef;
  readonly id: string;
  readonly reading: ManualReading;
}

export type CreateReadingsOutcome =
  /** Every reading was written, in the order given. */
  | { readonly status: 'created'; readonly items: readonly StoredMeasurement[] }
  /** One of them repeats a hand-entered reading (deleted or not): nothing was written. */
  | { readonly status: 'duplicate' };

export type MoveReadingOutcome =
  | { readonly status: 'edited'; readonly item: StoredMeasurement }
  /** Another hand-entered reading of that type and source is at the new instant: nothing was written. */
  | { readonly status: 'duplicate' }
  /** The row is no longer the version the move was planned from (changed, deleted): nothing was written. */
  | { readonly status: 'stale' };

/**
 * What a soft delete did: deleted the live row now; found the caller's row already deleted; or
 * found no row it may delete (none under that key, or one outside the delete's scope).
 */
export type SoftDeleteOutcome = 'deleted' | 'already_deleted' | 'not_found';

export interface SoftDeleteScope {
  /**
   * Only rows the phone synced from HealthKit (source APPLE_HEALTH, not entered by hand): what
   * `by-external-ids` may delete.
   */
  readonly onlyHealthKitRows?: boolean;
}

/**
 * Which list a page belongs to: the plain list of rows, or `groupBy=day`'s rows read for day
 * totals. Their cursors are told apart, so one is never taken for the other.
 */
export type ListPageKind = 'rows' | 'dayTotals';

/** One page of a user's live rows, newest first. */
export interface ListQuery {
  readonly userId: string;
  readonly type?: string;
  /** Inclusive bounds on measuredAt, in the stored `toISOString()` form (string order = time order). */
  readonly from?: string;
  readonly to?: string;
  /** Only rows of this source. */
  readonly source?: string;
  readonly limit: number;
  /** Where the page starts: the `nextCursor` of the previous page of this very query. */
  readonly cursor?: string;
  /** The plain list's when absent. */
  readonly pageKind?: ListPageKind;
}

/** Every live row of one type of a user in a time range (the reads behind day totals, nights and charts). */
export interface RowsQuery {
  readonly userId: string;
  readonly type: string;
  /** Inclusive bounds on measuredAt, stored `toISOString()` form. */
  readonly from?: string;
  readonly to?: string;
  readonly source?: string;
  /** At most this many rows, newest first; all of them when absent (oldest first). */
  readonly limit?: number;
}

export interface RowsRead {
  /** Newest first when a limit was given, otherwise oldest first. */
  readonly items: readonly StoredMeasurement[];
  /** Whether reading stopped at the limit with rows left. */
  readonly hitLimit: boolean;
  /** Index items DynamoDB evaluated for this read (a filter drops some of them): what it cost. */
  readonly itemsRead: number;
}

export type ListPage =
  | {
      readonly status: 'page';
      readonly items: readonly StoredMeasurement[];
      /** null when the query reached the end of the caller's rows. */
      readonly nextCursor: string | null;
      /** Index items DynamoDB evaluated for this page (a filter drops some of them): what it cost. */
      readonly itemsRead: number;
      /** The `measuredAt` of the row the cursor pointed at: this page continues right after it. */
      readonly continuesAfter?: string;
    }
  /** The cursor is not one this query handed to this caller. */
  | { readonly status: 'invalid_cursor' };

/** The port the row API use cases read and change rows through (storage/table-row-store.ts implements it). */
export interface MeasurementRowStore {
  /** The item under that key (strongly consistent), deleted or not; `undefined` when there is none. */
  getMeasurement(ref: MeasurementRef): Promise<StoredMeasurement | undefined>;
  listMeasurements(query: ListQuery): Promise<ListPage>;
  /** The cursor that continues `query` right after `item`, one of its rows: where a page cut short ends. */
  listCursorAfter(query: ListQuery, item: StoredMeasurement): string;
  readRows(query: RowsQuery): Promise<RowsRead>;
  /**
   * Writes hand-entered readings, all or none, each with the marker that makes (user, type,
   * measuredAt, source) unique among hand-entered readings for good (a deleted reading keeps it).
   */
  createManualReadings(readings: readonly NewManualReading[], by: RowChange): Promise<CreateReadingsOutcome>;
  /**
   * The edited item, or `undefined` when nothing was written: no live row has that key, or —
   * given `expected` — the row is no longer that version (another write came in between).
   */
  editMeasurement(
    ref: MeasurementRef,
    change: MeasurementEditChange,
    by: RowChange,
    expected?: StoredMeasurement,
  ): Promise<StoredMeasurement | undefined>;
  /**
   * An edit that moves a hand-entered reading to another instant: the row changes and its marker
   * moves with it, all or nothing, provided the row is still `current` (same version, live).
   */
  moveManualReading(
    ref: MeasurementRef,
    current: StoredMeasurement,
    change: MeasurementEditChange & { readonly measuredAt: string },
    by: RowChange,
  ): Promise<MoveReadingOutcome>;
  softDeleteMeasurement(
    ref: MeasurementRef,
    by: RowChange,
    scope?: SoftDeleteScope,
  ): Promise<SoftDeleteOutcome>;
  /** Every row of the user with that externalId, whatever its type (eventually consistent). */
  findMeasurementsByExternalId(userId: string, externalId: string): Promise<MeasurementRef[]>;
}

/** The port long chart windows read stored daily aggregates through (storage/ implements it). */
export interface DailyAggregateReader {
  /** The stored aggregates that have rows, of UTC days `fromDay`…`toDay` inclusive, oldest first. */
  readAggregates(
    userId: string,
    type: string,
    fromDay: string,
    toDay: string,
  ): Promise<readonly DailyAggregate[]>;
}
