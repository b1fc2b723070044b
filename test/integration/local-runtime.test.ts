import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPair } from 'jose';
import { freePort } from '../../local/dynamodb-local';
import { signLocalToken } from '../../local/local-auth';

/**
 * `npm start` end to end: the same entry point (tsx running local/start.ts) on free ports and a
 * temporary data directory, tokens from `npm run token`, and nothing but HTTP and the process's
 * standard output — the way a developer or a reviewer uses it (contract/local-runtime.md).
 * Independent of the integration project's shared DynamoDB Local: it starts its own.
 */
const repositoryRoot = resolve(__dirname, '..', '..');
const DAY = '2026-05-24';
const STEPS_OF_THE_DAY = `stats:HKQuantityTypeIdentifierStepCount:${DAY}`;

interface OutputLine {
  readonly at: number;
  readonly text: string;
  readonly json?: Record<string, any>;
}

let dataDirectory: string;
let env: NodeJS.ProcessEnv;
let child: ChildProcess;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let output: OutputLine[];
let ready: Record<string, any>;
let base: string;
let tokenA: string;
let tokenB: string;

/** Resolves with the first output line that satisfies `predicate`, or fails after `timeoutMs`. */
function waitForLine(predicate: (line: OutputLine) => boolean, timeoutMs: number): Promise<OutputLine> {
  return new Promise((resolveLine, reject) => {
    const giveUp = setTimeout(() => {
      clearInterval(poll);
      reject(
        new Error(`no matching output line within ${timeoutMs} ms:\n${output.map((l) => l.text).join('\n')}`),
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
}

async function mintToken(userId: string): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'token', '--', userId], {
    cwd: repositoryRoot,
    env,
  });
  return stdout.trim().split('\n').at(-1)!;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'local-runtime-'));
  env = {
    ...process.env,
    PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDirectory,
  };
  delete env.DYNAMODB_ENDPOINT;
  output = [];
  // What `npm start` runs (`tsx local/start.ts`), without npm in between so the signal reaches it.
  child = spawn(process.execPath, [require.resolve('tsx/cli'), 'local/start.ts'], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop()!;
    for (const text of lines) {
      let json: Record<string, any> | undefined;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      output.push({ at: Date.now(), text, json });
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => output.push({ at: Date.now(), text: `stderr: ${chunk}` }));

  const readyLine = await Promise.race([
    waitForLine((line) => /ready http:\/\/127\.0\.0\.1:\d+/.test(line.text), 45000),
    new Promise<never>((_resolve, reject) =>
      child.once('exit', (code) =>
        reject(
          new Error(`npm start exited (${code}) before ready:\n${output.map((l) => l.text).join('\n')}`),
        ),
      ),
    ),
  ]);
  base = /ready (http:\/\/127\.0\.0\.1:\d+)/.exec(readyLine.text)![1]!;
  ready = readyLine.json ?? {};
  [tokenA, tokenB] = await Promise.all([mintToken('e2e-user-a'), mintToken('e2e-user-b')]);
}, 90000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (typeof ready?.dynamoDbPid === 'number' && isAlive(ready.dynamoDbPid))
    process.kill(ready.dynamoDbPid, 'SIGKILL');
  rmSync(dataDirectory, { recursive: true, force: true });
});

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const stepsOfTheDay = (value: number) => ({
  entries: [
    {
      hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
      value,
      unit: 'count',
      startDate: `${DAY}T00:00:00+02:00`,
      endDate: `${DAY}T00:00:00+02:00`,
      externalId: STEPS_OF_THE_DAY,
    },
  ],
});

const functionLines = (service: string) => output.filter((line) => line.json?.service === service);

describe('npm start serves the whole service on one machine', () => {
  let rowId: string;
  let overwrittenAt: number;

  it('prints one ready line with the base URL, and the DynamoDB Local process it started', () => {
    expect(output.filter((line) => line.text.includes('ready http://')).length).toBe(1);
    expect(ready.dynamoDbPid).toEqual(expect.any(Number));
    expect(isAlive(ready.dynamoDbPid)).toBe(true);
  });

  it("a day's steps posted as 300, then 5300: inserted, then updated with the same id", async () => {
    const morning = await call('POST', '/api/measurements/batch', tokenA, stepsOfTheDay(300));
    expect(morning.status).toBe(200);
    expect(morning.body.data.entries).toEqual([{ index: 0, status: 'inserted', id: expect.any(String) }]);
    rowId = morning.body.data.entries[0].id;

    const evening = await call('POST', '/api/measurements/batch', tokenA, stepsOfTheDay(5300));
    overwrittenAt = Date.now();
    expect(evening.status).toBe(200);
    expect(evening.body.data.entries).toEqual([{ index: 0, status: 'updated', id: rowId }]);
  });

  it('the overwrite appears on standard output as measurement.batch.stats-overwrite within 2 s', async () => {
    const line = await waitForLine(
      (candidate) =>
        candidate.json?.message === 'measurement.batch.stats-overwrite' &&
        candidate.json.externalId === STEPS_OF_THE_DAY,
      5000,
    );
    expect(line.json).toMatchObject({ userId: 'e2e-user-a', previousValue: 300, value: 5300, id: rowId });
    expect(line.at - overwrittenAt).toBeLessThan(2000);
  });

  it('GET /api/measurements/{id} reads 5300 back', async () => {
    const answer = await call('GET', `/api/measurements/${rowId}`, tokenA);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ id: rowId, type: 'ACTIVITY_STEPS', value: 5300 });
  });

  it('GET /api/measurements?type=ACTIVITY_STEPS lists the row with 5300', async () => {
    const answer = await call('GET', '/api/measurements?type=ACTIVITY_STEPS', tokenA);
    expect(answer.status).toBe(200);
    expect(answer.body.data.measurements).toEqual([expect.objectContaining({ id: rowId, value: 5300 })]);
  });

  it("another user's token gets 404 for the same id", async () => {
    const answer = await call('GET', `/api/measurements/${rowId}`, tokenB);
    expect(answer.status).toBe(404);
    expect(answer.body.data).toBeNull();
  });

  it('no token, or a token signed by another key: 401 in the envelope before any handler runs', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await signLocalToken('e2e-user-a', { kid: 'forged', privateKey });
    const handled = functionLines('measurement-ingest').length;
    for (const token of [undefined, forged, 'not-a-jwt']) {
      const answer = await call('POST', '/api/measurements/batch', token, stepsOfTheDay(9999));
      expect(answer).toEqual({ status: 401, body: { data: null, error: 'Not authenticated' } });
    }
    const read = await call('GET', `/api/measurements/${rowId}`, forged);
    expect(read.status).toBe(401);
    expect(functionLines('measurement-ingest')).toHaveLength(handled);
    expect((await call('GET', `/api/measurements/${rowId}`, tokenA)).body.data.value).toBe(5300);
  });

  it('a route the stack does not define: 404 in the envelope', async () => {
    expect(await call('GET', '/api/nothing-here', tokenA)).toEqual({
      status: 404,
      body: { data: null, error: 'Not found' },
    });
    expect((await call('PATCH', '/api/measurements/batch/extra', tokenA)).status).toBe(404);
  });

  it('SIGTERM stops it: the process exits, the port is released, no Java process is left', async () => {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      exited,
      new Promise<never>(
        (_resolve, reject) => (timer = setTimeout(() => reject(new Error('still running')), 15000)),
      ),
    ]).finally(() => clearTimeout(timer));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(isAlive(ready.dynamoDbPid)).toBe(false);
    await expect(fetch(`${base}/api/measurements`)).rejects.toThrow();
  }, 20000);
});
