/**
 * The text form of every cursor the API hands out: a JSON object as canonical base64url. What the
 * object holds, and which query it may continue, is up to each list (storage/list-pages.ts,
 * rows/position-cursors.ts); this is only the envelope, strict enough that one cursor has exactly
 * one spelling.
 */

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeCursor(payload: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** The object a cursor carries, or `undefined` for anything that is not a canonical cursor of an object. */
export function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const json = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(json, 'utf8').toString('base64url') !== cursor) return undefined;
  try {
    const decoded: unknown = JSON.parse(json);
    return isPlainObject(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `object` has exactly these keys, in any order. */
export function hasExactlyKeys(object: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  const actual = Object.keys(object).sort();
  const expected = [...keys].sort();
  return actual.length === expected.length && actual.every((key, i) => key === expected[i]);
}
