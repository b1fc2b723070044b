import { lifecycleEvents } from '../../definitions/user-lifecycle';
import { deriveUserRef, newAuditKey } from '../audit/user-ref';
import { BoundedTasks, chunks, mapWithConcurrency } from '../commons/bounded-concurrency';
import type {
  AuditKeyStore,
  ErasableItem,
  ErasableKind,
  LifecycleAnnouncer,
  UserAggregateStore,
  UserGuardRecordStore,
  UserItemStore,
} from './user-data-store';

/**
 * `npm run erase-user`: every item of a user in every table, hard-deleted, then checked
 * (docs/data-lifecycle.md, "Erasure"). In order:
 *
 * 1. The measurements table, through the `byOwner` index (reading markers sort first): each item
 *    is first overwritten with a bare `erasing` item of the user (BatchWriteItem), then deleted on
 *    condition that it still is one (DeleteItem). Neither change is one the stream consumers
 *    select, so the audit trail gets no `measurement.deleted` with the value being erased and no
 *    aggregate is recomputed; a write that slips in between (a phone still syncing) makes the
 *    delete fail and is left for the verification to name.
 * 2. The daily aggregates, 3. the Idempotency-Key records and rate-limit counters.
 * 4. One `user.erased` lifecycle event, naming the user by the `userRef` derived before the key
 *    goes (a user never audited has no key: the event then carries a `userRef` under a throwaway
 *    key, which names nobody), with the counts of this run.
 * 5. The audit key, last: an erasure interrupted before it still finds the key on its next run
 *    and announces itself under the same `userRef`.
 * 6. Verification: every table read again for the user (strongly consistent where DynamoDB
 *    allows); what remains decides the outcome.
 *
 * Every step is idempotent, so running it again after an interruption finishes the job: an item
 * left `erasing` still carries its owner, so the index finds it again.
 */

export interface EraseUserDependencies {
  readonly items: Pick<
    UserItemStore,
    'ownerKeys' | 'scanOwnerKeys' | 'readItems' | 'readForErasure' | 'markErasing' | 'deleteErasing'
  >;
  readonly announcer: LifecycleAnnouncer;
  readonly aggregates: UserAggregateStore;
  readonly guards: UserGuardRecordStore;
  readonly auditKeys: Pick<AuditKeyStore, 'getKey' | 'deleteKey'>;
}

export interface EraseUserOptions {
  readonly userId: string;
  /** Count what would be deleted; delete nothing. */
  readonly dryRun?: boolean;
  /** Deletes in flight at once (the measurements table). */
  readonly concurrency?: number;
  /**
   * Find the user's items of the measurements table by a Scan of the whole table instead of the
   * `byOwner` index (both for the erasure and its verification): whatever names the user in its
   * key, indexed or not.
   */
  readonly scan?: boolean;
  readonly now?: () => Date;
  readonly onProgress?: (progress: { readonly items: number }) => void;
}

export interface ErasureCounts {
  readonly measurements: {
    readonly rows: number;
    readonly deletedRows: number;
    readonly readingMarkers: number;
    /** Items an interrupted erasure had left `erasing`. */
    readonly interruptedItems: number;
    /** Items of the user of no kind the service writes. */
    readonly otherItems: number;
  };
  readonly dailyAggregates: { readonly days: number };
  readonly requestGuards: { readonly idempotencyRecords: number; readonly rateLimitCounters: number };
  readonly auditKeys: { readonly keys: number };
}

/** What the verification found left, per table: how many and the first keys (never a value). */
export interface Remaining {
  readonly count: number;
  readonly keys: readonly string[];
}

export interface ErasureRemains {
  readonly measurements: Remaining;
  readonly dailyAggregates: Remaining;
  readonly requestGuards: Remaining;
  readonly auditKeys: Remaining;
}

export interface ErasureSummary {
  readonly userId: string;
  readonly dryRun: boolean;
  /** What was deleted (with `dryRun`: what would be). */
  readonly deleted: ErasureCounts;
  /** Items a write replaced between the two steps: left, and named by the verification. */
  readonly changedDuringErasure: number;
  /** Whether a `user.erased` event was announced. */
  readonly announced: boolean;
  /** Null on a dry run; else what the verification found (all counts 0: erased). */
  readonly remaining: ErasureRemains | null;
  readonly erased: boolean;
}

/** Keys read and marked at once. */
const ERASE_BATCH = 100;
/** Keys a summary names per table. */
const LISTED_KEYS = 20;

export async function eraseUser(
  deps: EraseUserDependencies,
  options: EraseUserOptions,
): Promise<ErasureSummary> {
  const { userId } = options;
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  // Before anything is deleted: the key goes last, and the event must name the user as the trail does.
  const key = await deps.auditKeys.getKey(userId);
  const userRef = deriveUserRef(userId, key ?? newAuditKey());

  const { counts: measurements, changed } = await eraseMeasurements(deps, options, dryRun);

  const aggregateKeys = await deps.aggregates.userAggregateKeys(userId);
  if (!dryRun) await deps.aggregates.deleteAggregates(userId, aggregateKeys);

  const guardRecords = await deps.guards.findUserRecords(userId);
  if (!dryRun)
    await deps.guards.deleteRecords([...guardRecords.idempotencyRecords, ...guardRecords.rateLimitCounters]);

  const deleted: ErasureCounts = {
    measurements,
    dailyAggregates: { days: aggregateKeys.length },
    requestGuards: {
      idempotencyRecords: guardRecords.idempotencyRecords.length,
      rateLimitCounters: guardRecords.rateLimitCounters.length,
    },
    auditKeys: { keys: key === undefined ? 0 : 1 },
  };
  if (dryRun)
    return {
      userId,
      dryRun,
      deleted,
      changedDuringErasure: 0,
      announced: false,
      remaining: null,
      erased: false,
    };

  const anything = totalOf(deleted) > 0;
  if (anything) {
    await deps.announcer.announce({
      event: lifecycleEvents.erased,
      userRef,
      counts: lifecycleCounts(deleted),
      startedAt,
      endedAt: now().toISOString(),
    });
  }
  if (key !== undefined) await deps.auditKeys.deleteKey(userId);

  const remaining = await verifyErasure(deps, userId, { scan: options.scan ?? false });
  const erased = Object.values(remaining).every((table) => table.count === 0);
  return { userId, dryRun, deleted, changedDuringErasure: changed, announced: anything, remaining, erased };
}

