import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { functionEnvironment, type DeploymentValues } from '../../definitions/function-settings';
import type { FunctionDefinition } from '../../definitions/service-functions';

/** Function entries in the definitions are relative to the repository root. */
const repositoryRoot = path.join(__dirname, '..', '..');

export interface ServiceFunctionProps {
  readonly definition: FunctionDefinition;
  readonly logRetentionDays: number;
}

/**
 * How every function is bundled by esbuild. Exported so the benchmark builds the bundles it
 * measures (size, cold start) with exactly these settings.
 */
export const serviceFunctionBundling = {
  // CommonJS output: on Node.js 24 an ESM `import` of `node:http` (the SDK's credential
  // providers and the client's keep-alive agents have one) builds that module's ESM namespace,
  // which evaluates its lazy WebSocket exports and so loads Node's bundled undici: about 20 ms
  // of CPU at every cold start, for a client the functions never use. `require` does not
  // (docs/benchmarks.md, section 4).
  format: OutputFormat.CJS,
  target: 'node24',
  minify: true,
  // Source maps are shipped without the sources' text (stack traces need positions, not code),
  // and read only when a stack trace is formatted: the injected module maps the frames then, so
  // no cold start pays for parsing the map (docs/benchmarks.md, section 4). No
  // `--enable-source-maps`, which reads the map while the bundle loads.
  sourceMap: true,
  sourcesContent: false,
  inject: [path.join(repositoryRoot, 'functions', 'commons', 'install-source-mapped-stack-traces.ts')],
  // Prefer the ESM build of dependencies that ship both: esbuild tree-shakes ESM, not CommonJS.
  mainFields: ['module', 'main'],
  // The SDK is bundled at the versions package-lock.json pins (and the tests ran against),
  // not whatever version the Lambda runtime happens to ship.
  bundleAwsSDK: true,
} as const satisfies BundlingOptions;

/**
 * A function of the service with the defaults every function shares: Node.js 24 on ARM, one
 * minified CommonJS bundle with source maps applied on demand, Powertools settings, and its own log group with a
 * retention. Only what differs per function comes from its definition. Its role may write to its
 * own log group and nothing else: the stack states each function's data grants explicitly.
 * (`logGroup` returns the log group.) Its settings are set by `useDeployment`, once the stack has
 * every resource they name.
 */
export class ServiceFunction extends NodejsFunction {
  readonly definition: FunctionDefinition;

  constructor(scope: Construct, props: ServiceFunctionProps) {
    const { definition } = props;
    // A sibling rather than a child: the function's props need the log group before `this` exists.
    const logGroup = new LogGroup(scope, `${definition.id}LogGroup`, {
      retention: retentionDays(props.logRetentionDays),
      // The audit events live in these logs; they outlive a deleted stack, bounded by the retention.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Instead of AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream and
    // PutLogEvents on every log group of the account): streams and events in its own group only.
    // So no function can write lines into another's log group — the audit events live in one.
    const role = new Role(scope, `${definition.id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${definition.id}: its own log group; data grants are added by the stack`,
      inlinePolicies: {
        OwnLogGroup: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              // The group's ARN ends in `:*`, which covers its log streams.
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    super(scope, definition.id, {
      entry: path.join(repositoryRoot, definition.entry),
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: path.join(repositoryRoot, 'package-lock.json'),
      description: definition.description,
      // A pinned runtime: NODEJS_LATEST would change the runtime under a deployed function silently.
      // It is the newest Node.js runtime aws-cdk-lib knows, so cdk-nag's AwsSolutions-L1 passes
      // without an acknowledgement; when a newer one appears, L1 fails the synth until the
      // runtime is moved (and the shipped-artifact test and the benchmark re-run on it).
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: definition.memorySize,
      timeout: Duration.seconds(definition.timeoutSeconds),
      logGroup,
      role,
      environment: { POWERTOOLS_LOG_LEVEL: 'INFO' },
      bundling: serviceFunctionBundling,
    });
    this.definition = definition;
  }

  /**
   * Sets every variable the definition declares (definitions/function-settings.ts): to the
   * stack's value it names — a table's name, the settle queue's URL, the context's zone or
   * HealthLog URL — or to its default.
   */
  useDeployment(values: DeploymentValues): void {
    for (const [variable, value] of Object.entries(functionEnvironment(this.definition, values)))
      this.addEnvironment(variable, value);
  }
}

/** CloudWatch accepts only certain retention periods; a definition naming another fails the synth. */
export function retentionDays(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number',
  );
  const match = allowed.find((value) => value === days);
  if (match === undefined || match === RetentionDays.INFINITE) {
    throw new Error(`Log retention of ${days} days is not one CloudWatch Logs supports`);
  }
  return match;
}
