/**
 * The audit-keys table, described once (stack, local runtime, audit function, operator tools).
 *
 * One item per user who has been audited: a random 256-bit key under which the audit trail's
 * pseudonym of that user (`userRef`, an HMAC of the user id) is derived. The audit function reads
 * a user's key and creates it on first use; `npm run audit-ref` reads it; `npm run erase-user`
 * deletes it, after which nothing links the trail's events to the person (crypto-shredding).
 * Point-in-time recovery stays off on this table: a deleted key must really be gone.
 */
export const auditKeysTable = {
  /** The user id, as the measurements table's keys spell it. */
  partitionKey: 'userId',
  /** The key: 32 random bytes, base64url. */
  keyAttribute: 'key',
  /** When the key was created (ISO 8601), for operators; never part of the derivation. */
  createdAtAttribute: 'createdAt',
  /** The stack output that names the table, read by the operator tools' `--stack`. */
  outputName: 'AuditKeysTableName',
} as const;
