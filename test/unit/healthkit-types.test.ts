import { convertValue, findHealthKitMapping } from '../../functions/measurements/model/healthkit-types';
import { planEntry } from '../../functions/measurements/batch/plan-entry';
import { CATEGORY, NOW, QUANTITY, entry, skipReason, stored } from './fixtures';

type Conversion = 'none' | 'percent' | 'x100';

/** healthkit-types.md, "Quantities", restated row by row. */
const QUANTITIES: ReadonlyArray<
  readonly [suffix: string, type: string, unit: string, conversion: Conversion, min: number, max: number]
> = [
  ['BodyMass', 'WEIGHT', 'kg', 'none', 1, 500],
  ['BodyFatPercentage', 'BODY_FAT', '%', 'percent', 1, 80],
  ['BodyTemperature', 'BODY_TEMPERATURE', 'celsius', 'none', 28, 45],
  ['BloodPressureSystolic', 'BLOOD_PRESSURE_SYS', 'mmHg', 'none', 40, 300],
  ['BloodPressureDiastolic', 'BLOOD_PRESSURE_DIA', 'mmHg', 'none', 20, 200],
  ['HeartRate', 'PULSE', 'bpm', 'none', 20, 300],
  ['RestingHeartRate', 'RESTING_HEART_RATE', 'bpm', 'none', 25, 220],
  ['HeartRateVariabilitySDNN', 'HEART_RATE_VARIABILITY', 'ms', 'none', 1, 300],
  ['HeartRateVariabilityRMSSD', 'HRV_RMSSD', 'ms', 'none', 1, 300],
  ['StepCount', 'ACTIVITY_STEPS', 'steps', 'none', 0, 200000],
  ['ActiveEnergyBurned', 'ACTIVE_ENERGY_BURNED', 'kcal', 'none', 0, 10000],
  ['FlightsClimbed', 'FLIGHTS_CLIMBED', 'flights', 'none', 0, 1000],
  ['DistanceWalkingRunning', 'WALKING_RUNNING_DISTANCE', 'm', 'none', 0, 200000],
  ['VO2Max', 'VO2_MAX', 'mL/(kg·min)', 'none', 5, 100],
  ['BloodGlucose', 'BLOOD_GLUCOSE', 'mg/dL', 'none', 20, 800],
  ['OxygenSaturation', 'OXYGEN_SATURATION', '%', 'percent', 50, 100],
  ['EnvironmentalAudioExposure', 'AUDIO_EXPOSURE_ENV', 'dBA', 'none', 30, 140],
  ['HeadphoneAudioExposure', 'AUDIO_EXPOSURE_HEADPHONE', 'dBA', 'none', 30, 140],
  ['TimeInDaylight', 'TIME_IN_DAYLIGHT', 'minutes', 'none', 0, 1440],
  ['AppleWalkingSteadiness', 'WALKING_STEADINESS', '%', 'x100', 0, 100],
  ['RespiratoryRate', 'RESPIRATORY_RATE', 'breaths/min', 'none', 3, 60],
  ['BodyMassIndex', 'BODY_MASS_INDEX', 'kg/m²', 'none', 8, 70],
  ['LeanBodyMass', 'LEAN_BODY_MASS', 'kg', 'none', 10, 250],
  ['WalkingHeartRateAverage', 'WALKING_HEART_RATE_AVERAGE', 'bpm', 'none', 30, 220],
  ['WalkingAsymmetryPercentage', 'WALKING_ASYMMETRY', '%', 'x100', 0, 100],
  ['WalkingDoubleSupportPercentage', 'WALKING_DOUBLE_SUPPORT', '%', 'x100', 0, 100],
  ['WalkingStepLength', 'WALKING_STEP_LENGTH', 'm', 'none', 0.1, 2.0],
  ['WalkingSpeed', 'WALKING_SPEED', 'm/s', 'none', 0.1, 3.0],
  ['HeartRateRecoveryOneMinute', 'CARDIO_RECOVERY', 'bpm', 'none', 0, 100],
  ['AppleSleepingWristTemperature', 'WRIST_TEMPERATURE', 'celsius', 'none', 30, 42],
  ['NumberOfTimesFallen', 'FALL_COUNT', 'count', 'none', 0, 50],
  ['SixMinuteWalkTestDistance', 'SIX_MINUTE_WALK_DISTANCE', 'm', 'none', 50, 1000],
  ['StairAscentSpeed', 'STAIR_ASCENT_SPEED', 'm/s', 'none', 0.05, 2.0],
  ['StairDescentSpeed', 'STAIR_DESCENT_SPEED', 'm/s', 'none', 0.05, 2.0],
  ['AppleSleepingBreathingDisturbances', 'BREATHING_DISTURBANCES', 'count', 'none', 0, 1000],
  ['WaistCircumference', 'WAIST_CIRCUMFERENCE', 'cm', 'x100', 30, 250],
];

