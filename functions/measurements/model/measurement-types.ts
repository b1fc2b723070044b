import { cumulativeTypes } from '../../../definitions/cumulative-types';

/**
 * Every type a row can have (77, HealthLog's full list), its stored unit and the plausible range a
 * hand-entered value or an edit must lie in (inclusive). The unit is stamped by the service on
 * every write; a client's unit string is never used. Batch entries are checked against the
 * HealthKit table's own ranges instead (healthkit-types.ts), which differ for a few types.
 *
 * Origin: `healthkit` = reachable from the phone's batch; `manual` = the app creates it by hand;
 * `other` = written in HealthLog by integrations (Withings, WHOOP, Oura, …), still a valid type
 * for queries and hand entry here.
 */
export type TypeOrigin = 'healthkit' | 'manual' | 'other';

export interface MeasurementTypeRule {
  readonly type: string;
  readonly unit: string;
  readonly range: { readonly min: number; readonly max: number };
  readonly origins: readonly TypeOrigin[];
  /** A day total (definitions/cumulative-types.ts). */
  readonly cumulative: boolean;
}

type Row = readonly [type: string, unit: string, min: number, max: number, origins: readonly TypeOrigin[]];

const rows: readonly Row[] = [
  ['WEIGHT', 'kg', 1, 500, ['healthkit', 'manual']],
  ['BLOOD_PRESSURE_SYS', 'mmHg', 40, 300, ['healthkit', 'manual']],
  ['BLOOD_PRESSURE_DIA', 'mmHg', 20, 200, ['healthkit', 'manual']],
  ['PULSE', 'bpm', 20, 300, ['healthkit', 'manual']],
  ['BODY_FAT', '%', 1, 80, ['healthkit', 'manual']],
  ['SLEEP_DURATION', 'minutes', 0, 1440, ['healthkit']],
  ['ACTIVITY_STEPS', 'steps', 0, 200000, ['healthkit']],
  ['BLOOD_GLUCOSE', 'mg/dL', 20, 800, ['healthkit', 'manual']],
  ['TOTAL_BODY_WATER', 'kg', 5, 100, ['manual']],
  ['BONE_MASS', 'kg', 0.5, 8, ['manual']],
  ['OXYGEN_SATURATION', '%', 50, 100, ['healthkit', 'manual']],
  ['HEART_RATE_VARIABILITY', 'ms', 1, 200, ['healthkit', 'manual']],
  ['RESTING_HEART_RATE', 'bpm', 25, 220, ['healthkit', 'manual']],
  ['ACTIVE_ENERGY_BURNED', 'kcal', 0, 10000, ['healthkit']],
  ['FLIGHTS_CLIMBED', 'flights', 0, 1000, ['healthkit']],
  ['WALKING_RUNNING_DISTANCE', 'm', 0, 200000, ['healthkit']],
  ['VO2_MAX', 'mL/(kg·min)', 5, 100, ['healthkit', 'manual']],
  ['BODY_TEMPERATURE', 'celsius', 28, 45, ['healthkit', 'manual']],
  ['FAT_FREE_MASS', 'kg', 10, 250, ['other']],
  ['FAT_MASS', 'kg', 0, 250, ['other']],
  ['MUSCLE_MASS', 'kg', 5, 200, ['other']],
  ['SKIN_TEMPERATURE', 'celsius', 20, 45, ['other']],
  ['PULSE_WAVE_VELOCITY', 'm/s', 1, 30, ['other']],
  ['VASCULAR_AGE', 'years', 10, 130, ['other']],
  ['VISCERAL_FAT', 'rating', 0, 30, ['other']],
  ['AUDIO_EXPOSURE_ENV', 'dBA', 30, 140, ['healthkit']],
  ['AUDIO_EXPOSURE_HEADPHONE', 'dBA', 30, 140, ['healthkit']],
  ['TIME_IN_DAYLIGHT', 'minutes', 0, 1440, ['healthkit']],
  ['WALKING_STEADINESS', '%', 0, 100, ['healthkit']],
  ['AUDIO_EXPOSURE_EVENT', 'count', 1, 1000, ['healthkit']],
  ['RESPIRATORY_RATE', 'breaths/min', 3, 60, ['healthkit', 'manual']],
  ['BODY_MASS_INDEX', 'kg/m²', 8, 70, ['healthkit']],
  ['LEAN_BODY_MASS', 'kg', 10, 250, ['healthkit']],
  ['WALKING_HEART_RATE_AVERAGE', 'bpm', 30, 220, ['healthkit']],
  ['WALKING_ASYMMETRY', '%', 0, 100, ['healthkit']],
  ['WALKING_DOUBLE_SUPPORT', '%', 0, 100, ['healthkit']],
  ['WALKING_STEP_LENGTH', 'm', 0.1, 2, ['healthkit']],
  ['WALKING_SPEED', 'm/s', 0.1, 3, ['healthkit']],
  ['CARDIO_RECOVERY', 'bpm', 0, 100, ['healthkit']],
  ['WRIST_TEMPERATURE', 'celsius', 30, 42, ['healthkit']],
  ['FALL_COUNT', 'count', 0, 50, ['healthkit']],
  ['SIX_MINUTE_WALK_DISTANCE', 'm', 50, 1000, ['healthkit']],
  ['STAIR_ASCENT_SPEED', 'm/s', 0.05, 2, ['healthkit']],
  ['STAIR_DESCENT_SPEED', 'm/s', 0.05, 2, ['healthkit']],
  ['BREATHING_DISTURBANCES', 'count', 0, 1000, ['healthkit']],
  ['IRREGULAR_RHYTHM_NOTIFICATION', 'event', 1, 1, ['healthkit']],
  ['HIGH_HEART_RATE_EVENT', 'event', 1, 1, ['healthkit']],
  ['LOW_HEART_RATE_EVENT', 'event', 1, 1, ['healthkit']],
  ['WALKING_STEADINESS_EVENT', 'event', 1, 1, ['healthkit']],
  ['BREATHING_DISTURBANCE_EVENT', 'event', 1, 1, ['healthkit']],
  ['RECOVERY_SCORE', 'score', 0, 100, ['other']],
  ['STRESS_SCORE', 'score', 0, 100, ['other']],
  ['STRAIN_SCORE', 'score', 0, 100, ['other']],
  ['HRV_RMSSD', 'ms', 1, 200, ['healthkit']],
  ['DAY_STRAIN', 'score', 0, 21, ['other']],
  ['WORKOUT_STRAIN', 'score', 0, 21, ['other']],
  ['SLEEP_PERFORMANCE', '%', 0, 100, ['other']],
  ['SLEEP_EFFICIENCY', '%', 0, 100, ['other']],
  ['SLEEP_CONSISTENCY', '%', 0, 100, ['other']],
  ['SLEEP_NEED', 'minutes', 0, 1440, ['other']],
  ['ENERGY_EXPENDITURE_KJ', 'kJ', 0, 50000, ['other']],
  ['AVERAGE_HEART_RATE', 'bpm', 20, 300, ['other']],
  ['MAX_HEART_RATE', 'bpm', 20, 300, ['other']],
  ['SLEEP_DISTURBANCE_COUNT', 'count', 0, 200, ['other']],
  ['ANS_CHARGE', 'score', -100, 100, ['other']],
  ['CARDIO_LOAD', 'score', 0, 1000, ['other']],
  ['SLEEP_SCORE', 'score', 0, 100, ['other']],
  ['BODY_TEMPERATURE_DEVIATION', 'celsius', -5, 5, ['other']],
  ['RESILIENCE', 'level', 1, 5, ['other']],
  ['PHQ9_SCORE', 'score', 0, 27, ['other']],
  ['GAD7_SCORE', 'score', 0, 21, ['other']],
  ['GRIP_STRENGTH', 'kg', 0, 120, ['manual']],
  ['PAIN_NRS', 'score', 0, 10, ['manual']],
  ['WAIST_CIRCUMFERENCE', 'cm', 30, 250, ['healthkit', 'manual']],
  ['WAIST_TO_HEIGHT', 'ratio', 0.2, 1.5, ['manual']],
  ['WHO5_SCORE', 'score', 0, 100, ['other']],
  ['SCI_SCORE', 'score', 0, 32, ['other']],
];

