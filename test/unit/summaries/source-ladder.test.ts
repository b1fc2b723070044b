import { compareSources, highestSourceMask } from '../../../functions/measurements/summaries/source-ladder';

describe('the source ladder: APPLE_HEALTH > WITHINGS > MANUAL, sources off the ladder below it', () => {
  it('ranks the ladder, then every other source by name', () => {
    const sources = ['WHOOP', 'MANUAL', 'OURA', 'APPLE_HEALTH', 'COMPUTED', 'WITHINGS'];
    expect(sources.sort(compareSources)).toEqual([
      'APPLE_HEALTH',
      'WITHINGS',
      'MANUAL',
      'COMPUTED',
      'OURA',
      'WHOOP',
    ]);
  });

  it('a source ties only with itself', () => {
    expect(compareSources('MANUAL', 'MANUAL')).toBe(0);
    expect(compareSources('OURA', 'WHOOP')).not.toBe(0);
  });
});

describe('within each group only the rows of its highest source are kept', () => {
  const rows = [
    { source: 'MANUAL', day: 1 },
    { source: 'APPLE_HEALTH', day: 1 },
    { source: 'MANUAL', day: 2 },
    { source: 'WITHINGS', day: 2 },
    { source: 'APPLE_HEALTH', day: 1 },
    { source: 'MANUAL', day: 3 },
  ];

  it('keeps the best source of each group, however many rows it has', () => {
    const mask = highestSourceMask(
      rows.length,
      (i) => rows[i]!.source,
      (i) => rows[i]!.day,
    );
    expect(Array.from(mask)).toEqual([0, 1, 0, 1, 1, 1]);
  });

  it('rows of a single source are all kept', () => {
    expect(
      Array.from(
        highestSourceMask(
          3,
          () => 'MANUAL',
          (i) => i % 2,
        ),
      ),
    ).toEqual([1, 1, 1]);
    expect(
      Array.from(
        highestSourceMask(
          0,
          () => 'MANUAL',
          () => 0,
        ),
      ),
    ).toEqual([]);
  });
});