/** A raw value the phone could send that converts to `converted` under the spec's conversion. */
function rawFor(conversion: Conversion, converted: number): number {
  switch (conversion) {
    case 'none':
      return converted;
    case 'percent': // v > 1 ? v : v × 100
      return converted > 1 ? converted : converted / 100;
    case 'x100':
      return converted / 100;
  }
}

/** "Just outside" the range, in the stored unit: 1 % of the smallest sensible step. */
const EPSILON = 0.01;

function quantity(suffix: string, raw: number) {
  return entry({ hkIdentifier: `${QUANTITY}${suffix}`, value: raw, unit: 'whatever-the-phone-says' });
}

describe('healthkit-types.md "Quantities": every row maps to its type and stored unit', () => {
  it.each(QUANTITIES)('%s is stored as %s in %s', (suffix, type, unit, conversion, min, max) => {
    const mid = (min + max) / 2;
    const measurement = stored(planEntry(quantity(suffix, rawFor(conversion, mid)), NOW));
    expect(measurement).toMatchObject({
      type,
      unit,
      hkIdentifier: `${QUANTITY}${suffix}`,
      clientUnit: 'whatever-the-phone-says',
    });
    expect(measurement.value).toBeCloseTo(mid, 9);
  });
});

describe('healthkit-types.md: plausibility is checked on the converted value; min and max are accepted, just outside is value_out_of_range', () => {
  it.each(QUANTITIES)(
    '%s (%s): converted min and max are accepted',
    (suffix, _type, _unit, conversion, min, max) => {
      expect(stored(planEntry(quantity(suffix, rawFor(conversion, min)), NOW)).value).toBe(min);
      expect(stored(planEntry(quantity(suffix, rawFor(conversion, max)), NOW)).value).toBe(max);
    },
  );

  it.each(QUANTITIES)(
    '%s (%s): just below min and just above max are value_out_of_range with convertedValue and range {min, max, unit}',
    (suffix, _type, unit, conversion, min, max) => {
      for (const converted of [min - EPSILON, max + EPSILON]) {
        const verdict = planEntry(quantity(suffix, rawFor(conversion, converted)), NOW);
        expect(verdict).toEqual({
          action: 'skip',
          reason: 'value_out_of_range',
          convertedValue: expect.closeTo(converted, 9),
          range: { min, max, unit },
        });
      }
    },
  );

  it('the range object has exactly the keys min, max, unit in that order', () => {
    const verdict = planEntry(quantity('BodyFatPercentage', 0.9), NOW);
    expect(verdict.action === 'skip' && Object.keys(verdict.range ?? {})).toEqual(['min', 'max', 'unit']);
  });
});

