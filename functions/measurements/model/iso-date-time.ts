/**
 * Strict ISO-8601 date-times as the phone sends them: `YYYY-MM-DDTHH:MM[:SS[.fff…]]` followed by
 * `Z` or `±HH:MM`. Rejected on purpose: lower-case `z`, no zone, `+0200`, `+02`, and impossible
 * calendar dates such as `2026-02-30` (which `Date.parse` would silently roll over).
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instant the string denotes, or `undefined` when it is not a strict ISO-8601 date-time. */
export function parseIsoDateTime(text: string): Date | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone, sign, oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (zone !== 'Z' && (offsetHours > 23 || offsetMinutes > 59)) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - offset, second, millis);
  return utc;
}

export function isIsoDateTime(text: string): boolean {
  return parseIsoDateTime(text) !== undefined;
}
