import type { FilterPattern } from '../definitions/audit-stream';

/**
 * Lambda event filtering, as the event source mapping applies it to a DynamoDB stream record,
 * for the subset of the pattern language `lib/definitions/audit-stream.ts` uses:
 * - a pattern is an object; every key in it must match (AND);
 * - a nested object matches the record's object at that key (the record must have it);
 * - an array of strings matches when the record's value at that key is one of them (OR), or —
 *   when the record's value is itself an array — when any of its elements is;
 * - the patterns of a mapping are OR-ed, and a mapping without patterns lets everything through.
 *
 * The patterns apply to the record exactly as Lambda delivers it (see `toLambdaStreamRecord`),
 * so images are DynamoDB JSON: `{ dynamodb: { NewImage: { kind: { S: ['stats'] } } } }`.
 * Anything outside the subset (numeric matching, `prefix`, `anything-but`, `exists`, …) throws
 * instead of silently matching differently from the cloud.
 */
export function matchesFilterPattern(record: unknown, pattern: FilterPattern): boolean {
  if (!isObject(record)) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = record[key];
    if (Array.isArray(expected)) return matchesOneOf(actual, expected as readonly unknown[], key);
    if (isObject(expected)) return matchesFilterPattern(actual, expected as FilterPattern);
    throw new UnsupportedFilterPatternError(`the value at "${key}" must be an object or an array`);
  });
}

/** Whether the event source mapping with these filters would deliver the record. */
export function matchesAnyFilterPattern(record: unknown, patterns: readonly FilterPattern[]): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesFilterPattern(record, pattern));
}

export class UnsupportedFilterPatternError extends Error {
  constructor(detail: string) {
    super(`Filter pattern outside the supported subset (exact strings, nested objects): ${detail}`);
    this.name = 'UnsupportedFilterPatternError';
  }
}

function matchesOneOf(actual: unknown, expected: readonly unknown[], key: string): boolean {
  for (const value of expected) {
    if (typeof value !== 'string') {
      throw new UnsupportedFilterPatternError(`"${key}" lists ${JSON.stringify(value)}, not a string`);
    }
  }
  const candidates = Array.isArray(actual) ? actual : [actual];
  return candidates.some((candidate) => typeof candidate === 'string' && expected.includes(candidate));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
