import { cumulativeTypes } from '../../definitions/cumulative-types';
import { healthKitMappings } from '../../functions/measurements/model/healthkit-types';
import {
  glucoseContexts,
  isMeasurementType,
  measurementSources,
  measurementTypeCatalogue,
  measurementTypes,
} from '../../functions/measurements/model/measurement-types';

describe('measurement-types: all 77 types of HealthLog, each with its unit and plausible range', () => {
  it('has 77 distinct types', () => {
    expect(measurementTypes).toHaveLength(77);
    expect(new Set(measurementTypes).size).toBe(77);
  });

  // A sample of rows restated from the type table, one per kind of range.
  it.each([
    ['WEIGHT', 'kg', 1, 500],
    ['HEART_RATE_VARIABILITY', 'ms', 1, 200],
    ['TOTAL_BODY_WATER', 'kg', 5, 100],
    ['BONE_MASS', 'kg', 0.5, 8],
    ['PAIN_NRS', 'score', 0, 10],
    ['ANS_CHARGE', 'score', -100, 100],
    ['BODY_TEMPERATURE_DEVIATION', 'celsius', -5, 5],
    ['IRREGULAR_RHYTHM_NOTIFICATION', 'event', 1, 1],
    ['AUDIO_EXPOSURE_EVENT', 'count', 1, 1000],
    ['WAIST_TO_HEIGHT', 'ratio', 0.2, 1.5],
    ['SCI_SCORE', 'score', 0, 32],
  ])('%s is stored in %s, plausible from %p to %p', (type, unit, min, max) => {
    expect(measurementTypeCatalogue.get(type)).toMatchObject({ unit, range: { min, max } });
  });

  it('every type the batch can write is in the catalogue, with the same stored unit', () => {
    for (const mapping of healthKitMappings.values()) {
      expect(isMeasurementType(mapping.type)).toBe(true);
      expect(measurementTypeCatalogue.get(mapping.type)?.unit).toBe(mapping.unit);
      expect(measurementTypeCatalogue.get(mapping.type)?.origins).toContain('healthkit');
    }
  });

  it('the cumulative types are exactly the six day totals', () => {
    const cumulative = measurementTypes.filter((type) => measurementTypeCatalogue.get(type)!.cumulative);
    expect(cumulative.sort()).toEqual([...cumulativeTypes].sort());
  });

  it('a type that is not in the list is not a type', () => {
    for (const text of ['weight', 'STEPS', '', 'ACTIVITY_STEPS '])
      expect(isMeasurementType(text)).toBe(false);
  });

  it('15 sources and 4 glucose contexts', () => {
    expect(measurementSources).toHaveLength(15);
    expect(measurementSources).toEqual(expect.arrayContaining(['APPLE_HEALTH', 'MANUAL', 'WITHINGS']));
    expect(glucoseContexts).toEqual(['FASTING', 'POSTPRANDIAL', 'RANDOM', 'BEDTIME']);
  });
});
