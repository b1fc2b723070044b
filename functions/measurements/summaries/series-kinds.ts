/**
 * The chart kinds of `GET /api/measurements/series` (docs/read-api.md, the kind table),
 * as data: adding a kind is adding a row; no code path branches on a particular kind.
 */

/**
 * How a kind's rows become points:
 * - raw: one point per row;
 * - pairs: a systolic row and its diastolic partner;
 * - dense: raw points for short windows, hourly or daily buckets when rows are many or the window long;
 * - nights: sleep segments summed per wake day.
 */
export type PointShape = 'raw' | 'pairs' | 'dense' | 'nights';

export interface SeriesKindSpec {
  /** The measurement types read; for pairs [systolic, diastolic]. */
  readonly types: readonly string[];
  readonly unit: string;
  readonly points: PointShape;
  /**
   * Whether a UTC day keeps every source instead of only the highest on the ladder. Glucose
   * meters, and the scales that measure body water and bone mass, are separate devices whose
   * readings are not copies of each other.
   */
  readonly keepsEverySource: boolean;
  /** Whether points and buckets carry `valueMin`/`valueMax` (heart-rate buckets have a spread). */
  readonly carriesSpread: boolean;
}

type KindRow = readonly [
  kind: string,
  types: readonly string[],
  unit: string,
  points: PointShape,
  keepsEverySource: boolean,
  carriesSpread: boolean,
];

const kindRows = [
  ['weight', ['WEIGHT'], 'kg', 'raw', false, false],
  ['bloodPressure', ['BLOOD_PRESSURE_SYS', 'BLOOD_PRESSURE_DIA'], 'mmHg', 'pairs', false, false],
  ['pulse', ['PULSE'], 'bpm', 'dense', false, true],
  ['bodyFat', ['BODY_FAT'], '%', 'raw', false, false],
  // Always mg/dL here: HealthLog converts to the user's preferred unit, which this service does not know.
  ['glucose', ['BLOOD_GLUCOSE'], 'mg/dL', 'dense', true, false],
  ['sleep', ['SLEEP_DURATION'], 'h', 'nights', false, false],
  ['steps', ['ACTIVITY_STEPS'], 'steps', 'raw', false, false],
  ['totalBodyWater', ['TOTAL_BODY_WATER'], 'kg', 'raw', true, false],
  ['boneMass', ['BONE_MASS'], 'kg', 'raw', true, false],
  ['oxygenSaturation', ['OXYGEN_SATURATION'], '%', 'dense', false, false],
  ['restingHeartRate', ['RESTING_HEART_RATE'], 'bpm', 'raw', false, false],
  ['heartRateVariability', ['HEART_RATE_VARIABILITY'], 'ms', 'dense', false, false],
  ['vo2Max', ['VO2_MAX'], 'mL/(kg·min)', 'raw', false, false],
] as const satisfies readonly KindRow[];

export type SeriesKind = (typeof kindRows)[number][0];

export const seriesKinds: Readonly<Record<SeriesKind, SeriesKindSpec>> = Object.fromEntries(
  kindRows.map(
    ([kind, types, unit, points, keepsEverySource, carriesSpread]): [SeriesKind, SeriesKindSpec] => [
      kind,
      { types, unit, points, keepsEverySource, carriesSpread },
    ],
  ),
) as Record<SeriesKind, SeriesKindSpec>;

export function isSeriesKind(kind: string): kind is SeriesKind {
  return Object.hasOwn(seriesKinds, kind);
}

/**
 * The dense kind a measurement type is charted in, if any: the types whose rows the stream keeps
 * daily aggregates of.
 */
export function denseKindOfType(type: string): SeriesKind | undefined {
  return kindRows.find(([, types, , points]) => points === 'dense' && types[0] === type)?.[0];
}
