import { ingestEvents } from '../../definitions/log-events';
import { createLogger } from '../../functions/commons/logger';
import {
  batchRateLimit,
  rateLimitVerdict,
  rateLimitWindow,
  retryAfterSeconds,
} from '../../functions/request-guards/rate-limit';
import { rateLimitCounterKey } from '../../functions/request-guards/request-guards-repository';
import { RateLimiter } from '../../functions/request-guards/request-guards';
import { captureLogs } from '../support/captured-logs';

const at = (iso: string) => new Date(iso);

describe('the policy is the contract’s: 60 batch requests per user per 60 s', () => {
  test('limit 60, window 60 s', () => {
    expect(batchRateLimit).toEqual({ limit: 60, windowSeconds: 60 });
  });
});

describe('windows are fixed minutes aligned to the epoch', () => {
  test.each([
    ['2026-08-14T06:00:00.000Z', '2026-08-14T06:00:00.000Z', '2026-08-14T06:01:00.000Z'],
    ['2026-08-14T06:00:59.999Z', '2026-08-14T06:00:00.000Z', '2026-08-14T06:01:00.000Z'],
    ['2026-08-14T06:01:00.000Z', '2026-08-14T06:01:00.000Z', '2026-08-14T06:02:00.000Z'],
    ['2026-12-31T23:59:30.000Z', '2026-12-31T23:59:00.000Z', '2027-01-01T00:00:00.000Z'],
  ])('%s falls in [%s, %s)', (now, startsAt, resetsAt) => {
    expect(rateLimitWindow(at(now))).toEqual({ startsAt: at(startsAt), resetsAt: at(resetsAt) });
  });

  test('a window of another length', () => {
    expect(rateLimitWindow(at('2026-08-14T06:07:10Z'), { limit: 5, windowSeconds: 300 })).toEqual({
      startsAt: at('2026-08-14T06:05:00Z'),
      resetsAt: at('2026-08-14T06:10:00Z'),
    });
  });

  test('the counter key names the user and the window start', () => {
    const window = rateLimitWindow(at('2026-08-14T06:00:42Z'));
    expect(rateLimitCounterKey('user-1', window)).toBe('ratelimit#user-1#2026-08-14T06:00:00.000Z');
  });
});

describe('Retry-After is the whole seconds until the window resets, rounded up, at least 1', () => {
  const window = rateLimitWindow(at('2026-08-14T06:00:00Z'));
  test.each([
    ['2026-08-14T06:00:00.000Z', 60],
    ['2026-08-14T06:00:40.000Z', 20],
    ['2026-08-14T06:00:40.001Z', 20],
    ['2026-08-14T06:00:59.001Z', 1],
    ['2026-08-14T06:00:59.999Z', 1],
  ])('at %s → %i', (now, seconds) => {
    expect(retryAfterSeconds(at(now), window)).toBe(seconds);
  });
});

describe('the verdict on the n-th request of a window', () => {
  const now = at('2026-08-14T06:00:40.250Z');
  const window = rateLimitWindow(now);

  test('the 1st is allowed with 59 remaining, and the headers carry limit and reset instant', () => {
    expect(rateLimitVerdict(1, window, now)).toEqual({
      allowed: true,
      headers: {
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '59',
        'X-RateLimit-Reset': '2026-08-14T06:01:00.000Z',
      },
    });
  });

  test('the 60th is allowed with 0 remaining', () => {
    const verdict = rateLimitVerdict(60, window, now);
    expect(verdict.allowed).toBe(true);
    expect(verdict.headers['X-RateLimit-Remaining']).toBe('0');
    expect(verdict.headers['Retry-After']).toBeUndefined();
  });

  test.each([61, 62, 500])('the %i-th is refused with Retry-After and 0 remaining', (count) => {
    expect(rateLimitVerdict(count, window, now)).toEqual({
      allowed: false,
      headers: {
        'Retry-After': '20',
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '2026-08-14T06:01:00.000Z',
      },
    });
  });

  test('X-RateLimit-Reset is an ISO-8601 instant', () => {
    const reset = rateLimitVerdict(61, window, now).headers['X-RateLimit-Reset']!;
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(reset).toISOString()).toBe(reset);
  });
});

describe('the rate limiter', () => {
  const now = at('2026-08-14T06:00:40Z');
  const limiter = (increment: jest.Mock) =>
    new RateLimiter({ increment }, batchRateLimit, ingestEvents.rateLimitUnavailable, () => now);
  /** A request's logger, as the HTTP pipeline hands it to the guards. */
  const requestLog = () =>
    createLogger('test').forInvocation(
      { getRemainingTimeInMillis: () => 1000 },
      { userId: 'user-1', requestId: 'req-1' },
    );

  test('counts the request in the current window of its user, and judges the returned count', async () => {
    const increment = jest.fn().mockResolvedValue(61);
    const verdict = await limiter(increment).admit('user-1', requestLog());
    expect(increment).toHaveBeenCalledTimes(1);
    expect(increment).toHaveBeenCalledWith('user-1', rateLimitWindow(now));
    expect(verdict.allowed).toBe(false);
  });

  test('fails open without headers when the counter cannot be reached, and warns', async () => {
    const logs = captureLogs();
    try {
      const increment = jest.fn().mockRejectedValue(new Error('ProvisionedThroughputExceededException'));
      const verdict = await limiter(increment).admit('user-1', requestLog());
      expect(verdict).toEqual({ allowed: true, headers: {} });
      expect(logs.events('measurement.batch.rate_limit_unavailable')).toEqual([
        expect.objectContaining({ level: 'WARN', userId: 'user-1', requestId: 'req-1' }),
      ]);
    } finally {
      logs.restore();
    }
  });
});
