import type { BatchEntry } from '../../functions/measurements/batch/batch-schema';
import { planBatch, type PlannedEntry } from '../../functions/measurements/batch/ingest-batch';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { HR_BUCKET_PREFIX, NOW, QUANTITY, dailyStats, entry, heartRateBucket } from './fixtures';
import { mixedSamplesExample } from '../support/contract-examples';

const steps = (value: number, overrides: Partial<BatchEntry> = {}) =>
  dailyStats('StepCount', '2026-08-13', value, overrides);
const STEPS_ID = measurementId('ACTIVITY_STEPS', `stats:${QUANTITY}StepCount:2026-08-13`);
const SAMPLE_ID = measurementId('WEIGHT', '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30');

function written(plan: PlannedEntry) {
  if (plan.status !== 'write') throw new Error(`expected a write, got ${JSON.stringify(plan)}`);
  return plan.measurement;
}

describe('batch-api §3 step 6: for a stats: row only the last entry of the batch is written; every earlier one is duplicate / superseded_in_batch with the same id', () => {
  it('three posts of the same day: the last is written, the first two are superseded', () => {
    const plans = planBatch([steps(100), steps(200), steps(300)], NOW);
    expect(plans.slice(0, 2)).toEqual([
      { index: 0, status: 'duplicate', reason: 'superseded_in_batch', id: STEPS_ID },
      { index: 1, status: 'duplicate', reason: 'superseded_in_batch', id: STEPS_ID },
    ]);
    expect(plans[2]).toMatchObject({ index: 2, status: 'write' });
    expect(written(plans[2]!)).toMatchObject({ id: STEPS_ID, value: 300 });
  });

  it("the superseded entry carries the winner's id", () => {
    const [first, last] = planBatch([steps(100), steps(300)], NOW);
    expect(first).toMatchObject({ status: 'duplicate', id: written(last!).id });
  });

  it('other rows in between do not interfere', () => {
    const plans = planBatch(
      [steps(100), entry(), dailyStats('StepCount', '2026-08-12', 50), steps(300)],
      NOW,
    );
    expect(plans.map((p) => p.status)).toEqual(['duplicate', 'write', 'write', 'write']);
  });

  it('a skipped entry never supersedes: an out-of-range last repeat leaves the earlier valid one as the write', () => {
    const plans = planBatch([steps(100), steps(-5)], NOW);
    expect(plans[0]).toMatchObject({ index: 0, status: 'write' });
    expect(plans[1]).toEqual({
      index: 1,
      status: 'skipped',
      reason: 'value_out_of_range',
      convertedValue: -5,
      range: { min: 0, max: 200000, unit: 'steps' },
    });
  });

  it('a skipped entry never supersedes: a later implausible repeat of a heart-rate bucket does not win', () => {
    const start = '2026-08-14T07:30:00.000Z';
    const plans = planBatch(
      [heartRateBucket(start), heartRateBucket(start, { endDate: '2027-01-01T00:00:00Z' })],
      NOW,
    );
    expect(plans.map((p) => p.status)).toEqual(['write', 'skipped']);
  });

  it('the same externalId under two different types is two rows, not a repeat', () => {
    const externalId = 'stats:shared:2026-08-13';
    const plans = planBatch(
      [
        entry({ hkIdentifier: `${QUANTITY}StepCount`, value: 10, externalId }),
        entry({ hkIdentifier: `${QUANTITY}FlightsClimbed`, value: 3, externalId }),
      ],
      NOW,
    );
    expect(plans.map((p) => p.status)).toEqual(['write', 'write']);
  });

  it('two identifiers mapping to the same type with the same externalId are the same row (AUDIO_EXPOSURE_EVENT)', () => {
    const externalId = 'stats:audio-events:2026-08-13';
    const plans = planBatch(
      [
        entry({
          hkIdentifier: 'HKCategoryTypeIdentifierEnvironmentalAudioExposureEvent',
          value: 1,
          externalId,
        }),
        entry({ hkIdentifier: 'HKCategoryTypeIdentifierHeadphoneAudioExposureEvent', value: 1, externalId }),
      ],
      NOW,
    );
    expect(plans.map((p) => p.status)).toEqual(['duplicate', 'write']);
  });
});

describe('batch-api §3 step 6: for samples the first entry is written; a later repeat in the same batch is duplicate (no reason)', () => {
  it('the first of three is written, the later two are plain duplicates with its id', () => {
    const plans = planBatch([entry({ value: 70 }), entry({ value: 71 }), entry({ value: 72 })], NOW);
    expect(plans[0]).toMatchObject({ index: 0, status: 'write' });
    expect(written(plans[0]!).value).toBe(70);
    expect(plans.slice(1)).toEqual([
      { index: 1, status: 'duplicate', id: SAMPLE_ID },
      { index: 2, status: 'duplicate', id: SAMPLE_ID },
    ]);
    expect(plans[1]).not.toHaveProperty('reason');
  });

  it('a skipped entry never supersedes: a skipped first copy leaves the second as the write', () => {
    const plans = planBatch([entry({ value: 0 }), entry({ value: 70 })], NOW);
    expect(plans.map((p) => p.status)).toEqual(['skipped', 'write']);
  });

  it('skipped entries are never duplicates of each other', () => {
    const plans = planBatch([entry({ value: 0 }), entry({ value: 0 })], NOW);
    expect(plans.map((p) => p.status)).toEqual(['skipped', 'skipped']);
  });
});