describe('healthkit-types.md: percent rule v > 1 ? v : v×100 (BodyFatPercentage, OxygenSaturation)', () => {
  it('a body fat of 0.9 is converted to 90 % and answered value_out_of_range with the range', () => {
    expect(planEntry(quantity('BodyFatPercentage', 0.9), NOW)).toEqual({
      action: 'skip',
      reason: 'value_out_of_range',
      convertedValue: 90,
      range: { min: 1, max: 80, unit: '%' },
    });
  });

  it('a body fat of 22.5 stays 22.5 %', () => {
    expect(stored(planEntry(quantity('BodyFatPercentage', 22.5), NOW)).value).toBe(22.5);
  });

  it('a body fat of 0.225 (a fraction) becomes 22.5 %', () => {
    expect(stored(planEntry(quantity('BodyFatPercentage', 0.225), NOW)).value).toBe(22.5);
  });

  it('an oxygen saturation of 0.97 becomes 97 % and one of 97 stays 97 %', () => {
    expect(stored(planEntry(quantity('OxygenSaturation', 0.97), NOW)).value).toBe(97);
    expect(stored(planEntry(quantity('OxygenSaturation', 97), NOW)).value).toBe(97);
  });

  it('exactly 1 is not greater than 1, so it is a fraction: 100 %', () => {
    expect(convertValue('fraction-to-percent', 1)).toBe(100);
    expect(stored(planEntry(quantity('OxygenSaturation', 1), NOW)).value).toBe(100);
  });

  it.each([
    [0.9, 90],
    [0.07, 7],
    [0.29, 29],
    [0.57, 57],
    [1.5, 1.5],
    [80, 80],
  ])('convertValue(fraction-to-percent, %p) = %p, without floating-point noise', (raw, converted) => {
    expect(convertValue('fraction-to-percent', raw)).toBe(converted);
  });
});

describe('healthkit-types.md: ×100 types are always multiplied (walking steadiness/asymmetry/double support, waist in metres → cm)', () => {
  it.each([
    [0.07, 7],
    [0.29, 29],
    [0.57, 57],
    [1, 100],
    [2, 200],
    [0.835, 83.5],
  ])('convertValue(times-100, %p) = %p, without floating-point noise', (raw, converted) => {
    expect(convertValue('times-100', raw)).toBe(converted);
  });

  it('a waist circumference of 0.82 m is stored as 82 cm', () => {
    expect(stored(planEntry(quantity('WaistCircumference', 0.82), NOW))).toMatchObject({
      value: 82,
      unit: 'cm',
    });
  });

  it('a waist circumference sent as 82 (already cm) is still ×100 → 8200, out of range', () => {
    expect(planEntry(quantity('WaistCircumference', 82), NOW)).toMatchObject({
      reason: 'value_out_of_range',
      convertedValue: 8200,
      range: { min: 30, max: 250, unit: 'cm' },
    });
  });

  it('a walking steadiness of 1.2 (120 %) is out of range', () => {
    expect(skipReason(planEntry(quantity('AppleWalkingSteadiness', 1.2), NOW))).toBe('value_out_of_range');
  });

  it('convertValue(none, v) is v', () => {
    expect(convertValue('none', 0.9)).toBe(0.9);
    expect(convertValue('none', 72.4)).toBe(72.4);
  });
});

describe('batch-api §1 / healthkit-types.md: the client unit is informational, never used for conversion', () => {
  it('a body mass of 160 sent in "lb" is stored as 160 kg, with the client unit kept', () => {
    expect(stored(planEntry(entry({ value: 160, unit: 'lb' }), NOW))).toMatchObject({
      value: 160,
      unit: 'kg',
      clientUnit: 'lb',
    });
  });

  it('a body fat of 0.2 sent with unit "%" is still converted to 20 %', () => {
    expect(stored(planEntry(quantity('BodyFatPercentage', 0.2), NOW)).value).toBe(20);
  });
});

