/** Row builders for the summaries' tests: readable instants in, stored form out. */
import type { SummaryRow } from '../../../functions/measurements/summaries/summary-row';

let nextId = 0;

/** A stored row; `measuredAt` may be any ISO instant and is stored in `toISOString()` form. */
export function row(fields: Partial<SummaryRow> & Pick<SummaryRow, 'measuredAt'>): SummaryRow {
  nextId += 1;
  return {
    id: `row-${nextId}`,
    type: 'WEIGHT',
    value: 1,
    unit: 'kg',
    source: 'APPLE_HEALTH',
    deviceType: null,
    sleepStage: null,
    valueMin: null,
    valueMax: null,
    ...fields,
    measuredAt: new Date(fields.measuredAt).toISOString(),
  };
}

export interface Writer {
  readonly source: string;
  readonly deviceType: string | null;
}

export const WATCH: Writer = { source: 'APPLE_HEALTH', deviceType: 'Watch' };

/** A sleep stage segment from `start` to `end`, stored as the phone stores it: end instant, minutes. */
export function segment(stage: string, start: string, end: string, writer: Writer = WATCH): SummaryRow {
  return row({
    type: 'SLEEP_DURATION',
    unit: 'minutes',
    sleepStage: stage,
    value: (Date.parse(end) - Date.parse(start)) / 60_000,
    measuredAt: end,
    ...writer,
  });
}

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const iso = (text: string) => new Date(text).toISOString();
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
