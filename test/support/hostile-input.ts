import fc from 'fast-check';
import { healthKitMappings } from '../../functions/measurements/model/healthkit-types';

/**
 * fast-check generators of hostile requests, as JSON *text*: building the text by hand (instead
 * of `JSON.stringify` of objects) is what lets a body carry own `__proto__` keys, duplicated
 * keys, number tokens such as `1e400`, raw lone surrogates and truncations.
 */

/** A marker planted in bodies; no log line may ever contain it (logs carry no bodies). */
export const CANARY = 'c4n4ry-9f1e2d';

/** Keys that would pollute or shadow a prototype if anything assigned them naively. */
export const DANGER_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
] as const;

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];

/** Characters that are well-formed text but hostile to naive code: NUL, RTL, BOM, `#`, quotes, emoji. */
const SPECIAL_CHARS = [
  '\u0000', // NUL
  '\u001f',
  '\u202e', // right-to-left override
  '\u200f', // right-to-left mark
  '\u05d0', // Hebrew alef (RTL)
  '\u0627', // Arabic alef (RTL)
  '\ufeff', // BOM
  '\uffff',
  '\u0301', // combining acute
  '\ud83d\udc4d', // 👍 (a valid pair)
  '\ud83c\udff3\ufe0f\u200d\ud83c\udf08', // flag ZWJ sequence
  '#',
  '%',
  '/',
  '\\',
  '"',
  '\n',
  '<',
  '0x',
  ':',
  ' ',
];

const plausibleChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_CHARS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

const hostileChar = fc.oneof(
  { weight: 3, arbitrary: plausibleChar },
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
);

/** Well-formed but unusual text: any code point, NUL, RTL, emoji, `#`. */
export const plausibleString = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: plausibleChar, minLength, maxLength });

/** Unicode of every kind, lone surrogates included, sometimes the canary. */
export const hostileString = (maxLength = 24): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: hostileChar, maxLength }) },
    { weight: 1, arbitrary: fc.constant(CANARY) },
    { weight: 1, arbitrary: fc.string({ unit: hostileChar, maxLength: 4 }).map((s) => `${CANARY}${s}`) },
  );

/** A JSON string literal, escaped as JSON.stringify does (lone surrogates as `\ud800` escapes). */
export const jsonString = (arbitrary: fc.Arbitrary<string>) => arbitrary.map((s) => JSON.stringify(s));

/** A string literal written raw: control characters unescaped (not JSON), lone surrogates as UTF-16. */
const rawStringLiteral = hostileString().map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`);

/** Number tokens, including ones JSON.parse turns into Infinity or 0 and ones that are not JSON at all. */
export const numberToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 300000 }).map(String) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '1e400', // → Infinity
      '-1e400',
      '1e-400', // → 0
      '5e-324', // smallest subnormal
      '1e-200', // below DynamoDB's smallest magnitude
      '-1e-131',
      '1e126',
      '9007199254740993',
      '123456789012345678901234567890',
      '-0',
      '0.1e1',
      '1E+2',
      '"NaN"',
      '"Infinity"',
      '"64"',
      'NaN', // not JSON
      'Infinity',
      '-Infinity',
      '0x10',
      '01',
      '.5',
      '1.',
      '+1',
    ),
  },
);

/** `depth` nested arrays or objects (JSON.parse copes; nothing after it may recurse). */
export const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 12000 }), fc.constantFrom('array', 'proto', 'object'))
  .map(([depth, kind]) => {
    const [open, close] =
      kind === 'array' ? ['[', ']'] : kind === 'proto' ? ['{"__proto__":', '}'] : ['{"a":', '}'];
    return `${open.repeat(depth)}0${close.repeat(depth)}`;
  });

const jsonKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DANGER_KEYS) },
  { weight: 2, arbitrary: hostileString(12) },
  { weight: 1, arbitrary: fc.constantFrom('userId', 'user', 'sub', 'pk', 'id', 'entries') },
);

/** `{"k": v, …}` from pairs as given: order kept, duplicates kept (the last one wins in JSON.parse). */
export function objectText(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

/** Any JSON value as text, with hostile leaves. */
export const hostileValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { weight: 2, arbitrary: fc.constantFrom('null', 'true', 'false', '{}', '[]', '""') },
    { weight: 2, arbitrary: numberToken },
    { weight: 3, arbitrary: jsonString(hostileString()) },
    { weight: 1, arbitrary: rawStringLiteral },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`) },
    { weight: 1, arbitrary: fc.array(fc.tuple(jsonKey, tie('value')), { maxLength: 3 }).map(objectText) },
    { weight: 1, arbitrary: deepNesting },
  ),
})).value;

