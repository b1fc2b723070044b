import { setMaxListeners } from 'node:events';
import type { BatchEntry } from './batch-schema';
import { mapWithConcurrency } from '../../commons/bounded-concurrency';
import type { PlausibleRange } from '../model/healthkit-types';
import type { Measurement } from '../model/measurement';
import type { MeasurementWriter, WriteOutcome } from './measurement-writer';
import type { SkipReason } from '../../../definitions/skip-reasons';
import { planEntry } from './plan-entry';

/** What happened to one posted entry; `index` is its position in the request. */
export type EntryOutcome =
  | { readonly index: number; readonly status: 'inserted' | 'updated'; readonly id: string }
  | {
      readonly index: number;
      readonly status: 'duplicate';
      readonly reason?: 'superseded_in_batch';
      readonly id: string;
    }
  | { readonly index: number; readonly status: 'failed'; readonly reason: string }
  | {
      readonly index: number;
      readonly status: 'skipped';
      readonly reason: SkipReason;
      readonly convertedValue?: number;
      readonly range?: PlausibleRange & { readonly unit: string };
    };

/** The success payload of the batch endpoint, keys in the order the phone checks (docs/batch-api.md, "The answer"). */
export interface BatchResult {
  readonly processed: number;
  readonly inserted: number;
  readonly updated: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly skipped: ReadonlyArray<{ readonly index: number; readonly reason: SkipReason }>;
  readonly entries: readonly EntryOutcome[];
}

/** An entry's fate once steps 1–6 ran: skipped, a repeat decided inside the batch, or a write. */
export type PlannedEntry =
  | (EntryOutcome & { readonly status: 'skipped' | 'duplicate' })
  | { readonly index: number; readonly status: 'write'; readonly measurement: Measurement };

/**
 * Steps 1–6 of docs/batch-api.md ("The per-entry pipeline"). In-batch repeats of one row: for `stats:` rows the
 * last entry wins (it is the freshest total), for samples the first one does (samples are
 * write-once); every other copy is a `duplicate` carrying the winning row's id.
 */
export function planBatch(entries: readonly BatchEntry[], now: Date): PlannedEntry[] {
  const verdicts = entries.map((entry) => planEntry(entry, now));
  const winner = new Map<string, number>();
  verdicts.forEach((verdict, index) => {
    if (verdict.action !== 'store') return;
    const { id, kind } = verdict.measurement;
    if (kind === 'stats' || !winner.has(id)) winner.set(id, index);
  });
  return verdicts.map((verdict, index): PlannedEntry => {
    if (verdict.action === 'skip') {
      const { reason, convertedValue, range } = verdict;
      return convertedValue === undefined
        ? { index, status: 'skipped', reason }
        : { index, status: 'skipped', reason, convertedValue, range };
    }
    const { id, kind } = verdict.measurement;
    if (winner.get(id) === index) return { index, status: 'write', measurement: verdict.measurement };
    return kind === 'stats'
      ? { index, status: 'duplicate', reason: 'superseded_in_batch', id }
      : { index, status: 'duplicate', id };
  });
}

export function summarize(entries: readonly EntryOutcome[]): BatchResult {
  const count = (status: EntryOutcome['status']) => entries.filter((entry) => entry.status === status).length;
  const skipped = entries.flatMap((entry) =>
    entry.status === 'skipped' ? [{ index: entry.index, reason: entry.reason }] : [],
  );
  return {
    processed: entries.length,
    inserted: count('inserted'),
    updated: count('updated'),
    duplicates: count('duplicate'),
    failed: count('failed'),
    skipped,
    entries,
  };
}

export function countSkippedByReason(result: BatchResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { reason } of result.skipped) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

/**
 * How many entries failed for which reason (the AWS error name, `TimeoutError`, a network error
 * code, `deadline_exceeded`, `write_failed`): what an operator reads when the failed-entries
 * alarm fires.
 */
export function countFailedByReason(result: BatchResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of result.entries) {
    if (entry.status === 'failed') counts[entry.reason] = (counts[entry.reason] ?? 0) + 1;
  }
  return counts;
}

export interface IngestBatchInput {
  readonly userId: string;
  readonly requestId: string;
  readonly entries: readonly BatchEntry[];
  readonly now: Date;
  /** Epoch ms after which no write may start: the function's own deadline minus a safety margin. */
  readonly deadlineAt: number;
}

export interface IngestBatchDependencies {
  readonly writer: MeasurementWriter;
  readonly writeConcurrency: number;
  readonly clock?: () => number;
}

/**
 * The ingest use case: plan every entry, write the winners with bounded concurrency, and answer
 * exactly one outcome per posted entry. A write that has not started by the deadline is
 * `failed` / `deadline_exceeded` (the phone re-sends it); writes in flight at the deadline are
 * aborted, so the answer always leaves the function in time.
 */
export async function ingestBatch(
  input: IngestBatchInput,
  deps: IngestBatchDependencies,
): Promise<BatchResult> {
  const clock = deps.clock ?? Date.now;
  const planned = planBatch(input.entries, input.now);
  const writtenAt = input.now.toISOString();
  const deadline = new AbortController();
  // Every write in flight listens on this one signal (the SDK removes its listener when the
  // request closes). Above 10 listeners Node would print a leak warning on every batch.
  setMaxListeners(0, deadline.signal);
  // setTimeout overflows past 2^31-1 ms and would fire at once; a Lambda deadline is far below it.
  const delay = Math.min(Math.max(0, input.deadlineAt - clock()), 2 ** 31 - 1);
  const timer = setTimeout(() => deadline.abort(), delay);
  const failedWrites = new Map<string, string>();
  try {
    const outcomes = await mapWithConcurrency(
      planned,
      deps.writeConcurrency,
      async (entry): Promise<EntryOutcome> => {
        if (entry.status !== 'write') return entry;
        const { index, measurement } = entry;
        const outcome: WriteOutcome =
          deadline.signal.aborted || clock() >= input.deadlineAt
            ? { status: 'failed', reason: 'deadline_exceeded' }
            : await deps.writer
                .writeMeasurement(
                  { userId: input.userId, requestId: input.requestId, writtenAt, measurement },
                  { abortSignal: deadline.signal },
                )
                // A writer that throws instead of answering must not take the other entries down.
                .catch((): WriteOutcome => ({ status: 'failed', reason: 'write_failed' }));
        switch (outcome.status) {
          case 'inserted':
          case 'updated':
            return { index, status: outcome.status, id: measurement.id };
          case 'duplicate':
            return { index, status: 'duplicate', id: outcome.id };
          case 'failed':
            failedWrites.set(measurement.id, outcome.reason);
            return { index, status: 'failed', reason: outcome.reason };
        }
      },
    );
    // An in-batch repeat answered `duplicate` tells the phone its row is stored; when the winning
    // copy's write failed that would be untrue, so the repeat fails alike and is re-sent too.
    return summarize(
      outcomes.map((outcome): EntryOutcome => {
        const reason = outcome.status === 'duplicate' ? failedWrites.get(outcome.id) : undefined;
        const isRepeat = planned[outcome.index]?.status === 'duplicate';
        return reason !== undefined && isRepeat
          ? { index: outcome.index, status: 'failed', reason }
          : outcome;
      }),
    );
  } finally {
    clearTimeout(timer);
  }
}
