import { measurementId } from '../../functions/measurements/model/measurement-id';
import { planEntry } from '../../functions/measurements/batch/plan-entry';
import {
  CATEGORY,
  HR_BUCKET_PREFIX,
  NOW,
  QUANTITY,
  dailyStats,
  entry,
  heartRateBucket,
  skipReason,
  stored,
} from './fixtures';

describe('batch-api §3 step 1: an entry with an unstable externalId is skipped / unstable_external_id', () => {
  it.each([
    '',
    '  ',
    '0x12568db80',
    '0X1F',
    '<HKHealthConceptIdentifier: 0x12568db80>',
    'id-<HKObject 0xabc>-x',
  ])('externalId %j is skipped unstable_external_id', (externalId) => {
    expect(planEntry(entry({ externalId }), NOW)).toEqual({ action: 'skip', reason: 'unstable_external_id' });
  });

  it('a stable id with surrounding spaces is stored, as sent', () => {
    expect(stored(planEntry(entry({ externalId: ' ABC ' }), NOW)).externalId).toBe(' ABC ');
  });
});

describe('batch-api §3 step 4: endDate later than now + 5 minutes or earlier than 1900-01-01T00:00:00Z is skipped / implausible_timestamp', () => {
  // now = 2026-08-14T08:00:00Z
  it.each([
    ['exactly now + 5 minutes', '2026-08-14T08:05:00Z'],
    ['exactly now + 5 minutes, written with an offset', '2026-08-14T10:05:00+02:00'],
    ['now', '2026-08-14T08:00:00Z'],
    ['a minute ago', '2026-08-14T07:59:00Z'],
    ['years-old data', '2016-03-01T07:00:00Z'],
    ['decades-old data', '1951-06-30T12:00:00-05:30'],
    ['exactly 1900-01-01T00:00:00Z', '1900-01-01T00:00:00Z'],
    ['1900-01-01T00:00:00Z written with a negative offset', '1899-12-31T19:00:00-05:00'],
  ])('%s (%s) is accepted', (_why, endDate) => {
    expect(stored(planEntry(entry({ startDate: endDate, endDate }), NOW)).measuredAt).toBe(
      new Date(endDate).toISOString(),
    );
  });

  it.each([
    ['1 ms after now + 5 minutes', '2026-08-14T08:05:00.001Z'],
    ['1 s after now + 5 minutes, written with an offset', '2026-08-14T10:05:01+02:00'],
    ['tomorrow', '2026-08-15T08:00:00Z'],
    ['far future', '2999-01-01T00:00:00Z'],
    ['1 ms before 1900', '1899-12-31T23:59:59.999Z'],
    ['00:30 on 1900-01-01 at +01:00, which is still 1899 in UTC', '1900-01-01T00:30:00+01:00'],
    ['year 0001', '0001-01-01T00:00:00Z'],
  ])('%s (%s) is implausible_timestamp', (_why, endDate) => {
    expect(planEntry(entry({ startDate: '2026-08-14T06:00:00Z', endDate }), NOW)).toEqual({
      action: 'skip',
      reason: 'implausible_timestamp',
    });
  });

  it('only endDate (the measurement instant) is judged: a startDate after endDate does not skip the entry', () => {
    expect(
      planEntry(entry({ startDate: '2026-08-14T09:00:00Z', endDate: '2026-08-14T06:00:00Z' }), NOW).action,
    ).toBe('store');
  });

  it('"now" is the one passed in, not the wall clock', () => {
    const e = entry({ startDate: '2030-01-01T00:00:00Z', endDate: '2030-01-01T00:00:00Z' });
    expect(skipReason(planEntry(e, NOW))).toBe('implausible_timestamp');
    expect(planEntry(e, new Date('2030-01-01T00:00:00Z')).action).toBe('store');
  });
});

describe('batch-api §3 step 5: a heart-rate bucket id that is not canonical is skipped / malformed_hr_bucket_id', () => {
  it('a canonical bucket is stored as a PULSE stats row', () => {
    expect(stored(planEntry(heartRateBucket('2026-08-14T07:30:00.000Z'), NOW))).toMatchObject({
      kind: 'stats',
      type: 'PULSE',
      externalId: `${HR_BUCKET_PREFIX}2026-08-14T07:30:00.000Z`,
      value: 70,
    });
  });

  it.each([
    ['14:35 (off the grid)', '2026-08-14T07:35:00.000Z'],
    ['missing millis', '2026-08-14T07:30:00Z'],
    ['no Z', '2026-08-14T07:30:00.000'],
    ['T24:00', '2026-08-13T24:00:00.000Z'],
    ['02-30', '2026-02-30T07:30:00.000Z'],
    ['an offset', '2026-08-14T09:30:00.000+02:00'],
  ])('bucket id with %s is malformed_hr_bucket_id', (_why, instant) => {
    const e = heartRateBucket('2026-08-14T07:30:00.000Z', { externalId: `${HR_BUCKET_PREFIX}${instant}` });
    expect(planEntry(e, NOW)).toEqual({ action: 'skip', reason: 'malformed_hr_bucket_id' });
  });
});

