import type { SkipReason } from '../../../definitions/skip-reasons';
import type { BatchEntry } from './batch-schema';
import { isCanonicalHeartRateBucketId, isHeartRateBucketId, isUnstableExternalId } from './external-id';
import {
  convertValue,
  findHealthKitMapping,
  sleepStages,
  type EventClassification,
  type HealthKitMapping,
  type PlausibleRange,
} from '../model/healthkit-types';
import { parseIsoDateTime } from '../model/iso-date-time';
import type { Measurement } from '../model/measurement';
import { isPlausibleInstant } from '../model/plausible-instant';
import { kindOfExternalId, measurementId } from '../model/measurement-id';

export type EntryVerdict =
  | { readonly action: 'store'; readonly measurement: Measurement }
  | {
      readonly action: 'skip';
      readonly reason: SkipReason;
      readonly convertedValue?: number;
      readonly range?: PlausibleRange & { readonly unit: string };
    };

const PULSE_RANGE: PlausibleRange = findHealthKitMapping('HKQuantityTypeIdentifierHeartRate')!.range!;

function skip(reason: SkipReason): EntryVerdict {
  return { action: 'skip', reason };
}

function classify(classification: EventClassification | null, codepoint: number | null): string | null {
  if (!classification) return null;
  if (classification.kind === 'fixed') return classification.value;
  return (codepoint === null ? undefined : classification.byCodepoint[codepoint]) ?? classification.otherwise;
}

/** Value, sleep stage and classification of an entry under its mapping; `undefined` = unmappable. */
function interpret(
  mapping: HealthKitMapping,
  entry: BatchEntry,
): { value: number; sleepStage: string | null; rhythmClassification: string | null } | undefined {
  const category = mapping.category;
  if (category?.kind === 'sleep-stage') {
    const stage = entry.sleepStage == null ? undefined : sleepStages[entry.sleepStage];
    return stage === undefined
      ? undefined
      : { value: entry.value, sleepStage: stage, rhythmClassification: null };
  }
  if (category?.kind === 'event') {
    const codepoint = entry.categoryValue ?? entry.sleepStage ?? null;
    return { value: 1, sleepStage: null, rhythmClassification: classify(category.classification, codepoint) };
  }
  return {
    value: convertValue(mapping.conversion, entry.value),
    sleepStage: null,
    rhythmClassification: null,
  };
}

/** A heart-rate bucket keeps its spread only when it is whole and consistent; no other row has one. */
function spreadOf(entry: BatchEntry, value: number): { valueMin: number | null; valueMax: number | null } {
  const { valueMin, valueMax } = entry;
  const inPulseRange = (v: number) => v >= PULSE_RANGE.min && v <= PULSE_RANGE.max;
  if (
    valueMin != null &&
    valueMax != null &&
    inPulseRange(valueMin) &&
    inPulseRange(valueMax) &&
    valueMin <= value &&
    value <= valueMax
  ) {
    return { valueMin, valueMax };
  }
  return { valueMin: null, valueMax: null };
}

/**
 * Steps 1–5 of the per-entry pipeline (docs/batch-api.md, "The per-entry pipeline"), in order: the first rule an entry
 * breaks decides its skip reason. Pure: `now` is the only outside fact it reads.
 */
export function planEntry(entry: BatchEntry, now: Date): EntryVerdict {
  if (isUnstableExternalId(entry.externalId)) return skip('unstable_external_id');

  const mapping = findHealthKitMapping(entry.hkIdentifier);
  const interpreted = mapping && interpret(mapping, entry);
  if (!mapping || !interpreted) return skip('unmappable_identifier');

  const { value } = interpreted;
  if (mapping.range && (value < mapping.range.min || value > mapping.range.max)) {
    return {
      action: 'skip',
      reason: 'value_out_of_range',
      convertedValue: value,
      range: { min: mapping.range.min, max: mapping.range.max, unit: mapping.unit },
    };
  }

  const measuredAt = parseIsoDateTime(entry.endDate);
  const startDate = parseIsoDateTime(entry.startDate);
  if (!measuredAt || !startDate || !isPlausibleInstant(measuredAt, now)) return skip('implausible_timestamp');

  const isBucket = isHeartRateBucketId(entry.externalId);
  if (isBucket && !isCanonicalHeartRateBucketId(entry.externalId)) return skip('malformed_hr_bucket_id');
  const spread = isBucket ? spreadOf(entry, value) : { valueMin: null, valueMax: null };

  return {
    action: 'store',
    measurement: {
      kind: kindOfExternalId(entry.externalId),
      id: measurementId(mapping.type, entry.externalId),
      type: mapping.type,
      externalId: entry.externalId,
      hkIdentifier: entry.hkIdentifier,
      value,
      ...spread,
      unit: mapping.unit,
      clientUnit: entry.unit,
      measuredAt: measuredAt.toISOString(),
      startDate: startDate.toISOString(),
      sleepStage: interpreted.sleepStage,
      rhythmClassification: interpreted.rhythmClassification,
      source: entry.source ?? 'APPLE_HEALTH',
      deviceType: entry.deviceType ?? null,
      externalSourceVersion: entry.externalSourceVersion ?? null,
    },
  };
}
