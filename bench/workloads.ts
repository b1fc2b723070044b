import type { BatchEntry } from '../functions/measurements/batch/batch-schema';

/**
 * The batches the benchmark posts, built the way the phone builds them (see
 * docs/batch-api.md): samples with UUID externalIds, `stats:` daily totals and
 * 10-minute heart-rate buckets with deterministic ids. Every workload also names the rows that
 * must already be stored before it is posted (`seed`) and the status each entry must get back,
 * so a run that does not do what its name says fails instead of producing a number.
 */

export const scenarios = ['new', 'duplicates', 'stats', 'mix'] as const;
export type Scenario = (typeof scenarios)[number];

export const scenarioTitles: Readonly<Record<Scenario, string>> = {
  new: 'all new samples',
  duplicates: 'all duplicates',
  stats: 'all stats re-posts',
  mix: 'realistic mix',
};

export type ExpectedStatus = 'inserted' | 'updated' | 'duplicate' | 'skipped';

export interface Workload {
  readonly scenario: Scenario;
  /** Rows stored before the batch is posted (written untimed). */
  readonly seed: readonly BatchEntry[];
  readonly batch: readonly BatchEntry[];
  /** The status the contract promises each posted entry, by index. */
  readonly expected: readonly ExpectedStatus[];
}

const QUANTITY = 'HKQuantityTypeIdentifier';
const CATEGORY = 'HKCategoryTypeIdentifier';
const HR_BUCKET_PREFIX = `stats:${QUANTITY}HeartRate:`;
const TEN_MINUTES = 10 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

/** A stable UUID-shaped id: the phone's HealthKit sample UUIDs look like this. */
function sampleUuid(namespace: number, n: number): string {
  const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
  return `${hex(n, 8)}-${hex(namespace, 4)}-4${hex(n % 0xfff, 3)}-8000-${hex(namespace * 7919 + n, 12)}`;
}

const phoneOffset = '+02:00';

/** The phone's local-time rendering of an instant (`2026-08-14T08:00:00+02:00`). */
function localTime(epochMs: number): string {
  return new Date(epochMs + 2 * 60 * 60 * 1000).toISOString().slice(0, 19) + phoneOffset;
}

/** The n-th distinct sample, cycling through the kinds a watch and a phone record. */
function sample(now: number, namespace: number, n: number): BatchEntry {
  const at = now - (n + 1) * 7 * 60 * 1000;
  const common = {
    startDate: localTime(at - 60 * 1000),
    endDate: localTime(at),
    externalId: sampleUuid(namespace, n),
    externalSourceVersion: '11.5',
    source: 'APPLE_HEALTH' as const,
  };
  switch (n % 6) {
    case 0:
      return {
        ...common,
        hkIdentifier: `${QUANTITY}HeartRate`,
        value: 58 + (n % 40),
        unit: 'count/min',
        deviceType: 'watch',
      };
    case 1:
      return {
        ...common,
        hkIdentifier: `${QUANTITY}HeartRateVariabilitySDNN`,
        value: 40 + (n % 30),
        unit: 'ms',
        deviceType: 'watch',
      };
    case 2:
      return {
        ...common,
        hkIdentifier: `${QUANTITY}OxygenSaturation`,
        value: 0.95 + (n % 5) / 100,
        unit: '%',
        deviceType: 'watch',
      };
    case 3:
      return {
        ...common,
        hkIdentifier: `${CATEGORY}SleepAnalysis`,
        value: 30 + (n % 60),
        unit: 'min',
        sleepStage: 3 + (n % 3),
        deviceType: 'watch',
      };
    case 4:
      return {
        ...common,
        hkIdentifier: `${QUANTITY}RespiratoryRate`,
        value: 12 + (n % 8),
        unit: 'count/min',
        deviceType: 'watch',
      };
    default:
      return {
        ...common,
        hkIdentifier: `${QUANTITY}BodyMass`,
        value: 70 + (n % 10) / 10,
        unit: 'kg',
        deviceType: 'scale',
      };
  }
}

/** Cumulative types the phone totals per day, with a plausible day's value. */
const dailyTotals: ReadonlyArray<readonly [suffix: string, typical: number]> = [
  ['StepCount', 8000],
  ['ActiveEnergyBurned', 450],
  ['DistanceWalkingRunning', 6000],
  ['FlightsClimbed', 12],
  ['TimeInDaylight', 90],
];

/**
 * The n-th distinct `stats:` row: one in four is a daily total (five types, one day after the
 * other), the rest are 10-minute heart-rate buckets going back from the last full one.
 * `bump` raises the value, as a later re-post of the same total would.
 */
