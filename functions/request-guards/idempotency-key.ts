import { createHash } from 'node:crypto';
import { decodeUtf8, header, type HttpEvent } from '../http/request';

/** Valid keys: 8–128 of `A-Z a-z 0-9 _ - : .`; any other key is ignored and the request runs as if it had none. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;

/**
 * The request's `Idempotency-Key` when it is a valid one, else undefined. A header sent twice
 * reaches the function comma-joined, which the pattern rejects.
 */
export function idempotencyKeyOf(event: Pick<HttpEvent, 'headers'>): string | undefined {
  const key = header(event, 'idempotency-key');
  return key !== undefined && IDEMPOTENCY_KEY_PATTERN.test(key) ? key : undefined;
}

/**
 * What a replay is keyed by: the user from the token, the route when the guarded function serves
 * several (`POST /api/measurements`), and the key. Two users choosing the same key never see each
 * other's answer, and a key reused on another route never replays this route's answer. (`#`
 * cannot occur in a usable user id, a route or a valid key, so the parts are unambiguous.)
 */
export function idempotencyIdentity(userId: string, key: string, route?: string): string {
  return route === undefined ? `${userId}#${key}` : `${userId}#${route}#${key}`;
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('base64');

/** The raw body's digest: "the same request" means byte for byte the same body (the batch). */
export function bodyFingerprint(body: Buffer): string {
  return sha256(body);
}

/** Deeper than any body of ours; a body nested deeper is fingerprinted by its bytes instead. */
const MAX_CANONICAL_DEPTH = 32;

class TooDeep extends Error {}

/**
 * A JSON value as one canonical text: object keys sorted (by UTF-16 code units, recursively),
 * arrays in their order, numbers and strings as `JSON.stringify` writes them. Two texts that
 * parse to the same value — keys in another order, other whitespace, `1.0` for `1`, `\u0041`
 * for `A` — give the same canonical text. Built as text, never as an object, so a `__proto__`
 * key is just a key.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return `[${value.map((element) => canonicalJson(element, depth + 1)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * "The same body" as the same JSON value (the row API): the digest of the body's canonical
 * JSON. A body that is not JSON (not well-formed UTF-8 included, or too large to be parsed, or
 * nested too deep) is fingerprinted by its bytes; the two kinds of digest are prefixed apart,
 * so they never match each other.
 */
export function jsonBodyFingerprint(body: Buffer, maxBytes: number): string {
  const text = body.length <= maxBytes ? decodeUtf8(body) : undefined;
  if (text !== undefined) {
    try {
      return `json:${sha256(canonicalJson(JSON.parse(text)))}`;
    } catch {
      // Not JSON, or too deep: the bytes decide.
    }
  }
  return `bytes:${sha256(body)}`;
}
