/** A user id can be part of a key only if it cannot be confused with the separator. */
export function isUsableUserId(userId: string): boolean {
  return userId.length > 0 && userId.length <= 256 && !userId.includes('#');
}