function statsRow(now: number, n: number, bump = 0): BatchEntry {
  const lastBucket = Math.floor(now / TEN_MINUTES) * TEN_MINUTES - TEN_MINUTES;
  if (n % 4 === 0) {
    const k = n / 4;
    const [suffix, typical] = dailyTotals[k % dailyTotals.length]!;
    const dayStart =
      Math.floor(now / DAY) * DAY - Math.floor(k / dailyTotals.length) * DAY - 2 * 60 * 60 * 1000;
    const day = localTime(dayStart).slice(0, 10);
    return {
      hkIdentifier: `${QUANTITY}${suffix}`,
      value: typical + (k % 7) + bump,
      unit: 'count',
      startDate: `${day}T00:00:00${phoneOffset}`,
      endDate: `${day}T00:00:00${phoneOffset}`,
      externalId: `stats:${QUANTITY}${suffix}:${day}`,
      source: 'APPLE_HEALTH',
      deviceType: 'phone',
    };
  }
  const slot = n - Math.floor(n / 4) - 1;
  const start = lastBucket - slot * TEN_MINUTES;
  const value = 60 + (slot % 30) + bump;
  return {
    hkIdentifier: `${QUANTITY}HeartRate`,
    value,
    valueMin: value - 8,
    valueMax: value + 15,
    unit: 'count/min',
    startDate: new Date(start).toISOString(),
    endDate: new Date(start + TEN_MINUTES).toISOString(),
    externalId: `${HR_BUCKET_PREFIX}${new Date(start).toISOString()}`,
    source: 'APPLE_HEALTH',
    deviceType: 'watch',
  };
}

/** An identifier the service does not map (the phone sends what HealthKit has). */
function unmappable(now: number, n: number): BatchEntry {
  return { ...sample(now, 9, n), hkIdentifier: `${QUANTITY}DietaryWater`, unit: 'mL', value: 250 };
}

/**
 * A phone sync, per 20 entries: 6 re-posts of today's totals and buckets (updated), 2 buckets
 * filled since the last sync (inserted), 8 new samples, 2 samples the phone re-sends because it
 * lost the answer (duplicate), 1 type the service does not map (skipped), and 1 total posted
 * twice in the batch (the earlier copy is superseded, the later one written).
 */
function mix(now: number, size: number): Workload {
  const seed: BatchEntry[] = [];
  const batch: BatchEntry[] = [];
  const expected: ExpectedStatus[] = [];
  const add = (entry: BatchEntry, status: ExpectedStatus) => {
    batch.push(entry);
    expected.push(status);
  };
  let stats = 0;
  let samples = 0;
  for (let group = 0; batch.length < size; group++) {
    const slots: Array<() => void> = [];
    const repeated = stats;
    for (let i = 0; i < 6; i++)
      slots.push(() => {
        seed.push(statsRow(now, stats));
        add(statsRow(now, stats++, 25), 'updated');
      });
    for (let i = 0; i < 2; i++) slots.push(() => add(statsRow(now, stats++), 'inserted'));
    for (let i = 0; i < 8; i++) slots.push(() => add(sample(now, 1, samples++), 'inserted'));
    for (let i = 0; i < 2; i++)
      slots.push(() => {
        seed.push(sample(now, 1, samples));
        add(sample(now, 1, samples++), 'duplicate');
      });
    slots.push(() => add(unmappable(now, group), 'skipped'));
    // The same total as the group's first entry, higher: that first copy becomes superseded.
    slots.push(() => {
      expected[group * 20] = 'duplicate';
      add(statsRow(now, repeated, 50), 'updated');
    });
    for (const slot of slots) {
      if (batch.length >= size) break;
      slot();
    }
  }
  return { scenario: 'mix', seed, batch, expected };
}

/** The workload of `scenario` with `size` entries; `now` anchors every date in the past. */
export function workload(scenario: Scenario, size: number, now: number): Workload {
  const range = Array.from({ length: size }, (_, n) => n);
  switch (scenario) {
    case 'new':
      return {
        scenario,
        seed: [],
        batch: range.map((n) => sample(now, 1, n)),
        expected: range.map(() => 'inserted'),
      };
    case 'duplicates': {
      const batch = range.map((n) => sample(now, 1, n));
      return { scenario, seed: batch, batch, expected: range.map(() => 'duplicate') };
    }
    case 'stats':
      return {
        scenario,
        seed: range.map((n) => statsRow(now, n)),
        batch: range.map((n) => statsRow(now, n, 25)),
        expected: range.map(() => 'updated'),
      };
    case 'mix':
      return mix(now, size);
  }
}
