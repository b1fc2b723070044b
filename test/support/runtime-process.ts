import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { nodeArgumentsOf, repositoryRoot } from '../../scripts/package-scripts';

/**
 * `npm start` as a test drives it: the command package.json gives it, run without npm in between
 * so a signal reaches it, on free ports and a temporary data directory, observed only through
 * HTTP and its standard output.
 */

export interface OutputLine {
  readonly at: number;
  readonly text: string;
  readonly json?: Record<string, any>;
}

export type Exit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

export interface RuntimeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly output: OutputLine[];
  readonly env: NodeJS.ProcessEnv;
  readonly dataDirectory: string;
  /** Resolves with the first output line that satisfies `predicate`, or fails after `timeoutMs`. */
  waitForLine(predicate: (line: OutputLine) => boolean, timeoutMs: number): Promise<OutputLine>;
  /** Kills what is left (the runtime, its DynamoDB Local) and removes the data directory it made. */
  dispose(): Promise<void>;
}

export interface RunningRuntime extends RuntimeProcess {
  readonly base: string;
  /** The ready line's fields (`dynamoDbPid`, `dynamoDbEndpoint`, …). */
  readonly ready: Record<string, any>;
}

export interface RuntimeOptions {
  readonly args?: readonly string[];
  /** Variables on top of the test's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Reuse a data directory (a second start in the same folder); otherwise a new one is made. */
  readonly dataDirectory?: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the runtime and returns at once, before it is ready (or has refused to start). */
export async function spawnRuntime(options: RuntimeOptions = {}): Promise<RuntimeProcess> {
  const ownsDirectory = options.dataDirectory === undefined;
  const dataDirectory = options.dataDirectory ?? mkdtempSync(join(tmpdir(), 'local-runtime-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDirectory,
    ...options.env,
  };
  delete env.DYNAMODB_ENDPOINT;
  const output: OutputLine[] = [];
  const child = spawn(process.execPath, [...nodeArgumentsOf('start'), ...(options.args ?? [])], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<Exit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const collect = (prefix: string) => {
    let pending = '';
    return (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const text of lines) {
        let json: Record<string, any> | undefined;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        output.push({ at: Date.now(), text: prefix + text, json });
      }
    };
  };
  child.stdout!.on('data', collect(''));
  child.stderr!.on('data', collect('stderr: '));

  const waitForLine = (predicate: (line: OutputLine) => boolean, timeoutMs: number) =>
    new Promise<OutputLine>((resolveLine, reject) => {
      const giveUp = setTimeout(() => {
        clearInterval(poll);
        reject(
          new Error(
            `no matching output line within ${timeoutMs} ms:\n${output.map((l) => l.text).join('\n')}`,
          ),
        );
      }, timeoutMs);
      const poll = setInterval(() => {
        const line = output.find(predicate);
        if (!line) return;
        clearInterval(poll);
        clearTimeout(giveUp);
        resolveLine(line);
      }, 20);
    });

  return {
    child,
    exited,
    output,
    env,
    dataDirectory,
    waitForLine,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      const readyLine = output.find((line) => line.json?.dynamoDbPid !== undefined);
      const javaPid = readyLine?.json?.dynamoDbPid;
      if (typeof javaPid === 'number' && isAlive(javaPid)) process.kill(javaPid, 'SIGKILL');
      if (ownsDirectory) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** Starts the runtime and waits for its ready line; fails with its output if it exits first. */
export async function startRuntime(options: RuntimeOptions = {}): Promise<RunningRuntime> {
  const runtime = await spawnRuntime(options);
  try {
    const readyLine = await Promise.race([
      runtime.waitForLine((line) => /ready http:\/\/127\.0\.0\.1:\d+/.test(line.text), 45000),
      runtime.exited.then((exit) => {
        throw new Error(
          `npm start exited (${exit.code}) before ready:\n${runtime.output.map((l) => l.text).join('\n')}`,
        );
      }),
    ]);
    return {
      ...runtime,
      base: /ready (http:\/\/127\.0\.0\.1:\d+)/.exec(readyLine.text)![1]!,
      ready: readyLine.json ?? {},
    };
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
}
