import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';

/**
 * DynamoDB Local behind TLS, so a cold start's first request does what it does on AWS: an HTTPS
 * request with a TLS handshake. Over plain HTTP the SDK takes another path (it imports
 * `node:http` on the first request, which on Node.js 24 also loads undici), which Lambda never
 * takes. The certificate is a throwaway one for `localhost`, made with `openssl` for this run;
 * the processes under test trust it through NODE_EXTRA_CA_CERTS.
 */
export interface TlsEndpoint {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The certificate to trust (NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  close(): Promise<void>;
}

export async function startTlsEndpoint(target: string, workDir: string): Promise<TlsEndpoint> {
  const keyFile = join(workDir, 'localhost-key.pem');
  const caFile = join(workDir, 'localhost-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ],
    { stdio: 'ignore' },
  );
  const upstream = new URL(target);
  const open = new Set<Socket>();
  const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (socket) => {
    const engine = connect(Number(upstream.port), upstream.hostname);
    open.add(socket).add(engine);
    socket.pipe(engine).pipe(socket);
    const close = () => {
      socket.destroy();
      engine.destroy();
      open.delete(socket);
      open.delete(engine);
    };
    socket.once('error', close);
    engine.once('error', close);
    socket.once('close', close);
    engine.once('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    caFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
