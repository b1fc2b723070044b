import type { BatchAnswer } from './batch-client';
import type { CapturedLogs } from './captured-logs';

/** One element of a batch answer's `entries`. */
export interface AnsweredEntry {
  readonly index: number;
  readonly status: 'inserted' | 'updated' | 'duplicate' | 'failed' | 'skipped';
  readonly id?: string;
  readonly reason?: string;
}

const STORED = new Set(['inserted', 'updated', 'duplicate']);
const URL_SAFE = /^[A-Za-z0-9_-]+$/;

/** The success payload's keys, in the contract's order (docs/batch-api.md, "The answer"). */
export const BATCH_PAYLOAD_KEYS = [
  'processed',
  'inserted',
  'updated',
  'duplicates',
  'failed',
  'skipped',
  'entries',
];

/**
 * What the phone checks before it trusts a payload (docs/batch-api.md, "The answer"): the keys in order,
 * exactly one entry per posted index in order, counts that are the statuses and add up to
 * `processed`, `skipped` mirroring the skipped entries as `{index, reason}`, a URL-safe id on
 * every stored outcome and on no other, and a reason on every failure and skip.
 */
export function expectValidBatchPayload(data: any, postedCount: number): AnsweredEntry[] {
  expect(Object.keys(data)).toEqual(BATCH_PAYLOAD_KEYS);
  const entries = data.entries as AnsweredEntry[];
  expect(entries.map((entry) => entry.index)).toEqual(Array.from({ length: postedCount }, (_, i) => i));
  const count = (status: AnsweredEntry['status']) =>
    entries.filter((entry) => entry.status === status).length;
  expect({
    processed: data.processed,
    inserted: data.inserted,
    updated: data.updated,
    duplicates: data.duplicates,
    failed: data.failed,
  }).toEqual({
    processed: postedCount,
    inserted: count('inserted'),
    updated: count('updated'),
    duplicates: count('duplicate'),
    failed: count('failed'),
  });
  expect(data.skipped).toEqual(
    entries
      .filter((entry) => entry.status === 'skipped')
      .map((entry) => ({ index: entry.index, reason: entry.reason })),
  );
  expect(data.inserted + data.updated + data.duplicates + data.failed + data.skipped.length).toBe(
    data.processed,
  );
  const malformed = entries.filter((entry) =>
    STORED.has(entry.status)
      ? typeof entry.id !== 'string' || !URL_SAFE.test(entry.id)
      : 'id' in entry || typeof entry.reason !== 'string' || entry.reason.length === 0,
  );
  expect(malformed).toEqual([]);
  return entries;
}

/**
 * A whole 200 answer: the envelope, a valid payload, and `Cache-Control: private, no-store`
 * exactly when something failed.
 */
export function expectValidBatchAnswer(answer: BatchAnswer, postedCount: number): AnsweredEntry[] {
  expect(answer.status).toBe(200);
  expect(Object.keys(answer.body)).toEqual(['data', 'error']);
  expect(answer.body.error).toBeNull();
  const entries = expectValidBatchPayload(answer.body.data, postedCount);
  expect(answer.headers['cache-control']).toBe(answer.body.data.failed > 0 ? 'private, no-store' : undefined);
  return entries;
}

/** The request's one `measurement.batch.ingest` line carries the answer's own counts. */
export function expectIngestSummaryMatches(logs: CapturedLogs, requestId: string, answer: BatchAnswer): void {
  const data = answer.body.data;
  const lines = logs.events('measurement.batch.ingest').filter((line) => line.requestId === requestId);
  expect(lines).toHaveLength(1);
  const skippedByReason: Record<string, number> = {};
  for (const { reason } of data.skipped as { reason: string }[]) {
    skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
  }
  const failedByReason: Record<string, number> = {};
  for (const { status, reason } of data.entries as { status: string; reason: string }[]) {
    if (status === 'failed') failedByReason[reason] = (failedByReason[reason] ?? 0) + 1;
  }
  expect(lines[0]).toMatchObject({
    processed: data.processed,
    inserted: data.inserted,
    updated: data.updated,
    duplicates: data.duplicates,
    failed: data.failed,
    skipped: data.skipped.length,
  });
  expect(lines[0]!.skippedByReason).toEqual(skippedByReason);
  expect(lines[0]!.failedByReason).toEqual(failedByReason);
}
