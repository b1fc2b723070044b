import type { LifecycleEventName } from '../../definitions/user-lifecycle';
import type { StoredMeasurement } from '../measurements/model/measurement';
import type { ExportRow } from './export-format';

/**
 * The ports of the user-data tools (export, import, erasure): what they need of each table,
 * implemented by the storage modules — `storage/user-items.ts` (the measurements table),
 * `storage/daily-aggregates.ts`, `request-guards/request-guards-repository.ts` and
 * `audit/audit-keys-store.ts`. The tools decide; these read and write.
 */

/** An item of the measurements table as read: a row, a reading marker, or what an interrupted erasure left. */
export type StoredItem = Readonly<Record<string, unknown>> & { readonly pk: string };

/** What the measurements table holds at the key of a row being restored. */
export interface RestoreTarget {
  /** The item at the row's key, if there is one. */
  readonly existing?: StoredMeasurement;
  /**
   * A hand-entered row that names its instant only: the reading marker of its (type, instant,
   * source) is missing, this row's, or another row's (which then holds that instant).
   */
  readonly marker?: 'missing' | 'this-row' | 'other-row';
}

/** One row the import writes; `replaces` is the stored version it overwrites (`--overwrite`). */
export interface RestoreWrite {
  readonly row: ExportRow;
  readonly replaces?: StoredMeasurement;
}

/** What one key of a user's holds, as the erasure counts it. */
export type ErasableKind = 'row' | 'deletedRow' | 'readingMarker' | 'interrupted' | 'other';

export interface ErasableItem {
  readonly key: string;
  readonly kind: ErasableKind;
}

/** The outcome of deleting one item the erasure had marked. */
export type ErasingDelete = 'deleted' | 'changed';

export interface UserItemStore {
  /**
   * The key of every item of the user (rows live and deleted, reading markers, items an
   * interrupted erasure left), in key order, a page at a time. From an index: eventually
   * consistent (a write of the last second may be missing).
   */
  ownerKeys(userId: string): AsyncIterable<readonly string[]>;
  /**
   * The key of every item whose key names the user, found by a Scan of the whole table: slow and
   * costly on a large table, but it also finds what no index holds. No order.
   */
  scanOwnerKeys(userId: string): AsyncIterable<readonly string[]>;
  /** The items at these keys that exist, read strongly consistently, in the order of `keys`. */
  readItems(keys: readonly string[]): Promise<readonly StoredItem[]>;

  /** Per row, what its key (and its reading marker's) holds now, read strongly consistently. */
  readRestoreTargets(userId: string, rows: readonly ExportRow[]): Promise<readonly RestoreTarget[]>;
  /**
   * Writes the rows (owned by `userId`, the live ones in the list indexes) and the reading markers
   * of the given hand-entered rows, created `at`. A replaced hand-entered row's marker moves with it.
   */
  writeRestored(
    userId: string,
    writes: { readonly rows: readonly RestoreWrite[]; readonly markers: readonly ExportRow[] },
    at: string,
  ): Promise<void>;

  /**
   * What each key holds, for the erasure; with `deriveMarkers`, plus the reading markers that can
   * only be found from their hand-entered row (written before markers carried their owner), where
   * they exist, first.
   */
  readForErasure(
    userId: string,
    keys: readonly string[],
    options: { readonly deriveMarkers: boolean },
  ): Promise<readonly ErasableItem[]>;
  /** Overwrites each item with a bare `erasing` item of the user (docs/data-lifecycle.md, "Erasure"). */
  markErasing(userId: string, keys: readonly string[]): Promise<void>;
  /** Deletes the item if it is still `erasing`; `changed` when a write replaced it since. */
  deleteErasing(key: string): Promise<ErasingDelete>;
}

/** One (user, type, UTC day) daily aggregate's key. */
export interface UserAggregateKey {
  readonly type: string;
  readonly day: string;
}

export interface UserAggregateStore {
  /** Every daily aggregate of the user, read strongly consistently. */
  userAggregateKeys(userId: string): Promise<readonly UserAggregateKey[]>;
  deleteAggregates(userId: string, keys: readonly UserAggregateKey[]): Promise<void>;
}

/** The keys of one user's items in the request-guards table. */
export interface UserGuardRecords {
  readonly idempotencyRecords: readonly string[];
  readonly rateLimitCounters: readonly string[];
}

export interface UserGuardRecordStore {
  /** Reads the whole (small, short-lived) table, strongly consistently. */
  findUserRecords(userId: string): Promise<UserGuardRecords>;
  deleteRecords(ids: readonly string[]): Promise<void>;
}

export interface AuditKeyStore {
  getKey(userId: string): Promise<string | undefined>;
  getOrCreateKey(userId: string): Promise<string>;
  deleteKey(userId: string): Promise<void>;
}

/** A lifecycle event as the audit trail gets it (definitions/user-lifecycle.ts): never a user id or a value. */
export interface LifecycleAnnouncement {
  readonly event: LifecycleEventName;
  readonly userRef: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly startedAt: string;
  readonly endedAt: string;
}

export interface LifecycleAnnouncer {
  /** Puts the lifecycle item into the measurements table and deletes it again. */
  announce(announcement: LifecycleAnnouncement): Promise<void>;
}
