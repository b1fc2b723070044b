import { toHttpApiEvent } from '../../../local/http-api-event';
import { toAnswer, type BatchAnswer } from '../../support/batch-client';
import type { LambdaSandbox, LogLine } from './lambda-sandbox';

/** Requests to a shipped HTTP function, as API Gateway delivers them once the JWT authorizer accepted the token. */
export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly route: string;
  readonly userId: string;
  readonly id?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** The event API Gateway hands the function for this request after the JWT authorizer accepted it. */
export function httpEvent(call: HttpCall) {
  const hasBody = call.body !== undefined;
  return toHttpApiEvent({
    method: call.method,
    rawPath: call.route.replace('{id}', encodeURIComponent(call.id ?? '')),
    routePath: call.route,
    rawQueryString: call.query ? new URLSearchParams(call.query).toString() : undefined,
    pathParameters: call.id === undefined ? undefined : { id: call.id },
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...call.headers },
    body: hasBody ? JSON.stringify(call.body) : undefined,
    claims: { sub: call.userId },
  });
}

export async function invokeHttp(
  fn: LambdaSandbox,
  event: unknown,
): Promise<{ answer: BatchAnswer; logs: LogLine[] }> {
  const invocation = await fn.invoke(event);
  if (!invocation.ok)
    throw new Error(`the function failed: ${invocation.error.errorType}: ${invocation.error.errorMessage}`);
  return { answer: toAnswer(invocation.result), logs: invocation.logs };
}
