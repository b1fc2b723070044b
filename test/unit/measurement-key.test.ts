import {
  MAX_ID_LENGTH,
  kindOfExternalId,
  measurementId,
  parseMeasurementId,
} from '../../functions/measurements/model/measurement-id';
import { isUsableUserId } from '../../functions/measurements/model/user-id';
import { measurementKey, parseMeasurementKey } from '../../functions/measurements/storage/measurement-key';
import { URL_SAFE } from './fixtures';

/** Every measurement type the HealthKit table maps to (restated). */
const TYPES = [
  'WEIGHT',
  'BODY_FAT',
  'BODY_TEMPERATURE',
  'BLOOD_PRESSURE_SYS',
  'BLOOD_PRESSURE_DIA',
  'PULSE',
  'RESTING_HEART_RATE',
  'HEART_RATE_VARIABILITY',
  'HRV_RMSSD',
  'ACTIVITY_STEPS',
  'ACTIVE_ENERGY_BURNED',
  'FLIGHTS_CLIMBED',
  'WALKING_RUNNING_DISTANCE',
  'VO2_MAX',
  'BLOOD_GLUCOSE',
  'OXYGEN_SATURATION',
  'AUDIO_EXPOSURE_ENV',
  'AUDIO_EXPOSURE_HEADPHONE',
  'TIME_IN_DAYLIGHT',
  'WALKING_STEADINESS',
  'RESPIRATORY_RATE',
  'BODY_MASS_INDEX',
  'LEAN_BODY_MASS',
  'WALKING_HEART_RATE_AVERAGE',
  'WALKING_ASYMMETRY',
  'WALKING_DOUBLE_SUPPORT',
  'WALKING_STEP_LENGTH',
  'WALKING_SPEED',
  'CARDIO_RECOVERY',
  'WRIST_TEMPERATURE',
  'FALL_COUNT',
  'SIX_MINUTE_WALK_DISTANCE',
  'STAIR_ASCENT_SPEED',
  'STAIR_DESCENT_SPEED',
  'BREATHING_DISTURBANCES',
  'WAIST_CIRCUMFERENCE',
  'SLEEP_DURATION',
  'AUDIO_EXPOSURE_EVENT',
  'IRREGULAR_RHYTHM_NOTIFICATION',
  'HIGH_HEART_RATE_EVENT',
  'LOW_HEART_RATE_EVENT',
  'WALKING_STEADINESS_EVENT',
  'BREATHING_DISTURBANCE_EVENT',
];

/** externalIds the schema accepts (1–120 chars), including awkward ones. */
const EXTERNAL_IDS: ReadonlyArray<readonly [string, string]> = [
  ['a HealthKit UUID', '8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30'],
  ['a daily stats id', 'stats:HKQuantityTypeIdentifierStepCount:2026-08-14'],
  ['a heart-rate bucket id', 'stats:HKQuantityTypeIdentifierHeartRate:2026-07-18T14:30:00.000Z'],
  ['an id containing #', 'a#b#c'],
  ['an id starting with #', '#leading'],
  ['an id ending with #', 'trailing#'],
  ['an id that is only #', '#'],
  ['an id with a key-like shape', 'user-1#WEIGHT#x'],
  ['unicode: accents, CJK, emoji', 'Ünïcødé 体重 🫀 ❤️'],
  ['URL-unsafe characters', 'a/b?c=d&e+f%20 g'],
  ['whitespace around', ' ABC '],
  ['120 ASCII characters', 'x'.repeat(120)],
  ['120 CJK characters (3 UTF-8 bytes each)', '体'.repeat(120)],
  ['60 emoji (120 UTF-16 units, 4 UTF-8 bytes each)', '🫀'.repeat(60)],
];

describe('batch-api §6 addition: a row id is deterministic for (type, externalId), URL-safe, and parseMeasurementId round-trips it', () => {
  it.each(EXTERNAL_IDS)('%s: the id is URL-safe and round-trips for every type', (_why, externalId) => {
    for (const type of TYPES) {
      const id = measurementId(type, externalId);
      expect(id).toMatch(URL_SAFE);
      expect(parseMeasurementId(id)).toEqual({ type, externalId });
    }
  });

  it('the same (type, externalId) always gives the same id', () => {
    expect(measurementId('PULSE', 'C0FFEE00')).toBe(measurementId('PULSE', 'C0FFEE00'));
  });

  it('a different type or a different externalId gives a different id', () => {
    const ids = new Set([
      measurementId('PULSE', 'abc'),
      measurementId('WEIGHT', 'abc'),
      measurementId('PULSE', 'abd'),
      measurementId('PULSE', 'abc '),
      measurementId('PULSE', 'ABC'),
    ]);
    expect(ids.size).toBe(5);
  });

  it('the id is built from (type, externalId) only, so it can never contain the user id', () => {
    // measurementId takes no user: the id of a row is the same for every user.
    expect(measurementId.length).toBe(2);
    const id = measurementId('WEIGHT', 'user-42-scale-1');
    expect(id).not.toContain('user-42');
  });

  it('the id has no base64 padding', () => {
    for (const externalId of ['a', 'ab', 'abc', 'abcd'])
      expect(measurementId('PULSE', externalId)).not.toContain('=');
  });
});

