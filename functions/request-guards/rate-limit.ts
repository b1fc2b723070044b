import { batchRateLimit, type RateLimitPolicy } from '../../definitions/rate-limits';
import type { ResponseHeaders } from '../http/envelope';

// The limits themselves are defined once, in definitions/rate-limits.ts.
export {
  batchRateLimit,
  healthKitDeleteLimit,
  recordWriteLimit,
  type RateLimitPolicy,
} from '../../definitions/rate-limits';

/**
 * A fixed window aligned to the epoch (06:00:00–06:01:00, …): every request of the window
 * increments the same counter, so a request needs exactly one atomic write and no read. The
 * price of fixed windows is that a client can fit up to twice the limit around a boundary;
 * API Gateway's stage throttle still caps the whole API.
 */
export interface RateLimitWindow {
  readonly startsAt: Date;
  readonly resetsAt: Date;
}

export function rateLimitWindow(now: Date, policy: RateLimitPolicy = batchRateLimit): RateLimitWindow {
  const windowMs = policy.windowSeconds * 1000;
  const startsAt = Math.floor(now.getTime() / windowMs) * windowMs;
  return { startsAt: new Date(startsAt), resetsAt: new Date(startsAt + windowMs) };
}

/** Whole seconds until the window resets, never 0 (a client told "retry after 0" retries at once). */
export function retryAfterSeconds(now: Date, window: RateLimitWindow): number {
  return Math.max(1, Math.ceil((window.resetsAt.getTime() - now.getTime()) / 1000));
}

export type RateLimitVerdict =
  | { readonly allowed: true; readonly headers: ResponseHeaders }
  | { readonly allowed: false; readonly headers: ResponseHeaders };

/**
 * The verdict on a request that was the `count`-th of its window, with the headers of §5.
 * Allowed answers carry the `X-RateLimit-*` headers too, so a client can pace itself; a refusal
 * adds `Retry-After`.
 */
export function rateLimitVerdict(
  count: number,
  window: RateLimitWindow,
  now: Date,
  policy: RateLimitPolicy = batchRateLimit,
): RateLimitVerdict {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(policy.limit),
    'X-RateLimit-Remaining': String(Math.max(0, policy.limit - count)),
    'X-RateLimit-Reset': window.resetsAt.toISOString(),
  };
  if (count <= policy.limit) return { allowed: true, headers };
  return { allowed: false, headers: { 'Retry-After': String(retryAfterSeconds(now, window)), ...headers } };
}

/**
 * When the counter cannot be reached the request is let through without rate-limit headers
 * (fail open): the limiter exists to stop one token flooding the table, and a limiter outage
 * must not turn into an ingest outage that every phone then retries into.
 */
export const unlimited: RateLimitVerdict = { allowed: true, headers: {} };