async function eraseMeasurements(
  deps: EraseUserDependencies,
  options: EraseUserOptions,
  dryRun: boolean,
): Promise<{ counts: ErasureCounts['measurements']; changed: number }> {
  const tally: Record<ErasableKind, number> = {
    row: 0,
    deletedRow: 0,
    readingMarker: 0,
    interrupted: 0,
    other: 0,
  };
  let changed = 0;
  let seen = 0;
  const { items: store } = deps;
  const userId = options.userId;
  // One batch is read and marked while the previous one's deletes run, `concurrency` at a time.
  const prepare = async (batch: readonly string[]): Promise<readonly ErasableItem[]> => {
    // A Scan finds an ownerless marker itself; the index needs it derived from its reading.
    const items = await store.readForErasure(userId, batch, { deriveMarkers: !options.scan });
    if (dryRun) return items;
    // Markers first: one found only through its row must be marked (and so keep its owner)
    // before the row loses the instant that names it.
    const keysOf = (marker: boolean) =>
      items
        .filter((item) => item.kind !== 'interrupted' && (item.kind === 'readingMarker') === marker)
        .map((item) => item.key);
    await store.markErasing(userId, keysOf(true));
    await store.markErasing(userId, keysOf(false));
    return items;
  };
  const deletes = new BoundedTasks(options.concurrency ?? 8);
  let next: Promise<readonly ErasableItem[]> | undefined;
  const take = async (following: Promise<readonly ErasableItem[]> | undefined) => {
    const items = await next!;
    next = following;
    for (const item of items) tally[item.kind]++;
    seen += items.length;
    if (!dryRun) {
      for (const item of items) {
        await deletes.add(async () => {
          if ((await store.deleteErasing(item.key)) === 'changed') changed++;
        });
      }
    }
    options.onProgress?.({ items: seen });
  };
  for await (const batch of batchesOf(keysOfUser(store, userId, options.scan ?? false), ERASE_BATCH)) {
    const prepared = prepare(batch);
    // Never left unobserved: a failure surfaces when its batch is taken.
    prepared.catch(() => undefined);
    if (next === undefined) next = prepared;
    else await take(prepared);
  }
  if (next !== undefined) await take(undefined);
  await deletes.drain();
  return {
    counts: {
      rows: tally.row,
      deletedRows: tally.deletedRow,
      readingMarkers: tally.readingMarker,
      interruptedItems: tally.interrupted,
      otherItems: tally.other,
    },
    changed,
  };
}

/** The user's keys in the measurements table: through the `byOwner` index, or a Scan. */
function keysOfUser(
  items: Pick<UserItemStore, 'ownerKeys' | 'scanOwnerKeys'>,
  userId: string,
  scan: boolean,
): AsyncIterable<readonly string[]> {
  return scan ? items.scanOwnerKeys(userId) : items.ownerKeys(userId);
}

/** Pages of keys cut into batches of `size` (a page of a KEYS_ONLY Query holds thousands). */
async function* batchesOf(
  pages: AsyncIterable<readonly string[]>,
  size: number,
): AsyncGenerator<readonly string[]> {
  for await (const page of pages) yield* chunks(page, size);
}

/** Every table read again for the user: what is left. */
export async function verifyErasure(
  deps: Pick<EraseUserDependencies, 'items' | 'aggregates' | 'guards' | 'auditKeys'>,
  userId: string,
  options: { readonly scan: boolean },
): Promise<ErasureRemains> {
  // The index may still list an item deleted a moment ago: each key is read back from the table.
  const left: string[] = [];
  for await (const page of keysOfUser(deps.items, userId, options.scan)) {
    const found = await mapWithConcurrency(chunks(page, ERASE_BATCH), 4, (keys) =>
      deps.items.readItems(keys),
    );
    left.push(...found.flat().map((item) => item.pk));
  }
  const aggregates = await deps.aggregates.userAggregateKeys(userId);
  const guards = await deps.guards.findUserRecords(userId);
  const key = await deps.auditKeys.getKey(userId);
  const remaining = (keys: readonly string[]): Remaining => ({
    count: keys.length,
    keys: keys.slice(0, LISTED_KEYS),
  });
  return {
    measurements: remaining(left),
    dailyAggregates: remaining(aggregates.map(({ type, day }) => `${userId}#${type} ${day}`)),
    requestGuards: remaining([...guards.idempotencyRecords, ...guards.rateLimitCounters]),
    auditKeys: remaining(key === undefined ? [] : [userId]),
  };
}

/** The counts as the `user.erased` event carries them: flat, each name saying its table's kind of item. */
function lifecycleCounts(counts: ErasureCounts): Record<string, number> {
  return {
    ...counts.measurements,
    dailyAggregates: counts.dailyAggregates.days,
    ...counts.requestGuards,
    auditKeys: counts.auditKeys.keys,
  };
}

function totalOf(counts: ErasureCounts): number {
  return Object.values(lifecycleCounts(counts)).reduce((sum, n) => sum + n, 0);
}
