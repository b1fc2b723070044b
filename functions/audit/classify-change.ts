import { isDeepStrictEqual } from 'node:util';
import { auditEvents, debugEvents } from '../../definitions/log-events';
import { measurementsTable } from '../../definitions/measurements-table';
import { writers as knownWriters, type Writer } from '../measurements/model/measurement';
import { UnreadableChangeError, type ItemChange } from '../commons/item-change';

/**
 * Stream record → audit decision, from the item's old and new images alone. Pure: the audit
 * handler logs what this returns. Field names and event names are the contract of
 * docs/operations.md, "The events"; saved queries depend on them, so they never change casually.
 */

export interface MeasurementIdentity {
  readonly userId: string;
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
  readonly previousValue: number;
  readonly value: number;
  /** `value - previousValue`; 0 when only other fields changed (or a deleted row came back as it was). */
  readonly delta: number;
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
  readonly value: number;
  readonly requestId: string | null;
}

export type AuditDecision =
  | { readonly level: 'info'; readonly message: typeof auditEvents.created; readonly fields: CreatedEvent }
  | {
      readonly level: 'info';
      readonly message: typeof auditEvents.statsOverwrite;
      readonly fields: StatsOverwriteEvent;
    }
  | {
      readonly level: 'info';
      readonly message: typeof auditEvents.valueUpdated;
      readonly fields: ValueUpdatedEvent;
    }
  | { readonly level: 'info'; readonly message: typeof auditEvents.deleted; readonly fields: DeletedEvent }
  | {
      readonly level: 'debug';
      readonly message: (typeof debugEvents)[keyof typeof debugEvents];
      readonly fields: DebugFields;
    }
  /**
   * Rows the batch creates are counted by the ingest summary; a batch never rewrites a write-once
   * sample; a reading marker is bookkeeping, not a row.
   */
  | {
      readonly level: 'none';
      readonly reason: 'insert' | 'sample-rewrite' | 'reading-marker' | 'import';
    };

const writers: ReadonlySet<string> = new Set<Writer>(knownWriters);

/**
 * The attributes a user sees of a row: exactly what the row API returns of it
 * (`rows/measurement-row.ts`, `toMeasurementRow`) except its timestamps, which every write sets.
 * Everything else an item holds is bookkeeping and never counts as a change: the key and the
 * index keys, who wrote it last (`writer`, `requestId`, `updatedAt`), `createdAt` (a `stats:`
 * re-post rewrites it), the client's unit string (`clientUnit`, kept for information only),
 * `userId` and `kind` (part of the key), and `deletedAt` (a resurrection says `resurrected`).
 * A unit test keeps this list equal to the row's fields.
 */
export const userVisibleAttributes: readonly string[] = [
  'id',
  'type',
  'value',
  'unit',
  'source',
  'measuredAt',
  'notes',
  'valueMin',
  'valueMax',
  'externalId',
  'externalSourceVersion',
  'hkIdentifier',
  'startDate',
  'sleepStage',
  'rhythmClassification',
  'glucoseContext',
  'deviceType',
];

export function classifyChange(change: ItemChange): AuditDecision {
  const position: StreamPosition = {
    eventId: change.eventId,
    sequenceNumber: change.sequenceNumber,
    approximateCreationTime: change.approximateCreationTime,
  };
  const anyImage = change.newImage ?? change.oldImage;
  if (anyImage?.kind === measurementsTable.readingMarker.kind)
    return { level: 'none', reason: 'reading-marker' };
  switch (change.eventName) {
    case 'INSERT': {
      const current = image(change.newImage, 'NewImage');
      return current.string('kind') === 'manual'
        ? creation(current, position)
        : { level: 'none', reason: 'insert' };
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
  const previousValue = old.number('value');
  const value = current.number('value');
  const resurrected = old.has('deletedAt');
  const changedFields = changedAttributes(old.attributes, current.attributes);
  if (!resurrected && changedFields.length === 0) {
    return {
      level: 'debug',
      message: debugEvents.statsRepostUnchanged,
      fields: { ...identity(current), value, requestId: current.string('requestId'), ...position },
    };
  }
  const delta = difference(previousValue, value);
  return {
    level: 'info',
    message: auditEvents.statsOverwrite,
    fields: {
      ...identity(current),
      previousValue,
      value,
      delta,
      direction: delta < 0 ? 'decrease' : delta > 0 || resurrected ? 'increase' : 'unchanged',
      changedFields,
      overwroteEdit: old.attributes.writer === 'edit',
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
      fields: { ...identity(current), value, requestId, ...position },
    };
  }
  return {
    level: 'info',
    message: auditEvents.valueUpdated,
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
  const previousValue = old.number('value');
  if (old.has('deletedAt')) {
    return {
      level: 'debug',
      message: debugEvents.alreadyDeleted,
      fields: { ...identity(old), value: previousValue, requestId, ...position },
    };
  }
  return {
    level: 'info',
    message: auditEvents.deleted,
    fields: { ...identity(old), previousValue, requestId, ...position },
  };
}

/** Who and what: a hand-entered row has no HealthKit origin, every other row must name it. */
function identity(item: ItemImage): MeasurementIdentity {
  const origin = item.attributes.kind === 'manual' ? item.nullableString : item.string;
  return {
    userId: item.string('userId'),
    type: item.string('type'),
    hkIdentifier: origin('hkIdentifier'),
    externalId: origin('externalId'),
    id: item.string('id'),
  };
}

/**
 * The user-visible attributes whose values differ between the two images, sorted. An absent
 * attribute and a null one are the same to a user (the row API answers null for both).
 */
export function changedAttributes(
  old: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
): string[] {
  return userVisibleAttributes
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
  return {
    attributes,
    has: (attribute) => attributes[attribute] !== undefined && attributes[attribute] !== null,
    string,
    nullableString: (attribute) =>
      attributes[attribute] === undefined || attributes[attribute] === null ? null : string(attribute),
    number(attribute) {
      const value = attributes[attribute];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new UnreadableChangeError(`${name}.${attribute} is missing or not a number`);
      }
      return value;
    },
  };
}