describe('batch-api §3 step 5: a well-formed bucket keeps valueMin/valueMax only when both are present, both within 20–300 and min ≤ value ≤ max', () => {
  // value = 70 unless stated
  it.each([
    ['58..90 around 70', { valueMin: 58, valueMax: 90 }, [58, 90]],
    ['the pulse range bounds 20..300', { valueMin: 20, valueMax: 300 }, [20, 300]],
    ['min = value = max', { value: 70, valueMin: 70, valueMax: 70 }, [70, 70]],
    ['min = value', { valueMin: 70, valueMax: 90 }, [70, 90]],
    ['max = value', { valueMin: 58, valueMax: 70 }, [58, 70]],
    ['fractional spread', { value: 70.5, valueMin: 58.25, valueMax: 90.75 }, [58.25, 90.75]],
  ])('%s is kept', (_why, overrides, [valueMin, valueMax]) => {
    expect(stored(planEntry(heartRateBucket('2026-08-14T07:30:00.000Z', overrides), NOW))).toMatchObject({
      valueMin,
      valueMax,
    });
  });

  it.each([
    ['valueMin missing', { valueMin: undefined }],
    ['valueMax missing', { valueMax: undefined }],
    ['both missing', { valueMin: undefined, valueMax: undefined }],
    ['valueMin null', { valueMin: null }],
    ['valueMax null', { valueMax: null }],
    ['valueMin below 20', { valueMin: 19.99 }],
    ['valueMax above 300', { valueMax: 300.01 }],
    ['both below 20', { valueMin: 10, valueMax: 19 }],
    ['both above 300', { valueMin: 301, valueMax: 310 }],
    ['valueMin > value (80 > 72, the contract example)', { value: 72, valueMin: 80, valueMax: 96 }],
    ['valueMax < value', { valueMin: 50, valueMax: 69 }],
    ['valueMin > valueMax', { valueMin: 90, valueMax: 58 }],
  ])('%s → both stored as null', (_why, overrides) => {
    expect(stored(planEntry(heartRateBucket('2026-08-14T07:30:00.000Z', overrides), NOW))).toMatchObject({
      valueMin: null,
      valueMax: null,
    });
  });

  it.each([
    [
      'a heart-rate sample (UUID)',
      entry({
        hkIdentifier: `${QUANTITY}HeartRate`,
        value: 70,
        valueMin: 58,
        valueMax: 90,
        externalId: 'C0FFEE00-0000-4000-8000-000000000000',
      }),
    ],
    ['a daily step stats row', dailyStats('StepCount', '2026-08-13', 8000, { valueMin: 50, valueMax: 9000 })],
    [
      'a resting heart rate stats row',
      dailyStats('RestingHeartRate', '2026-08-13', 55, { valueMin: 50, valueMax: 60 }),
    ],
    [
      'an HRV stats row',
      dailyStats('HeartRateVariabilitySDNN', '2026-08-13', 45, { valueMin: 30, valueMax: 60 }),
    ],
    ['a body mass sample', entry({ valueMin: 70, valueMax: 75 })],
    [
      'a sleep sample',
      entry({
        hkIdentifier: `${CATEGORY}SleepAnalysis`,
        value: 95,
        sleepStage: 3,
        valueMin: 20,
        valueMax: 100,
      }),
    ],
    [
      'an event',
      entry({
        hkIdentifier: `${CATEGORY}HighHeartRateEvent`,
        value: 1,
        categoryValue: 1,
        valueMin: 20,
        valueMax: 200,
      }),
    ],
  ])('no other row ever stores a spread, even when valueMin/valueMax are sent: %s', (_why, e) => {
    expect(stored(planEntry(e, NOW))).toMatchObject({ valueMin: null, valueMax: null });
  });
});

