/**
 * The table key of a stored measurement: `userId#type#externalId`. `userId` and `type` never
 * contain `#` (user ids with one are refused as no user; types are a fixed list), an externalId
 * may, so a key splits on its first two `#` only.
 */

export function measurementKey(userId: string, type: string, externalId: string): string {
  return `${userId}#${type}#${externalId}`;
}

export function parseMeasurementKey(
  key: string,
): { userId: string; type: string; externalId: string } | undefined {
  const first = key.indexOf('#');
  const second = first < 0 ? -1 : key.indexOf('#', first + 1);
  if (first <= 0 || second <= first + 1) return undefined;
  return {
    userId: key.slice(0, first),
    type: key.slice(first + 1, second),
    externalId: key.slice(second + 1),
  };
}