describe('healthkit-types.md: an identifier missing from the table is skipped / unmappable_identifier', () => {
  it.each([
    `${QUANTITY}Height`,
    `${QUANTITY}BasalEnergyBurned`,
    `${QUANTITY}AppleExerciseTime`,
    `${QUANTITY}AppleStandTime`,
    `${QUANTITY}DietaryEnergyConsumed`,
    `${QUANTITY}DietaryWater`,
    `${CATEGORY}MindfulSession`,
    'HKDataTypeIdentifierElectrocardiogram',
    'HKClinicalTypeIdentifierAllergyRecord',
    // Right name, wrong family or case: still not in the table.
    `${CATEGORY}BodyMass`,
    `${QUANTITY}SleepAnalysis`,
    'hkquantitytypeidentifierbodymass',
    'BodyMass',
    'WEIGHT',
    // Object-prototype names must not resolve to anything.
    '__proto__',
    'constructor',
    'toString',
  ])('%s is unmappable', (hkIdentifier) => {
    expect(findHealthKitMapping(hkIdentifier)).toBeUndefined();
    expect(planEntry(entry({ hkIdentifier }), NOW)).toEqual({
      action: 'skip',
      reason: 'unmappable_identifier',
    });
  });
});

describe('healthkit-types.md "Categories": SleepAnalysis → SLEEP_DURATION in minutes, value as sent, range 0–1440', () => {
  const sleep = (overrides: Parameters<typeof entry>[0]) =>
    entry({ hkIdentifier: `${CATEGORY}SleepAnalysis`, value: 95, unit: 'min', sleepStage: 3, ...overrides });

  it.each([
    [0, 'IN_BED'],
    [1, 'ASLEEP'],
    [2, 'AWAKE'],
    [3, 'CORE'],
    [4, 'DEEP'],
    [5, 'REM'],
  ])('sleep stage %p is stored by name as %s', (sleepStage, name) => {
    expect(stored(planEntry(sleep({ sleepStage }), NOW))).toMatchObject({
      type: 'SLEEP_DURATION',
      unit: 'minutes',
      value: 95,
      sleepStage: name,
      rhythmClassification: null,
    });
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['6 (unknown)', 6],
    ['20 (unknown)', 20],
  ])('a sleep sample whose stage is %s is unmappable_identifier', (_why, sleepStage) => {
    const { sleepStage: _omitted, ...withoutStage } = sleep({});
    const e = sleepStage === undefined ? withoutStage : { ...withoutStage, sleepStage };
    expect(planEntry(e, NOW)).toEqual({ action: 'skip', reason: 'unmappable_identifier' });
  });

  it('a sleep stage is not taken from categoryValue', () => {
    const { sleepStage: _omitted, ...withoutStage } = sleep({});
    expect(skipReason(planEntry({ ...withoutStage, categoryValue: 3 }, NOW))).toBe('unmappable_identifier');
  });

  it('0 and 1440 minutes are accepted; -0.01 and 1440.01 are value_out_of_range in minutes', () => {
    expect(stored(planEntry(sleep({ value: 0 }), NOW)).value).toBe(0);
    expect(stored(planEntry(sleep({ value: 1440 }), NOW)).value).toBe(1440);
    for (const value of [-0.01, 1440.01]) {
      expect(planEntry(sleep({ value }), NOW)).toEqual({
        action: 'skip',
        reason: 'value_out_of_range',
        convertedValue: value,
        range: { min: 0, max: 1440, unit: 'minutes' },
      });
    }
  });
});

/** healthkit-types.md, "Categories", event rows restated. `null` = no classification ("–"). */
const EVENTS: ReadonlyArray<
  readonly [suffix: string, type: string, unit: string, classification: string | null]
> = [
  ['EnvironmentalAudioExposureEvent', 'AUDIO_EXPOSURE_EVENT', 'count', null],
  ['HeadphoneAudioExposureEvent', 'AUDIO_EXPOSURE_EVENT', 'count', null],
  ['IrregularHeartRhythmEvent', 'IRREGULAR_RHYTHM_NOTIFICATION', 'event', 'IRREGULAR'],
  ['HighHeartRateEvent', 'HIGH_HEART_RATE_EVENT', 'event', 'FIRED'],
  ['LowHeartRateEvent', 'LOW_HEART_RATE_EVENT', 'event', 'FIRED'],
  ['AppleWalkingSteadinessEvent', 'WALKING_STEADINESS_EVENT', 'event', 'LOW'],
  ['SleepApneaEvent', 'BREATHING_DISTURBANCE_EVENT', 'event', 'FIRED'],
];

