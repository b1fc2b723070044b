import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ingestEvents, rowApiEvents, type IdempotencyEvents } from '../../definitions/log-events';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import { IdempotentRequests, REPLAY_WINDOW_SECONDS, type IdempotentOutcome } from './idempotent-request';
import {
  batchRateLimit,
  healthKitDeleteLimit,
  rateLimitVerdict,
  rateLimitWindow,
  recordWriteLimit,
  unlimited,
  type RateLimitPolicy,
  type RateLimitVerdict,
} from './rate-limit';
import { RateLimitCounter, idempotencyPersistenceLayer } from './request-guards-repository';

/** The per-user rate limit: one counter increment per request, then a pure verdict. */
export class RateLimiter {
  constructor(
    private readonly counter: Pick<RateLimitCounter, 'increment'>,
    private readonly policy: RateLimitPolicy,
    /** The WARN line when the counter cannot be reached (definitions/log-events.ts). */
    private readonly unavailableEvent: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Counts the request against the user's current window; fails open (see `unlimited`). `log`
   * is the request's logger: its lines name the request.
   */
  async admit(userId: string, log: Logger): Promise<RateLimitVerdict> {
    const now = this.clock();
    const window = rateLimitWindow(now, this.policy);
    try {
      return rateLimitVerdict(await this.counter.increment(userId, window), window, now, this.policy);
    } catch (error) {
      log.warn(this.unavailableEvent, { error: error as Error });
      return unlimited;
    }
  }
}

/** What the batch handler checks before it looks at the body (docs/batch-api.md, docs/request-guards.md). */
export interface RequestGuards {
  readonly rateLimiter: Pick<RateLimiter, 'admit'>;
  readonly idempotency: Pick<IdempotentRequests, 'run'>;
}

/**
 * What the row API checks on its writes (docs/row-api.md): the shared write limit on every write
 * route, and `Idempotency-Key` replay on creates and bulk deletes.
 */
export interface RowWriteGuards {
  readonly writeLimiter: Pick<RateLimiter, 'admit'>;
  /** `DELETE /api/measurements/by-external-ids`'s own limit (definitions/rate-limits.ts). */
  readonly healthKitDeleteLimiter: Pick<RateLimiter, 'admit'>;
  readonly idempotency: Pick<IdempotentRequests, 'run'>;
}

export interface RequestGuardsOptions {
  /** The plain client: Powertools sends its own marshalled commands through it. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The rate limiter's clock (tests move it to the next window). */
  readonly clock?: () => Date;
  readonly replayWindowSeconds?: number;
}

export function createRequestGuards(options: RequestGuardsOptions): RequestGuards {
  const on = guardsOn(options);
  return {
    rateLimiter: on.limiter(batchRateLimit, ingestEvents.rateLimitUnavailable),
    idempotency: on.idempotency(ingestEvents.idempotency),
  };
}

export function createRowWriteGuards(options: RequestGuardsOptions): RowWriteGuards {
  const on = guardsOn(options);
  return {
    writeLimiter: on.limiter(
      recordWriteLimit,
      rowApiEvents.writeLimitUnavailable,
      requestGuardsTable.writeLimitKeyPrefix,
    ),
    healthKitDeleteLimiter: on.limiter(
      healthKitDeleteLimit,
      rowApiEvents.deleteLimitUnavailable,
      requestGuardsTable.healthKitDeleteLimitKeyPrefix,
    ),
    idempotency: on.idempotency(rowApiEvents.idempotency, requestGuardsTable.rowWriteIdempotencyKeyPrefix),
  };
}

/** Guards on the request-guards table; each keeps its items under its own key prefix. */
function guardsOn(options: RequestGuardsOptions) {
  const { client, tableName, clock } = options;
  return {
    limiter: (policy: RateLimitPolicy, unavailableEvent: string, keyPrefix?: string) =>
      new RateLimiter(new RateLimitCounter(client, tableName, keyPrefix), policy, unavailableEvent, clock),
    idempotency: (events: IdempotencyEvents, keyPrefix?: string) =>
      new IdempotentRequests(idempotencyPersistenceLayer(client, tableName), {
        expiresAfterSeconds: options.replayWindowSeconds ?? REPLAY_WINDOW_SECONDS,
        keyPrefix,
        events,
      }),
  };
}

/**
 * Guards that never refuse, count or replay anything, for tests and benchmarks of what a
 * handler does past its guards. The production wiring always passes real guards (the handlers'
 * types require them).
 */
export const noGuards: RequestGuards & RowWriteGuards = (() => {
  const noLimit = { admit: async () => unlimited };
  return {
    rateLimiter: noLimit,
    writeLimiter: noLimit,
    healthKitDeleteLimiter: noLimit,
    idempotency: {
      run: async (_request, execute): Promise<IdempotentOutcome> => ({
        kind: 'executed',
        response: await execute(),
      }),
    },
  };
})();
