import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FilterPattern } from '../../../definitions/audit-stream';

/**
 * What `cdk deploy` would deploy, read from a cloud assembly: the stack's template and, for each
 * Lambda function, the directory of the asset its `Code` names (the directory `cdk deploy` zips
 * and uploads), its handler, runtime, limits, environment and event sources — nothing taken from
 * the stack's source code.
 */

const repositoryRoot = join(__dirname, '..', '..', '..');

/** A value in a template: a literal, or an intrinsic such as `{ "Ref": "MeasurementsTable…" }`. */
export type TemplateValue = string | number | boolean | { readonly [intrinsic: string]: unknown };

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, TemplateResource>;
}

/** A stream event source mapping of a function, as the template configures it. */
export interface StreamEventSource {
  /** The logical id of the table whose stream it reads (`Fn::GetAtt [table, StreamArn]`). */
  readonly tableLogicalId: string;
  readonly batchSize: number;
  readonly filterPatterns: readonly FilterPattern[];
}

/** A queue event source mapping of a function, as the template configures it. */
export interface QueueEventSource {
  /** The logical id of the SQS queue it consumes (`Fn::GetAtt [queue, Arn]`). */
  readonly queueLogicalId: string;
  readonly batchSize: number;
}

export interface ShippedFunction {
  readonly logicalId: string;
  /** The construct id the stack gave the function (`HealthIngest/<id>/Resource`). */
  readonly constructId: string;
  readonly handler: string;
  readonly runtime: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** The asset directory in the cloud assembly that `cdk deploy` uploads as the function's code. */
  readonly codeDirectory: string;
  /** The template's variables, intrinsics unresolved. */
  readonly environment: Readonly<Record<string, TemplateValue>>;
  readonly streamEventSources: readonly StreamEventSource[];
  readonly queueEventSources: readonly QueueEventSource[];
}

export interface CloudAssembly {
  readonly directory: string;
  readonly stackName: string;
  readonly template: Template;
  readonly functions: readonly ShippedFunction[];
}

/**
 * `cdk synth` of the repository's app (bin/health-ingest.ts with cdk.json's context, `context`
 * on top, and the cdk-nag checks) into `outDir`, bundling every function with esbuild exactly as `cdk deploy`
 * does. `outDir` should lie outside the repository, so a bundle cannot resolve a package from
 * the repository's node_modules that Lambda would not have.
 */
export function synthesizeApp(outDir: string, context: Readonly<Record<string, string>> = {}): Promise<void> {
  const cdk = join(repositoryRoot, 'node_modules', '.bin', 'cdk');
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['--context', `${key}=${value}`]);
  return new Promise((resolve, reject) => {
    execFile(
      cdk,
      ['synth', '--quiet', '--no-notices', '--output', outDir, ...contextArgs],
      { cwd: repositoryRoot, env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' }, maxBuffer: 1 << 24 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`cdk synth failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    );
  });
}

interface AssetManifest {
  readonly files: Record<
    string,
    {
      readonly source: { readonly path?: string; readonly packaging?: string };
      readonly destinations: Record<string, { readonly objectKey: string }>;
    }
  >;
}

interface AssemblyManifest {
  readonly artifacts: Record<
    string,
    {
      readonly type: string;
      readonly properties?: { readonly templateFile?: string; readonly file?: string };
    }
  >;
}

/** The assembly's one CloudFormation stack and its asset manifest. */
export function readCloudAssembly(directory: string): CloudAssembly {
  const manifest = readJson<AssemblyManifest>(join(directory, 'manifest.json'));
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`expected one stack in ${directory}, found ${stacks.length}`);
  const [stackName, stack] = stacks[0]!;
  const template = readJson<Template>(join(directory, stack.properties!.templateFile!));
  const assetFiles = Object.values(manifest.artifacts)
    .filter((artifact) => artifact.type === 'cdk:asset-manifest')
    .flatMap((artifact) =>
      Object.values(readJson<AssetManifest>(join(directory, artifact.properties!.file!)).files),
    );

  const codeDirectoryOf = (logicalId: string, code: Record<string, unknown>): string => {
    const key = code.S3Key;
    if (typeof key !== 'string')
      throw new Error(
        `${logicalId}: Code is not an S3 asset (${JSON.stringify(code)}); only bundled assets are tested`,
      );
    const asset = assetFiles.find((file) =>
      Object.values(file.destinations).some((destination) => destination.objectKey === key),
    );
    if (!asset?.source.path) throw new Error(`${logicalId}: no asset of the assembly is uploaded as ${key}`);
    const path = join(directory, asset.source.path);
    if (asset.source.packaging !== 'zip' || !existsSync(path) || !statSync(path).isDirectory())
      throw new Error(`${logicalId}: asset ${asset.source.path} is not a directory zipped for upload`);
    return path;
  };

  const resources = Object.entries(template.Resources);
  const functions = resources
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]): ShippedFunction => {
      const properties = resource.Properties ?? {};
      const path = String(resource.Metadata?.['aws:cdk:path'] ?? '');
      const streamEventSources: StreamEventSource[] = [];
      const queueEventSources: QueueEventSource[] = [];
      for (const [mappingId, mapping] of resources) {
        if (
          mapping.Type !== 'AWS::Lambda::EventSourceMapping' ||
          mapping.Properties?.FunctionName?.Ref !== logicalId
        )
          continue;
        const [sourceLogicalId, attribute] = (mapping.Properties!.EventSourceArn?.['Fn::GetAtt'] ??
          []) as string[];
        const batchSize = Number(mapping.Properties!.BatchSize ?? 100);
        if (sourceLogicalId && attribute === 'StreamArn') {
          streamEventSources.push({
            tableLogicalId: sourceLogicalId,
            batchSize,
            filterPatterns: (
              (mapping.Properties!.FilterCriteria?.Filters ?? []) as Array<{ Pattern: string }>
            ).map((filter) => JSON.parse(filter.Pattern) as FilterPattern),
          });
        } else if (
          sourceLogicalId &&
          attribute === 'Arn' &&
          template.Resources[sourceLogicalId]?.Type === 'AWS::SQS::Queue'
        ) {
          queueEventSources.push({ queueLogicalId: sourceLogicalId, batchSize });
        } else {
          throw new Error(`${mappingId}: only DynamoDB stream and SQS event sources are understood here`);
        }
      }
      return {
        logicalId,
        constructId: path.split('/').at(-2) ?? logicalId,
        handler: String(properties.Handler),
        runtime: String(properties.Runtime),
        memorySize: Number(properties.MemorySize ?? 128),
        timeoutSeconds: Number(properties.Timeout ?? 3),
        codeDirectory: codeDirectoryOf(logicalId, properties.Code ?? {}),
        environment: properties.Environment?.Variables ?? {},
        streamEventSources,
        queueEventSources,
      };
    });
  return { directory, stackName, template, functions };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
