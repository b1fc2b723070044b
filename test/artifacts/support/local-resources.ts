import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTimeToLive } from '../../../local/create-tables';
import { localCredentials, localRegion } from '../../../local/dynamodb-local';
import { createStreamsClient } from '../../../local/dynamodb-stream';
import type {
  CloudAssembly,
  ShippedFunction,
  Template,
  TemplateResource,
  TemplateValue,
} from './cloud-assembly';

const TABLE_TYPES = ['AWS::DynamoDB::GlobalTable', 'AWS::DynamoDB::Table'];

/**
 * Stand-ins on DynamoDB Local for the resources the template's functions reference: every table
 * of the template is created under a local name from the template's own properties (keys,
 * indexes, stream, TTL), and a function's environment is the template's with each `Ref` to a
 * table replaced by that name. A reference this file does not know fails the test, naming it.
 */
export interface LocalResources {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly streams: DynamoDBStreamsClient;
  /** The local table standing in for the template's table of this logical id. */
  tableName(logicalId: string): string;
  /**
   * The function's variables as Lambda would hand them over, references resolved, except those
   * `replacements` gives local values for (they must be variables the template sets); plus one
   * the template cannot have: `AWS_ENDPOINT_URL_DYNAMODB`, the SDK's own setting that sends its
   * DynamoDB calls to DynamoDB Local (so the function's code takes its deployed path, without
   * the local runtime's `DYNAMODB_ENDPOINT`).
   */
  environmentOf(fn: ShippedFunction, replacements?: Readonly<Record<string, string>>): Record<string, string>;
  drop(): Promise<void>;
}

/** CreateTable for a template's table resource (TableV2's GlobalTable or a plain Table). */
export function createTableInput(
  tableName: string,
  resource: TemplateResource,
): { input: CreateTableCommandInput; timeToLiveAttribute?: string } {
  const properties = resource.Properties ?? {};
  const stream = properties.StreamSpecification as { StreamViewType?: string } | undefined;
  const ttl = properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
  return {
    input: {
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: properties.KeySchema,
      AttributeDefinitions: properties.AttributeDefinitions,
      ...(properties.GlobalSecondaryIndexes
        ? {
            GlobalSecondaryIndexes: (properties.GlobalSecondaryIndexes as Array<Record<string, unknown>>).map(
              ({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }) as never,
            ),
          }
        : {}),
      ...(stream?.StreamViewType
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as never } }
        : {}),
    },
    ...(ttl?.Enabled ? { timeToLiveAttribute: ttl.AttributeName } : {}),
  };
}

/**
 * A function's variables with intrinsics resolved by `resolveRef` (the local name of a resource,
 * or undefined when there is none), `replacements` taking the place of the variables they name.
 * A value that is neither a literal, a known `Ref` nor replaced throws, and so does a
 * replacement of a variable the template does not set.
 */
export function resolveEnvironment(
  fn: Pick<ShippedFunction, 'logicalId' | 'environment'>,
  template: Template,
  resolveRef: (logicalId: string, resource: TemplateResource) => string | undefined,
  replacements: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const unknown = Object.keys(replacements).filter((name) => !(name in fn.environment));
  if (unknown.length > 0)
    throw new Error(
      `${fn.logicalId}: the template sets no ${unknown.join(', ')}; only its variables can be replaced`,
    );
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    const local = replacements[name] ?? resolveValue(value, template, resolveRef);
    if (local === undefined)
      throw new Error(
        `${fn.logicalId}: no local value for ${name} = ${JSON.stringify(value)}; give the function's check a ` +
          'stand-in for it (`standIns`, test/artifacts/function-checks.ts), or teach ' +
          'test/artifacts/support/local-resources.ts to resolve it',
      );
    resolved[name] = local;
  }
  return resolved;
}

function resolveValue(
  value: TemplateValue,
  template: Template,
  resolveRef: (logicalId: string, resource: TemplateResource) => string | undefined,
): string | undefined {
  if (typeof value !== 'object') return String(value);
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== 'Ref' || typeof value.Ref !== 'string') return undefined;
  const resource = template.Resources[value.Ref];
  return resource ? resolveRef(value.Ref, resource) : undefined;
}

export async function provisionLocalResources(
  assembly: CloudAssembly,
  endpoint: string,
): Promise<LocalResources> {
  const client = new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials });
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const streams = createStreamsClient(endpoint);
  const run = randomUUID().slice(0, 8);
  const tables = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(assembly.template.Resources)) {
    if (!TABLE_TYPES.includes(resource.Type)) continue;
    const name = `artifact-${run}-${logicalId}`;
    const { input, timeToLiveAttribute } = createTableInput(name, resource);
    await client.send(new CreateTableCommand(input));
    if (timeToLiveAttribute) await ensureTimeToLive(client, name, timeToLiveAttribute);
    tables.set(logicalId, name);
  }
  const tableName = (logicalId: string) => {
    const name = tables.get(logicalId);
    if (!name) throw new Error(`the template has no table ${logicalId}`);
    return name;
  };
  return {
    endpoint,
    client,
    documentClient,
    streams,
    tableName,
    environmentOf: (fn, replacements = {}) => ({
      ...resolveEnvironment(
        fn,
        assembly.template,
        (logicalId, resource) => (TABLE_TYPES.includes(resource.Type) ? tableName(logicalId) : undefined),
        replacements,
      ),
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    }),
    async drop() {
      for (const name of tables.values()) await client.send(new DeleteTableCommand({ TableName: name }));
      streams.destroy();
      documentClient.destroy();
      client.destroy();
    },
  };
}
