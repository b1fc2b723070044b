/**
 * HealthKit identifier → measurement type, its stored unit, conversion and plausible range, as data
 * (the phone's HealthKit table; docs/batch-api.md, "The per-entry pipeline").
 * Adding a type is adding a row; no code path branches on a particular identifier.
 */

export type Conversion =
  /** The value is stored as sent. */
  | 'none'
  /** Percent types that HealthKit sends as a 0..1 fraction: `v > 1 ? v : v × 100`. */
  | 'fraction-to-percent'
  /** Always × 100 (fractions to percent, metres to centimetres). */
  | 'times-100';

export interface PlausibleRange {
  readonly min: number;
  readonly max: number;
}

/** How a category sample's value and classification are derived. */
export type CategoryRule =
  /** Sleep: value as sent (minutes), `sleepStage` names the stage and is required. */
  | { readonly kind: 'sleep-stage' }
  /** An event: the stored value is always 1, with an optional fixed or codepoint-derived class. */
  | { readonly kind: 'event'; readonly classification: EventClassification | null };

export type EventClassification =
  | { readonly kind: 'fixed'; readonly value: string }
  /** Walking steadiness events: codepoint 1,2 → LOW; 3,4 → VERY_LOW; otherwise LOW. */
  | {
      readonly kind: 'by-codepoint';
      readonly byCodepoint: Readonly<Record<number, string>>;
      readonly otherwise: string;
    };

export interface HealthKitMapping {
  readonly hkIdentifier: string;
  readonly type: string;
  readonly unit: string;
  readonly conversion: Conversion;
  /** Plausibility on the converted value; `null` where the value is fixed (events). */
  readonly range: PlausibleRange | null;
  readonly category: CategoryRule | null;
}

const QUANTITY = 'HKQuantityTypeIdentifier';
const CATEGORY = 'HKCategoryTypeIdentifier';

type QuantityRow = readonly [
  suffix: string,
  type: string,
  unit: string,
  conversion: Conversion,
  min: number,
  max: number,
];

const quantityRows: readonly QuantityRow[] = [
  ['BodyMass', 'WEIGHT', 'kg', 'none', 1, 500],
  ['BodyFatPercentage', 'BODY_FAT', '%', 'fraction-to-percent', 1, 80],
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
  ['OxygenSaturation', 'OXYGEN_SATURATION', '%', 'fraction-to-percent', 50, 100],
  ['EnvironmentalAudioExposure', 'AUDIO_EXPOSURE_ENV', 'dBA', 'none', 30, 140],
  ['HeadphoneAudioExposure', 'AUDIO_EXPOSURE_HEADPHONE', 'dBA', 'none', 30, 140],
  ['TimeInDaylight', 'TIME_IN_DAYLIGHT', 'minutes', 'none', 0, 1440],
  ['AppleWalkingSteadiness', 'WALKING_STEADINESS', '%', 'times-100', 0, 100],
  ['RespiratoryRate', 'RESPIRATORY_RATE', 'breaths/min', 'none', 3, 60],
  ['BodyMassIndex', 'BODY_MASS_INDEX', 'kg/m²', 'none', 8, 70],
  ['LeanBodyMass', 'LEAN_BODY_MASS', 'kg', 'none', 10, 250],
  ['WalkingHeartRateAverage', 'WALKING_HEART_RATE_AVERAGE', 'bpm', 'none', 30, 220],
  ['WalkingAsymmetryPercentage', 'WALKING_ASYMMETRY', '%', 'times-100', 0, 100],
  ['WalkingDoubleSupportPercentage', 'WALKING_DOUBLE_SUPPORT', '%', 'times-100', 0, 100],
  ['WalkingStepLength', 'WALKING_STEP_LENGTH', 'm', 'none', 0.1, 2.0],
  ['WalkingSpeed', 'WALKING_SPEED', 'm/s', 'none', 0.1, 3.0],
  ['HeartRateRecoveryOneMinute', 'CARDIO_RECOVERY', 'bpm', 'none', 0, 100],
  ['AppleSleepingWristTemperature', 'WRIST_TEMPERATURE', 'celsius', 'none', 30, 42],
  ['NumberOfTimesFallen', 'FALL_COUNT', 'count', 'none', 0, 50],
  ['SixMinuteWalkTestDistance', 'SIX_MINUTE_WALK_DISTANCE', 'm', 'none', 50, 1000],
  ['StairAscentSpeed', 'STAIR_ASCENT_SPEED', 'm/s', 'none', 0.05, 2.0],
  ['StairDescentSpeed', 'STAIR_DESCENT_SPEED', 'm/s', 'none', 0.05, 2.0],
  ['AppleSleepingBreathingDisturbances', 'BREATHING_DISTURBANCES', 'count', 'none', 0, 1000],
  ['WaistCircumference', 'WAIST_CIRCUMFERENCE', 'cm', 'times-100', 30, 250],
];

