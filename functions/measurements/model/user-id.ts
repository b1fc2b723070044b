import { isWellFormedText } from './field-schemas';

/** Longest user id a key may carry; HealthLog's cuids and identity providers' `sub`s are far shorter. */
export const MAX_USER_ID_LENGTH = 256;

/**
 * A user id can be part of a key only if it is 1–256 characters, cannot be confused with the key
 * separator `#`, and is well-formed Unicode: UTF-8 (DynamoDB, the logs) turns a lone surrogate
 * into U+FFFD, so two ids differing only in one would share every row. Anything else is no user.
 */
export function isUsableUserId(userId: string): boolean {
  return (
    userId.length > 0 &&
    userId.length <= MAX_USER_ID_LENGTH &&
    !userId.includes('#') &&
    isWellFormedText(userId)
  );
}
