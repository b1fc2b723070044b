import { AuditKeysStore } from '../audit/audit-keys-store';
import { UserRefs } from '../audit/user-refs';
import { serviceFunctions } from '../../definitions/service-functions';
import { loadSettings } from '../commons/config';
import { createDocumentClient } from '../commons/dynamodb-client';
import { createLogger } from '../commons/logger';
import { createAuditStreamHandler } from './create-audit-stream-handler';

/**
 * Lambda entry: wiring only, done once per cold start. The audit function never touches the
 * measurements table's items; it reads and creates the users' keys in the audit-keys table.
 */
const config = loadSettings(serviceFunctions.auditStream);

export const handler = createAuditStreamHandler({
  logger: createLogger(),
  userRefs: new UserRefs(new AuditKeysStore(createDocumentClient(config), config.AUDIT_KEYS_TABLE_NAME)),
});
