import { parseBatchRequest } from '../../functions/ingest-batch/parse-batch-request';
import { isStorableNumber, isWellFormedText } from '../../functions/measurements/model/field-schemas';
import {
  deleteByExternalIdsSchema,
  editMeasurementSchema,
} from '../../functions/measurements-api/measurements-api-schema';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { toHttpApiEvent } from '../../local/http-api-event';

/**
 * Defects the hostile-input suite found (test/integration/hostile-input.test.ts), pinned as
 * examples: input that is valid JSON but cannot be stored faithfully is a 422 naming the field,
 * never a row id that does not resolve, a write that fails on every retry, or a 500.
 */
const GOOD = {
  hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
  value: 5300,
  unit: 'count',
  startDate: '2026-05-24T00:00:00+02:00',
  endDate: '2026-05-24T00:00:00+02:00',
  externalId: 'stats:HKQuantityTypeIdentifierStepCount:2026-05-24',
};

/** The body as the phone's JSON encoder would write it (lone surrogates as `\ud800` escapes). */
function issuePaths(entries: Array<Record<string, unknown>>): string[] {
  const parsed = parseBatchRequest(
    toHttpApiEvent({
      method: 'POST',
      rawPath: '/api/measurements/batch',
      routePath: '/api/measurements/batch',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entries }),
    }),
  );
  if (parsed.ok) return [];
  expect(parsed.rejection).toMatchObject({ status: 422, errorCode: 'measurement.batch.invalid' });
  return (parsed.rejection.details as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path);
}

describe('text must be well-formed Unicode: a lone UTF-16 surrogate is refused', () => {
  it('"x\\ud800" and "x\\udbff" would share one row id (both encode to U+FFFD in UTF-8)', () => {
    expect(measurementId('PULSE', 'x\ud800')).toBe(measurementId('PULSE', 'x\udbff'));
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
    ['a high surrogate at the end', 'abc\udbff'],
    ['two high surrogates', '\ud83d\ud83d'],
    ['a low surrogate before a high one', '\udc4d\ud83d'],
  ])('%s is not well-formed', (_why, text) => {
    expect(isWellFormedText(text)).toBe(false);
  });

  it.each([
    ['ASCII', 'uuid-0'],
    ['a surrogate pair (emoji)', '\ud83d\udc4d'],
    ['a ZWJ sequence', '\ud83c\udff3\ufe0f\u200d\ud83c\udf08'],
    ['NUL, RTL override and #', 'a\u0000\u202e#b'],
    ['U+FFFD itself', '\ufffd'],
  ])('%s is well-formed', (_why, text) => {
    expect(isWellFormedText(text)).toBe(true);
  });

  it('the batch names every entry whose externalId, unit, hkIdentifier or externalSourceVersion has one, and only those', () => {
    expect(
      issuePaths([
        GOOD,
        { ...GOOD, externalId: 'x\ud800' },
        { ...GOOD, unit: '\udfff' },
        { ...GOOD, hkIdentifier: 'HK\ud800' },
        { ...GOOD, externalSourceVersion: '1.\udc00' },
        { ...GOOD, externalId: 'emoji-\ud83d\udc4d' },
      ]),
    ).toEqual([
      'entries.1.externalId',
      'entries.2.unit',
      'entries.3.hkIdentifier',
      'entries.4.externalSourceVersion',
    ]);
  });

  it('DELETE /by-external-ids refuses one too', () => {
    expect(deleteByExternalIdsSchema.safeParse({ externalIds: ['ok', 'x\ud800'] }).error?.issues).toEqual([
      expect.objectContaining({ path: ['externalIds', 1] }),
    ]);
  });
});

describe('numbers must be storable in DynamoDB: 0, or a magnitude from 1e-130 to below 1e126', () => {
  it.each([0, -0, 1e-130, -1e-130, 5300, 0.07, 9.99e125, -9.99e125])('%p is storable', (value) => {
    expect(isStorableNumber(value)).toBe(true);
  });

  it.each([1e-131, 1e-200, 5e-324, -1e-200, 1e126, 1e307, -1e307, Infinity, NaN])('%p is not', (value) => {
    expect(isStorableNumber(value)).toBe(false);
  });

  it('a batch entry whose value underflows is a 422 on entries.N.value, not a write that fails on every retry', () => {
    expect(issuePaths([GOOD, { ...GOOD, value: 1e-200 }, { ...GOOD, value: 5e-324 }])).toEqual([
      'entries.1.value',
      'entries.2.value',
    ]);
  });

  it('an edit whose value underflows is a validation error, not a 500 from DynamoDB', () => {
    expect(editMeasurementSchema.safeParse({ value: 1e-200 }).error?.issues).toEqual([
      expect.objectContaining({ path: ['value'] }),
    ]);
    expect(editMeasurementSchema.safeParse({ value: 1e-130 }).success).toBe(true);
  });
});
