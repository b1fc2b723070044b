import { isDeepStrictEqual } from 'node:util';
import { auditEvents, debugEvents } from '../../definitions/log-events';
import { measurementsTable } from '../../definitions/measurements-table';
import { lifecycleEvents, userLifecycle, type LifecycleEventName } from '../../definitions/user-lifecycle';
import {
  effectiveWriter,
  userVisibleFields,
  writers as knownWriters,
  type StoredMeasurement,
  type Writer,
} from '../measurements/model/measurement';
import { UnreadableChangeError, type ItemChange } from '../commons/item-change';
import { USER_REF_LENGTH } from './user-ref';

/**
 * Stream record → audit decision, from the item's old and new images alone. Pure: the audit
 * handler logs what this returns. Field names and event names are the contract of
 * docs/operations.md, "The events"; saved queries depend on them, so they never change casually.
 *
 * Every event names its user by `userRef`, a pseudonym that erasure can make meaningless
 * (docs/audit-trail.md), never by the user id. A row's images hold the user id, so an event about
 * a row comes with `userId` beside its fields: the handler turns it into the `userRef` field and
 * it never reaches a log line. A lifecycle item names its `userRef` itself.
 */

export interface MeasurementIdentity {
  readonly userRef: string;
  readonly type: string;
  /** null on a reading entered by hand: it has no HealthKit origin. */
  readonly hkIdentifier: string | null;
  readonly externalId: string | null;
  readonly id: string;
}

/** Where the event came from in the stream; a redelivered record repeats all three. */
export interface StreamPosition {
  readonly eventId: string;
  readonly sequenceNumber: string;
  readonly approximateCreationTime: string;
}

/**
 * How the value moved: `unchanged` when only other user-visible fields changed. A resurrection
 * with the value the row had before its deletion is an `increase`: for the user the row went
 * from gone to present, and neither `unchanged` nor a decrease says that.
 */
export type Direction = 'increase' | 'decrease' | 'unchanged';

export interface CreatedEvent extends MeasurementIdentity, StreamPosition {
  readonly value: number;
  readonly unit: string;
  readonly measuredAt: string;
  readonly source: string;
  /** The API request that entered the reading. */
  readonly requestId: string;
}

export interface StatsOverwriteEvent extends MeasurementIdentity, StreamPosition {
  /**
   * null on a resurrection: a deleted row keeps no value (measurements/model/tombstone.ts); the
   * row's `measurement.deleted` event recorded it.
   */
  readonly previousValue: number | null;
  readonly value: number;
  /**
   * `value - previousValue`; 0 when only other fields changed (or a deleted row came back as it
   * was); null when there is no previous value.
   */
  readonly delta: number | null;
  readonly direction: Direction;
  /** The user-visible attributes that differ between the replaced and the new version, sorted. */
  readonly changedFields: readonly string[];
  /**
   * The replaced version had been written by the row API's edit: the phone's re-post undid a
   * hand edit.
   */
  readonly overwroteEdit: boolean;
  readonly unit: string;
  readonly measuredAt: string;
  readonly previousUpdatedAt: string;
  readonly updatedAt: string;
  /** The API request that wrote the new version. */
  readonly requestId: string;
  /** The batch brought back a soft-deleted row. */
  readonly resurrected: boolean;
}

export interface ValueUpdatedEvent extends MeasurementIdentity, StreamPosition {
  readonly previousValue: number;
  readonly value: number;
  /** Names of the user-visible attributes the edit changed, sorted. */
  readonly changedFields: readonly string[];
  readonly requestId: string;
  readonly updatedAt: string;
}

export interface DeletedEvent extends MeasurementIdentity, StreamPosition {
  readonly previousValue: number;
  /** The deleting request; null when the item was removed outside the row API (REMOVE). */
  readonly requestId: string | null;
}

export interface DebugFields extends MeasurementIdentity, StreamPosition {
  /** null when the row was a tombstone already. */
  readonly value: number | null;
  readonly requestId: string | null;
}

/**
 * `user.imported` / `user.erased`: the run's counts as top-level fields (per kind of item, and
 * per table for an erasure), its start and end, and the user's `userRef` (null when the user had
 * no key: never audited). Never a value or a user id.
 */
export type LifecycleEvent = StreamPosition & {
  readonly userRef: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
} & { readonly [count: string]: number | string | null };

