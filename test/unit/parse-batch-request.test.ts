import { parseBatchRequest, type BatchRejection } from '../../functions/ingest-batch/parse-batch-request';
import { toHttpApiEvent } from '../../local/http-api-event';

const MAX_BODY_BYTES = 4_194_304;

const GOOD = {
  hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
  value: 64,
  unit: 'count/min',
  startDate: '2026-08-14T06:00:00Z',
  endDate: '2026-08-14T06:00:00Z',
  externalId: 'uuid-0',
};

function event(
  body: string | Buffer,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
) {
  return toHttpApiEvent({
    method: 'POST',
    rawPath: '/api/measurements/batch',
    routePath: '/api/measurements/batch',
    headers,
    body,
  });
}

const json = (value: unknown) => event(JSON.stringify(value));

function rejection(e: ReturnType<typeof event>): BatchRejection {
  const parsed = parseBatchRequest(e);
  if (parsed.ok) throw new Error('expected a rejection, the request was accepted');
  return parsed.rejection;
}

function issues(e: ReturnType<typeof event>): Array<{ path: string; code: string; message: string }> {
  const r = rejection(e);
  expect(r).toMatchObject({ status: 422, errorCode: 'measurement.batch.invalid', exposeErrorCode: true });
  return (r.details as { issues: Array<{ path: string; code: string; message: string }> }).issues;
}

const paths = (e: ReturnType<typeof event>) => issues(e).map((i) => i.path);

