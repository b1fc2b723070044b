/** What a test sees of an HTTP answer of a running service: status, parsed JSON body, time taken. */
export interface HttpAnswer {
  readonly status: number;
  /** The JSON body, or undefined when the answer has none. */
  readonly body: any;
  readonly ms: number;
}

export interface HttpCallOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** The whole `Authorization` header, when a test sends something other than a bearer token. */
  readonly authorization?: string;
  /** JSON-encoded, with `Content-Type: application/json`. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** One request to a service listening at `base` (the local runtime, or the in-process service). */
export async function callService(
  base: string,
  method: string,
  path: string,
  options: HttpCallOptions = {},
): Promise<HttpAnswer> {
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  const startedAt = Date.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    ms: Date.now() - startedAt,
  };
}