/** Extra keys at any level: prototype-shaped keys with hostile values. */
const extraPairs = fc.array(fc.tuple(jsonKey, hostileValue), { maxLength: 2 });

const hkIdentifiers = [...healthKitMappings.keys()];
const day = fc
  .date({
    min: new Date('1899-12-30T00:00:00Z'),
    // Fixed bounds: the seed alone decides the inputs (the pipeline judges them against its own clock).
    max: new Date('2030-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());

export const isoDateTimeText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: day },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '2026-02-30T00:00:00Z',
      '2026-05-24T00:00:00z',
      '2026-05-24T00:00:00',
      '2026-05-24T00:00:00+0200',
      '2026-05-24T00:00:00+02',
      '2026-05-24T24:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999999999+23:59',
      '2026-05-24T00:00:00-23:59',
      '2026-05-24T00:00Z',
      '2026-05-24',
      '１２３４-05-24T00:00:00Z',
    ),
  },
  { weight: 1, arbitrary: hostileString() },
);

/** externalIds a careful server must store, skip or refuse, but never confuse. */
export const externalIdText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.uuid() },
  { weight: 6, arbitrary: plausibleString(1, 30) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('', 'x', 'stats:x', 'a#b', '#'), fc.constantFrom(...SPECIAL_CHARS))
      .map(([prefix, char]) => `${prefix}${char}`),
  },
  {
    // Lone surrogates: `x\ud800` and `x\udbff` must never be taken for one row.
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('', 'x', 'stats:x', 'a#b'), fc.constantFrom(...LONE_SURROGATES))
      .map(([prefix, char]) => `${prefix}${char}`),
  },
  { weight: 1, arbitrary: hostileString(30) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...hkIdentifiers), day)
      .map(([hk, instant]) => `stats:${hk}:${instant.slice(0, 10)}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'stats:HKQuantityTypeIdentifierHeartRate:2026-05-24T14:30:00.000Z',
      'stats:HKQuantityTypeIdentifierHeartRate:2026-05-24T14:35:00.000Z',
      'stats:HKQuantityTypeIdentifierHeartRate:2026-02-30T14:30:00.000Z',
      '0x12568db80',
      '<HKHealthConceptIdentifier: 0x12568db80>',
      '   ',
      'x'.repeat(120),
      'x'.repeat(121),
      '\ud83d\udc4d'.repeat(60),
    ),
  },
);

/** Numbers the schema's `z.number()` accepts, extremes included (tiny, huge, subnormal, -0). */
export const plausibleNumber: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: -100, max: 3_000_000 }).map((n) => JSON.stringify(n / 10)) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 250 }).map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)) },
  { weight: 2, arbitrary: fc.constantFrom('1e-130', '-0', '0.1e1', '1E+2', '1e-400') },
  // Valid JSON numbers DynamoDB cannot store: too small (underflow) or too large.
  { weight: 1, arbitrary: fc.constantFrom('1e-200', '5e-324', '-1e-131', '1e126', '1e307') },
);

/** Each field of an entry with a value the schema accepts: the base every mutation starts from. */
const plausibleFields = fc.record(
  {
    hkIdentifier: jsonString(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...hkIdentifiers) },
        { weight: 1, arbitrary: fc.constantFrom('HKQuantityTypeIdentifierFoo', '__proto__', 'constructor') },
      ),
    ),
    value: plausibleNumber,
    unit: jsonString(
      fc.oneof(
        { weight: 30, arbitrary: plausibleString(1, 12) },
        { weight: 1, arbitrary: hostileString(12) },
      ),
    ),
    startDate: day.map((instant) => JSON.stringify(instant)),
    endDate: day.map((instant) => JSON.stringify(instant)),
    sleepStage: fc.constantFrom('0', '3', '5', '9', '20', 'null'),
    categoryValue: fc.constantFrom('1', '3', '20', 'null'),
    valueMin: plausibleNumber,
    valueMax: plausibleNumber,
    externalId: jsonString(externalIdText),
    externalSourceVersion: jsonString(plausibleString(1, 12)),
    source: fc.constantFrom('"APPLE_HEALTH"', '"MANUAL"', 'null'),
    deviceType: fc.constantFrom('"watch"', '"ring"', '"unknown"', 'null'),
  },
  {
    requiredKeys: ['hkIdentifier', 'value', 'unit', 'startDate', 'endDate', 'externalId'],
  },
);

const ENTRY_KEYS = [
  'hkIdentifier',
  'value',
  'unit',
  'startDate',
  'endDate',
  'sleepStage',
  'categoryValue',
  'valueMin',
  'valueMax',
  'externalId',
  'externalSourceVersion',
  'source',
  'deviceType',
] as const;

/** One way to break an entry: a field of the wrong type or value, a missing field, a repeated or extra key. */
type Mutation =
  | { readonly kind: 'replace'; readonly key: string; readonly value: string }
  | { readonly kind: 'delete'; readonly key: string }
  | { readonly kind: 'duplicate'; readonly key: string; readonly value: string }
  | { readonly kind: 'extra'; readonly key: string; readonly value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...ENTRY_KEYS), fc.oneof(hostileValue, numberToken, jsonString(isoDateTimeText)))
      .map(([key, value]): Mutation => ({ kind: 'replace', key, value })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...ENTRY_KEYS).map((key): Mutation => ({ kind: 'delete', key })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...ENTRY_KEYS), hostileValue)
      .map(([key, value]): Mutation => ({ kind: 'duplicate', key, value })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(jsonKey, hostileValue)
      .map(([key, value]): Mutation => ({ kind: 'extra', key, value })),
  },
);

function applyMutations(fields: Record<string, string | undefined>, mutations: readonly Mutation[]): string {
  const pairs: Array<readonly [string, string]> = Object.entries(fields).flatMap(([key, value]) =>
    value === undefined ? [] : [[key, value] as const],
  );
  for (const change of mutations) {
    const at = pairs.findIndex(([key]) => key === change.key);
    if (change.kind === 'replace' && at >= 0) pairs[at] = [change.key, change.value];
    else if (change.kind === 'replace') pairs.push([change.key, change.value]);
    else if (change.kind === 'delete' && at >= 0) pairs.splice(at, 1);
    // A repeated key: JSON.parse keeps the last one, and so must everything after it.
    else if (change.kind === 'duplicate') pairs.push([change.key, change.value]);
    else if (change.kind === 'extra') pairs.push([change.key, change.value]);
  }
  return objectText(pairs);
}

/** One batch entry as JSON text: a plausible entry, untouched about half the time, else broken 1–3 ways. */
export const entryText: fc.Arbitrary<string> = fc
  .tuple(
    plausibleFields,
    fc.oneof(
      { weight: 6, arbitrary: fc.constant([] as Mutation[]) },
      { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
    ),
  )
  .map(([fields, mutations]) => applyMutations(fields, mutations));

/** A whole batch body: `entries` plus a `userId` that must be ignored, prototype keys, junk. */
export const batchBodyText: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      {
        weight: 16,
        arbitrary: fc.array(entryText, { minLength: 1, maxLength: 4 }).map((e) => `[${e.join(',')}]`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom('[]', `[${Array.from({ length: 501 }, () => '{}').join(',')}]`),
      },
      { weight: 1, arbitrary: hostileValue },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    fc.option(
      jsonString(fc.constantFrom('foreground', 'background', 'push', 'manual', 'constructor', CANARY)),
      {
        nil: undefined,
      },
    ),
    fc.option(jsonString(fc.constantFrom('victim', 'user-a', '')), { nil: undefined }),
    extraPairs,
  )
  .map(([entries, syncTrigger, userId, extra]) =>
    objectText([
      ...(entries === undefined ? [] : [['entries', entries] as const]),
      ...(syncTrigger === undefined ? [] : [['syncTrigger', syncTrigger] as const]),
      ...(userId === undefined ? [] : [['userId', userId] as const]),
      ...extra,
    ]),
  );

/** Cut a text anywhere: truncated JSON. */
export const truncated = (text: fc.Arbitrary<string>) =>
  text.chain((t) => fc.nat({ max: Math.max(0, t.length - 1) }).map((at) => t.slice(0, at)));

/** Bodies that are not a batch at all. */
export const junkBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.json(),
  hostileValue,
  deepNesting,
  fc.constantFrom('', ' ', 'null', '[]', '"x"', '{', '{"entries":', '\ufeff{"entries":[]}', '{"entries":[]}'),
  hostileString(40),
);

export const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json, text/plain',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jso',
  'application/jsonx',
  'text/plain; x=application/json',
  '',
] as const;

/** A Content-Type header, or none at all. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom(...contentTypes) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** How the body travels in the event: as text, properly base64-encoded, or as junk claimed to be base64. */
export type BodyEncoding = 'text' | 'base64' | 'junk-base64';
export const bodyEncoding: fc.Arbitrary<BodyEncoding> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<BodyEncoding>('text') },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>('base64') },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>('junk-base64') },
);

/** Idempotency-Key headers: none most of the time, valid ones, and junk the guard must ignore. */
export const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_\-:.]{8,40}$/) },
  { weight: 1, arbitrary: hostileString(20) },
);

/** `sub` claims: almost always a usable, fresh user; sometimes one that must resolve to nobody. */
export type SubKind = 'fresh' | 'none' | 'empty' | 'hash' | 'too-long' | 'lone-surrogate';
export const subKind: fc.Arbitrary<SubKind> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<SubKind>('fresh') },
  { weight: 1, arbitrary: fc.constantFrom<SubKind>('none', 'empty', 'hash', 'too-long', 'lone-surrogate') },
);

/** The authorizer's claims for a kind of `sub`; only `fresh` names a user. */
export function claimsFor(kind: SubKind, freshUser: string): Record<string, string> {
  switch (kind) {
    case 'fresh':
      return { sub: freshUser };
    case 'none':
      return {};
    case 'empty':
      return { sub: '' };
    case 'hash':
      return { sub: `${freshUser}#ACTIVITY_STEPS` };
    case 'too-long':
      return { sub: 'u'.repeat(257) };
    case 'lone-surrogate':
      return { sub: `${freshUser}\ud800` };
  }
}

