import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RuntimeAlreadyRunningError,
  acquireRuntimeLock,
  isLocalRuntimeProcess,
  runtimeLockPath,
} from '../../local/instance-lock';

/**
 * One `npm start` per data directory, decided by `runtime.lock` in it (local/instance-lock.ts),
 * on the real file system. The end-to-end refusal of a second `npm start` is in
 * local-runtime.test.ts.
 */
let directory: string;
beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'runtime-lock-'))));
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const lockFile = () => JSON.parse(readFileSync(runtimeLockPath(directory), 'utf8'));
const writeLock = (fields: Record<string, unknown>) =>
  writeFileSync(
    runtimeLockPath(directory),
    JSON.stringify({ startedAt: 'x', dataDirectory: directory, ...fields }),
  );

/** A process that lives while the test needs it (`sleep`, so not an `npm start`). */
function sleeper(): { pid: number; stop: () => Promise<void> } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  return {
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

describe('the first start takes the data directory’s lock; it names where that runtime serves', () => {
  it('the lock holds this process’s pid, then the URLs once ready; releasing removes it', () => {
    const lock = acquireRuntimeLock(directory);
    expect(lockFile()).toMatchObject({ pid: process.pid, dataDirectory: directory });
    lock.update({ url: 'http://127.0.0.1:3000', dynamoDbEndpoint: 'http://127.0.0.1:8000', dynamoDbPid: 42 });
    expect(lockFile()).toMatchObject({
      pid: process.pid,
      url: 'http://127.0.0.1:3000',
      dynamoDbEndpoint: 'http://127.0.0.1:8000',
      dynamoDbPid: 42,
    });
    lock.release();
    expect(() => readFileSync(runtimeLockPath(directory))).toThrow(/ENOENT/);
  });
});

describe('a second start while the first runs is refused, saying where the first one is', () => {
  it('a live runtime’s lock: RuntimeAlreadyRunningError naming its pid, API and DynamoDB Local; the lock is untouched', async () => {
    const other = sleeper();
    try {
      writeLock({ pid: other.pid, url: 'http://127.0.0.1:3000', dynamoDbEndpoint: 'http://127.0.0.1:8000' });
      const before = readFileSync(runtimeLockPath(directory), 'utf8');
      let refusal: unknown;
      try {
        acquireRuntimeLock(directory, (pid) => pid === other.pid);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(RuntimeAlreadyRunningError);
      expect((refusal as Error).message).toBe(
        `npm start is already running for ${directory} (pid ${other.pid}, API http://127.0.0.1:3000, DynamoDB Local http://127.0.0.1:8000): stop it first, or set LOCAL_DATA_DIR to another folder.`,
      );
      expect(readFileSync(runtimeLockPath(directory), 'utf8')).toBe(before);
    } finally {
      await other.stop();
    }
  });

  it('a runtime still starting (no URL yet) is named as such', () => {
    writeLock({ pid: 4242 });
    expect(() => acquireRuntimeLock(directory, () => true)).toThrow(/\(pid 4242, still starting\)/);
  });
});

describe('a lock whose runtime is gone is taken over', () => {
  it('its pid has exited (a kill -9 left it behind)', async () => {
    const gone = sleeper();
    await gone.stop();
    writeLock({ pid: gone.pid, url: 'http://127.0.0.1:3000' });
    acquireRuntimeLock(directory).release();
    writeLock({ pid: gone.pid });
    acquireRuntimeLock(directory);
    expect(lockFile().pid).toBe(process.pid);
  });

  it('its pid now belongs to another program (pids are reused), or the file is unreadable', async () => {
    const reused = sleeper();
    try {
      expect(isLocalRuntimeProcess(reused.pid)).toBe(false);
      writeLock({ pid: reused.pid });
      acquireRuntimeLock(directory).release();
      writeFileSync(runtimeLockPath(directory), 'not json');
      acquireRuntimeLock(directory);
      expect(lockFile().pid).toBe(process.pid);
    } finally {
      await reused.stop();
    }
  });

  it('releasing leaves another runtime’s lock alone', () => {
    const lock = acquireRuntimeLock(directory);
    writeLock({ pid: 4242 });
    lock.release();
    expect(lockFile().pid).toBe(4242);
  });
});
