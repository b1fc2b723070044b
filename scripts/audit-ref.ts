import { AuditKeysStore } from '../functions/audit/audit-keys-store';
import { deriveUserRef } from '../functions/audit/user-ref';
import { main, userIdOption, type OperatorTool } from './cli/operator-cli';

/**
 * `npm run audit-ref -- --user <id> …`: the `userRef` the audit trail names a user by
 * (docs/audit-trail.md, "Finding a user's events"), to paste into the saved queries. It only reads
 * the user's key (one GetItem): a user who has none — never audited, or erased — has no userRef,
 * and it says so instead of creating one. One JSON line on standard output; never the key, never
 * the user id.
 */
const auditRefTool: OperatorTool<{ readonly userId: string }> = {
  command: 'audit-ref',
  synopsis: '--user <user id>',
  help: [
    'Prints the audit trail’s pseudonym of the user as one JSON line on standard output:',
    '  {"userRef":"<22 characters>","keyCreatedAt":"<ISO 8601>"}, or {"userRef":null} when the user has no key',
    '  (never audited, or erased). It reads the user’s audit key and never creates one.',
  ],
  tables: ['auditKeys'],
  options: { user: { type: 'string' } },
  parse: userIdOption,
  async run({ options, tables, documents, progress }) {
    const record = await new AuditKeysStore(documents, tables.auditKeys).getKeyRecord(options.userId);
    if (record === undefined) {
      progress.note('The user has no audit key: never audited, or erased. No event names them now.');
      return { summary: { userRef: null }, exitCode: 0 };
    }
    return {
      summary: { userRef: deriveUserRef(options.userId, record.key), keyCreatedAt: record.createdAt },
      exitCode: 0,
    };
  },
};

main(auditRefTool);
