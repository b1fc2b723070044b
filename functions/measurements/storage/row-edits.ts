import type { StoredMeasurement, Writer } from '../model/measurement';
import type { MeasurementEditChange, RowChange } from '../rows/row-store';

/**
 * What an edit writes, as attributes set and removed: the row store's UpdateItem is built from it,
 * and the item it answers after a conditioned write is the stored version with it applied.
 */
export interface RowEdit {
  readonly set: Readonly<Record<string, unknown>>;
  readonly remove: readonly string[];
}

/** What an edit sets and removes: the change, plus who wrote it and when. */
export function editOf(change: MeasurementEditChange, by: RowChange): RowEdit {
  const writer: Writer = 'edit';
  const set: Record<string, unknown> = { updatedAt: by.at, writer, requestId: by.requestId };
  const remove: string[] = [];
  if (change.value !== undefined) {
    // A spread summarises the heart-rate bucket the phone measured; a value set by hand has none.
    Object.assign(set, { value: change.value, valueMin: null, valueMax: null });
  }
  if (change.measuredAt !== undefined) set.measuredAt = change.measuredAt;
  // No note is no attribute, so a row without one compares equal before and after in the audit.
  if (change.notes === null) remove.push('notes');
  else if (change.notes !== undefined) set.notes = change.notes;
  return { set, remove };
}

/** The item after an update that was conditioned on `current` being the stored version. */
export function applied(current: StoredMeasurement, { set, remove }: RowEdit): StoredMeasurement {
  const edited: Record<string, unknown> = { ...current, ...set };
  for (const attribute of remove) delete edited[attribute];
  return edited as unknown as StoredMeasurement;
}
