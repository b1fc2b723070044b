import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RequestEvents } from '../../definitions/log-events';
import {
  routeKeysOf,
  serviceFunctions,
  type HttpFunctionName,
  type RouteKeyOf,
} from '../../definitions/service-functions';
import type { InvocationContext, ServiceLogger } from '../commons/logger';
import { admitCaller } from '../http/caller';
import { failure, internalServerError, withHeaders, type ResponseHeaders } from '../http/envelope';
import { bodyBytes, echoHeaders, type HttpEvent } from '../http/request';
import { idempotencyKeyOf } from '../request-guards/idempotency-key';
import type { IdempotentOutcome, IdempotentRequests } from '../request-guards/idempotent-request';
import { notReplayable } from '../request-guards/replayable-response';
import type { RateLimiter } from '../request-guards/request-guards';

export type HttpResponse = APIGatewayProxyStructuredResultV2;

/** A function's entry as Lambda calls it; without a context, the function's full timeout is left. */
export type HttpHandler = (event: HttpEvent, context?: InvocationContext) => Promise<HttpResponse>;

/** What a line says beside its keys: counts, kinds, names of fields — never a value, a note or a body. */
export type LogFields = Readonly<Record<string, unknown>>;

/** What a route is handed once every check before it has passed. */
export interface GuardedRequest {
  readonly event: HttpEvent;
  /** The verified caller's: nothing in the request can name another user. */
  readonly userId: string;
  /** The caller's IANA zone: day totals, nights and daily chart buckets are cut at its midnight. */
  readonly timeZone: string;
  /** API Gateway's id of the request; the items it writes record it. */
  readonly requestId: string;
  /** The request's instant, read once. */
  readonly now: Date;
  /** Headers every answer of this request carries (the `x-request-id` echo): answers are shaped with them. */
  readonly headers: ResponseHeaders;
  readonly context: InvocationContext;
  /** The request's logger; its lines carry the request's keys. */
  readonly log: Logger;
}

/** A route's answer, and what the request's line says about it. */
export type RouteAnswer =
  | { readonly response: HttpResponse; readonly log?: LogFields }
  /** A refusal: the request's line is the function's `refused` event with this `errorCode`. */
  | { readonly response: HttpResponse; readonly errorCode: string };

/** How a limit's 429 reads: the sentence, and the `errorCode` (shown only where the contract shows it). */
export interface Refusal {
  readonly error: string;
  readonly errorCode: string;
  readonly exposeErrorCode: boolean;
}

/** A refusal a route decided from the request (a parser's verdict), before its use case ran. */
export interface Rejection extends Refusal {
  readonly status: number;
  readonly details?: Record<string, unknown>;
  /**
   * The refusal depends on the clock, not on the body alone (a `measuredAt` ahead of now may be
   * fine a minute later): an `Idempotency-Key` must not keep it (docs/request-guards.md).
   */
  readonly dependsOnClock?: boolean;
}

/** A rejection as the route's answer: the envelope with the request's headers, and its line. */
export function rejected(rejection: Rejection, headers: ResponseHeaders): RouteAnswer {
  const { status, error, errorCode, exposeErrorCode, details, dependsOnClock } = rejection;
  const response = failure(status, error, {
    errorCode: exposeErrorCode ? errorCode : undefined,
    details,
    headers,
  });
  return { response: dependsOnClock ? notReplayable(response) : response, errorCode };
}

export interface GuardedRoute {
  readonly handle: (request: GuardedRequest) => Promise<RouteAnswer>;
  /** The per-user limit the route counts against; none when it is not limited. */
  readonly limit?: { readonly limiter: Pick<RateLimiter, 'admit'>; readonly refusal: Refusal };
  /**
   * Honours `Idempotency-Key`: a retry is "the same request" when its body has this fingerprint
   * (functions/request-guards/idempotency-key.ts).
   */
  readonly fingerprint?: (body: Buffer) => string;
}

export interface GuardedHandlerOptions<F extends HttpFunctionName> {
  /** The function whose routes these are (definitions/service-functions.ts). */
  readonly function: F;
  /** One handler per route the function serves, no more, no fewer. */
  readonly routes: Readonly<Record<RouteKeyOf<F>, GuardedRoute>>;
  readonly idempotency: Pick<IdempotentRequests, 'run'>;
  readonly logger: ServiceLogger;
  readonly events: RequestEvents;
  /**
   * Headers on every answer, refusals included. Added on the way out, after the idempotency
   * guard judged and kept the route's own answer (a `no-store` answer is never kept).
   */
  readonly answerHeaders?: ResponseHeaders;
  /** The zone of a caller whose credential names none; Europe/Berlin if unset. */
  readonly defaultTimeZone?: string;
  readonly clock?: () => Date;
}

const IN_PROGRESS = 'A request with this Idempotency-Key is already in progress';

