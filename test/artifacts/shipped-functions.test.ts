import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  healthLogAuthorizerFunction,
  serviceFunctions,
  type FunctionDefinition,
} from '../../definitions/service-functions';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { ensureLambdaNode, lambdaNode } from '../../scripts/lambda-node';
import { functionChecks, type CheckContext, type ShippedFunctionName } from './function-checks';
import { stepsDay } from '../support/batch-client';
import { coverageProblems } from './support/check-coverage';
import {
  readCloudAssembly,
  synthesizeApp,
  type CloudAssembly,
  type ShippedFunction,
} from './support/cloud-assembly';
import { httpEvent, invokeHttp } from './support/http-events';
import { InitError, startSandbox, type LambdaSandbox, type SandboxOptions } from './support/lambda-sandbox';
import { provisionLocalResources, resolveEnvironment, type LocalResources } from './support/local-resources';

/**
 * The artifacts `cdk deploy` uploads, run as Lambda runs them: `cdk synth` bundles the app into
 * a cloud assembly; each function's code is the asset directory its template `Code` names, its
 * handler the template's `Handler`, its environment the template's (table references replaced by
 * DynamoDB Local tables built from the template's own definitions). Every function is loaded
 * and checked (function-checks.ts) under the Lambda runtime's Node.js (24, from the npm registry,
 * scripts/lambda-node.ts) and under the machine's Node.js. `npm run test:artifacts`.
 */

interface RuntimeUnderTest {
  readonly name: string;
  readonly major: number;
  binary(): string;
}

let lambdaNodeBinary: string | undefined;
const runtimes: readonly RuntimeUnderTest[] = [
  {
    name: `Node.js ${lambdaNode.version} (Lambda's ${lambdaNode.runtime})`,
    major: Number(lambdaNode.version.split('.')[0]),
    binary: () => (lambdaNodeBinary ??= ensureLambdaNode((line) => process.stderr.write(`${line}\n`))),
  },
  {
    name: `the machine's Node.js ${process.version}`,
    major: Number(process.versions.node.split('.')[0]),
    binary: () => process.execPath,
  },
];

/**
 * Every function the stack can deploy. The app is synthesized in its `healthlog` mode, the one
 * with the most functions: the others deploy the same bundles, minus the HealthLog authorizer.
 */
const deployable: Readonly<Record<ShippedFunctionName, FunctionDefinition>> = {
  ...serviceFunctions,
  healthLogAuthorizer: healthLogAuthorizerFunction,
};
const SYNTH_CONTEXT = { healthlogUrl: 'https://healthlog.example.com' };
const definitionNames = Object.keys(deployable) as ShippedFunctionName[];

let workDir: string;
let engine: DynamoDbLocal | undefined;
let assembly: CloudAssembly;
let local: LocalResources | undefined;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'health-ingest-artifacts-'));
  runtimes[0]!.binary();
  // Both at once; a failure of either still leaves the engine to afterAll to stop.
  const [started, synthesized] = await Promise.allSettled([
    startDynamoDbLocal(),
    synthesizeApp(join(workDir, 'cdk.out'), SYNTH_CONTEXT),
  ]);
  if (started.status === 'fulfilled') engine = started.value;
  for (const outcome of [started, synthesized]) if (outcome.status === 'rejected') throw outcome.reason;
  assembly = readCloudAssembly(join(workDir, 'cdk.out'));
  local = await provisionLocalResources(assembly, engine!.endpoint);
}, 240_000);

