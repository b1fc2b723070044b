import type { Measurement } from '../../functions/measurements/model/measurement';
import { kindOfExternalId, measurementId } from '../../functions/measurements/model/measurement-id';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import { toMeasurementItem } from '../../functions/measurements/storage/measurement-item';

export interface StoredItemOptions
  extends
    Partial<Omit<Measurement, 'id' | 'kind'>>,
    Partial<Pick<StoredMeasurement, 'createdAt' | 'updatedAt' | 'requestId' | 'writer' | 'deletedAt'>> {
  readonly userId?: string;
}

/**
 * A measurement item exactly as the batch writes it (built by the repository's own
 * `toMeasurementItem`, index keys included), so fixtures cannot drift from the stored shape.
 * Defaults: a heart-rate sample of `alice`; the key, id and kind follow `type` and `externalId`.
 */
export function storedItem(options: StoredItemOptions = {}): StoredMeasurement & Record<string, unknown> {
  const {
    userId = 'alice',
    requestId = 'req-batch',
    createdAt = '2026-08-14T06:01:00.000Z',
    updatedAt,
    writer,
    deletedAt,
    ...fields
  } = options;
  const type = fields.type ?? 'PULSE';
  const externalId = fields.externalId ?? 'hk-1';
  const measurement: Measurement = {
    hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
    value: 64,
    valueMin: null,
    valueMax: null,
    unit: 'bpm',
    clientUnit: 'count/min',
    measuredAt: '2026-08-14T06:00:00.000Z',
    startDate: '2026-08-14T06:00:00.000Z',
    sleepStage: null,
    rhythmClassification: null,
    source: 'APPLE_HEALTH',
    deviceType: null,
    externalSourceVersion: null,
    ...fields,
    type,
    externalId,
    kind: kindOfExternalId(externalId),
    id: measurementId(type, externalId),
  };
  const item = toMeasurementItem({ userId, requestId, writtenAt: createdAt, measurement });
  return {
    ...item,
    ...(updatedAt === undefined ? {} : { updatedAt }),
    ...(writer === undefined ? {} : { writer }),
    ...(deletedAt === undefined ? {} : { deletedAt }),
  } as StoredMeasurement & Record<string, unknown>;
}
