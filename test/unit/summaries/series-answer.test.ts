import { seriesAnswer } from '../../../functions/measurements/summaries/series-answer';
import { seriesKinds, type SeriesKind } from '../../../functions/measurements/summaries/series-kinds';
import { row, segment } from './rows';

const BERLIN = 'Europe/Berlin';
const window = { days: 30, zone: BERLIN };

describe('series answer: {kind, unit, points, stats} by the kind table', () => {
  it.each(Object.keys(seriesKinds) as SeriesKind[])(
    '%s with no rows: its unit, no points, every stat 0',
    (kind) => {
      expect(seriesAnswer(kind, { rows: [], ...window })).toEqual({
        kind,
        unit: seriesKinds[kind].unit,
        points: [],
        stats: { mean: 0, min: 0, max: 0, stdDev: 0, count: 0 },
      });
    },
  );

  it("a kind reads only its own type's rows", () => {
    const rows = [
      row({ id: 'weight', type: 'WEIGHT', value: 70, measuredAt: '2026-05-01T06:00:00Z' }),
      row({ id: 'fat', type: 'BODY_FAT', value: 20, measuredAt: '2026-05-01T06:00:00Z' }),
    ];
    expect(seriesAnswer('weight', { rows, ...window }).points.map((point) => point.id)).toEqual(['weight']);
  });

  it('bloodPressure pairs the systolic and diastolic rows it is given together', () => {
    const rows = [
      row({ id: 'sys', type: 'BLOOD_PRESSURE_SYS', value: 120, measuredAt: '2026-05-01T08:00:00Z' }),
      row({ id: 'dia', type: 'BLOOD_PRESSURE_DIA', value: 80, measuredAt: '2026-05-01T08:00:00Z' }),
    ];
    expect(seriesAnswer('bloodPressure', { rows, ...window })).toEqual({
      kind: 'bloodPressure',
      unit: 'mmHg',
      points: [{ id: 'sys', at: '2026-05-01T08:00:00.000Z', value: 120, secondary: 80 }],
      stats: { mean: 120, min: 120, max: 120, stdDev: 0, count: 1 },
    });
  });

  it('pulse answers dense points by days', () => {
    const rows = [row({ id: 'p', type: 'PULSE', value: 64, measuredAt: '2026-05-01T08:00:00Z' })];
    expect(seriesAnswer('pulse', { rows, ...window }).points.map((point) => point.id)).toEqual(['p']);
    expect(seriesAnswer('pulse', { rows, days: 365, zone: BERLIN }).points.map((point) => point.id)).toEqual([
      'day:2026-05-01',
    ]);
  });

  it("sleep answers nights in hours; stats are over the nights' hours", () => {
    const rows = [
      segment('CORE', '2026-05-01T21:00:00Z', '2026-05-02T04:00:00Z'),
      segment('CORE', '2026-05-02T21:00:00Z', '2026-05-03T06:00:00Z'),
    ];
    const answer = seriesAnswer('sleep', { rows, ...window });
    expect(answer.unit).toBe('h');
    expect(answer.points.map((point) => [point.id, point.value])).toEqual([
      ['sleep:2026-05-02', 7],
      ['sleep:2026-05-03', 9],
    ]);
    expect(answer.stats).toEqual({ mean: 8, min: 7, max: 9, stdDev: 1, count: 2 });
  });
});