describe('healthkit-types.md "Categories": events are stored with value always 1 and their classification', () => {
  const event = (suffix: string, overrides: Parameters<typeof entry>[0] = {}) =>
    entry({ hkIdentifier: `${CATEGORY}${suffix}`, value: 1, unit: 'event', categoryValue: 1, ...overrides });

  it.each(EVENTS)('%s is stored as %s in %s, classified %p', (suffix, type, unit, classification) => {
    expect(stored(planEntry(event(suffix), NOW))).toMatchObject({
      type,
      unit,
      value: 1,
      rhythmClassification: classification,
      sleepStage: null,
      valueMin: null,
      valueMax: null,
    });
  });

  it.each(EVENTS)(
    '%s: whatever value is sent (0, -5, 1e9), the stored value is 1 and never out of range',
    (suffix) => {
      for (const value of [0, -5, 1e9])
        expect(stored(planEntry(event(suffix, { value }), NOW)).value).toBe(1);
    },
  );

  it.each([
    ['categoryValue 1', { categoryValue: 1 }, 'LOW'],
    ['categoryValue 2', { categoryValue: 2 }, 'LOW'],
    ['categoryValue 3', { categoryValue: 3 }, 'VERY_LOW'],
    ['categoryValue 4', { categoryValue: 4 }, 'VERY_LOW'],
    ['categoryValue 0 (other)', { categoryValue: 0 }, 'LOW'],
    ['categoryValue 5 (other)', { categoryValue: 5 }, 'LOW'],
    ['categoryValue 20 (other)', { categoryValue: 20 }, 'LOW'],
    ['no codepoint at all', { categoryValue: undefined }, 'LOW'],
    ['categoryValue null, no sleepStage', { categoryValue: null }, 'LOW'],
    ['no categoryValue, sleepStage 3 (fallback)', { categoryValue: undefined, sleepStage: 3 }, 'VERY_LOW'],
    ['categoryValue null, sleepStage 4 (fallback)', { categoryValue: null, sleepStage: 4 }, 'VERY_LOW'],
    ['no categoryValue, sleepStage 2 (fallback)', { categoryValue: undefined, sleepStage: 2 }, 'LOW'],
    ['categoryValue 1 wins over sleepStage 3', { categoryValue: 1, sleepStage: 3 }, 'LOW'],
    ['categoryValue 3 wins over sleepStage 1', { categoryValue: 3, sleepStage: 1 }, 'VERY_LOW'],
    [
      'categoryValue 0 wins over sleepStage 3 (0 is a codepoint, not absent)',
      { categoryValue: 0, sleepStage: 3 },
      'LOW',
    ],
  ])('walking steadiness event with %s is %s', (_why, overrides, classification) => {
    const e = { ...event('AppleWalkingSteadinessEvent'), ...overrides };
    expect(stored(planEntry(e, NOW)).rhythmClassification).toBe(classification);
  });

  it.each(['IrregularHeartRhythmEvent', 'HighHeartRateEvent', 'LowHeartRateEvent', 'SleepApneaEvent'])(
    '%s has a fixed classification whatever its codepoint',
    (suffix) => {
      const expected = suffix === 'IrregularHeartRhythmEvent' ? 'IRREGULAR' : 'FIRED';
      for (const overrides of [
        { categoryValue: 3 },
        { categoryValue: undefined, sleepStage: 4 },
        { categoryValue: undefined },
      ]) {
        expect(stored(planEntry({ ...event(suffix), ...overrides }, NOW)).rhythmClassification).toBe(
          expected,
        );
      }
    },
  );

  it('an event does not need a sleepStage and does not store one', () => {
    expect(stored(planEntry(event('HighHeartRateEvent', { sleepStage: 2 }), NOW)).sleepStage).toBeNull();
  });
});
