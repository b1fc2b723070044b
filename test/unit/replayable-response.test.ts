import {
  MAX_REPLAYABLE_BODY_BYTES,
  isReplayable,
  notReplayable,
  toStoredResponse,
} from '../../functions/request-guards/replayable-response';

const answer = (statusCode: number, headers: Record<string, string> = {}, body = '{"data":null}') => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body,
});

describe('never cached: 401/403/408/415/429/5xx and no-store answers', () => {
  test.each([401, 403, 408, 415, 429, 500, 502, 503, 504])('%i is not replayable', (status) => {
    expect(isReplayable(answer(status))).toBe(false);
  });

  test.each(['private, no-store', 'no-store', 'No-Store', 'no-cache,no-store'])(
    'Cache-Control: %s is not replayable',
    (cacheControl) => {
      expect(isReplayable(answer(200, { 'Cache-Control': cacheControl }))).toBe(false);
      expect(isReplayable(answer(200, { 'cache-control': cacheControl }))).toBe(false);
    },
  );
});

describe('everything else is kept: the 200 and the whole-request refusals of the contract', () => {
  test.each([200, 400, 413, 422])('%i is replayable', (status) => {
    expect(isReplayable(answer(status))).toBe(true);
  });

  test('a Cache-Control without no-store does not prevent it', () => {
    expect(isReplayable(answer(200, { 'Cache-Control': 'private, max-age=0' }))).toBe(true);
  });
});

describe('an answer its handler marked as depending on the clock is not kept', () => {
  test('the mark is on that answer only', () => {
    const marked = notReplayable(answer(422));
    expect(isReplayable(marked)).toBe(false);
    expect(isReplayable({ ...marked })).toBe(true);
  });
});

describe('a body too large for a DynamoDB item is answered but not kept', () => {
  test('up to the limit it is kept, one byte over it is not', () => {
    expect(isReplayable(answer(422, {}, 'x'.repeat(MAX_REPLAYABLE_BODY_BYTES)))).toBe(true);
    expect(isReplayable(answer(422, {}, 'x'.repeat(MAX_REPLAYABLE_BODY_BYTES + 1)))).toBe(false);
  });

  test('the limit leaves room below the 400 KB item size for the record’s other attributes', () => {
    expect(MAX_REPLAYABLE_BODY_BYTES).toBeLessThan(400 * 1024 - 50 * 1024);
  });
});

describe('what is kept: status, body and the answer’s own headers', () => {
  test('the body is kept as the exact string, and the attempt’s x-request-id is dropped', () => {
    const body = '{"data":{"processed":1},"error":null}';
    expect(toStoredResponse({ ...answer(200, { 'x-request-id': 'abc' }), body })).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body,
    });
  });

  test('a missing status is a 200 and a missing body is empty (what API Gateway makes of them)', () => {
    expect(toStoredResponse({})).toEqual({ statusCode: 200, headers: {}, body: '' });
  });
});
