import {
  bulkDeleteSchema,
  createReadingsSchema,
  deleteByExternalIdsSchema,
  editMeasurementSchema,
} from '../../functions/measurements-api/measurements-api-schema';
import { toValidationIssues } from '../../functions/measurements/model/validation-issues';

const NOW = new Date('2026-08-14T08:00:00Z');
const [one, many] = createReadingsSchema(() => NOW).options;

/** The issue paths a body gets, as the handler reports them (dotted, "" for the reading itself). */
function paths(schema: { safeParse(value: unknown): { success: boolean; error?: unknown } }, body: unknown) {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : toValidationIssues(parsed.error as never).map((issue) => issue.path);
}

const weight = (overrides: Record<string, unknown> = {}) => ({
  type: 'WEIGHT',
  value: 72.4,
  measuredAt: '2026-08-14T07:00:00Z',
  ...overrides,
});

describe('a reading entered by hand: the contract’s table, rule by rule', () => {
  test('type, value and measuredAt are required; everything else is optional; unknown keys are dropped', () => {
    expect(one.parse(weight({ externalId: 'x', unit: 'lb' }))).toEqual(weight());
    expect(paths(one, {})).toEqual(['type', 'value', 'measuredAt']);
  });

  test('the value lies in the type’s range, inclusive; outside it the reading itself is named', () => {
    expect(paths(one, weight({ value: 1 }))).toEqual([]);
    expect(paths(one, weight({ value: 500 }))).toEqual([]);
    expect(paths(one, weight({ value: 0.99 }))).toEqual(['']);
    expect(one.safeParse(weight({ value: 501 })).error?.issues[0]?.message).toBe(
      'Value out of plausible range',
    );
    expect(paths(one, weight({ type: 'ANS_CHARGE', value: -100 }))).toEqual([]);
    expect(paths(one, weight({ type: 'IRREGULAR_RHYTHM_NOTIFICATION', value: 2 }))).toEqual(['']);
  });

  test('the range is only judged once type and value are sound', () => {
    expect(paths(one, weight({ type: 'NOPE', value: 10_000 }))).toEqual(['type']);
    expect(paths(one, weight({ value: 'heavy' }))).toEqual(['value']);
  });

  test('measuredAt: an ISO date-time with a zone, not before 1900, at most 5 minutes after now', () => {
    expect(paths(one, weight({ measuredAt: '2026-08-14T08:05:00Z' }))).toEqual([]);
    expect(paths(one, weight({ measuredAt: '1900-01-01T00:00:00Z' }))).toEqual([]);
    for (const measuredAt of [
      '2026-08-14T08:05:00.001Z',
      '1899-12-31T23:59:59.999Z',
      '2026-08-14 07:00',
      1,
    ]) {
      expect(paths(one, weight({ measuredAt }))).toEqual(['measuredAt']);
    }
  });

  test('notes: at most 200 characters, counted as Unicode code points', () => {
    expect(paths(one, weight({ notes: 'a'.repeat(200) }))).toEqual([]);
    expect(paths(one, weight({ notes: '💙'.repeat(200) }))).toEqual([]);
    const tooLong = one.safeParse(weight({ notes: 'a'.repeat(201) }));
    expect(toValidationIssues(tooLong.error!)).toEqual([
      { path: 'notes', code: 'custom', message: 'Note cannot exceed 200 characters' },
    ]);
    expect(paths(one, weight({ notes: 'x\ud800' }))).toEqual(['notes']);
  });

  test('source: MANUAL or APPLE_HEALTH, absent or null meaning MANUAL', () => {
    expect(paths(one, weight({ source: 'APPLE_HEALTH' }))).toEqual([]);
    expect(paths(one, weight({ source: null }))).toEqual([]);
    for (const source of ['WITHINGS', 'manual', ''])
      expect(paths(one, weight({ source }))).toEqual(['source']);
  });

  test('glucoseContext: required for BLOOD_GLUCOSE (the contract’s four), forbidden for any other type', () => {
    const glucose = (glucoseContext?: unknown) =>
      weight({
        type: 'BLOOD_GLUCOSE',
        value: 98,
        ...(glucoseContext === undefined ? {} : { glucoseContext }),
      });
    for (const context of ['FASTING', 'POSTPRANDIAL', 'RANDOM', 'BEDTIME']) {
      expect(paths(one, glucose(context))).toEqual([]);
    }
    expect(paths(one, glucose())).toEqual(['glucoseContext']);
    expect(paths(one, glucose(null))).toEqual(['glucoseContext']);
    expect(paths(one, glucose('BEFORE_MEAL'))).toEqual(['glucoseContext']);
    expect(paths(one, weight({ glucoseContext: 'FASTING' }))).toEqual(['glucoseContext']);
    expect(paths(one, weight({ glucoseContext: null }))).toEqual([]);
  });

  test('deviceType: 1–32 characters, or null', () => {
    expect(paths(one, weight({ deviceType: null }))).toEqual([]);
    expect(paths(one, weight({ deviceType: 'd'.repeat(32) }))).toEqual([]);
    expect(paths(one, weight({ deviceType: '' }))).toEqual(['deviceType']);
    expect(paths(one, weight({ deviceType: 'd'.repeat(33) }))).toEqual(['deviceType']);
  });

  test('every problem of a reading is named at once', () => {
    expect(paths(one, { type: 'BLOOD_GLUCOSE', value: 900, measuredAt: 'x', notes: 5, source: 'X' })).toEqual(
      ['measuredAt', 'notes', 'source', '', 'glucoseContext'],
    );
  });

  test('not an object at all: one issue on the body', () => {
    for (const body of [null, 'WEIGHT', 7, true]) expect(paths(one, body)).toEqual(['']);
  });
});