/** A body of exactly `bytes` bytes: valid JSON padded with trailing whitespace. */
function paddedBody(bytes: number, value: unknown = { entries: [GOOD] }): string {
  const text = JSON.stringify(value);
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

describe('batch-api §2 check 3: a Content-Type whose media type is not application/json is 415', () => {
  it.each([
    ['missing', {}],
    ['application/jsonx', { 'Content-Type': 'application/jsonx' }],
    ['a parameter naming JSON', { 'Content-Type': 'text/plain; x=application/json' }],
    ['two media types', { 'Content-Type': 'application/json, text/plain' }],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['form-encoded', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['application/xml', { 'Content-Type': 'application/xml' }],
  ])('%s → 415 "Content-Type must be application/json"', (_why, headers) => {
    expect(rejection(event(JSON.stringify({ entries: [GOOD] }), headers))).toMatchObject({
      status: 415,
      error: 'Content-Type must be application/json',
      exposeErrorCode: false,
    });
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json;charset=UTF-8',
  ])('%s is accepted (header name in any case)', (contentType) => {
    expect(
      parseBatchRequest(event(JSON.stringify({ entries: [GOOD] }), { 'content-type': contentType })).ok,
    ).toBe(true);
    expect(
      parseBatchRequest(event(JSON.stringify({ entries: [GOOD] }), { 'CONTENT-TYPE': contentType })).ok,
    ).toBe(true);
  });

  it('415 answers before 413 and 400: an oversized, unparsable text/plain body is 415', () => {
    expect(rejection(event('{'.repeat(MAX_BODY_BYTES + 1), { 'Content-Type': 'text/plain' })).status).toBe(
      415,
    );
  });
});

describe('batch-api §2 check 4: a body over 4 MiB = 4,194,304 bytes is 413', () => {
  it('exactly 4,194,304 bytes is accepted', () => {
    const body = paddedBody(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect(parseBatchRequest(event(body)).ok).toBe(true);
  });

  it('4,194,305 bytes is 413 "Request body exceeds 4194304 bytes"', () => {
    expect(rejection(event(paddedBody(MAX_BODY_BYTES + 1)))).toMatchObject({
      status: 413,
      error: 'Request body exceeds 4194304 bytes',
      exposeErrorCode: false,
    });
  });

  it('the size is counted in bytes, not characters: 2.1 M two-byte characters are 413', () => {
    const body = JSON.stringify({ entries: [GOOD], pad: 'é'.repeat(2_100_000) });
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect(rejection(event(body)).status).toBe(413);
  });

  it('the size is that of the decoded body, not of its base64 form', () => {
    const bytes = Buffer.alloc(3_500_000, 0xff); // not UTF-8, so it arrives base64-encoded (≈ 4.67 MB)
    const e = event(bytes);
    expect(e.isBase64Encoded).toBe(true);
    expect(e.body!.length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(rejection(e).status).toBe(400);
    expect(rejection(event(Buffer.alloc(MAX_BODY_BYTES + 1, 0xff))).status).toBe(413);
  });

  it('413 answers before 400: an oversized body that is not JSON is 413', () => {
    expect(rejection(event('x'.repeat(MAX_BODY_BYTES + 1))).status).toBe(413);
  });

  it('413 answers before 422 too_large: an oversized body with 501 entries is 413', () => {
    expect(rejection(event(paddedBody(MAX_BODY_BYTES + 1, { entries: Array(501).fill(GOOD) }))).status).toBe(
      413,
    );
  });
});

describe('batch-api §2 check 5: a body that is not JSON is 400 "Invalid JSON body"', () => {
  it.each([
    ['truncated JSON', '{"entries": ['],
    ['an empty body', ''],
    ['single quotes', "{'entries': []}"],
    ['a trailing comma', '{"entries": [],}'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('%s → 400', (_why, body) => {
    expect(rejection(event(body))).toMatchObject({
      status: 400,
      error: 'Invalid JSON body',
      exposeErrorCode: false,
    });
  });

  it('a JSON body sent base64-encoded is decoded first', () => {
    const e = {
      ...event(''),
      body: Buffer.from(JSON.stringify({ entries: [GOOD] })).toString('base64'),
      isBase64Encoded: true,
    };
    expect(parseBatchRequest(e).ok).toBe(true);
  });
});

describe('batch-api §2 check 6: more than 500 entries is 422 measurement.batch.too_large, checked on the raw body before the schema', () => {
  it('500 valid entries are accepted', () => {
    expect(parseBatchRequest(json({ entries: Array(500).fill(GOOD) })).ok).toBe(true);
  });

  it('501 valid entries → 422 "Batch exceeds the 500-entry limit"', () => {
    expect(rejection(json({ entries: Array(501).fill(GOOD) }))).toEqual({
      status: 422,
      error: 'Batch exceeds the 500-entry limit',
      errorCode: 'measurement.batch.too_large',
      exposeErrorCode: true,
    });
  });

  it('501 invalid entries are too_large, not invalid: the count answers before the schema', () => {
    expect(rejection(json({ entries: Array(501).fill({ value: 'x' }) })).errorCode).toBe(
      'measurement.batch.too_large',
    );
    expect(rejection(json({ entries: Array(501).fill(null) })).errorCode).toBe('measurement.batch.too_large');
  });

  it('501 entries with a bad syncTrigger are still too_large', () => {
    expect(rejection(json({ entries: Array(501).fill(GOOD), syncTrigger: 'later' })).errorCode).toBe(
      'measurement.batch.too_large',
    );
  });
});

describe("batch-api §6: schema problems are 422 measurement.batch.invalid with details.issues [{path, code, message}]; error = the first issue's message", () => {
  it('contract example 04: entry 1 with a non-ISO date and entry 2 with a string value are both named, entry 0 is not', () => {
    const r = rejection(
      json({
        entries: [
          GOOD,
          { ...GOOD, startDate: 'yesterday', externalId: 'uuid-1' },
          { ...GOOD, value: '64', externalId: 'uuid-2' },
        ],
      }),
    );
    const list = (r.details as { issues: Array<{ path: string; code: string; message: string }> }).issues;
    expect(r).toMatchObject({ status: 422, errorCode: 'measurement.batch.invalid', exposeErrorCode: true });
    expect(list.map((i) => i.path)).toEqual(['entries.1.startDate', 'entries.2.value']);
    for (const issue of list) {
      expect(Object.keys(issue)).toEqual(['path', 'code', 'message']);
      expect(issue.code).toEqual(expect.any(String));
      expect(issue.message).toEqual(expect.any(String));
      expect(issue.message.length).toBeGreaterThan(0);
    }
    expect(r.error).toBe(list[0]!.message);
  });

  it('every bad entry of the batch is named, and a good entry never is', () => {
    const bad: Record<number, object | null> = {
      1: { ...GOOD, value: '64' },
      4: { ...GOOD, endDate: '2026-02-30T00:00:00Z' },
      7: { ...GOOD, externalId: '' },
      8: { ...GOOD, sleepStage: 21, deviceType: 'tablet' },
      11: null,
    };
    const entries = Array.from({ length: 12 }, (_, i) =>
      i in bad ? bad[i] : { ...GOOD, externalId: `uuid-${i}` },
    );
    const named = new Set(paths(json({ entries })).map((p) => Number(p.split('.')[1])));
    expect([...named].sort((a, b) => a - b)).toEqual([1, 4, 7, 8, 11]);
  });

  it('an entry with several problems has one issue per problem', () => {
    expect(paths(json({ entries: [{ ...GOOD, value: '64', startDate: 'now', unit: '' }] })).sort()).toEqual([
      'entries.0.startDate',
      'entries.0.unit',
      'entries.0.value',
    ]);
  });
});

describe('batch-api §1 / §6: each field rule, and the dotted path that names the offending value', () => {
  it.each([
    ['hkIdentifier missing', { hkIdentifier: undefined }, 'entries.0.hkIdentifier'],
    ['hkIdentifier empty', { hkIdentifier: '' }, 'entries.0.hkIdentifier'],
    ['hkIdentifier of 121 chars', { hkIdentifier: 'H'.repeat(121) }, 'entries.0.hkIdentifier'],
    ['hkIdentifier not a string', { hkIdentifier: 42 }, 'entries.0.hkIdentifier'],
    ['value missing', { value: undefined }, 'entries.0.value'],
    ['value as a JSON string "64"', { value: '64' }, 'entries.0.value'],
    ['value null', { value: null }, 'entries.0.value'],
    ['value not finite (1e999 parses to Infinity)', { value: '__INFINITY__' }, 'entries.0.value'],
    ['unit missing', { unit: undefined }, 'entries.0.unit'],
    ['unit empty', { unit: '' }, 'entries.0.unit'],
    ['unit of 61 chars', { unit: 'u'.repeat(61) }, 'entries.0.unit'],
    ['startDate missing', { startDate: undefined }, 'entries.0.startDate'],
    ['startDate "yesterday"', { startDate: 'yesterday' }, 'entries.0.startDate'],
    ['startDate with lower-case z', { startDate: '2026-08-14T06:00:00z' }, 'entries.0.startDate'],
    ['startDate without zone', { startDate: '2026-08-14T06:00:00' }, 'entries.0.startDate'],
    ['startDate with +0200', { startDate: '2026-08-14T08:00:00+0200' }, 'entries.0.startDate'],
    ['startDate with +02', { startDate: '2026-08-14T08:00:00+02' }, 'entries.0.startDate'],
    ['startDate as epoch milliseconds', { startDate: 1786687200000 }, 'entries.0.startDate'],
    ['endDate missing', { endDate: undefined }, 'entries.0.endDate'],
    ['endDate on 2026-02-30', { endDate: '2026-02-30T06:00:00Z' }, 'entries.0.endDate'],
    ['endDate at T24:00', { endDate: '2026-08-14T24:00:00Z' }, 'entries.0.endDate'],
    ['sleepStage 21', { sleepStage: 21 }, 'entries.0.sleepStage'],
    ['sleepStage -1', { sleepStage: -1 }, 'entries.0.sleepStage'],
    ['sleepStage 1.5', { sleepStage: 1.5 }, 'entries.0.sleepStage'],
    ['sleepStage "3"', { sleepStage: '3' }, 'entries.0.sleepStage'],
    ['categoryValue 21', { categoryValue: 21 }, 'entries.0.categoryValue'],
    ['categoryValue 2.5', { categoryValue: 2.5 }, 'entries.0.categoryValue'],
    ['valueMin "58"', { valueMin: '58' }, 'entries.0.valueMin'],
    ['valueMax not finite', { valueMax: '__INFINITY__' }, 'entries.0.valueMax'],
    ['externalId missing', { externalId: undefined }, 'entries.0.externalId'],
    ['externalId empty', { externalId: '' }, 'entries.0.externalId'],
    ['externalId of 121 chars', { externalId: 'x'.repeat(121) }, 'entries.0.externalId'],
    ['externalSourceVersion empty', { externalSourceVersion: '' }, 'entries.0.externalSourceVersion'],
    [
      'externalSourceVersion of 121 chars',
      { externalSourceVersion: 'v'.repeat(121) },
      'entries.0.externalSourceVersion',
    ],
    ['source HEALTH_CONNECT', { source: 'HEALTH_CONNECT' }, 'entries.0.source'],
    ['source in lower case', { source: 'apple_health' }, 'entries.0.source'],
    ['deviceType tablet', { deviceType: 'tablet' }, 'entries.0.deviceType'],
  ])('%s → issue at %s', (_why, overrides, path) => {
    const body = JSON.stringify({ entries: [{ ...GOOD, ...overrides }] }).replace(/"__INFINITY__"/g, '1e999');
    expect(paths(event(body))).toEqual([path]);
  });

  it('an entry that is not an object is named by its index alone (entries.0)', () => {
    expect(paths(json({ entries: [null, GOOD] }))).toEqual(['entries.0']);
    expect(paths(json({ entries: [GOOD, 'x'] }))).toEqual(['entries.1']);
  });
});

describe('batch-api §6: envelope problems have path "", "entries" or "syncTrigger"', () => {
  it.each([
    ['a body that is an array', [], ''],
    ['a body that is a string', 'entries', ''],
    ['a body that is null', null, ''],
    ['a body that is a number', 42, ''],
    ['no entries', {}, 'entries'],
    ['entries that is not an array', { entries: { 0: GOOD } }, 'entries'],
    ['entries that is null', { entries: null }, 'entries'],
    ['an empty entries array', { entries: [] }, 'entries'],
    ['an unknown syncTrigger', { entries: [GOOD], syncTrigger: 'later' }, 'syncTrigger'],
    ['a syncTrigger in upper case', { entries: [GOOD], syncTrigger: 'FOREGROUND' }, 'syncTrigger'],
  ])('%s → 422 invalid at path %j', (_why, body, path) => {
    expect(paths(json(body))).toEqual([path]);
  });
});

describe('batch-api §1: what a valid body may hold', () => {
  it('unknown keys are ignored, not errors, and a body userId names nobody', () => {
    const parsed = parseBatchRequest(
      json({ userId: 'someone-else', entries: [{ ...GOOD, foo: 1, userId: 'x' }] }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.batch).not.toHaveProperty('userId');
    expect(parsed.batch.entries[0]).not.toHaveProperty('foo');
    expect(parsed.batch.entries[0]).not.toHaveProperty('userId');
  });

  it.each([
    ['hkIdentifier of 120 chars', { hkIdentifier: 'H'.repeat(120) }],
    ['unit of 60 chars', { unit: 'u'.repeat(60) }],
    ['externalId of 120 chars', { externalId: 'x'.repeat(120) }],
    ['externalSourceVersion of 120 chars', { externalSourceVersion: 'v'.repeat(120) }],
    ['sleepStage 0', { sleepStage: 0 }],
    ['sleepStage 20', { sleepStage: 20 }],
    ['categoryValue 0', { categoryValue: 0 }],
    ['categoryValue 20', { categoryValue: 20 }],
    ["a negative value (plausibility is the pipeline's business, not the schema's)", { value: -5 }],
    ['valueMin/valueMax', { valueMin: 58, valueMax: 90 }],
    [
      'optional fields null',
      {
        sleepStage: null,
        categoryValue: null,
        valueMin: null,
        valueMax: null,
        externalSourceVersion: null,
        source: null,
        deviceType: null,
      },
    ],
    ['source MANUAL', { source: 'MANUAL' }],
    ['source APPLE_HEALTH', { source: 'APPLE_HEALTH' }],
    ...['watch', 'band', 'ring', 'phone', 'scale', 'other', 'unknown'].map(
      (d) => [`deviceType ${d}`, { deviceType: d }] as [string, object],
    ),
    [
      'dates with offsets, no seconds, and fractions',
      { startDate: '2026-08-14T08:00+02:00', endDate: '2026-08-14T00:30:00.123456-05:30' },
    ],
    ['2024-02-29', { startDate: '2024-02-29T00:00:00Z', endDate: '2024-02-29T00:00:00Z' }],
    ['an unstable externalId (that is a pipeline skip, not a schema error)', { externalId: '0x12568db80' }],
    [
      'an unknown hkIdentifier (a pipeline skip, not a schema error)',
      { hkIdentifier: 'HKQuantityTypeIdentifierHeight' },
    ],
  ])('%s is valid', (_why, overrides) => {
    const parsed = parseBatchRequest(json({ entries: [{ ...GOOD, ...overrides }] }));
    expect(parsed.ok ? 'ok' : parsed.rejection).toBe('ok');
  });

  it.each(['foreground', 'background', 'push', 'manual', null])('syncTrigger %p is valid', (syncTrigger) => {
    expect(parseBatchRequest(json({ entries: [GOOD], syncTrigger })).ok).toBe(true);
  });

  it('a valid batch comes back with its entries in order', () => {
    const parsed = parseBatchRequest(
      json({ entries: [GOOD, { ...GOOD, externalId: 'uuid-1' }], syncTrigger: 'push' }),
    );
    expect(parsed).toEqual({
      ok: true,
      batch: { entries: [GOOD, { ...GOOD, externalId: 'uuid-1' }], syncTrigger: 'push' },
    });
  });
});