// ---------------------------------------------------------------------------------------------
// The row API: path ids, query strings and bodies.

/** Where an id for `/api/measurements/{id}` comes from; `own`/`foreign` are resolved by the test. */
export type IdSource =
  | { readonly kind: 'own'; readonly index: number }
  | { readonly kind: 'foreign'; readonly index: number }
  | { readonly kind: 'literal'; readonly id: string };

const base64urlOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

export const pathId: fc.Arbitrary<IdSource> = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 5 }).map((index): IdSource => ({ kind: 'own', index })) },
  { weight: 2, arbitrary: fc.nat({ max: 5 }).map((index): IdSource => ({ kind: 'foreign', index })) },
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        hostileString(40),
        // A well-formed id of a row that may or may not exist: a valid type, a hostile externalId.
        fc
          .tuple(fc.constantFrom('PULSE', 'ACTIVITY_STEPS', 'NOPE', '__proto__', ''), externalIdText)
          .map(([type, externalId]) => base64urlOf(`${type}#${externalId}`)),
        // Base64 junk: standard alphabet, padding, non-canonical trailing bits, bytes that are not UTF-8.
        fc.base64String({ maxLength: 60 }),
        fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
        fc.constantFrom('QQ', 'QR', 'UFVMU0Uj', 'UFVMU0UjeO-_vQ', '..', '%2F', 'a'.repeat(1025), ''),
      )
      .map((id): IdSource => ({ kind: 'literal', id })),
  },
);

