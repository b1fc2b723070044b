import type { AuditKeysStore } from './audit-keys-store';
import { deriveUserRef } from './user-ref';

/**
 * The audit function's source of `userRef`s (docs/audit-trail.md, "The key cache"): a user's key
 * from the audit-keys table, created the first time the user is audited, and the pseudonym derived
 * from it, cached per function instance so that a sync's burst of events costs one read.
 *
 * The cache is bounded (the oldest entry goes first) and short-lived, because a key can be
 * deleted under it: `npm run erase-user` deletes the key, and the instance that logs the
 * erasure's `user.erased` forgets that `userRef` at once (`forget`); any other instance (one per
 * stream shard) stops using it within `ttlMs`. A write of that user after the erasure then gets a
 * new key and a new `userRef`. A lookup that fails is not cached.
 */
export class UserRefs {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly keys: Pick<AuditKeysStore, 'getOrCreateKey'>,
    options: { readonly ttlMs?: number; readonly maxEntries?: number; readonly now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? USER_REF_CACHE_TTL_MS;
    this.maxEntries = options.maxEntries ?? USER_REF_CACHE_MAX_ENTRIES;
    this.now = options.now ?? Date.now;
  }

  /** The user's current `userRef`; creates the user's key when there is none. */
  userRefOf(userId: string): Promise<string> {
    const now = this.now();
    const cached = this.entries.get(userId);
    if (cached && cached.expiresAt > now) return cached.userRef;
    this.entries.delete(userId);
    const entry: Entry = {
      expiresAt: now + this.ttlMs,
      userRef: this.keys.getOrCreateKey(userId).then((key) => {
        entry.resolved = deriveUserRef(userId, key);
        return entry.resolved;
      }),
    };
    entry.userRef.catch(() => {
      if (this.entries.get(userId) === entry) this.entries.delete(userId);
    });
    this.entries.set(userId, entry);
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.userRef;
  }

  /**
   * Drops the user a `user.erased` names: their key is gone. Lookups still in flight are dropped
   * too (they may have read the key before it went).
   */
  forget(userRef: string): void {
    for (const [userId, entry] of this.entries) {
      if (entry.resolved === undefined || entry.resolved === userRef) this.entries.delete(userId);
    }
  }

  /** How many users are cached (for tests and the curious). */
  get size(): number {
    return this.entries.size;
  }
}

interface Entry {
  readonly expiresAt: number;
  readonly userRef: Promise<string>;
  resolved?: string;
}

/** Long enough for a sync's events to share one read, short enough that a deleted key is soon gone everywhere. */
export const USER_REF_CACHE_TTL_MS = 60_000;
/** About a megabyte of user ids and pseudonyms at most, in a function of 256 MB. */
export const USER_REF_CACHE_MAX_ENTRIES = 10_000;
