import { ANSWER_BYTE_BUDGET } from '../../definitions/answer-limits';
import { proxyResultBytes } from '../../functions/http/answer-size';
import { failure, success } from '../../functions/http/envelope';
import { parseBatchRequest } from '../../functions/ingest-batch/parse-batch-request';
import { batchResultSchema } from '../../functions/measurements/batch/batch-result-schema';
import { batchLimits } from '../../functions/measurements/batch/batch-schema';
import { MAX_EXTERNAL_ID_LENGTH } from '../../functions/measurements/model/field-schemas';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { measurementTypes } from '../../functions/measurements/model/measurement-types';
import { toHttpApiEvent } from '../../local/http-api-event';

/**
 * A batch answer is not paged: its size is bounded by construction (docs/batch-api.md, "The
 * answer") — at most 500 entries, each outcome of bounded size — and the widest answers of every
 * kind stay far below the answer budget the lists stop at.
 */

const entries = batchLimits.maxEntries;
/** The longest echo of a request id API Gateway lets through (10 KB a header). */
const headers = { 'x-request-id': 'r'.repeat(10_240) };
const longestType = [...measurementTypes].sort((a, b) => b.length - a.length)[0]!;
/** The longest row id: the longest type and 120 characters of three UTF-8 bytes each. */
const longestId = measurementId(longestType, '€'.repeat(MAX_EXTERNAL_ID_LENGTH));

function resultBytes(outcome: Record<string, unknown>, skipped: boolean) {
  const result = {
    processed: entries,
    inserted: 0,
    updated: 0,
    duplicates: skipped ? 0 : entries,
    failed: 0,
    skipped: skipped
      ? Array.from({ length: entries }, (_, index) => ({ index, reason: outcome.reason }))
      : [],
    entries: Array.from({ length: entries }, (_, index) => ({ ...outcome, index })),
  };
  batchResultSchema.parse(result);
  return proxyResultBytes(success(result, headers));
}

test('the widest 200: 500 duplicates superseded in the batch, each with the longest id', () => {
  const bytes = resultBytes({ status: 'duplicate', reason: 'superseded_in_batch', id: longestId }, false);
  expect(bytes).toBeLessThan(400_000);
});

test('the widest skips: 500 values out of range, with converted value and range, mirrored in skipped', () => {
  const bytes = resultBytes(
    {
      status: 'skipped',
      reason: 'value_out_of_range',
      convertedValue: -1e-125 / 7,
      range: { min: -1e-125 / 7, max: 1e-125 / 7, unit: 'mL/(kg·min)' },
    },
    true,
  );
  expect(bytes).toBeLessThan(400_000);
});

test('the widest failure: a reason is at most 64 characters', () => {
  expect(resultBytes({ status: 'failed', reason: 'R'.repeat(64) }, false)).toBeLessThan(400_000);
});

test('the widest 422: every field of every entry wrong, each issue named', () => {
  const wrong = (length: number) => `${'x'.repeat(length + 1)}\ud800`;
  const entry = {
    hkIdentifier: wrong(120),
    value: 'x',
    unit: wrong(60),
    startDate: 'no',
    endDate: 'no',
    sleepStage: 21,
    categoryValue: 'x',
    valueMin: 'x',
    valueMax: 'x',
    externalId: wrong(120),
    externalSourceVersion: wrong(120),
    source: 'NOPE',
    deviceType: 'NOPE',
  };
  const body = JSON.stringify({ entries: Array.from({ length: entries }, () => entry), syncTrigger: 'x' });
  const event = toHttpApiEvent({
    method: 'POST',
    rawPath: '/api/measurements/batch',
    routePath: '/api/measurements/batch',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const parsed = parseBatchRequest(event);
  if (parsed.ok) throw new Error('the batch was accepted');
  const { status, error, errorCode, details } = parsed.rejection;
  expect((details as { issues: unknown[] }).issues.length).toBeGreaterThan(16 * entries);
  const bytes = proxyResultBytes(failure(status, error, { errorCode, details, headers }));
  expect(bytes).toBeLessThan(1_500_000);
  expect(bytes).toBeLessThan(ANSWER_BYTE_BUDGET);
});