describe('batch-api §3: the checks run in pipeline order; an entry breaking several rules gets the reason of the first', () => {
  const future = { startDate: '2027-01-01T00:00:00Z', endDate: '2027-01-01T00:00:00Z' };
  it.each([
    [
      'unstable id + unmappable + out of range + implausible → unstable_external_id',
      entry({ externalId: '0x1f', hkIdentifier: `${QUANTITY}Height`, value: -1, ...future }),
      'unstable_external_id',
    ],
    [
      'unstable id (object description) on a malformed bucket → unstable_external_id',
      heartRateBucket('2026-08-14T07:30:00.000Z', { externalId: `${HR_BUCKET_PREFIX}<HKObject 0x1f>` }),
      'unstable_external_id',
    ],
    [
      'unmappable + implausible → unmappable_identifier',
      entry({ hkIdentifier: `${QUANTITY}Height`, ...future }),
      'unmappable_identifier',
    ],
    [
      'sleep without a stage + out of range value → unmappable_identifier',
      entry({ hkIdentifier: `${CATEGORY}SleepAnalysis`, value: 5000 }),
      'unmappable_identifier',
    ],
    ['out of range + implausible → value_out_of_range', entry({ value: 0, ...future }), 'value_out_of_range'],
    [
      'out of range + malformed bucket id → value_out_of_range',
      heartRateBucket('2026-08-14T07:30:00.000Z', {
        value: 5,
        externalId: `${HR_BUCKET_PREFIX}2026-08-14T07:35:00.000Z`,
      }),
      'value_out_of_range',
    ],
    [
      'implausible + malformed bucket id → implausible_timestamp',
      heartRateBucket('2026-08-14T07:30:00.000Z', {
        ...future,
        externalId: `${HR_BUCKET_PREFIX}2026-08-14T07:35:00.000Z`,
      }),
      'implausible_timestamp',
    ],
  ])('%s', (_why, e, reason) => {
    expect(skipReason(planEntry(e, NOW))).toBe(reason);
  });

  it('only value_out_of_range carries convertedValue and range', () => {
    for (const e of [
      entry({ externalId: '0x1' }),
      entry({ hkIdentifier: 'x' }),
      entry({ endDate: '2027-01-01T00:00:00Z' }),
    ]) {
      const verdict = planEntry(e, NOW);
      expect(verdict).not.toHaveProperty('convertedValue');
      expect(verdict).not.toHaveProperty('range');
    }
  });
});

describe('healthkit-types.md / batch-api §1: what a stored row holds', () => {
  it('measuredAt is endDate as a UTC instant, startDate is normalized too', () => {
    const m = stored(
      planEntry(
        entry({ startDate: '2026-08-14T07:59:00+02:00', endDate: '2026-08-14T08:00:00.25+02:00' }),
        NOW,
      ),
    );
    expect(m.measuredAt).toBe('2026-08-14T06:00:00.250Z');
    expect(m.startDate).toBe('2026-08-14T05:59:00.000Z');
  });

  it('source defaults to APPLE_HEALTH; deviceType and externalSourceVersion default to null', () => {
    expect(stored(planEntry(entry(), NOW))).toMatchObject({
      source: 'APPLE_HEALTH',
      deviceType: null,
      externalSourceVersion: null,
    });
    expect(
      stored(planEntry(entry({ source: null, deviceType: null, externalSourceVersion: null }), NOW)),
    ).toMatchObject({
      source: 'APPLE_HEALTH',
      deviceType: null,
      externalSourceVersion: null,
    });
  });

  it('source, deviceType and externalSourceVersion are stored as sent', () => {
    expect(
      stored(
        planEntry(entry({ source: 'MANUAL', deviceType: 'scale', externalSourceVersion: 'iPhone15,2' }), NOW),
      ),
    ).toMatchObject({ source: 'MANUAL', deviceType: 'scale', externalSourceVersion: 'iPhone15,2' });
  });

  it('a stats: externalId is a stats row, anything else a sample', () => {
    expect(stored(planEntry(dailyStats('StepCount', '2026-08-13', 8000), NOW)).kind).toBe('stats');
    expect(stored(planEntry(entry(), NOW)).kind).toBe('sample');
    expect(stored(planEntry(entry({ externalId: 'Stats:not-really' }), NOW)).kind).toBe('sample');
  });

  it('the id is the one for (type, externalId)', () => {
    const m = stored(planEntry(entry(), NOW));
    expect(m.id).toBe(measurementId('WEIGHT', '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30'));
  });
});
