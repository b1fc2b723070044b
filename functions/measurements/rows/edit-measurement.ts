import { parseIsoDateTime } from '../model/iso-date-time';
import type { StoredMeasurement } from '../model/measurement';
import { measurementTypeCatalogue } from '../model/measurement-types';
import { isPlausibleInstant } from '../model/plausible-instant';
import type { ValidationIssue } from '../model/validation-issues';
import { isLiveRowOf, resolveMeasurementId, toMeasurementRow, type MeasurementRow } from './measurement-row';
import type { MeasurementEditChange, MeasurementRef, MeasurementRowStore } from './row-store';

/** `PUT`/`PATCH /api/measurements/{id}`, as the handler validated it; every field optional. */
export interface MeasurementEdit {
  readonly value?: number;
  /** An ISO-8601 date-time with `Z` or `±HH:MM`. */
  readonly measuredAt?: string;
  /** A new note; `null` or `""` clears it (the app cannot send null, only an empty string). */
  readonly notes?: string | null;
}

/** The caller's live row an edit applies to, found before the body is read. */
export interface EditTarget {
  readonly ref: MeasurementRef;
  readonly item: StoredMeasurement;
}

export type FindOutcome =
  { readonly status: 'found'; readonly target: EditTarget } | { readonly status: 'not_found' };

export type EditOutcome =
  | { readonly status: 'edited'; readonly row: MeasurementRow }
  | { readonly status: 'not_found' }
  /** The new instant is another hand-entered reading's of the same type and source. */
  | { readonly status: 'duplicate' }
  /** Other writes kept changing the row while this edit was planned: nothing was written. */
  | { readonly status: 'conflict' }
  | { readonly status: 'invalid'; readonly issues: readonly ValidationIssue[] };

/** An edited value must lie in the type's plausible range, the same range a hand entry is held to. */
function valueIssues(type: string, value: number | undefined): ValidationIssue[] {
  const rule = measurementTypeCatalogue.get(type);
  if (value === undefined || !rule) return [];
  const { min, max } = rule.range;
  if (value >= min && value <= max) return [];
  return [
    {
      path: 'value',
      code: 'value_out_of_range',
      message: `Expected a value from ${min} to ${max} ${rule.unit}`,
    },
  ];
}

/** The batch's plausible-instant rule holds for edits too. */
function instantIssues(measuredAt: Date | undefined, now: Date): ValidationIssue[] {
  if (!measuredAt || isPlausibleInstant(measuredAt, now)) return [];
  return [
    {
      path: 'measuredAt',
      code: 'implausible_timestamp',
      message: 'Expected an instant from 1900-01-01T00:00:00Z to 5 minutes from now',
    },
  ];
}

/**
 * The live row of the caller an id names, read (strongly consistent) before the edit's body is
 * looked at: an unknown, foreign, deleted or synthetic id is a 404 whatever the body says.
 */
export async function findEditableMeasurement(
  input: { readonly userId: string; readonly id: string },
  store: Pick<MeasurementRowStore, 'getMeasurement'>,
): Promise<FindOutcome> {
  const ref = resolveMeasurementId(input.userId, input.id);
  const item = ref && (await store.getMeasurement(ref));
  return ref && isLiveRowOf(item, input.userId)
    ? { status: 'found', target: { ref, item } }
    : { status: 'not_found' };
}

/** A concurrent write of the same row makes an edit stale; after this many re-reads it gives up (409). */
const EDIT_ATTEMPTS = 5;

/**
 * `PUT`/`PATCH /api/measurements/{id}` on a row found by `findEditableMeasurement`: a new value,
 * instant and/or note. The value must be plausible for the row's type. An empty edit writes
 * nothing and answers the row as it is. The item records `writer: edit` and the request id, which
 * is how the audit stream reports `measurement.value.updated`.
 *
 * Every write is conditioned on the row still being the version it was planned from (live, same
 * `requestId` and `updatedAt`): a write in between makes it stale, and it is planned again from a
 * fresh read, so a concurrent move can never be undone behind its marker's back. Moving a
 * hand-entered reading to another instant moves its uniqueness marker in the same transaction,
 * so it can collide with another hand-entered reading (`duplicate`); every other edit is one
 * UpdateItem. A row that keeps changing under the edit is a `conflict` after a few attempts.
 */
export async function editMeasurement(
  input: {
    readonly userId: string;
    readonly target: EditTarget;
    readonly edit: MeasurementEdit;
    readonly requestId: string;
    readonly now: Date;
  },
  store: Pick<MeasurementRowStore, 'getMeasurement' | 'editMeasurement' | 'moveManualReading'>,
): Promise<EditOutcome> {
  const { ref, item } = input.target;
  const { edit } = input;
  const measuredAt = edit.measuredAt === undefined ? undefined : parseIsoDateTime(edit.measuredAt);
  const issues = [...valueIssues(ref.type, edit.value), ...instantIssues(measuredAt, input.now)];
  if (issues.length > 0) return { status: 'invalid', issues };

  const change: MeasurementEditChange = {
    ...(edit.value === undefined ? {} : { value: edit.value }),
    ...(measuredAt === undefined ? {} : { measuredAt: measuredAt.toISOString() }),
    ...(edit.notes === undefined ? {} : { notes: edit.notes ? edit.notes : null }),
  };
  if (Object.keys(change).length === 0) return { status: 'edited', row: toMeasurementRow(item) };
  const by = { requestId: input.requestId, at: input.now.toISOString() };

  let current = item;
  for (let attempt = 1; ; attempt++) {
    const { measuredAt: newInstant } = change;
    if (current.kind !== 'manual' || newInstant === undefined || newInstant === current.measuredAt) {
      const edited = await store.editMeasurement(ref, change, by, current);
      if (isLiveRowOf(edited, input.userId)) return { status: 'edited', row: toMeasurementRow(edited) };
    } else {
      const moved = await store.moveManualReading(ref, current, { ...change, measuredAt: newInstant }, by);
      if (moved.status === 'edited') return { status: 'edited', row: toMeasurementRow(moved.item) };
      if (moved.status === 'duplicate') return { status: 'duplicate' };
    }
    // Stale: another request changed or deleted the row since it was read. Plan again from now.
    const reread = await store.getMeasurement(ref);
    if (!isLiveRowOf(reread, input.userId)) return { status: 'not_found' };
    if (attempt >= EDIT_ATTEMPTS) return { status: 'conflict' };
    current = reread;
  }
}
