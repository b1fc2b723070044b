import {
  denseKindOfType,
  isSeriesKind,
  seriesKinds,
} from '../../../functions/measurements/summaries/series-kinds';

describe('series: the 13 kinds, each with its type(s), unit and point shape', () => {
  it.each([
    ['weight', ['WEIGHT'], 'kg', 'raw'],
    ['bloodPressure', ['BLOOD_PRESSURE_SYS', 'BLOOD_PRESSURE_DIA'], 'mmHg', 'pairs'],
    ['pulse', ['PULSE'], 'bpm', 'dense'],
    ['bodyFat', ['BODY_FAT'], '%', 'raw'],
    ['glucose', ['BLOOD_GLUCOSE'], 'mg/dL', 'dense'],
    ['sleep', ['SLEEP_DURATION'], 'h', 'nights'],
    ['steps', ['ACTIVITY_STEPS'], 'steps', 'raw'],
    ['totalBodyWater', ['TOTAL_BODY_WATER'], 'kg', 'raw'],
    ['boneMass', ['BONE_MASS'], 'kg', 'raw'],
    ['oxygenSaturation', ['OXYGEN_SATURATION'], '%', 'dense'],
    ['restingHeartRate', ['RESTING_HEART_RATE'], 'bpm', 'raw'],
    ['heartRateVariability', ['HEART_RATE_VARIABILITY'], 'ms', 'dense'],
    ['vo2Max', ['VO2_MAX'], 'mL/(kg·min)', 'raw'],
  ])('%s: %j in %s, %s points', (kind, types, unit, points) => {
    expect(isSeriesKind(kind)).toBe(true);
    expect(seriesKinds[kind as keyof typeof seriesKinds]).toMatchObject({ types, unit, points });
  });

  it('there are exactly 13 kinds', () => {
    expect(Object.keys(seriesKinds)).toHaveLength(13);
  });

  it.each(['Pulse', 'heartRate', 'toString', 'constructor', ''])('%j is not a kind', (kind) => {
    expect(isSeriesKind(kind)).toBe(false);
  });
});

describe('series: glucose, body water and bone mass keep every source; only pulse carries a spread', () => {
  it('the kinds that keep every source', () => {
    const keepers = Object.entries(seriesKinds).filter(([, spec]) => spec.keepsEverySource);
    expect(keepers.map(([kind]) => kind).sort()).toEqual(['boneMass', 'glucose', 'totalBodyWater']);
  });

  it('the kinds whose points carry valueMin/valueMax', () => {
    const spread = Object.entries(seriesKinds).filter(([, spec]) => spec.carriesSpread);
    expect(spread.map(([kind]) => kind)).toEqual(['pulse']);
  });
});

describe('series: the dense kind of a measurement type (what the stream keeps daily aggregates of)', () => {
  it.each([
    ['PULSE', 'pulse'],
    ['BLOOD_GLUCOSE', 'glucose'],
    ['OXYGEN_SATURATION', 'oxygenSaturation'],
    ['HEART_RATE_VARIABILITY', 'heartRateVariability'],
    ['WEIGHT', undefined],
    ['SLEEP_DURATION', undefined],
  ])('%s → %s', (type, kind) => {
    expect(denseKindOfType(type)).toBe(kind);
  });
});