describe('an array of 1–5 readings', () => {
  test('each reading’s issues carry its index', () => {
    expect(paths(many, [weight(), weight({ value: 0 }), weight({ source: 'X' })])).toEqual(['1', '2.source']);
  });

  test('empty or more than five: one issue on the array', () => {
    expect(paths(many, [])).toEqual(['']);
    expect(
      paths(
        many,
        Array.from({ length: 6 }, () => weight()),
      ),
    ).toEqual(['']);
    expect(
      paths(
        many,
        Array.from({ length: 5 }, () => weight()),
      ),
    ).toEqual([]);
  });
});

describe('an edit: value, measuredAt and notes, all optional', () => {
  test('an empty object is a valid edit; unknown keys are dropped', () => {
    expect(editMeasurementSchema.parse({})).toEqual({});
    expect(editMeasurementSchema.parse({ unit: 'lb', notes: null })).toEqual({ notes: null });
  });

  test('notes: a string of at most 200 characters, "" or null', () => {
    expect(paths(editMeasurementSchema, { notes: '' })).toEqual([]);
    expect(paths(editMeasurementSchema, { notes: 'a'.repeat(201) })).toEqual(['notes']);
    expect(paths(editMeasurementSchema, { notes: 1 })).toEqual(['notes']);
  });

  test('value null is not a value', () => {
    expect(paths(editMeasurementSchema, { value: null })).toEqual(['value']);
  });
});

describe('the delete bodies are strict', () => {
  test('bulk-delete: exactly {ids: [1–200 non-empty strings]}', () => {
    expect(paths(bulkDeleteSchema, { ids: ['a'] })).toEqual([]);
    expect(paths(bulkDeleteSchema, { ids: ['a'], extra: 1 })).toEqual(['']);
    expect(paths(bulkDeleteSchema, { ids: [] })).toEqual(['ids']);
    expect(paths(bulkDeleteSchema, { ids: Array.from({ length: 201 }, () => 'a') })).toEqual(['ids']);
    expect(paths(bulkDeleteSchema, { ids: ['a', ''] })).toEqual(['ids.1']);
  });

  test('by-external-ids: exactly {externalIds: [0–500 strings of 1–120 characters]}', () => {
    expect(paths(deleteByExternalIdsSchema, { externalIds: [] })).toEqual([]);
    expect(paths(deleteByExternalIdsSchema, { externalIds: [], extra: 1 })).toEqual(['']);
    expect(paths(deleteByExternalIdsSchema, { externalIds: ['x'.repeat(120), 'x'.repeat(121)] })).toEqual([
      'externalIds.1',
    ]);
  });
});
