import { randomUUID } from 'node:crypto';
import { parseIsoDateTime } from '../model/iso-date-time';
import type { ManualReading } from '../model/measurement';
import { manualKeySlot, measurementId } from '../model/measurement-id';
import { measurementTypeCatalogue } from '../model/measurement-types';
import { toMeasurementRow, type MeasurementRow } from './measurement-row';
import type { MeasurementRowStore, NewManualReading } from './row-store';

/** One reading of `POST /api/measurements`, as the handler validated it (every rule of the contract). */
export interface ReadingInput {
  readonly type: string;
  readonly value: number;
  /** An ISO-8601 date-time with `Z` or `±HH:MM`, plausible. */
  readonly measuredAt: string;
  readonly notes?: string | null;
  readonly source: string;
  readonly glucoseContext?: string | null;
  readonly deviceType?: string | null;
}

export type CreateOutcome =
  /** The rows in request order. */
  | { readonly status: 'created'; readonly rows: readonly MeasurementRow[] }
  /** A reading repeats a hand-entered one (deleted or not), or another of the same request: nothing written. */
  | { readonly status: 'duplicate' };

/** What makes a hand-entered reading unique: the user (implicit), type, instant to the millisecond, source. */
const uniquenessOf = (reading: ManualReading) =>
  JSON.stringify([reading.type, reading.measuredAt, reading.source]);

/** The reading as stored: the type's unit, the instant in stored form, an empty note as no note. */
function toManualReading(input: ReadingInput): ManualReading {
  const rule = measurementTypeCatalogue.get(input.type);
  const instant = parseIsoDateTime(input.measuredAt);
  if (!rule || !instant) throw new Error('createMeasurements needs validated readings');
  return {
    type: input.type,
    value: input.value,
    unit: rule.unit,
    measuredAt: instant.toISOString(),
    source: input.source,
    // The app cannot send null for "no note", only omit it or send "".
    notes: input.notes ? input.notes : null,
    glucoseContext: input.glucoseContext ?? null,
    deviceType: input.deviceType ?? null,
  };
}

/**
 * `POST /api/measurements`: one to five readings entered by hand, created all together or not at
 * all. Each gets a random key of its own (so its id never changes, whatever is edited later);
 * what makes it unique is (user, type, measuredAt, source), enforced by the store in the same
 * write. Two equal readings in one request are a duplicate before anything is written.
 */
export async function createMeasurements(
  input: {
    readonly userId: string;
    readonly readings: readonly ReadingInput[];
    readonly requestId: string;
    readonly now: Date;
  },
  deps: {
    readonly store: Pick<MeasurementRowStore, 'createManualReadings'>;
    readonly newUuid?: () => string;
  },
): Promise<CreateOutcome> {
  const newUuid = deps.newUuid ?? randomUUID;
  const readings = input.readings.map(toManualReading);
  if (new Set(readings.map(uniquenessOf)).size !== readings.length) return { status: 'duplicate' };

  const planned: NewManualReading[] = readings.map((reading) => {
    const slot = manualKeySlot(newUuid());
    return {
      ref: { userId: input.userId, type: reading.type, externalId: slot },
      id: measurementId(reading.type, slot),
      reading,
    };
  });
  const outcome = await deps.store.createManualReadings(planned, {
    requestId: input.requestId,
    at: input.now.toISOString(),
  });
  return outcome.status === 'created'
    ? { status: 'created', rows: outcome.items.map(toMeasurementRow) }
    : { status: 'duplicate' };
}