/**
 * The one request pipeline of the HTTP functions (docs/request-guards.md), around route handlers
 * that only parse, decide and shape:
 * 1. the caller (functions/http/caller.ts): 401, or 403 for a shared-record request, before
 *    anything is read or written;
 * 2. the route API Gateway matched (`event.routeKey`); an unknown one is 404 `Not found`;
 * 3. the route's limit: 429 with `Retry-After`; the `X-RateLimit-*` headers on every answer after;
 * 4. `Idempotency-Key` on the routes that honour it: a replay answers whatever the first request
 *    answered, refusals included; 409 while that request is still running;
 * 5. the route;
 * 6. anything thrown: 500 `Internal server error`, without a stack.
 * One request line ends every request of a known user (`events`); every line of the request
 * carries its keys and the Lambda context.
 */
export function createGuardedHandler<F extends HttpFunctionName>(
  options: GuardedHandlerOptions<F>,
): HttpHandler {
  const { logger, events, idempotency } = options;
  const answerHeaders = options.answerHeaders ?? {};
  const clock = options.clock ?? (() => new Date());
  const routes = new Map<string, GuardedRoute>(Object.entries(options.routes));
  // A key is scoped to its route when the function serves several (idempotency-key.ts).
  const keyedByRoute = routeKeysOf(options.function).length > 1;
  const timeoutMs = serviceFunctions[options.function].timeoutSeconds * 1000;
  const fullTimeout: InvocationContext = { getRemainingTimeInMillis: () => timeoutMs };

  return async (event, context = fullTimeout) => {
    const startedAt = Date.now();
    const route = event.routeKey;
    const requestId = event.requestContext.requestId;
    const echoed = echoHeaders(event);
    const headers = { ...echoed, ...answerHeaders };
    const log = logger.forInvocation(context, { route, requestId });
    const requestLine = (message: string, fields: LogFields) =>
      log.info(message, { ...fields, durationMs: Date.now() - startedAt });
    const refused = (status: number | undefined, errorCode: string) =>
      requestLine(events.refused, { status, errorCode });

    try {
      const admission = admitCaller(event, { defaultTimeZone: options.defaultTimeZone, headers });
      if (!admission.admitted) {
        if (admission.userId !== undefined) {
          log.appendKeys({ userId: admission.userId });
          refused(admission.response.statusCode, admission.errorCode);
        }
        return admission.response;
      }
      const { userId, timeZone } = admission.caller;
      log.appendKeys({ userId, timeZone });
      const handler = routes.get(route);
      if (!handler) return failure(404, 'Not found', { headers });

      let limitHeaders: ResponseHeaders = {};
      if (handler.limit) {
        const verdict = await handler.limit.limiter.admit(userId, log);
        if (!verdict.allowed) {
          const { error, errorCode, exposeErrorCode } = handler.limit.refusal;
          refused(429, errorCode);
          return failure(429, error, {
            errorCode: exposeErrorCode ? errorCode : undefined,
            headers: { ...headers, ...verdict.headers },
          });
        }
        limitHeaders = verdict.headers;
      }
      const outgoing = { ...limitHeaders, ...answerHeaders };

      const request: GuardedRequest = {
        event,
        userId,
        timeZone,
        requestId,
        now: clock(),
        headers: echoed,
        context,
        log,
      };
      // What the route answered, when it ran: the request's line says what it did.
      const ran: { answer?: RouteAnswer } = {};
      const execute = async () => (ran.answer = await handler.handle(request)).response;
      const key = handler.fingerprint ? idempotencyKeyOf(event) : undefined;
      const outcome: IdempotentOutcome =
        handler.fingerprint && key !== undefined
          ? await idempotency.run(
              {
                userId,
                key,
                route: keyedByRoute ? route : undefined,
                fingerprint: handler.fingerprint(bodyBytes(event)),
                context,
                log,
              },
              execute,
            )
          : { kind: 'executed', response: await execute() };

      switch (outcome.kind) {
        case 'in_progress':
          refused(409, events.inProgressErrorCode);
          return failure(409, IN_PROGRESS, {
            headers: { ...headers, ...outgoing, 'X-Idempotent-Replay': 'false' },
          });
        case 'replayed':
          requestLine(events.replayed, { status: outcome.response.statusCode, replayed: true });
          return withHeaders(outcome.response, { ...echoed, ...outgoing, 'X-Idempotent-Replay': 'true' });
        case 'executed': {
          const status = outcome.response.statusCode;
          const { answer } = ran;
          if (answer && 'errorCode' in answer) refused(status, answer.errorCode);
          else requestLine(events.answered, { status, ...answer?.log });
          return withHeaders(outcome.response, outgoing);
        }
      }
    } catch (error) {
      log.error(events.failed, { error: error as Error });
      return internalServerError(headers);
    }
  };
}
