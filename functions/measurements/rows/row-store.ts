import type { StoredMeasurement } from '../model/measurement';
import type { DailyAggregate } from '../summaries/daily-aggregate';

/** One stored row, addressed the way its key is built: the caller, the type, the externalId. */
export interface MeasurementRef {
  readonly userId: string;
  readonly type: string;
  readonly externalId: string;
}

/** Who changes a row and when: recorded on the item, so the audit function can tell an edit or a delete. */
export interface RowChange {
  readonly requestId: string;
  /** ISO instant; becomes `updatedAt` (and `deletedAt` for a delete). */
  readonly at: string;
}

export interface MeasurementEditChange {
  readonly value?: number;
  /** Stored form (`toISOString()`). */
  readonly measuredAt?: string;
}

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
}

export type ListPage =
  | {
      readonly status: 'page';
      readonly items: readonly StoredMeasurement[];
      /** null when the query reached the end of the caller's rows. */
      readonly nextCursor: string | null;
    }
  /** The cursor is not one this query handed to this caller. */
  | { readonly status: 'invalid_cursor' };

/** The port the row API use cases read and change rows through (storage/measurement-repository.ts implements it). */
export interface MeasurementRowStore {
  /** The item under that key (strongly consistent), deleted or not; `undefined` when there is none. */
  getMeasurement(ref: MeasurementRef): Promise<StoredMeasurement | undefined>;
  listMeasurements(query: ListQuery): Promise<ListPage>;
  readRows(query: RowsQuery): Promise<RowsRead>;
  /** The edited item, or `undefined` when no live row has that key. */
  editMeasurement(
    ref: MeasurementRef,
    change: MeasurementEditChange,
    by: RowChange,
  ): Promise<StoredMeasurement | undefined>;
  /** `true` when a live row was deleted now; `false` when none was (missing or already deleted). */
  softDeleteMeasurement(ref: MeasurementRef, by: RowChange): Promise<boolean>;
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
