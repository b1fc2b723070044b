import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { localCredentials, localRegion } from '../../../local/dynamodb-local';

/**
 * One shipped function in a child process, as a Lambda execution environment holds it: the
 * Node.js binary under test runs `lambda-runner.mjs` with the function's code directory as
 * LAMBDA_TASK_ROOT and working directory, the function's environment plus the variables Lambda
 * itself sets, and nothing inherited from this process (no NODE_PATH, no loader, no execArgv).
 * The handler is loaded once (the Init phase); every `invoke` after it is a warm invocation of
 * the same process.
 */
export interface SandboxOptions {
  readonly nodeBinary: string;
  /** The function's code as deployed (an asset directory of the cloud assembly). */
  readonly codeDirectory: string;
  /** The template's `Handler`, e.g. `index.handler`. */
  readonly handler: string;
  /** The template's `Runtime`, e.g. `nodejs24.x` (Lambda sets `AWS_EXECUTION_ENV` from it). */
  readonly runtime: string;
  readonly functionName: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** The function's own variables, references already resolved to local values. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * A JSON log line the function wrote (what CloudWatch Logs would receive); a line that is not
 * JSON is `{ text }`. Powertools writes INFO and below to stdout, WARN and above to stderr.
 */
export type LogLine = Record<string, unknown>;

/** An invocation's answer (or error) and its log lines: stdout's in order, then stderr's in order. */
export type Invocation =
  | { readonly ok: true; readonly result: any; readonly logs: LogLine[] }
  | { readonly ok: false; readonly error: RuntimeErrorReport; readonly logs: LogLine[] };

export interface RuntimeErrorReport {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack: string;
}

export interface LambdaSandbox {
  /** What `process.version` says inside the sandbox. */
  readonly nodeVersion: string;
  /** Loading the handler: importing the bundle and running its module-level code. */
  readonly initMs: number;
  invoke(event: unknown): Promise<Invocation>;
  /** What the function wrote to stderr outside invocations (while it loaded). */
  stderr(): string;
  stop(): Promise<void>;
}

/** The sandbox could not load the handler, as Lambda's Init phase would fail. */
export class InitError extends Error {
  constructor(
    readonly report: RuntimeErrorReport,
    readonly stderrText: string,
  ) {
    super(`${report.errorType}: ${report.errorMessage}${stderrText ? `\nstderr:\n${stderrText}` : ''}`);
    this.name = 'InitError';
  }
}

const runnerPath = join(__dirname, 'lambda-runner.mjs');
const END_MARKER = `\u241e invocation-end ${randomUUID()}`;

/** The variables Lambda sets in every execution environment; a function cannot override them. */
function lambdaEnvironment(options: SandboxOptions): Record<string, string> {
  const { functionName } = options;
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: options.handler,
    LAMBDA_TASK_ROOT: options.codeDirectory,
    AWS_EXECUTION_ENV: `AWS_Lambda_${options.runtime}`,
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_SESSION_TOKEN: 'local',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
}

type RunnerMessage =
  | { type: 'ready'; initMs: number; nodeVersion: string }
  | { type: 'init-error'; error: RuntimeErrorReport }
  | { type: 'result'; id: string; ok: true; payload: string }
  | { type: 'result'; id: string; ok: false; error: RuntimeErrorReport };

function parseLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        return parsed && typeof parsed === 'object' ? (parsed as LogLine) : { text: line };
      } catch {
        return { text: line };
      }
    });
}

export async function startSandbox(options: SandboxOptions): Promise<LambdaSandbox> {
  const child: ChildProcess = fork(runnerPath, [END_MARKER], {
    execPath: options.nodeBinary,
    execArgv: [],
    cwd: options.codeDirectory,
    env: { ...options.environment, ...lambdaEnvironment(options) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString('utf8');
    settleFinished();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString('utf8');
    settleFinished();
  });

  type Pending = {
    resolve: (invocation: Invocation) => void;
    reject: (error: Error) => void;
    reply?: Extract<RunnerMessage, { type: 'result' }>;
    timer: NodeJS.Timeout;
  };
  const pending = new Map<string, Pending>();
  let exited: string | undefined;

  /** A reply is complete once its end marker has come through both streams: the lines before it are its own. */
  function settleFinished(): void {
    for (const [id, call] of pending) {
      if (!call.reply) continue;
      const marker = `${END_MARKER} ${id}\n`;
      const ends = { stdout: output.stdout.indexOf(marker), stderr: output.stderr.indexOf(marker) };
      if (ends.stdout < 0 || ends.stderr < 0) continue;
      const logs = [
        ...parseLines(output.stdout.slice(0, ends.stdout)),
        ...parseLines(output.stderr.slice(0, ends.stderr)),
      ];
      output.stdout = output.stdout.slice(ends.stdout + marker.length);
      output.stderr = output.stderr.slice(ends.stderr + marker.length);
      pending.delete(id);
      clearTimeout(call.timer);
      const { reply } = call;
      call.resolve(
        reply.ok
          ? { ok: true, result: JSON.parse(reply.payload), logs }
          : { ok: false, error: reply.error, logs },
      );
    }
  }

  const ready = new Promise<{ initMs: number; nodeVersion: string }>((resolve, reject) => {
    child.on('message', (message: RunnerMessage) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'init-error') reject(new InitError(message.error, output.stderr));
      else if (message.type === 'result') {
        const call = pending.get(message.id);
        if (call) call.reply = message;
        settleFinished();
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      exited = `the function's process exited (${signal ?? `code ${code}`})`;
      const failure = new Error(`${exited}\nstderr:\n${output.stderr.slice(-4000)}`);
      reject(failure);
      for (const call of pending.values()) {
        clearTimeout(call.timer);
        call.reject(failure);
      }
      pending.clear();
    });
  });

  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  let started: { initMs: number; nodeVersion: string };
  try {
    started = await ready;
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodeVersion: started.nodeVersion,
    initMs: started.initMs,
    stderr: () => output.stderr,
    stop,
    invoke(event: unknown) {
      if (exited) return Promise.reject(new Error(exited));
      const id = randomUUID();
      return new Promise<Invocation>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`Task timed out after ${options.timeoutSeconds} seconds`));
          void stop();
        }, options.timeoutSeconds * 1000);
        pending.set(id, { resolve, reject, timer });
        child.send({
          type: 'invoke',
          id,
          event: JSON.stringify(event),
          awsRequestId: randomUUID(),
          invokedFunctionArn: `arn:aws:lambda:${localRegion}:000000000000:function:${options.functionName}`,
          deadlineMs: Date.now() + options.timeoutSeconds * 1000,
        });
      });
    },
  };
}