/**
 * An event about one user's row: its fields lack `userRef`, which the handler derives from
 * `userId` (the user's audit key) and puts first.
 */
interface RowEvent<Level, Message, Fields extends MeasurementIdentity> {
  readonly level: Level;
  readonly message: Message;
  readonly userId: string;
  readonly fields: Omit<Fields, 'userRef'>;
}

export type AuditDecision =
  | RowEvent<'info', typeof auditEvents.created, CreatedEvent>
  | RowEvent<'info', typeof auditEvents.statsOverwrite, StatsOverwriteEvent>
  | RowEvent<'info', typeof auditEvents.valueUpdated, ValueUpdatedEvent>
  | RowEvent<'info', typeof auditEvents.deleted, DeletedEvent>
  | RowEvent<'debug', (typeof debugEvents)[keyof typeof debugEvents], DebugFields>
  | { readonly level: 'info'; readonly message: LifecycleEventName; readonly fields: LifecycleEvent }
  /**
   * Rows the batch creates are counted by the ingest summary; a batch never rewrites a write-once
   * sample; a reading marker is bookkeeping, not a row; what the import writes is summed up by
   * one `user.imported`; the erasure's bare items and a lifecycle item's other changes say nothing.
   */
  | {
      readonly level: 'none';
      readonly reason:
        'insert' | 'sample-rewrite' | 'reading-marker' | 'import' | 'erasure' | 'lifecycle-item';
    };

const writers: ReadonlySet<string> = new Set<Writer>(knownWriters);

export function classifyChange(change: ItemChange): AuditDecision {
  const position: StreamPosition = {
    eventId: change.eventId,
    sequenceNumber: change.sequenceNumber,
    approximateCreationTime: change.approximateCreationTime,
  };
  const anyImage = change.newImage ?? change.oldImage;
  switch (anyImage?.kind) {
    case measurementsTable.readingMarker.kind:
      return { level: 'none', reason: 'reading-marker' };
    case userLifecycle.erasingKind:
      return { level: 'none', reason: 'erasure' };
    case userLifecycle.lifecycleItem.kind:
      return change.eventName === 'INSERT'
        ? lifecycle(image(change.newImage, 'NewImage'), position)
        : { level: 'none', reason: 'lifecycle-item' };
  }
  // A write that slipped into an erasure replaced a bare item: no version of the row to compare
  // with, and the erasure's verification pass reports the row.
  if (change.oldImage?.kind === userLifecycle.erasingKind) return { level: 'none', reason: 'erasure' };
  switch (change.eventName) {
    case 'INSERT': {
      const current = image(change.newImage, 'NewImage');
      if (current.string('kind') !== 'manual') return { level: 'none', reason: 'insert' };
      return current.attributes.writer === 'import'
        ? { level: 'none', reason: 'import' }
        : creation(current, position);
    }
    case 'REMOVE': {
      const old = image(change.oldImage, 'OldImage');
      return deletion(old, null, position);
    }
    case 'MODIFY': {
      const old = image(change.oldImage, 'OldImage');
      const current = image(change.newImage, 'NewImage');
      const writer = current.string('writer');
      if (!writers.has(writer)) throw new UnreadableChangeError('NewImage.writer is not a known writer');
      switch (writer as Writer) {
        case 'batch':
          return batchRewrite(old, current, position);
        case 'create':
          // A create is a put on a key that must not exist: it never rewrites an item.
          throw new UnreadableChangeError('NewImage.writer is create on a MODIFY');
        case 'edit':
          return edit(old, current, position);
        case 'delete':
          return deletion(old, current.string('requestId'), position);
        case 'import':
          // A restore, announced once as `user.imported`, not a change a user made.
          return { level: 'none', reason: 'import' };
      }
    }
  }
}

function creation(current: ItemImage, position: StreamPosition): AuditDecision {
  return {
    level: 'info',
    message: auditEvents.created,
    userId: subject(current),
    fields: {
      ...identity(current),
      value: current.number('value'),
      unit: current.string('unit'),
      measuredAt: current.string('measuredAt'),
      source: current.string('source'),
      requestId: current.string('requestId'),
      ...position,
    },
  };
}

