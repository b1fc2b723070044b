import type { BatchEntry } from '../../functions/measurements/batch/batch-schema';

/**
 * The request/response exchanges of the batch contract's examples, restated once as data so the
 * unit tests (use case) and the integration tests (handler on DynamoDB Local) assert the same
 * exchanges. Ids are any valid id; where the same row is meant, tests assert they are equal.
 */

/** Example 02, now = 2026-08-14T08:00:00Z; the pulse sample C0FFEE00-… is already stored as 64. */
export const mixedSamplesExample = {
  now: new Date('2026-08-14T08:00:00Z'),
  given: { type: 'PULSE', externalId: 'C0FFEE00-0000-4000-8000-000000000000', value: 64 },
  entries: [
    {
      hkIdentifier: 'HKQuantityTypeIdentifierBodyMass',
      value: 72.4,
      unit: 'kg',
      startDate: '2026-08-14T06:00:00Z',
      endDate: '2026-08-14T06:00:00Z',
      externalId: '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30',
      externalSourceVersion: 'iPhone15,2',
      deviceType: 'scale',
    },
    {
      hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
      value: 71,
      unit: 'bpm',
      startDate: '2026-08-14T05:59:00Z',
      endDate: '2026-08-14T05:59:00Z',
      externalId: 'C0FFEE00-0000-4000-8000-000000000000',
      deviceType: 'watch',
    },
    {
      hkIdentifier: 'HKQuantityTypeIdentifierBasalEnergyBurned',
      value: 1650,
      unit: 'kcal',
      startDate: '2026-08-13T00:00:00Z',
      endDate: '2026-08-13T23:59:59Z',
      externalId: '0E3B6F1A-2C44-4D1B-9E55-7A1C2B3D4E5F',
    },
    {
      hkIdentifier: 'HKQuantityTypeIdentifierBodyFatPercentage',
      value: 0.9,
      unit: '%',
      startDate: '2026-08-14T06:00:00Z',
      endDate: '2026-08-14T06:00:00Z',
      externalId: '5B1D2E3F-4A5B-4C6D-8E7F-901234567890',
    },
  ] satisfies BatchEntry[],
  /** The payload, with `<id>` where any valid row id is fine. */
  response: {
    processed: 4,
    inserted: 1,
    updated: 0,
    duplicates: 1,
    failed: 0,
    skipped: [
      { index: 2, reason: 'unmappable_identifier' },
      { index: 3, reason: 'value_out_of_range' },
    ],
    entries: [
      { index: 0, status: 'inserted', id: '<id>' },
      { index: 1, status: 'duplicate', id: '<id>' },
      { index: 2, status: 'skipped', reason: 'unmappable_identifier' },
      {
        index: 3,
        status: 'skipped',
        reason: 'value_out_of_range',
        convertedValue: 90,
        range: { min: 1, max: 80, unit: '%' },
      },
    ],
  },
} as const;