const cumulative: ReadonlySet<string> = new Set(cumulativeTypes);

export const measurementTypeCatalogue: ReadonlyMap<string, MeasurementTypeRule> = new Map(
  rows.map(([type, unit, min, max, origins]) => [
    type,
    { type, unit, range: { min, max }, origins, cumulative: cumulative.has(type) },
  ]),
);

/** Every measurement type (`WEIGHT`, `ACTIVITY_STEPS`, …), in HealthLog's order. */
export const measurementTypes: readonly string[] = rows.map(([type]) => type);

export function isMeasurementType(type: string): boolean {
  return measurementTypeCatalogue.has(type);
}

/**
 * The sources a row can name (`source`, and a list's `sourceEq`). This service writes only
 * APPLE_HEALTH (the batch, or a hand entry that names it) and MANUAL.
 */
export const measurementSources = [
  'MANUAL',
  'WITHINGS',
  'IMPORT',
  'APPLE_HEALTH',
  'COMPUTED',
  'WHOOP',
  'FITBIT',
  'NIGHTSCOUT',
  'POLAR',
  'OURA',
  'TELEGRAM',
  'MCP',
  'GOOGLE_HEALTH',
  'STRAVA',
  'EXTERNAL',
] as const;

export type MeasurementSource = (typeof measurementSources)[number];

/** The context a blood glucose reading is taken in; required on a hand-entered glucose reading. */
export const glucoseContexts = ['FASTING', 'POSTPRANDIAL', 'RANDOM', 'BEDTIME'] as const;
