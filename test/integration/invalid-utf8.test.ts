import { entry } from '../support/batch-client';
import { rowApiSuite } from '../support/row-api-suite';

/**
 * Every route with a body decodes it as strict UTF-8: bytes that are not well-formed UTF-8 are
 * 400 `Invalid JSON body` and write nothing. With U+FFFD replacement, `SAMPLE-\xFF` and
 * `SAMPLE-\xFE` would decode to one externalId — one row id, and the second post a `duplicate`.
 * The real handlers and repository on DynamoDB Local; API Gateway hands such a body over
 * base64-encoded, as `toHttpApiEvent` does.
 */
const suite = rowApiSuite('utf8-user');
const INVALID_JSON = { data: null, error: 'Invalid JSON body' };

/** JSON text with `\uFFFF` placeholders replaced by one raw byte each (0xFF, 0xFE, … in order). */
function withBadBytes(json: string, ...bytes: number[]): Buffer {
  const parts = json.split('\uFFFF');
  expect(parts).toHaveLength(bytes.length + 1);
  return Buffer.concat(
    parts.flatMap((part, index) =>
      index < bytes.length ? [Buffer.from(part, 'utf8'), Buffer.from([bytes[index]!])] : [Buffer.from(part)],
    ),
  );
}

const userItems = async (userId: string) =>
  (await suite.table.items()).filter((item) => String(item.pk).startsWith(`${userId}#`));

const pulse = (externalId: string) =>
  entry({ externalId, startDate: '2026-08-14T06:00:00Z', endDate: '2026-08-14T06:00:00Z' });

describe('POST /api/measurements/batch: a body that is not UTF-8 is 400 Invalid JSON body', () => {
  it('SAMPLE-\\xFF and SAMPLE-\\xFE are both refused, never one row answered duplicate', async () => {
    const userId = suite.newUser();
    for (const byte of [0xff, 0xfe]) {
      const rawBody = withBadBytes(JSON.stringify({ entries: [pulse('SAMPLE-\uFFFF')] }), byte);
      const answer = await suite.post({ userId, rawBody });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(INVALID_JSON);
    }
    expect(await userItems(userId)).toEqual([]);
    expect(suite.logs.events('measurement.batch.rejected')).toEqual([
      expect.objectContaining({ userId, status: 400, errorCode: 'request.invalid_json' }),
      expect.objectContaining({ userId, status: 400, errorCode: 'request.invalid_json' }),
    ]);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated two-byte sequence', [0xc3]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate encoded as UTF-8 (CESU)', [0xed, 0xa0, 0x80]],
  ])('%s inside a string is refused the same way', async (_name, bytes) => {
    const userId = suite.newUser();
    const rawBody = withBadBytes(
      JSON.stringify({ entries: [pulse(`SAMPLE-${'\uFFFF'.repeat(bytes.length)}`)] }),
      ...bytes,
    );
    const answer = await suite.post({ userId, rawBody });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(INVALID_JSON);
    expect(await userItems(userId)).toEqual([]);
  });

  it('the same body in well-formed UTF-8 (é, a 4-byte emoji) is stored, so the check refuses only bad bytes', async () => {
    const userId = suite.newUser();
    const answer = await suite.post({
      userId,
      rawBody: Buffer.from(JSON.stringify({ entries: [pulse('SAMPLE-é-🫀')] }), 'utf8'),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.inserted).toBe(1);
    expect(await suite.table.item(userId, 'PULSE', 'SAMPLE-é-🫀')).toBeDefined();
  });
});

describe('the row API: every route with a body refuses bytes that are not UTF-8 and writes nothing', () => {
  async function aUserWithRows() {
    const userId = suite.newUser();
    const stored = await suite.post({ userId, body: { entries: [pulse('SAMPLE-1')] } });
    expect(stored.body.data.inserted).toBe(1);
    const sampleId: string = stored.body.data.entries[0].id;
    const created = await suite.api.create(userId, {
      type: 'WEIGHT',
      value: 72.4,
      measuredAt: '2026-08-14T06:30:00Z',
    });
    expect(created.status).toBe(201);
    return { userId, sampleId, manualId: created.body.data.id as string, before: await userItems(userId) };
  }

  it.each<[string, 'POST' | 'PUT' | 'PATCH' | 'DELETE', string, (ids: Record<string, string>) => string]>([
    [
      'POST /api/measurements (a hand entry)',
      'POST',
      '/api/measurements',
      () => '{"type":"WEIGHT","value":71,"measuredAt":"2026-08-14T07:00:00Z","notes":"caf\uFFFF"}',
    ],
    [
      'POST /api/measurements (an array of hand entries)',
      'POST',
      '/api/measurements',
      () => '[{"type":"WEIGHT","value":71,"measuredAt":"2026-08-14T07:00:00Z","notes":"\uFFFF"}]',
    ],
    ['PUT /api/measurements/{id}', 'PUT', '/api/measurements/{id}', () => '{"value":73,"notes":"\uFFFF"}'],
    [
      'PATCH /api/measurements/{id}',
      'PATCH',
      '/api/measurements/{id}',
      () => '{"value":73,"notes":"\uFFFF"}',
    ],
    [
      'POST /api/measurements/bulk-delete',
      'POST',
      '/api/measurements/bulk-delete',
      (ids) => `{"ids":["${ids.sampleId}","${ids.manualId}\uFFFF"]}`,
    ],
    [
      'DELETE /api/measurements/by-external-ids',
      'DELETE',
      '/api/measurements/by-external-ids',
      () => '{"externalIds":["SAMPLE-1","SAMPLE-\uFFFF"]}',
    ],
  ])('%s: 400 Invalid JSON body, every item as it was', async (_name, method, route, body) => {
    const { userId, sampleId, manualId, before } = await aUserWithRows();
    const answer = await suite.api.call({
      method,
      route,
      userId,
      id: manualId,
      rawBody: withBadBytes(body({ sampleId, manualId }), 0xff),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(INVALID_JSON);
    expect(await userItems(userId)).toEqual(before);
  });
});