const queryValue: fc.Arbitrary<string> = fc.oneof(
  hostileString(30),
  fc.constantFrom(
    '1',
    '1000',
    '1001',
    '0',
    '-1',
    '1e2',
    ' 5',
    '5.0',
    '0x10',
    '１０',
    '99999999999999999999',
    'PULSE',
    'ACTIVITY_STEPS',
    '__proto__',
    'constructor',
  ),
  isoDateTimeText,
  fc.base64String({ maxLength: 80 }),
  // Cursors: base64url of JSON objects with the key attributes, with other users' partitions, or prototype keys.
  fc
    .record({
      pk: fc.constantFrom('victim#PULSE#x', 'me#PULSE#x', '#', ''),
      gsiUser: fc.constantFrom('victim', 'me', ''),
      gsiUserType: fc.constantFrom('victim#PULSE', 'me#PULSE'),
      measuredAt: isoDateTimeText,
    })
    .chain((key) =>
      fc
        .subarray(Object.entries(key))
        .chain((entries) =>
          fc
            .array(fc.tuple(fc.constantFrom(...DANGER_KEYS), hostileValue), { maxLength: 1 })
            .map((extra) =>
              objectText([...entries.map(([k, v]) => [k, JSON.stringify(v)] as const), ...extra]),
            ),
        ),
    )
    .map(base64urlOf),
  fc.string({ unit: 'grapheme-ascii', minLength: 4097, maxLength: 4200 }),
);

