import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { measurementsTable } from '../../definitions/measurements-table';

/**
 * A faulty DynamoDB endpoint for the integration tests: an HTTP proxy in front of DynamoDB Local
 * that answers a chosen share of calls the way a struggling DynamoDB does — throttling, 5xx,
 * no answer at all, or a slow answer. The client under test is the production client
 * (`createDocumentClient`) pointed at the proxy, so everything above the wire is real: the SDK
 * deserializes the error, classifies it, backs off and retries (its retry loop runs above the
 * fault), NodeHttpHandler's `requestTimeout` abandons a call that gets no answer, and an abort at
 * the function's deadline destroys the socket.
 *
 * Faults are decided per call from the call's identity (operation, item key, how many times that
 * key was called before), never from arrival order, so a seed reproduces the same faults however
 * the writes of a batch interleave.
 */

/** One DynamoDB API call as the endpoint sees it on the wire. */
export interface WireCall {
  /** `PutItem`, `GetItem`, … (from `X-Amz-Target`). */
  readonly operation: string;
  /**
   * The item's partition key (`Item.pk` or `Key.pk`; for a transaction, its first item's);
   * absent for calls without one.
   */
  readonly key?: string;
  /** 1 for the first call of this operation on this key, 2 for the next (an SDK retry or a re-send), … */
  readonly attempt: number;
}

export type Fault =
  /**
   * An error answer. `applied`: the engine applied the call first and only the answer is an
   * error (DynamoDB's 500 may come after the write happened); otherwise the call never reached it.
   */
  | {
      readonly kind: 'error';
      readonly name: string;
      readonly status: number;
      readonly applied: boolean;
      /** More fields of the error body (a transaction's `CancellationReasons`). */
      readonly details?: Readonly<Record<string, unknown>>;
    }
  /**
   * No answer at all, until the client gives up and closes the connection. `applied`: the
   * engine applied the call and the answer is lost; otherwise the call never reached it.
   */
  | { readonly kind: 'hang'; readonly applied: boolean }
  /** A slow engine: the call is applied at once and answered `ms` later (if anyone still listens). */
  | { readonly kind: 'delay'; readonly ms: number };

export type FaultPlan = (call: WireCall) => Fault | undefined;

/** Faults as DynamoDB produces them; each is retryable for the SDK (throttling or transient). */
export const faults = {
  provisionedThroughputExceeded: {
    kind: 'error',
    name: 'ProvisionedThroughputExceededException',
    status: 400,
    applied: false,
  },
  throttling: { kind: 'error', name: 'ThrottlingException', status: 400, applied: false },
  internalServerError: { kind: 'error', name: 'InternalServerError', status: 500, applied: false },
  serviceUnavailable: { kind: 'error', name: 'ServiceUnavailable', status: 503, applied: false },
  /** The write happened, the answer is a 500. */
  internalServerErrorAfterWrite: { kind: 'error', name: 'InternalServerError', status: 500, applied: true },
  /** The call is lost on the way: the client's requestTimeout fires. */
  timeoutBeforeWrite: { kind: 'hang', applied: false },
  /** The write happened, the answer is lost: the client's requestTimeout fires. */
  timeoutAfterWrite: { kind: 'hang', applied: true },
} as const satisfies Record<string, Fault>;

export interface InjectedFault {
  readonly call: WireCall;
  readonly fault: Fault;
}

