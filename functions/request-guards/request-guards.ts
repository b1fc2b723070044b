import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import { IdempotentRequests, REPLAY_WINDOW_SECONDS } from './idempotent-request';
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
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly policy: RateLimitPolicy = batchRateLimit,
    /** The WARN line when the counter cannot be reached. */
    private readonly unavailableEvent: string = 'measurement.batch.rate_limit_unavailable',
  ) {}

  /** Counts the request against the user's current window; fails open (see `unlimited`). */
  async admit(userId: string, requestId: string): Promise<RateLimitVerdict> {
    const now = this.clock();
    const window = rateLimitWindow(now, this.policy);
    try {
      return rateLimitVerdict(await this.counter.increment(userId, window), window, now, this.policy);
    } catch (error) {
      this.logger.warn(this.unavailableEvent, {
        userId,
        requestId,
        error: error as Error,
      });
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
  readonly logger: Logger;
  /** The rate limiter's clock (tests move it to the next window). */
  readonly clock?: () => Date;
  readonly replayWindowSeconds?: number;
}

export function createRequestGuards(options: RequestGuardsOptions): RequestGuards {
  const { client, tableName, logger } = options;
  return {
    rateLimiter: new RateLimiter(new RateLimitCounter(client, tableName), logger, options.clock),
    idempotency: new IdempotentRequests(idempotencyPersistenceLayer(client, tableName), logger, {
      expiresAfterSeconds: options.replayWindowSeconds ?? REPLAY_WINDOW_SECONDS,
    }),
  };
}

export function createRowWriteGuards(options: RequestGuardsOptions): RowWriteGuards {
  const { client, tableName, logger } = options;
  return {
    writeLimiter: new RateLimiter(
      new RateLimitCounter(client, tableName, requestGuardsTable.writeLimitKeyPrefix),
      logger,
      options.clock,
      recordWriteLimit,
      'measurement.api.write_limit_unavailable',
    ),
    healthKitDeleteLimiter: new RateLimiter(
      new RateLimitCounter(client, tableName, requestGuardsTable.healthKitDeleteLimitKeyPrefix),
      logger,
      options.clock,
      healthKitDeleteLimit,
      'measurement.api.delete_limit_unavailable',
    ),
    idempotency: new IdempotentRequests(idempotencyPersistenceLayer(client, tableName), logger, {
      expiresAfterSeconds: options.replayWindowSeconds ?? REPLAY_WINDOW_SECONDS,
      keyPrefix: requestGuardsTable.rowWriteIdempotencyKeyPrefix,
      logEventPrefix: 'measurement.api',
    }),
  };
}