describe('batch-api §6: one plan per posted entry, index = its position', () => {
  it("indexes are 0..n-1 in order, whatever each entry's fate", () => {
    const entries = [
      steps(1),
      entry({ externalId: '0x1' }),
      entry(),
      steps(2),
      entry(),
      entry({ hkIdentifier: 'x' }),
    ];
    expect(planBatch(entries, NOW).map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('an empty batch plans nothing', () => {
    expect(planBatch([], NOW)).toEqual([]);
  });
});

describe('contract example 02-mixed-samples (now = 2026-08-14T08:00:00Z), planned', () => {
  const request: BatchEntry[] = [...mixedSamplesExample.entries];

  it("the body mass and the pulse sample are writes (whether the pulse is a duplicate is the store's answer)", () => {
    const plans = planBatch(request, new Date('2026-08-14T08:00:00Z'));
    expect(written(plans[0]!)).toMatchObject({
      kind: 'sample',
      type: 'WEIGHT',
      value: 72.4,
      unit: 'kg',
      measuredAt: '2026-08-14T06:00:00.000Z',
      externalSourceVersion: 'iPhone15,2',
      deviceType: 'scale',
      source: 'APPLE_HEALTH',
    });
    expect(written(plans[1]!)).toMatchObject({
      kind: 'sample',
      type: 'PULSE',
      value: 71,
      unit: 'bpm',
      deviceType: 'watch',
      id: measurementId('PULSE', 'C0FFEE00-0000-4000-8000-000000000000'),
    });
  });

  it('BasalEnergyBurned is unmappable; body fat 0.9 is 90 % and out of range with its range', () => {
    const plans = planBatch(request, new Date('2026-08-14T08:00:00Z'));
    expect(plans.slice(2)).toEqual([
      { index: 2, status: 'skipped', reason: 'unmappable_identifier' },
      {
        index: 3,
        status: 'skipped',
        reason: 'value_out_of_range',
        convertedValue: 90,
        range: { min: 1, max: 80, unit: '%' },
      },
    ]);
    expect(JSON.stringify(plans[3])).toBe(
      '{"index":3,"status":"skipped","reason":"value_out_of_range","convertedValue":90,"range":{"min":1,"max":80,"unit":"%"}}',
    );
  });
});

describe('contract example 03-superseded-and-buckets (now = 2026-08-14T08:00:00Z), planned', () => {
  const bucket = (
    start: string,
    end: string,
    value: number,
    valueMin: number,
    valueMax: number,
  ): BatchEntry => ({
    hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
    value,
    valueMin,
    valueMax,
    unit: 'count/min',
    startDate: start,
    endDate: end,
    externalId: `${HR_BUCKET_PREFIX}${start.replace('Z', '.000Z')}`,
  });
  const request = [
    bucket('2026-08-14T07:30:00Z', '2026-08-14T07:40:00Z', 70, 58, 90),
    bucket('2026-08-14T07:30:00Z', '2026-08-14T07:40:00Z', 78, 58, 110),
    bucket('2026-08-14T07:40:00Z', '2026-08-14T07:50:00Z', 72, 80, 96),
  ];
  const id0730 = measurementId('PULSE', `${HR_BUCKET_PREFIX}2026-08-14T07:30:00.000Z`);

  it('the first 07:30 bucket is superseded by the second, with its id', () => {
    const [first] = planBatch(request, new Date('2026-08-14T08:00:00Z'));
    expect(first).toEqual({ index: 0, status: 'duplicate', reason: 'superseded_in_batch', id: id0730 });
    expect(Object.keys(first!)).toEqual(['index', 'status', 'reason', 'id']);
  });

  it('bucket 07:30 is written as PULSE 78 with valueMin 58, valueMax 110', () => {
    const plans = planBatch(request, new Date('2026-08-14T08:00:00Z'));
    expect(written(plans[1]!)).toMatchObject({
      kind: 'stats',
      type: 'PULSE',
      id: id0730,
      value: 78,
      valueMin: 58,
      valueMax: 110,
    });
  });

  it('bucket 07:40 is written as PULSE 72 with valueMin and valueMax null (80 > 72 breaks min <= value)', () => {
    const plans = planBatch(request, new Date('2026-08-14T08:00:00Z'));
    expect(written(plans[2]!)).toMatchObject({
      kind: 'stats',
      type: 'PULSE',
      value: 72,
      valueMin: null,
      valueMax: null,
    });
  });
});
