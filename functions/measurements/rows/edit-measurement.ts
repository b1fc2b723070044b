import { parseIsoDateTime } from '../model/iso-date-time';
import { measurementTypeCatalogue } from '../model/measurement-types';
import { isPlausibleInstant } from '../model/plausible-instant';
import type { ValidationIssue } from '../model/validation-issues';
import { isLiveRowOf, resolveMeasurementId, toMeasurementRow, type MeasurementRow } from './measurement-row';
import type { MeasurementRowStore } from './row-store';

/** `PUT`/`PATCH /api/measurements/{id}`, as the handler validated it: at least one of the two. */
export interface MeasurementEdit {
  readonly value?: number;
  /** An ISO-8601 date-time with `Z` or `±HH:MM`. */
  readonly measuredAt?: string;
}

export type EditOutcome =
  | { readonly status: 'edited'; readonly row: MeasurementRow }
  | { readonly status: 'not_found' }
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
 * `PUT`/`PATCH /api/measurements/{id}`: a new value and/or instant for one live row of the caller.
 * The value must be plausible for the row's type. No read first: the update is conditioned on a
 * live row, and a failed condition is the 404. The item records `writer: edit` and the request id,
 * which is how the audit stream reports `measurement.value.updated`.
 */
export async function editMeasurement(
  input: {
    readonly userId: string;
    readonly id: string;
    readonly edit: MeasurementEdit;
    readonly requestId: string;
    readonly now: Date;
  },
  store: Pick<MeasurementRowStore, 'editMeasurement'>,
): Promise<EditOutcome> {
  const ref = resolveMeasurementId(input.userId, input.id);
  if (!ref) return { status: 'not_found' };

  const measuredAt =
    input.edit.measuredAt === undefined ? undefined : parseIsoDateTime(input.edit.measuredAt);
  const issues = [...valueIssues(ref.type, input.edit.value), ...instantIssues(measuredAt, input.now)];
  if (issues.length > 0) return { status: 'invalid', issues };

  const item = await store.editMeasurement(
    ref,
    { value: input.edit.value, measuredAt: measuredAt?.toISOString() },
    { requestId: input.requestId, at: input.now.toISOString() },
  );
  return isLiveRowOf(item, input.userId)
    ? { status: 'edited', row: toMeasurementRow(item) }
    : { status: 'not_found' };
}
