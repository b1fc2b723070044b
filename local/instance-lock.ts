import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One `npm start` per data directory. Two runtimes on one folder would start two DynamoDB Local
 * engines on the same files and interleave stream checkpoints; a second start must not touch
 * what the first serves. The first writes `runtime.lock` into the data directory (its pid, and
 * once ready its URLs); a start that finds the lock of a live runtime refuses, saying where that
 * one is. A lock left by a runtime that died without cleaning up (`kill -9`) names a pid that is
 * gone, or one reused by another program: it is taken over.
 */
export interface RuntimeLockInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly dataDirectory: string;
  /** Once ready. */
  readonly url?: string;
  readonly dynamoDbEndpoint?: string;
  readonly dynamoDbPid?: number;
}

export class RuntimeAlreadyRunningError extends Error {
  constructor(readonly holder: RuntimeLockInfo) {
    const where = [
      `pid ${holder.pid}`,
      ...(holder.url ? [`API ${holder.url}`] : ['still starting']),
      ...(holder.dynamoDbEndpoint ? [`DynamoDB Local ${holder.dynamoDbEndpoint}`] : []),
    ].join(', ');
    super(
      `npm start is already running for ${holder.dataDirectory} (${where}): stop it first, or set LOCAL_DATA_DIR to another folder.`,
    );
    this.name = 'RuntimeAlreadyRunningError';
  }
}

export interface RuntimeLock {
  readonly path: string;
  /** Records where this runtime serves, for a second start to name. */
  update(fields: Pick<RuntimeLockInfo, 'url' | 'dynamoDbEndpoint' | 'dynamoDbPid'>): void;
  /** Removes the lock if it is still this process's. */
  release(): void;
}

export function runtimeLockPath(dataDirectory: string): string {
  return join(dataDirectory, 'runtime.lock');
}

/**
 * Takes the data directory's lock for this process, or throws RuntimeAlreadyRunningError.
 * `isRuntime(pid)` tells whether a live pid is an `npm start` (pids are reused).
 */
export function acquireRuntimeLock(
  dataDirectory: string,
  isRuntime: (pid: number) => boolean = isLocalRuntimeProcess,
): RuntimeLock {
  const path = runtimeLockPath(dataDirectory);
  let info: RuntimeLockInfo = { pid: process.pid, startedAt: new Date().toISOString(), dataDirectory };
  for (let attempt = 0; ; attempt++) {
    try {
      // O_EXCL: of two starts racing for the folder, exactly one creates the file.
      writeFileSync(path, `${JSON.stringify(info)}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = readLock(path);
    if (holder && holder.pid !== process.pid && isRuntime(holder.pid)) {
      throw new RuntimeAlreadyRunningError({ ...holder, dataDirectory });
    }
    // Stale (or unreadable): its runtime is gone.
    rmSync(path, { force: true });
  }
  return {
    path,
    update(fields) {
      info = { ...info, ...fields };
      const temporary = `${path}.${randomUUID()}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(info)}\n`);
      renameSync(temporary, path);
    },
    release() {
      if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

export function readLock(path: string): RuntimeLockInfo | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<RuntimeLockInfo>;
    return typeof parsed.pid === 'number' ? (parsed as RuntimeLockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/** Alive, and (where /proc tells) running the local runtime's entry point. */
export function isLocalRuntimeProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's — not ours to judge, so not ours to take over either.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /local[/\\]start(\.ts)?\b/.test(commandLine);
  } catch {
    return true;
  }
}