describe('batch-api §6: parseMeasurementId refuses what no row could have as id', () => {
  it.each([
    ['the empty string', ''],
    ['non-URL-safe characters', 'abc+/'],
    ['base64 padding', `${measurementId('PULSE', 'a')}=`],
    ['a non-canonical encoding of a valid id (spare bits set)', 'UFVMU0UjYR'],
    ['a value without #', Buffer.from('PULSE', 'utf8').toString('base64url')],
    ['an empty type', Buffer.from('#abc', 'utf8').toString('base64url')],
    ['an empty externalId', Buffer.from('PULSE#', 'utf8').toString('base64url')],
    ['absurdly long input', 'A'.repeat(5000)],
  ])('%s', (_why, id) => {
    expect(parseMeasurementId(id)).toBeUndefined();
  });

  it('a valid id of exactly 1,024 characters resolves; one of a valid encoding but longer does not', () => {
    // 1,024 base64url characters encode 768 bytes: `WEIGHT#` and 761 characters of externalId.
    const atCap = measurementId('WEIGHT', 'x'.repeat(761));
    expect(atCap).toHaveLength(MAX_ID_LENGTH);
    expect(parseMeasurementId(atCap)).toEqual({ type: 'WEIGHT', externalId: 'x'.repeat(761) });
    const overCap = measurementId('WEIGHT', 'x'.repeat(762));
    expect(overCap.length).toBeGreaterThan(MAX_ID_LENGTH);
    expect(parseMeasurementId(overCap)).toBeUndefined();
  });

  it('the canonical form of the spare-bits example does resolve (control for the case above)', () => {
    expect(measurementId('PULSE', 'a')).toBe('UFVMU0UjYQ');
    expect(parseMeasurementId('UFVMU0UjYQ')).toEqual({ type: 'PULSE', externalId: 'a' });
  });
});

describe('batch-api §4: the key is userId#type#externalId and splits on the first two # only', () => {
  it('builds userId#type#externalId', () => {
    expect(measurementKey('user-1', 'WEIGHT', 'abc')).toBe('user-1#WEIGHT#abc');
  });

  it.each(EXTERNAL_IDS)(
    '%s: parseMeasurementKey(measurementKey(u, t, e)) round-trips',
    (_why, externalId) => {
      expect(parseMeasurementKey(measurementKey('user-1', 'PULSE', externalId))).toEqual({
        userId: 'user-1',
        type: 'PULSE',
        externalId,
      });
    },
  );

  it('an externalId with # stays whole', () => {
    expect(parseMeasurementKey('u#WEIGHT#a#b#c')).toEqual({
      userId: 'u',
      type: 'WEIGHT',
      externalId: 'a#b#c',
    });
  });

  it.each([
    ['no #', 'uWEIGHTabc'],
    ['one #', 'u#WEIGHT'],
    ['empty userId', '#WEIGHT#abc'],
    ['empty type', 'u##abc'],
  ])('a key with %s does not parse', (_why, key) => {
    expect(parseMeasurementKey(key)).toBeUndefined();
  });
});

describe('batch-api §4 and auth.md: a userId is 1–256 characters of well-formed text without #', () => {
  it.each([
    ['a Cognito sub', 'c1d2e3f4-0000-4000-8000-000000000000', true],
    ['a HealthLog cuid', 'cmabc123def456ghi789jkl0', true],
    ['an id with #', 'user#1', false],
    ['an id ending in a lone high surrogate', 'user-\ud800', false],
    ['an id with a lone low surrogate', '\udc00user', false],
    ['an id with a surrogate pair (an emoji is text)', 'user-\ud83d\ude00', true],
    ['the empty string', '', false],
    ['256 characters (the longest usable id)', 'u'.repeat(256), true],
    ['257 characters', 'u'.repeat(257), false],
  ])('%s → %p', (_why, userId, usable) => {
    expect(isUsableUserId(userId)).toBe(usable);
  });
});

describe('batch-api §4: an externalId starting with stats: is a stats row, every other one a sample', () => {
  it.each([
    ['stats:HKQuantityTypeIdentifierStepCount:2026-08-14', 'stats'],
    ['stats:HKQuantityTypeIdentifierHeartRate:2026-07-18T14:30:00.000Z', 'stats'],
    ['stats:', 'stats'],
    ['8AD2A9CB-3F0C-4E4D-9C1E-4B7E2A1D6F30', 'sample'],
    ['Stats:x', 'sample'],
    [' stats:x', 'sample'],
    ['statsx', 'sample'],
  ])('%j is a %s', (externalId, kind) => {
    expect(kindOfExternalId(externalId)).toBe(kind);
  });
});
