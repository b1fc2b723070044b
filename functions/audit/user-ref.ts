import { createHmac, randomBytes } from 'node:crypto';

/**
 * The audit trail's pseudonym of a user (docs/audit-trail.md, "The pseudonym"):
 * HMAC-SHA-256 of the user id under that user's own random key, base64url, cut to 22 characters
 * (132 bits: a collision among even a billion users has odds below 10^-21). Without the key the
 * reference says nothing about the id; once the key is deleted nothing can recompute it.
 */
export const USER_REF_LENGTH = 22;

/** A new per-user key: 32 random bytes, base64url (as the audit-keys table stores it). */
export function newAuditKey(): string {
  return randomBytes(32).toString('base64url');
}

export function deriveUserRef(userId: string, key: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64url'))
    .update(userId, 'utf8')
    .digest('base64url')
    .slice(0, USER_REF_LENGTH);
}