/** Query string parameters as API Gateway hands them on: a flat record of strings. */
export const queryParameters: fc.Arbitrary<Array<readonly [string, string]>> = fc.array(
  fc.tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('type', 'from', 'to', 'limit', 'cursor') },
      { weight: 1, arbitrary: fc.constantFrom(...DANGER_KEYS) },
      { weight: 1, arbitrary: hostileString(8) },
    ),
    queryValue,
  ),
  { maxLength: 5 },
);

/** New values for an edit: plausible ones, tiny ones inside a range starting at 0, huge ones, junk. */
const editValueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: plausibleNumber },
  { weight: 3, arbitrary: fc.constantFrom('1e-200', '5e-324', '2.5e-140', '1e-129') },
  { weight: 1, arbitrary: fc.constantFrom('-1e-131', '1e126', '1e307', '-0') },
  { weight: 2, arbitrary: numberToken },
  { weight: 1, arbitrary: hostileValue },
);

/** `PUT`/`PATCH` bodies: `{value?, measuredAt?}` with hostile values and keys, or junk. */
export const editBodyText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.option(editValueText, { nil: undefined, freq: 4 }),
        fc.option(
          fc.oneof(
            { weight: 4, arbitrary: jsonString(isoDateTimeText) },
            { weight: 1, arbitrary: hostileValue },
          ),
          { nil: undefined, freq: 2 },
        ),
        extraPairs,
      )
      .map(([value, measuredAt, extra]) =>
        objectText([
          ...(value === undefined ? [] : [['value', value] as const]),
          ...(measuredAt === undefined ? [] : [['measuredAt', measuredAt] as const]),
          ...extra,
        ]),
      ),
  },
  { weight: 1, arbitrary: junkBodyText },
  { weight: 1, arbitrary: truncated(fc.constant('{"value": 12, "measuredAt": "2026-05-24T00:00:00Z"}')) },
);

/** `DELETE /by-external-ids` bodies; `own:<n>`/`foreign:<n>` placeholders are resolved by the test. */
export const deleteBodyText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc
              .array(
                fc.oneof(
                  fc.nat({ max: 5 }).map((i) => JSON.stringify(`own:${i}`)),
                  fc.nat({ max: 5 }).map((i) => JSON.stringify(`foreign:${i}`)),
                  jsonString(externalIdText),
                  hostileValue,
                ),
                { maxLength: 6 },
              )
              .map((ids) => `[${ids.join(',')}]`),
          },
          {
            weight: 1,
            arbitrary: fc.constant(`[${Array.from({ length: 501 }, (_, i) => `"id-${i}"`).join(',')}]`),
          },
          { weight: 1, arbitrary: hostileValue },
        ),
        extraPairs,
      )
      .map(([externalIds, extra]) => objectText([['externalIds', externalIds], ...extra])),
  },
  { weight: 1, arbitrary: junkBodyText },
);
