import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A stand-in HealthLog server on a free loopback port, answering `GET /api/auth/me` the way
 * HealthLog as this service relies on it (docs/authentication.md, "The healthlog mode"): a known token → 200 `{data: {id, timezone, …}, error: null}`;
 * an unknown one → 401 (in German, as the versions in the wild do); a narrow-scope token → 403;
 * and, for the failure cases, tokens that make it answer 500 or never answer at all.
 * Every request it receives is recorded with its raw header lines, so a test can check what
 * was forwarded byte for byte — and what was not.
 */
export interface StandInUser {
  readonly id: string;
  /** HealthLog allows null (its own default then applies) or any string. */
  readonly timezone: string | null;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Header name/value pairs exactly as they came over the wire. */
  readonly rawHeaders: readonly string[];
}

export interface HealthLogStandIn {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** A fresh `hlk_` + 64 hex token that introspects as `user`. */
  issueToken(user: StandInUser): string;
  /**
   * A token that introspects as `user` with a 200 of exactly `bodyBytes` bytes (the user object
   * padded), sent with a Content-Length or chunked without one.
   */
  issuePaddedToken(user: StandInUser, bodyBytes: number, framing: 'content-length' | 'chunked'): string;
  /** Revoke a token: from now on it answers 401, as after a HealthLog logout. */
  revoke(token: string): void;
  /** A token that makes the stand-in answer 500. */
  readonly failingToken: string;
  /** A token whose request the stand-in accepts and never answers. */
  readonly hangingToken: string;
  /** A token with too narrow a scope: 403 "Insufficient permissions". */
  readonly narrowScopeToken: string;
  /** A token whose 200 carries no `data.id` (a HealthLog bug or a proxy's page). */
  readonly idlessToken: string;
  close(): Promise<void>;
}

export const newHealthLogToken = () => `hlk_${randomBytes(32).toString('hex')}`;

export async function startHealthLogStandIn(): Promise<HealthLogStandIn> {
  const users = new Map<string, StandInUser>();
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const failingToken = newHealthLogToken();
  const hangingToken = newHealthLogToken();
  const narrowScopeToken = newHealthLogToken();
  const idlessToken = newHealthLogToken();

  const padded = new Map<string, { bodyBytes: number; framing: 'content-length' | 'chunked' }>();

  const server: Server = createServer((request, response) => {
    received.push({
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      rawHeaders: [...request.rawHeaders],
    });
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' || request.url !== '/api/auth/me') {
      return send(404, { data: null, error: 'Not found' });
    }
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token === hangingToken) return; // never answered; the socket is destroyed on close()
    if (token === failingToken) return send(500, { data: null, error: 'Sitzungsfehler' });
    if (token === narrowScopeToken) return send(403, { data: null, error: 'Insufficient permissions' });
    if (token === idlessToken) return send(200, { data: { username: 'nobody' }, error: null });
    if (request.headers['x-healthlog-account'] !== undefined) {
      return send(403, {
        data: null,
        error: 'Shared records are not available on this endpoint',
        meta: { errorCode: 'sharing.not_permitted' },
      });
    }
    const user = token === undefined ? undefined : users.get(token);
    if (!user) {
      return send(401, { data: null, error: 'Nicht angemeldet', meta: { errorCode: 'auth.token.invalid' } });
    }
    const answer = {
      data: {
        id: user.id,
        username: `user-${user.id}`,
        email: `${user.id}@example.com`,
        role: 'USER',
        timezone: user.timezone,
        modules: { measurements: true },
      },
      error: null,
    };
    const padding = token === undefined ? undefined : padded.get(token);
    if (!padding) return send(200, answer);
    const base = Buffer.byteLength(JSON.stringify({ ...answer, padding: '' }));
    const body = Buffer.from(JSON.stringify({ ...answer, padding: 'x'.repeat(padding.bodyBytes - base) }));
    if (padding.framing === 'content-length') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      return response.end(body);
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    for (let offset = 0; offset < body.length; offset += 16 * 1024) {
      response.write(body.subarray(offset, offset + 16 * 1024));
    }
    response.end();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    issueToken(user) {
      const token = newHealthLogToken();
      users.set(token, user);
      return token;
    },
    issuePaddedToken(user, bodyBytes, framing) {
      const token = newHealthLogToken();
      users.set(token, user);
      padded.set(token, { bodyBytes, framing });
      return token;
    },
    revoke(token) {
      users.delete(token);
    },
    failingToken,
    hangingToken,
    narrowScopeToken,
    idlessToken,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