afterAll(async () => {
  await local?.drop();
  await engine?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function shippedFunction(name: ShippedFunctionName): ShippedFunction {
  const fn = assembly.functions.find((candidate) => candidate.constructId === deployable[name].id);
  if (!fn) throw new Error(`the template has no function ${deployable[name].id}`);
  return fn;
}

function sandboxOptions(
  fn: ShippedFunction,
  runtime: RuntimeUnderTest,
  environment: Record<string, string>,
): SandboxOptions {
  return {
    nodeBinary: runtime.binary(),
    codeDirectory: fn.codeDirectory,
    handler: fn.handler,
    runtime: fn.runtime,
    functionName: fn.constructId,
    memorySize: fn.memorySize,
    timeoutSeconds: fn.timeoutSeconds,
    environment,
  };
}

describe('the cloud assembly', () => {
  test('every function the template deploys is a defined function with a check, and every check has its function', () => {
    expect(coverageProblems(assembly.functions, deployable, functionChecks)).toEqual([]);
  });

  test(`every function runs ${lambdaNode.runtime}, the runtime whose Node.js this test runs`, () => {
    expect(assembly.functions.map((fn) => [fn.constructId, fn.runtime])).toEqual(
      assembly.functions.map((fn) => [fn.constructId, lambdaNode.runtime]),
    );
  });

  test('bundles carry only the zod they use: no locale but English (import * as z, never { z })', () => {
    for (const fn of assembly.functions) {
      const map = readdirSync(fn.codeDirectory).find((file) => file.endsWith('.map'));
      const { sources } = JSON.parse(readFileSync(join(fn.codeDirectory, map ?? 'missing.map'), 'utf8')) as {
        sources: string[];
      };
      const locales = sources.filter((source) => /\/zod\/v4\/locales\/(?!en\.js$)/.test(source));
      expect([fn.constructId, locales]).toEqual([fn.constructId, []]);
    }
  });

  test('each function is uploaded as a directory holding the bundle and its source map only', () => {
    for (const fn of assembly.functions) {
      const files = readdirSync(fn.codeDirectory).sort();
      const bundle = files.find((file) => /\.[cm]?js$/.test(file));
      expect([fn.constructId, files]).toEqual([fn.constructId, [bundle, `${bundle}.map`]]);
    }
  });
});

describe.each(runtimes)('the shipped functions under $name', (runtime) => {
  describe.each(definitionNames)('%s', (name) => {
    test('its bundle imports and the template handler string names an exported async handler', async () => {
      const fn = shippedFunction(name);
      const sandbox = await startSandbox(
        sandboxOptions(fn, runtime, local!.environmentOf(fn, functionChecks[name]?.standIns)),
      );
      try {
        expect(Number(sandbox.nodeVersion.slice(1).split('.')[0])).toBe(runtime.major);
      } finally {
        await sandbox.stop();
      }
    });

    const check = functionChecks[name];
    test(check?.rule ?? 'has a check in test/artifacts/function-checks.ts', async () => {
      if (!check) throw new Error(`${name} has no check in test/artifacts/function-checks.ts`);
      const fn = shippedFunction(name);
      const context: CheckContext = {
        fn,
        environment: local!.environmentOf(fn, check.standIns),
        local: local!,
        start: (overrides = {}) =>
          startSandbox(
            sandboxOptions(fn, runtime, local!.environmentOf(fn, { ...check.standIns, ...overrides })),
          ),
      };
      await check.run(context);
    });
  });

  test('a stack trace a function logs names the TypeScript sources (its source map is applied when the trace is formatted)', async () => {
    // The request-guards table missing: the rate limiter fails open and logs the SDK's error.
    const fn = shippedFunction('ingestBatch');
    const environment = local!.environmentOf(fn, { REQUEST_GUARDS_TABLE_NAME: 'artifact-no-such-table' });
    const sandbox = await startSandbox(sandboxOptions(fn, runtime, environment));
    try {
      const { answer, logs } = await invokeHttp(
        sandbox,
        httpEvent({
          method: 'POST',
          route: '/api/measurements/batch',
          userId: `artifact-trace-${Date.now()}`,
          body: { entries: [stepsDay('2026-05-25', 10)] },
        }),
      );
      expect(answer.status).toBe(200);
      const warning = logs.find((line) => line.message === 'measurement.batch.rate_limit_unavailable');
      const error = warning?.error as { name: string; stack: string } | undefined;
      expect(error?.name).toBe('ResourceNotFoundException');
      expect(error?.stack).toMatch(/\/functions\/request-guards\/request-guards-repository\.ts:\d+:\d+\)/);
      expect(error?.stack).not.toMatch(/\/index\.[cm]?js:/);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('the harness itself', () => {
  let fixtures: string;
  const runtime = runtimes[0]!;

  beforeAll(() => {
    fixtures = mkdtempSync(join(tmpdir(), 'health-ingest-artifact-fixtures-'));
  });
  afterAll(() => rmSync(fixtures, { recursive: true, force: true }));

  /** A code directory with these files, started like a shipped function. */
  async function startFixture(
    files: Record<string, string>,
    handler = 'index.handler',
  ): Promise<LambdaSandbox> {
    const directory = mkdtempSync(join(fixtures, 'fn-'));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(directory, file, '..'), { recursive: true });
      writeFileSync(join(directory, file), text);
    }
    return startSandbox({
      nodeBinary: runtime.binary(),
      codeDirectory: directory,
      handler,
      runtime: lambdaNode.runtime,
      functionName: 'Fixture',
      memorySize: 128,
      timeoutSeconds: 3,
      environment: {},
    });
  }

  const initError = async (start: Promise<LambdaSandbox>) => {
    try {
      await (await start).stop();
    } catch (error) {
      if (error instanceof InitError) return error.report;
      throw error;
    }
    throw new Error('the fixture loaded');
  };

  test('loads a CommonJS bundle (index.js) and an ESM one (index.mjs) by the same handler string', async () => {
    const bundles: Array<[string, Record<string, string>]> = [
      [
        'cjs',
        {
          'index.js': "'use strict';\nexports.handler = async (event) => ({ format: 'cjs', n: event.n });\n",
        },
      ],
      ['esm', { 'index.mjs': "export const handler = async (event) => ({ format: 'esm', n: event.n });\n" }],
    ];
    for (const [format, files] of bundles) {
      const fn = await startFixture(files);
      try {
        const invocation = await fn.invoke({ n: 1 });
        expect(invocation.ok && invocation.result).toEqual({ format, n: 1 });
      } finally {
        await fn.stop();
      }
    }
  });

  test('fails a bundle that cannot be imported (a package Lambda does not have)', async () => {
    const report = await initError(
      startFixture({ 'index.mjs': "import 'left-pad';\nexport const handler = async () => 1;\n" }),
    );
    expect(report.errorType).toBe('Runtime.ImportModuleError');
    expect(report.errorMessage).toMatch(/left-pad/);
  });

  test('fails a bundle whose module code throws while it loads', async () => {
    const report = await initError(
      startFixture({
        'index.mjs': "throw new Error('config missing');\nexport const handler = async () => 1;\n",
      }),
    );
    expect(report.errorMessage).toMatch(/config missing/);
  });

  test('fails a handler string that names no export', async () => {
    const report = await initError(
      startFixture({ 'index.mjs': 'export const main = async () => 1;\n' }, 'index.handler'),
    );
    expect(report).toEqual(
      expect.objectContaining({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      }),
    );
  });

  test('fails a handler string whose module is not there', async () => {
    const report = await initError(
      startFixture({ 'index.mjs': 'export const handler = async () => 1;\n' }, 'main.handler'),
    );
    expect(report.errorType).toBe('Runtime.ImportModuleError');
  });

  test('fails a callback-style handler, which the Node.js 24 runtime refuses', async () => {
    const report = await initError(
      startFixture({
        'index.mjs': 'export const handler = (event, context, callback) => callback(null, 1);\n',
      }),
    );
    expect(report.errorType).toBe('Runtime.CallbackHandlerDeprecated');
  });

  test('reports an invocation that throws as a failed invocation, with the log lines before it', async () => {
    const fn = await startFixture({
      'index.mjs':
        "export const handler = async (event) => { console.log(JSON.stringify({ message: 'seen', n: event.n })); throw new TypeError('boom'); };\n",
    });
    try {
      const invocation = await fn.invoke({ n: 7 });
      expect(invocation).toEqual({
        ok: false,
        error: expect.objectContaining({ errorType: 'TypeError', errorMessage: 'boom' }),
        logs: [{ message: 'seen', n: 7 }],
      });
    } finally {
      await fn.stop();
    }
  });

  test('flags a deployed function without a definition, a definition without a check, and a stale check', () => {
    expect(
      coverageProblems(
        [
          { logicalId: 'AFunction1', constructId: 'AFunction' },
          { logicalId: 'Stray1', constructId: 'Stray' },
        ],
        { a: { id: 'AFunction' }, b: { id: 'BFunction' } },
        { a: {}, c: {} },
      ),
    ).toEqual([
      'Stray1 is deployed but no definition in definitions/service-functions.ts has the id Stray, so it has no check',
      'b (BFunction) is defined but the template has no such function',
      'b has no check in test/artifacts/function-checks.ts',
      'the check c names no defined function',
    ]);
  });

  test('refuses a variable whose CloudFormation reference has no local stand-in', () => {
    expect(() =>
      resolveEnvironment(
        { logicalId: 'Fn1', environment: { PLAIN: 'x', TOPIC: { Ref: 'Topic1' } } },
        { Resources: { Topic1: { Type: 'AWS::SNS::Topic' } } },
        () => undefined,
      ),
    ).toThrow(/Fn1: no local value for TOPIC = \{"Ref":"Topic1"\}/);
  });

  test('takes a stand-in for such a variable, and refuses a stand-in for a variable the template does not set', () => {
    const fn = { logicalId: 'Fn1', environment: { PLAIN: 'x', TOPIC: { Ref: 'Topic1' } } };
    const template = { Resources: { Topic1: { Type: 'AWS::SNS::Topic' } } };
    expect(resolveEnvironment(fn, template, () => undefined, { TOPIC: 'local-topic' })).toEqual({
      PLAIN: 'x',
      TOPIC: 'local-topic',
    });
    expect(() => resolveEnvironment(fn, template, () => undefined, { TOPIC: 't', EXTRA: 'y' })).toThrow(
      /Fn1: the template sets no EXTRA/,
    );
  });
});