function batchRewrite(old: ItemImage, current: ItemImage, position: StreamPosition): AuditDecision {
  if (current.string('kind') !== 'stats') return { level: 'none', reason: 'sample-rewrite' };
  const resurrected = old.has('deletedAt');
  // A tombstone keeps no value; one deleted before tombstones were stripped still has it.
  const previousValue = resurrected ? old.nullableNumber('value') : old.number('value');
  const value = current.number('value');
  const changedFields = changedAttributes(old.attributes, current.attributes);
  if (!resurrected && changedFields.length === 0) {
    return {
      level: 'debug',
      message: debugEvents.statsRepostUnchanged,
      userId: subject(current),
      fields: { ...identity(current), value, requestId: current.string('requestId'), ...position },
    };
  }
  const delta = previousValue === null ? null : difference(previousValue, value);
  return {
    level: 'info',
    message: auditEvents.statsOverwrite,
    userId: subject(current),
    fields: {
      ...identity(current),
      previousValue,
      value,
      delta,
      direction:
        delta !== null && delta < 0
          ? 'decrease'
          : (delta !== null && delta > 0) || resurrected
            ? 'increase'
            : 'unchanged',
      changedFields,
      overwroteEdit:
        effectiveWriter(old.attributes as Pick<StoredMeasurement, 'writer' | 'restoredWriter'>) === 'edit',
      unit: current.string('unit'),
      measuredAt: current.string('measuredAt'),
      previousUpdatedAt: old.string('updatedAt'),
      updatedAt: current.string('updatedAt'),
      requestId: current.string('requestId'),
      resurrected,
      ...position,
    },
  };
}

function edit(old: ItemImage, current: ItemImage, position: StreamPosition): AuditDecision {
  const previousValue = old.number('value');
  const value = current.number('value');
  const requestId = current.string('requestId');
  const changedFields = changedAttributes(old.attributes, current.attributes);
  if (changedFields.length === 0) {
    return {
      level: 'debug',
      message: debugEvents.updateUnchanged,
      userId: subject(current),
      fields: { ...identity(current), value, requestId, ...position },
    };
  }
  return {
    level: 'info',
    message: auditEvents.valueUpdated,
    userId: subject(current),
    fields: {
      ...identity(current),
      previousValue,
      value,
      changedFields,
      requestId,
      updatedAt: current.string('updatedAt'),
      ...position,
    },
  };
}

function deletion(old: ItemImage, requestId: string | null, position: StreamPosition): AuditDecision {
  if (old.has('deletedAt')) {
    return {
      level: 'debug',
      message: debugEvents.alreadyDeleted,
      userId: subject(old),
      fields: { ...identity(old), value: old.nullableNumber('value'), requestId, ...position },
    };
  }
  return {
    level: 'info',
    message: auditEvents.deleted,
    userId: subject(old),
    fields: { ...identity(old), previousValue: old.number('value'), requestId, ...position },
  };
}

/** Whose row it is: the user id the handler derives the event's `userRef` from. */
function subject(item: ItemImage): string {
  return item.string('userId');
}

/**
 * What: a hand-entered row has no HealthKit origin, every other live row must name it (a
 * tombstone keeps its externalId but not its hkIdentifier).
 */
function identity(item: ItemImage): Omit<MeasurementIdentity, 'userRef'> {
  const origin =
    item.attributes.kind === 'manual' || item.has('deletedAt') ? item.nullableString : item.string;
  return {
    type: item.string('type'),
    hkIdentifier: origin('hkIdentifier'),
    externalId: origin('externalId'),
    id: item.string('id'),
  };
}

const userRefPattern = new RegExp(`^[A-Za-z0-9_-]{${USER_REF_LENGTH}}$`);
const countName = /^[a-z][A-Za-z0-9]{0,63}$/;
const lifecycleEventNames: ReadonlySet<string> = new Set<string>(Object.values(lifecycleEvents));
/** Names a count cannot have: the event's own fields and the keys Powertools adds to every line. */
const reservedNames: ReadonlySet<string> = new Set([
  'userRef',
  'startedAt',
  'endedAt',
  'eventId',
  'sequenceNumber',
  'approximateCreationTime',
  'level',
  'message',
  'service',
  'timestamp',
]);

/**
 * The INSERT of a lifecycle item (definitions/user-lifecycle.ts) → `user.imported` or
 * `user.erased`. Read strictly, because whatever it holds becomes a line of the trail: the
 * `userRef` must have a pseudonym's shape (so a user id put there by mistake is refused, not
 * logged), the instants must be instants, and the counts whole numbers under camelCase names —
 * a map of maps (counts per table) becomes `<table><Count>` (`measurements` › `rows` →
 * `measurementsRows`).
 */