export interface FaultyDynamoDb {
  /** Point the client under test here (`DYNAMODB_ENDPOINT`). */
  readonly endpoint: string;
  /** Replaces the plan; `undefined` passes every call through untouched. */
  setPlan(plan: FaultPlan | undefined): void;
  /** Every fault injected so far, in the order the calls arrived. */
  readonly injected: readonly InjectedFault[];
  /** Every call seen so far (faulty or not). */
  readonly calls: readonly WireCall[];
  /** Every call passed on to the engine (the write may have landed, whatever the client heard). */
  readonly forwarded: readonly WireCall[];
  /**
   * Calls the engine applied whose answer never reached the client: an injected lost answer or
   * 500-after-write, or a slow answer the client had stopped waiting for (its requestTimeout, an
   * abort). A slow answer written at the very moment the client gives up may be missed here.
   */
  readonly appliedButUnanswered: readonly WireCall[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);

export async function startFaultyDynamoDb(target: string, plan?: FaultPlan): Promise<FaultyDynamoDb> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const injected: InjectedFault[] = [];
  const calls: WireCall[] = [];
  const forwarded: WireCall[] = [];
  const appliedButUnanswered: WireCall[] = [];
  const attempts = new Map<string, number>();
  let currentPlan = plan;

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const headers = { ...req.headers };
      for (const name of HOP_BY_HOP) delete headers[name];
      const upstreamRequest = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...headers, 'content-length': String(body.length) },
          agent,
        },
        (response) => {
          readAll(response).then(
            (responseBody) =>
              resolve({
                status: response.statusCode ?? 500,
                headers: Object.fromEntries(
                  Object.entries(response.headers)
                    .filter(([name, value]) => !HOP_BY_HOP.has(name) && typeof value === 'string')
                    .map(([name, value]) => [name, value as string]),
                ),
                body: responseBody,
              }),
            reject,
          );
        },
      );
      upstreamRequest.on('error', reject);
      upstreamRequest.end(body);
    });

  /** False when the client is gone (its requestTimeout fired, or it aborted). */
  const answer = (res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) => {
    if (res.destroyed || res.socket?.destroyed || res.writableEnded) return false;
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    return true;
  };

  const answerError = (res: ServerResponse, fault: Extract<Fault, { kind: 'error' }>) =>
    answer(
      res,
      fault.status,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${injected.length}` },
      Buffer.from(
        JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${fault.name}`,
          message: `Injected ${fault.name}`,
          ...fault.details,
        }),
      ),
    );

  /** Resolves when the client closes the connection (its requestTimeout or an abort). */
  const clientGone = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (res.destroyed || res.socket?.destroyed) resolve();
      else res.once('close', () => resolve());
    });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const call = describeCall(req, body, attempts);
      calls.push(call);
      const fault = call.key === undefined ? undefined : currentPlan?.(call);
      if (fault) injected.push({ call, fault });

      if (fault?.kind === 'error' && !fault.applied) return answerError(res, fault);
      if (fault?.kind === 'hang' && !fault.applied) return clientGone(res);

      forwarded.push(call);
      const response = await forward(req, body);
      if (fault?.kind === 'error' || fault?.kind === 'hang') {
        appliedButUnanswered.push(call);
        return fault.kind === 'error' ? answerError(res, fault) : clientGone(res);
      }
      if (fault?.kind === 'delay') await Promise.race([sleep(fault.ms), clientGone(res)]);
      if (!answer(res, response.status, response.headers, response.body)) appliedButUnanswered.push(call);
    })().catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(502);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setPlan: (next) => {
      currentPlan = next;
    },
    injected,
    calls,
    forwarded,
    appliedButUnanswered,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function describeCall(req: IncomingMessage, body: Buffer, attempts: Map<string, number>): WireCall {
  const operation =
    String(req.headers['x-amz-target'] ?? '')
      .split('.')
      .pop() ?? '';
  let key: string | undefined;
  try {
    type Keyed = { Item?: Record<string, { S?: string }>; Key?: Record<string, { S?: string }> };
    const parsed = JSON.parse(body.toString('utf8')) as Keyed & {
      TransactItems?: Record<string, Keyed>[];
    };
    const first = parsed.TransactItems?.[0];
    const keyed = first ? Object.values(first)[0] : parsed;
    key = (keyed?.Item ?? keyed?.Key)?.[measurementsTable.partitionKey]?.S;
  } catch {
    key = undefined;
  }
  const counter = `${operation}|${key ?? ''}`;
  const attempt = (attempts.get(counter) ?? 0) + 1;
  attempts.set(counter, attempt);
  return { operation, ...(key === undefined ? {} : { key }), attempt };
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A uniform number in [0, 1) determined by `seed` and `text` alone (FNV-1a, then the mulberry32
 * finalizer): the same call gets the same draw on every run, whatever order calls arrive in.
 */
export function seededUnit(seed: number, text: string): number {
  let hash = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  let t = (hash + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * A seeded share of calls fails with one of `menu`: call (key, attempt) fails when its draw is
 * below `rate`, and which fault it gets is a second draw. `rate` can be lowered between rounds
 * (the phone re-sends into a recovering service).
 */
export function seededFaults(options: {
  readonly seed: number;
  readonly rate: number;
  readonly menu: readonly Fault[];
  readonly operations?: readonly string[];
}): { plan: FaultPlan; setRate(rate: number): void } {
  const operations = new Set(options.operations ?? ['PutItem']);
  let rate = options.rate;
  return {
    setRate: (next) => {
      rate = next;
    },
    plan: (call) => {
      if (!operations.has(call.operation)) return undefined;
      const identity = `${call.operation}|${call.key ?? ''}|${call.attempt}`;
      if (seededUnit(options.seed, identity) >= rate) return undefined;
      const pick = Math.floor(seededUnit(options.seed ^ 0x5bd1e995, identity) * options.menu.length);
      return options.menu[pick];
    },
  };
}
