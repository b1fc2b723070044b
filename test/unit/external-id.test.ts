import {
  isCanonicalHeartRateBucketId,
  isHeartRateBucketId,
  isUnstableExternalId,
} from '../../functions/measurements/batch/external-id';
import { HR_BUCKET_PREFIX } from './fixtures';

describe('batch-api §3 step 1: an externalId is unstable when, trimmed, it is empty, a bare pointer, or contains an object description', () => {
  it.each([
    ['empty', ''],
    ['blank after trimming', '   \t\n '],
    ['a bare pointer', '0x12568db80'],
    ['a bare pointer in upper case', '0X1F'],
    ['a bare pointer with upper-case hex digits', '0xDEADBEEF'],
    ['a bare pointer surrounded by whitespace', '  0x12568db80  '],
    ['an object description', '<HKHealthConceptIdentifier: 0x12568db80>'],
    ['an object description with text before it', 'concept-<HKHealthConceptIdentifier: 0x12568db80>'],
    ['an object description with text after it', '<HKHealthConceptIdentifier: 0x12568db80>:2026-08-14'],
    [
      'an object description in the middle of a stats id',
      'stats:<HKHealthConceptIdentifier: 0x12568db80>:2026-08-14',
    ],
    ['an object description with the pointer first', '<0x1f HKSample>'],
  ])('%s (%j) is unstable', (_why, externalId) => {
    expect(isUnstableExternalId(externalId)).toBe(true);
  });

  it.each([
    ['a HealthKit sample UUID', '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30'],
    ['a daily stats id', 'stats:HKQuantityTypeIdentifierStepCount:2026-08-14'],
    ['a heart-rate bucket id', `${HR_BUCKET_PREFIX}2026-07-18T14:30:00.000Z`],
    ['a hex-like id without 0x', '12568db80'],
    ['0x followed by non-hex', '0xyz'],
    ['0x alone', '0x'],
    ['a pointer that is only part of the id', 'sample-0x12568db80'],
    ['a pointer followed by text (not a bare pointer)', '0x1F-sample'],
    ['a pointer followed by a space and text', '0x1F sample'],
    ['angle brackets without a pointer', '<HKHealthConceptIdentifier>'],
    ['a pointer without closing bracket', '<HKHealthConceptIdentifier: 0x12568db80'],
    ['an id with surrounding spaces', '  ABC  '],
  ])('%s (%j) is stable', (_why, externalId) => {
    expect(isUnstableExternalId(externalId)).toBe(false);
  });
});

describe('batch-api §3 step 5: a heart-rate bucket id ends in the canonical toISOString() of a UTC instant on the 10-minute grid', () => {
  it.each([
    '2026-07-18T14:30:00.000Z',
    '2026-07-18T00:00:00.000Z',
    '2026-07-18T23:50:00.000Z',
    '2026-08-14T07:40:00.000Z',
    '2024-02-29T12:10:00.000Z',
  ])('%s is canonical', (instant) => {
    expect(isHeartRateBucketId(`${HR_BUCKET_PREFIX}${instant}`)).toBe(true);
    expect(isCanonicalHeartRateBucketId(`${HR_BUCKET_PREFIX}${instant}`)).toBe(true);
  });

  it.each([
    ['off the 10-minute grid (14:35)', '2026-07-18T14:35:00.000Z'],
    ['missing millis', '2026-07-18T14:30:00Z'],
    ['no Z', '2026-07-18T14:30:00.000'],
    ['T24:00', '2026-07-18T24:00:00.000Z'],
    ['an impossible date (02-30)', '2026-02-30T14:30:00.000Z'],
    ['29 February of a common year', '2025-02-29T14:30:00.000Z'],
    ['an offset instead of Z', '2026-07-18T14:30:00.000+00:00'],
    ['lower-case z', '2026-07-18T14:30:00.000z'],
    ['non-zero seconds', '2026-07-18T14:30:01.000Z'],
    ['non-zero millis', '2026-07-18T14:30:00.001Z'],
    ['no seconds', '2026-07-18T14:30Z'],
    ['microseconds', '2026-07-18T14:30:00.000000Z'],
    ['a date only', '2026-07-18'],
    ['nothing after the prefix', ''],
    ['trailing text', '2026-07-18T14:30:00.000Z-1'],
    ['trailing space', '2026-07-18T14:30:00.000Z '],
  ])('%s (%j) is malformed', (_why, instant) => {
    expect(isHeartRateBucketId(`${HR_BUCKET_PREFIX}${instant}`)).toBe(true);
    expect(isCanonicalHeartRateBucketId(`${HR_BUCKET_PREFIX}${instant}`)).toBe(false);
  });

  it.each([
    ['a heart-rate sample UUID', 'C0FFEE00-0000-4000-8000-000000000000'],
    ['a daily step stats row', 'stats:HKQuantityTypeIdentifierStepCount:2026-08-14'],
    [
      'an HRV stats row (the prefix needs the colon after HeartRate)',
      'stats:HKQuantityTypeIdentifierHeartRateVariabilitySDNN:2026-08-14',
    ],
    ['a resting heart rate stats row', 'stats:HKQuantityTypeIdentifierRestingHeartRate:2026-08-14'],
  ])('%s is not a heart-rate bucket id at all', (_why, externalId) => {
    expect(isHeartRateBucketId(externalId)).toBe(false);
  });
});
