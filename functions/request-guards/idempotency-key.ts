import { createHash } from 'node:crypto';
import { header, type HttpEvent } from '../http/request';

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
 * What a replay is keyed by: the user from the token and the key. Two users choosing the same
 * key never see each other's answer. (`#` cannot occur in a usable user id, so the pair is
 * unambiguous.)
 */
export function idempotencyIdentity(userId: string, key: string): string {
  return `${userId}#${key}`;
}

/** The raw body's digest: "the same request" means byte for byte the same body. */
export function bodyFingerprint(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64');
}