const fired: EventClassification = { kind: 'fixed', value: 'FIRED' };

type CategoryRow = readonly [
  suffix: string,
  type: string,
  unit: string,
  range: PlausibleRange | null,
  rule: CategoryRule,
];

const categoryRows: readonly CategoryRow[] = [
  ['SleepAnalysis', 'SLEEP_DURATION', 'minutes', { min: 0, max: 1440 }, { kind: 'sleep-stage' }],
  [
    'EnvironmentalAudioExposureEvent',
    'AUDIO_EXPOSURE_EVENT',
    'count',
    null,
    { kind: 'event', classification: null },
  ],
  [
    'HeadphoneAudioExposureEvent',
    'AUDIO_EXPOSURE_EVENT',
    'count',
    null,
    { kind: 'event', classification: null },
  ],
  [
    'IrregularHeartRhythmEvent',
    'IRREGULAR_RHYTHM_NOTIFICATION',
    'event',
    null,
    { kind: 'event', classification: { kind: 'fixed', value: 'IRREGULAR' } },
  ],
  ['HighHeartRateEvent', 'HIGH_HEART_RATE_EVENT', 'event', null, { kind: 'event', classification: fired }],
  ['LowHeartRateEvent', 'LOW_HEART_RATE_EVENT', 'event', null, { kind: 'event', classification: fired }],
  [
    'AppleWalkingSteadinessEvent',
    'WALKING_STEADINESS_EVENT',
    'event',
    null,
    {
      kind: 'event',
      classification: {
        kind: 'by-codepoint',
        byCodepoint: { 1: 'LOW', 2: 'LOW', 3: 'VERY_LOW', 4: 'VERY_LOW' },
        otherwise: 'LOW',
      },
    },
  ],
  ['SleepApneaEvent', 'BREATHING_DISTURBANCE_EVENT', 'event', null, { kind: 'event', classification: fired }],
];

/** Sleep stages by the phone's `sleepStage` code. Any other code is unmappable. */
export const sleepStages: Readonly<Record<number, string>> = {
  0: 'IN_BED',
  1: 'ASLEEP',
  2: 'AWAKE',
  3: 'CORE',
  4: 'DEEP',
  5: 'REM',
};

export const healthKitMappings: ReadonlyMap<string, HealthKitMapping> = new Map(
  [
    ...quantityRows.map(([suffix, type, unit, conversion, min, max]): HealthKitMapping => ({
      hkIdentifier: QUANTITY + suffix,
      type,
      unit,
      conversion,
      range: { min, max },
      category: null,
    })),
    ...categoryRows.map(([suffix, type, unit, range, category]): HealthKitMapping => ({
      hkIdentifier: CATEGORY + suffix,
      type,
      unit,
      conversion: 'none',
      range,
      category,
    })),
  ].map((mapping) => [mapping.hkIdentifier, mapping]),
);

export function findHealthKitMapping(hkIdentifier: string): HealthKitMapping | undefined {
  return healthKitMappings.get(hkIdentifier);
}

/** Multiplying by 100 in binary floating point leaves noise (0.07 × 100 = 7.000000000000001). */
function roundNoise(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

export function convertValue(conversion: Conversion, value: number): number {
  switch (conversion) {
    case 'none':
      return value;
    case 'fraction-to-percent':
      return value > 1 ? value : roundNoise(value * 100);
    case 'times-100':
      return roundNoise(value * 100);
  }
}
