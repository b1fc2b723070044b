import { parseArgs } from 'node:util';
import { AuditKeysStore } from '../functions/audit/audit-keys-store';
import { deriveUserRef } from '../functions/audit/user-ref';
import { createDynamoDbClient, documentClientOver } from '../functions/commons/dynamodb-client';
import { isUsableUserId } from '../functions/measurements/model/user-id';
import { localTableNames } from '../local/create-tables';
import { localCredentials, localRegion } from '../local/dynamodb-local';

/**
 * `npm run audit-ref -- --user <id> …`: the `userRef` the audit trail names a user by
 * (docs/audit-trail.md, "Finding a user's events"), to paste into the saved queries. It only reads
 * the user's key (one GetItem): a user who has none — never audited, or erased — has no userRef,
 * and it says so instead of creating one. Against AWS it uses the SDK's usual credentials and
 * region; with `--local`, the tables of a running `npm start`.
 * One JSON line on standard output; exits 0 when it could tell (a userRef or none), 1 when
 * DynamoDB failed after the SDK's retries, 2 on a usage error. It never prints the key.
 */
const USAGE = [
  'Usage: npm run audit-ref -- --user <user id> (--audit-keys-table <table> | --local) [--endpoint <url>]',
  '',
  "Prints the audit trail's pseudonym of the user as one JSON line on standard output:",
  '  {"userRef":"<22 characters>","keyCreatedAt":"<ISO 8601>"}, or {"userRef":null} when the user has no key',
  '  (never audited, or erased). The audit-keys table is the stack output AuditKeysTableName.',
  'Exit codes: 0 answered, 1 DynamoDB failed, 2 usage error. --help prints this.',
].join('\n');

interface AuditRefOptions {
  readonly userId: string;
  readonly table: string;
  readonly endpoint?: string;
  readonly local: boolean;
}

/** The options, `'help'`, or the usage error to print. */
function parseAuditRefArgs(argv: readonly string[]): AuditRefOptions | 'help' | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        user: { type: 'string' },
        'audit-keys-table': { type: 'string' },
        local: { type: 'boolean', default: false },
        endpoint: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return 'help';
  const local = values.local === true;
  const table = values['audit-keys-table'];
  if (local && table !== undefined)
    return '--local uses the local audit-keys table: leave out --audit-keys-table.';
  if (!local && !table)
    return 'Name the audit-keys table (--audit-keys-table, the stack output AuditKeysTableName), or give --local.';
  if (values.user === undefined) return 'Name the user (--user).';
  if (!isUsableUserId(values.user))
    return 'That cannot be a user id (1–256 characters of well-formed text, no #).';
  const endpoint =
    values.endpoint ?? (local ? `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? '8000'}` : undefined);
  return {
    userId: values.user,
    table: local ? localTableNames.auditKeys : table!,
    ...(endpoint ? { endpoint } : {}),
    local,
  };
}

async function main(): Promise<number> {
  const options = parseAuditRefArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}\n`);
    return 2;
  }
  if (options.local) {
    // DynamoDB Local takes any credentials in its own region; never the operator's AWS ones.
    Object.assign(process.env, {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  }
  const client = createDynamoDbClient({
    DYNAMODB_ENDPOINT: options.endpoint,
    DYNAMODB_MAX_ATTEMPTS: 5,
    DYNAMODB_REQUEST_TIMEOUT_MS: 5000,
    WRITE_CONCURRENCY: 1,
  });
  try {
    const record = await new AuditKeysStore(documentClientOver(client), options.table).getKeyRecord(
      options.userId,
    );
    if (record === undefined) {
      process.stderr.write('The user has no audit key: never audited, or erased. No event names them now.\n');
      process.stdout.write(`${JSON.stringify({ userRef: null })}\n`);
    } else {
      const userRef = deriveUserRef(options.userId, record.key);
      process.stdout.write(`${JSON.stringify({ userRef, keyCreatedAt: record.createdAt })}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`The audit key could not be read: ${describe(error)}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

// The SDK's errors name the table and the failure, never the key's contents.
const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`audit-ref stopped: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
