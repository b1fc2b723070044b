/**
 * How the operator tools (`npm run import-user`, `npm run erase-user`) speak to the audit trail
 * and keep the stream consumers out of an erasure, described once (tools, stream filters, audit
 * function, tests). See docs/data-lifecycle.md.
 *
 * Lifecycle events: the audit trail lives in the audit function's log group, which only the
 * stream feeds. A tool announces a finished import or erasure by putting one **lifecycle item**
 * into the measurements table and deleting it again at once: the stream delivers its INSERT to
 * the audit function, which logs `user.imported` / `user.erased` from it. The item names the user
 * only by `userRef` (computed by the tool; for an erasure before the key is deleted), never by id,
 * and carries counts and the run's start and end, never a value.
 *
 * Erasure without per-row events: before a row is deleted, the erasure overwrites it with a bare
 * item of kind `erasing` (its key and its owner, so an interrupted erasure finds it again through
 * the `byOwner` index; nothing else), then deletes that. Neither change matches any
 * consumer's filter (they select row kinds), so the audit function writes no `measurement.deleted`
 * with the value it is erasing and the aggregate function recomputes no day of the user.
 */
export const userLifecycle = {
  lifecycleItem: {
    /** Key of a lifecycle item: `@lifecycle#<random UUID>` (never a user's row: no type is a UUID). */
    keyPrefix: '@lifecycle#',
    kind: 'lifecycle',
    /** Attribute naming the event: one of `lifecycleEvents`' values. */
    eventAttribute: 'event',
    userRefAttribute: 'userRef',
    /** A map of counts (per kind of item, per table for an erasure). */
    countsAttribute: 'counts',
    startedAtAttribute: 'startedAt',
    endedAtAttribute: 'endedAt',
  },
  /** The kind of the bare item a row becomes for the instant before the erasure deletes it. */
  erasingKind: 'erasing',
} as const;

/** The lifecycle events' names (log `message`s of the audit function). */
export const lifecycleEvents = {
  imported: 'user.imported',
  erased: 'user.erased',
} as const;

export type LifecycleEventName = (typeof lifecycleEvents)[keyof typeof lifecycleEvents];