function lifecycle(item: ItemImage, position: StreamPosition): AuditDecision {
  const names = userLifecycle.lifecycleItem;
  const message = item.string(names.eventAttribute);
  if (!lifecycleEventNames.has(message))
    throw new UnreadableChangeError('NewImage.event is not a lifecycle event');
  const userRef = item.nullableString(names.userRefAttribute);
  if (userRef !== null && !userRefPattern.test(userRef)) {
    throw new UnreadableChangeError('NewImage.userRef is not a userRef');
  }
  const instant = (name: string) => {
    const value = item.string(name);
    if (Number.isNaN(Date.parse(value)))
      throw new UnreadableChangeError(`NewImage.${name} is not an instant`);
    return value;
  };
  const startedAt = instant(names.startedAtAttribute);
  const endedAt = instant(names.endedAtAttribute);
  const counts: Record<string, number> = {};
  const addCounts = (map: unknown, prefix: string, depth: number) => {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new UnreadableChangeError(`NewImage.${names.countsAttribute} is not a map of counts`);
    }
    for (const [key, count] of Object.entries(map)) {
      const name = prefix === '' ? key : `${prefix}${key.charAt(0).toUpperCase()}${key.slice(1)}`;
      if (!countName.test(key) || reservedNames.has(name) || name in counts) {
        throw new UnreadableChangeError(
          `NewImage.${names.countsAttribute} has a name that cannot be a count`,
        );
      }
      if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) counts[name] = count;
      else if (depth === 0) addCounts(count, name, 1);
      else
        throw new UnreadableChangeError(
          `NewImage.${names.countsAttribute} holds something other than counts`,
        );
    }
  };
  addCounts(item.attributes[names.countsAttribute] ?? {}, '', 0);
  return {
    level: 'info',
    message: message as LifecycleEventName,
    fields: { userRef, ...counts, startedAt, endedAt, ...position },
  };
}

/**
 * The user-visible attributes whose values differ between the two images, sorted: those the row
 * API returns but its stamps (`userVisibleFields`). Everything else an item holds is bookkeeping
 * and never counts as a change: the key and the index keys, who wrote it last (`writer`,
 * `requestId`, `updatedAt`), `createdAt` (a `stats:` re-post rewrites it), the client's unit
 * string, `userId` and `kind` (part of the key), and `deletedAt` (a resurrection says
 * `resurrected`). An absent attribute and a null one are the same to a user (the row API answers
 * null for both).
 */
export function changedAttributes(
  old: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): string[] {
  return userVisibleFields
    .filter((name) => !isDeepStrictEqual(old[name] ?? null, current[name] ?? null))
    .sort();
}

/**
 * `value - previousValue` without binary floating-point noise (72.4 - 72.1 is
 * 0.30000000000000426): rounded to 12 significant digits, like the stored values' conversions.
 */
export function difference(previousValue: number, value: number): number {
  return Number.parseFloat((value - previousValue).toPrecision(12));
}

interface ItemImage {
  readonly attributes: Readonly<Record<string, unknown>>;
  has(name: string): boolean;
  string(name: string): string;
  /** A string, or null when the attribute is absent or null. */
  nullableString(name: string): string | null;
  number(name: string): number;
  /** A number, or null when the attribute is absent or null. */
  nullableNumber(name: string): number | null;
}

function image(attributes: Readonly<Record<string, unknown>> | undefined, name: string): ItemImage {
  if (!attributes) throw new UnreadableChangeError(`${name} is missing`);
  const string = (attribute: string): string => {
    const value = attributes[attribute];
    if (typeof value !== 'string' || value.length === 0) {
      throw new UnreadableChangeError(`${name}.${attribute} is missing or not a string`);
    }
    return value;
  };
  const number = (attribute: string): number => {
    const value = attributes[attribute];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new UnreadableChangeError(`${name}.${attribute} is missing or not a number`);
    }
    return value;
  };
  return {
    attributes,
    has: (attribute) => attributes[attribute] !== undefined && attributes[attribute] !== null,
    string,
    nullableString: (attribute) =>
      attributes[attribute] === undefined || attributes[attribute] === null ? null : string(attribute),
    number,
    nullableNumber: (attribute) =>
      attributes[attribute] === undefined || attributes[attribute] === null ? null : number(attribute),
  };
}
