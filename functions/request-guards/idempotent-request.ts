import type { Logger } from '@aws-lambda-powertools/logger';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { IdempotencyEvents } from '../../definitions/log-events';
import { idempotencyIdentity } from './idempotency-key';
import {
  isReplayable,
  toStoredResponse,
  type HttpResponse,
  type StoredResponse,
} from './replayable-response';
import { requestGuardsTable } from '../../definitions/request-guards-table';
import type { UserScopedPayload } from './request-guards-repository';

/** The first completed answer is replayed for 24 h (docs/request-guards.md). */
export const REPLAY_WINDOW_SECONDS = 24 * 60 * 60;

export type LambdaContextLike = Pick<Context, 'getRemainingTimeInMillis'>;

export interface IdempotentRequest {
  readonly userId: string;
  /** A valid `Idempotency-Key` (see idempotency-key.ts). */
  readonly key: string;
  /** The route, when the guarded function serves several: a key is scoped to one route. */
  readonly route?: string;
  /**
   * What "the same body" means, as a digest (idempotency-key.ts): a retry must send a body with
   * this fingerprint to be answered from the record.
   */
  readonly fingerprint: string;
  /** Powertools sizes the in-progress lock by the invocation's remaining time. */
  readonly context: LambdaContextLike;
  /** The request's logger: the guard's lines name the request. */
  readonly log: Logger;
}

export type IdempotentOutcome =
  /** The request ran now (its answer was kept for replay if it is replayable). */
  | { readonly kind: 'executed'; readonly response: HttpResponse }
  /** The kept answer of an earlier request with this key and body. */
  | { readonly kind: 'replayed'; readonly response: StoredResponse }
  /** An earlier request with this key and body has not answered yet. */
  | { readonly kind: 'in_progress' };

/**
 * What Powertools hashes: the identity is the record's key, the body digest is validated against
 * it; the user also names the record (request-guards-repository.ts).
 */
type IdempotencyPayload = UserScopedPayload & {
  readonly identity: string;
  readonly bodyHash: string;
};

/** One execution's own state, beside what Powertools keeps: the answer it produced, or its error. */
interface Attempt {
  readonly execute: () => Promise<HttpResponse>;
  response?: HttpResponse;
  failed?: { readonly error: unknown };
}

/**
 * Thrown out of the idempotent function for an answer that must not be kept: Powertools then
 * deletes the in-progress record (the key is free again) and re-throws, and the answer is
 * taken from the attempt.
 */
class NotReplayable extends Error {
  override readonly name = 'NotReplayable';
}

/**
 * `Idempotency-Key` handling with Powertools idempotency on the request-guards table:
 * - first request for (user, [route,] key): Powertools writes an in-progress record, the request runs,
 *   and a replayable answer is stored as the record's data;
 * - the same key and body again within 24 h: the stored answer, without running anything;
 * - the same key while the first is still running: `in_progress` (the caller answers 409);
 * - the same key with another body: runs normally and is not stored (the key keeps its answer).
 *
 * When the record cannot be written or read (the table throttles, say) the request runs
 * unguarded with a warning rather than failing: a repeated batch is harmless to the data
 * (stats rows are overwritten with the same value, samples answer duplicate), only its
 * verdicts differ from the first run's.
 */
export interface IdempotentRequestsOptions {
  readonly expiresAfterSeconds?: number;
  /** Prefix of the records' keys: one per guarded function (definitions/request-guards-table.ts). */
  readonly keyPrefix?: string;
  /** The guarded function's names for the guard's lines (definitions/log-events.ts). */
  readonly events: IdempotencyEvents;
}

export class IdempotentRequests {
  private readonly once: (
    payload: IdempotencyPayload,
    context: LambdaContextLike,
    attempt: Attempt,
  ) => Promise<StoredResponse>;
  private readonly events: IdempotencyEvents;

  constructor(
    private readonly persistenceStore: BasePersistenceLayer,
    options: IdempotentRequestsOptions,
  ) {
    const expiresAfterSeconds = options.expiresAfterSeconds ?? REPLAY_WINDOW_SECONDS;
    this.events = options.events;
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'identity',
      payloadValidationJmesPath: 'bodyHash',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds,
      hashFunction: 'sha256',
    });
    // The context in the second argument is what makes Powertools register it (remaining time
    // → in-progress expiry). It is read synchronously on entry, so one wrapper can serve the
    // concurrent requests of the local runtime.
    this.once = makeIdempotent(
      async (_payload: IdempotencyPayload, _context: LambdaContextLike, attempt: Attempt) => {
        let response: HttpResponse;
        try {
          response = await attempt.execute();
        } catch (error) {
          attempt.failed = { error };
          throw new NotReplayable();
        }
        attempt.response = response;
        if (!isReplayable(response)) throw new NotReplayable();
        return toStoredResponse(response);
      },
      { persistenceStore, config, keyPrefix: options.keyPrefix ?? requestGuardsTable.idempotencyKeyPrefix },
    );
  }

  async run(request: IdempotentRequest, execute: () => Promise<HttpResponse>): Promise<IdempotentOutcome> {
    const payload: IdempotencyPayload = {
      userId: request.userId,
      identity: idempotencyIdentity(request.userId, request.key, request.route),
      bodyHash: request.fingerprint,
    };
    const attempt: Attempt = { execute };
    const { log } = request;
    let kept: StoredResponse;
    try {
      kept = await this.once(payload, request.context, attempt);
    } catch (error) {
      if (attempt.failed) throw attempt.failed.error;
      if (attempt.response) {
        // It ran; only settling the record failed. Answer what it produced, and free the key
        // rather than leave it locked until the in-progress record expires.
        if (!(error instanceof NotReplayable)) {
          log.warn(this.events.notSettled, { error: error as Error });
          await this.persistenceStore.deleteRecord(payload).catch(() => undefined);
        }
        return { kind: 'executed', response: attempt.response };
      }
      if (error instanceof IdempotencyAlreadyInProgressError) return { kind: 'in_progress' };
      if (error instanceof IdempotencyValidationError) {
        log.info(this.events.keyReused);
      } else {
        log.warn(this.events.unavailable, { error: error as Error });
      }
      return { kind: 'executed', response: await execute() };
    }
    return attempt.response
      ? { kind: 'executed', response: attempt.response }
      : { kind: 'replayed', response: kept };
  }
}
