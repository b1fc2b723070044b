import { HEALTHLOG_INTROSPECTION_PATH, canonicalTimeZone } from '../../definitions/authentication';
import { isUsableUserId } from '../measurements/model/user-id';

/** What HealthLog said about a token. Every failure to get an answer is an IntrospectionFailure. */
export type Introspection =
  | {
      readonly outcome: 'authenticated';
      readonly status: number;
      readonly userId: string;
      /** Canonical IANA zone, when HealthLog names a valid one. */
      readonly timeZone?: string;
    }
  | {
      readonly outcome: 'unauthenticated';
      /**
       * HealthLog's 401 or 403; its 200 when the id it names cannot be a user id; or null when the
       * header could not even be sent.
       */
      readonly status: number | null;
    };

export type IntrospectionFailureReason = 'unreachable' | 'timeout' | 'status' | 'malformed';

/**
 * HealthLog could not say who the token belongs to: down, slow, a 5xx (or any other answer that
 * is neither 2xx nor 401/403), or a 2xx without a string `data.id`. Never "not authenticated":
 * a 401 would make the app refresh and then sign its user out.
 */
export class IntrospectionFailure extends Error {
  constructor(
    readonly reason: IntrospectionFailureReason,
    readonly status: number | null = null,
  ) {
    super(`HealthLog introspection failed: ${reason}${status === null ? '' : ` (HTTP ${status})`}`);
    this.name = 'IntrospectionFailure';
  }
}

export interface IntrospectionSettings {
  /** HealthLog's base URL, already checked (https, or http to a loopback host). */
  readonly baseUrl: string;
  /** For the whole exchange, body included. */
  readonly timeoutMs: number;
}

/**
 * `GET <HealthLog>/api/auth/me` with the caller's `Authorization` header byte for byte and no
 * other header of the caller's — above all no `X-HealthLog-Account`, which would make HealthLog
 * answer 403 for a valid token. User = `data.id`; zone = `data.timezone` if it is a valid IANA
 * zone (HealthLog allows null or empty). Every 401/403 is "not authenticated", whatever its body
 * says (HealthLog's messages vary by version and language).
 */
export async function introspectToken(
  authorization: string,
  settings: IntrospectionSettings,
): Promise<Introspection> {
  let headers: Headers;
  try {
    headers = new Headers({ authorization, accept: 'application/json' });
  } catch {
    // Characters no HTTP client can send (a control character, say): no valid token has them.
    return { outcome: 'unauthenticated', status: null };
  }
  const signal = AbortSignal.timeout(settings.timeoutMs);

  let response: Response;
  try {
    response = await fetch(`${settings.baseUrl}${HEALTHLOG_INTROSPECTION_PATH}`, {
      method: 'GET',
      headers,
      signal,
      // A redirect is a misconfigured URL, not an answer; following it could carry the token to
      // another host.
      redirect: 'manual',
    });
  } catch (error) {
    throw new IntrospectionFailure(isTimeout(error, signal) ? 'timeout' : 'unreachable');
  }

  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel().catch(() => undefined);
    return { outcome: 'unauthenticated', status: response.status };
  }
  if (response.status < 200 || response.status > 299) {
    await response.body?.cancel().catch(() => undefined);
    throw new IntrospectionFailure('status', response.status);
  }

  let body: unknown;
  try {
    body = JSON.parse(await boundedText(response, MAX_INTROSPECTION_BODY_BYTES));
  } catch (error) {
    throw new IntrospectionFailure(isTimeout(error, signal) ? 'timeout' : 'malformed', response.status);
  }
  const data = (body as { data?: { id?: unknown; timezone?: unknown } | null } | null)?.data;
  const userId = data?.id;
  if (typeof userId !== 'string') throw new IntrospectionFailure('malformed', response.status);
  // An id that cannot be a safe key (empty, over 256 characters, `#`, a lone surrogate) is no
  // user, in every mode (docs/authentication.md, "Who can be a user"): 401, as for a JWT with such a `sub`.
  if (!isUsableUserId(userId)) return { outcome: 'unauthenticated', status: response.status };
  const timeZone = canonicalTimeZone(data?.timezone);
  return {
    outcome: 'authenticated',
    status: response.status,
    userId,
    ...(timeZone === undefined ? {} : { timeZone }),
  };
}

/**
 * The most of HealthLog's `/api/auth/me` answer that is read: its user object is well under 4 KiB,
 * so 64 KiB is room to spare, while a broken or hostile HealthLog can no longer make the
 * authorizer buffer megabytes per token. A longer answer is a malformed one (the authorizer
 * fails, API Gateway answers 500, the app retries and keeps its session).
 */
export const MAX_INTROSPECTION_BODY_BYTES = 64 * 1024;

/** The body as UTF-8 text, reading no more than `maxBytes`; a longer body throws. */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error('The introspection answer is too large');
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error('The introspection answer is too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && /^(TimeoutError|AbortError)$/.test(error.name));
}
