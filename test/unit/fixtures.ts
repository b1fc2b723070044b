/**
 * Builders shared by the unit tests. Values restate the contract (../shared/contract), never the
 * implementation's own tables.
 */
import type { BatchEntry } from '../../functions/measurements/batch/batch-schema';
import type { Measurement } from '../../functions/measurements/model/measurement';
import type { EntryVerdict } from '../../functions/measurements/batch/plan-entry';

/** The `now` of the contract examples. */
export const NOW = new Date('2026-08-14T08:00:00Z');

export const QUANTITY = 'HKQuantityTypeIdentifier';
export const CATEGORY = 'HKCategoryTypeIdentifier';
export const HR_BUCKET_PREFIX = 'stats:HKQuantityTypeIdentifierHeartRate:';

/** A well-formed body-mass sample; every test overrides only what its rule is about. */
export function entry(overrides: Partial<BatchEntry> = {}): BatchEntry {
  return {
    hkIdentifier: `${QUANTITY}BodyMass`,
    value: 72.4,
    unit: 'kg',
    startDate: '2026-08-14T06:00:00Z',
    endDate: '2026-08-14T06:00:00Z',
    externalId: '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30',
    ...overrides,
  };
}

/** A heart-rate 10-minute bucket starting at `start` (canonical `.000Z` form). */
export function heartRateBucket(start: string, overrides: Partial<BatchEntry> = {}): BatchEntry {
  const end = new Date(Date.parse(start) + 10 * 60 * 1000).toISOString();
  return entry({
    hkIdentifier: `${QUANTITY}HeartRate`,
    value: 70,
    valueMin: 58,
    valueMax: 90,
    unit: 'count/min',
    startDate: start,
    endDate: end,
    externalId: `${HR_BUCKET_PREFIX}${start}`,
    ...overrides,
  });
}

/** A daily `stats:` row of a cumulative type. */
export function dailyStats(
  suffix: string,
  day: string,
  value: number,
  overrides: Partial<BatchEntry> = {},
): BatchEntry {
  return entry({
    hkIdentifier: `${QUANTITY}${suffix}`,
    value,
    unit: 'count',
    startDate: `${day}T00:00:00+02:00`,
    endDate: `${day}T00:00:00+02:00`,
    externalId: `stats:${QUANTITY}${suffix}:${day}`,
    ...overrides,
  });
}

export function stored(verdict: EntryVerdict): Measurement {
  if (verdict.action !== 'store')
    throw new Error(`expected the entry to be stored, got ${JSON.stringify(verdict)}`);
  return verdict.measurement;
}

export function skipReason(verdict: EntryVerdict): string | undefined {
  return verdict.action === 'skip' ? verdict.reason : undefined;
}

export const URL_SAFE = /^[A-Za-z0-9_-]+$/;
