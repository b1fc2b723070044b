import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditStreamSource } from '../definitions/audit-stream';
import type { StreamConsumerSource } from '../definitions/stream-consumers';
import { engineUnreachableReason, localCredentials, localRegion } from './dynamodb-local';
import {
  createStreamsClient,
  latestStreamArn,
  listShards,
  readShardPage,
  recordsToRetry,
  shardIterator,
  toLambdaStreamRecord,
  type ShardPosition,
} from './dynamodb-stream';
import { matchesAnyFilterPattern } from './filter-pattern';
import { invoke, type LocalFunction } from './lambda-context';
import type { RuntimeLog } from './runtime-log';

/** The event source mapping settings the reader applies (`auditStreamSource` satisfies it). */
/**
 * The mapping settings the reader applies. Where it starts is its own rule (checkpoints, else the
 * oldest record), and it reads one shard at a time, so those two settings do not apply here.
 */
export type StreamSource = Omit<StreamConsumerSource, 'startingPosition' | 'parallelizationFactor'>;

export interface StreamPollerOptions {
  readonly endpoint: string;
  readonly tableName: string;
  /** The function the mapping invokes (the audit or the daily-aggregate function). */
  readonly consumer: LocalFunction;
  /** Where shard checkpoints persist across restarts; none when absent. */
  readonly checkpointPath?: string;
  readonly log: RuntimeLog;
  readonly source?: StreamSource;
  /** Pause between reads of a shard that had nothing new. */
  readonly pollIntervalMs?: number;
  /** How often the stream is asked for new shards. */
  readonly shardDiscoveryIntervalMs?: number;
}

export interface StreamPoller {
  /** The name of the function it feeds. */
  readonly consumer: string;
  /** Stops reading; a batch in flight may finish (for a few seconds at most) and is checkpointed. */
  stop(): Promise<void>;
}

/** Where one consumer's shard checkpoints persist (the audit function's keeps its original name). */
export function streamCheckpointPath(dataDirectory: string, consumer = 'auditStream'): string {
  return join(
    dataDirectory,
    consumer === 'auditStream' ? 'stream-checkpoints.json' : `stream-checkpoints-${consumer}.json`,
  );
}

interface CheckpointFile {
  readonly streamArn: string;
  /** Per shard, the sequence number of the last record handled (delivered, filtered out or skipped). */
  readonly shards: Record<string, string>;
}

const STOP_GRACE_MS = 5000;
/**
 * How long the engine must stay unreachable before the reader says so: a blip the next read
 * survives is not worth a line, and when the engine is gone for good the runtime notices its
 * exit first and stops the readers (one line, not one per reader).
 */
const UNREACHABLE_REPORT_AFTER_MS = 2000;

/**
 * The local event source mapping: reads the table's stream shard by shard and invokes the audit
 * function with the settings the stack's mapping is built from (`auditStreamSource`): the
 * filter patterns, the batch size and batching window, ReportBatchItemFailures (checkpoint
 * before the lowest failed record, retry from there), bisection of a batch that throws, the
 * retry limit after which records are skipped, and the maximum record age.
 *
 * Where it starts: a shard it has a checkpoint for (in `.local/stream-checkpoints.json`) after
 * that checkpoint, any other shard at its oldest record (the stack's TRIM_HORIZON). So a
 * restart neither repeats audit events already logged nor loses the ones written while it was
 * down, as an event source mapping resumes after a pause.
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const source: StreamSource = options.source ?? auditStreamSource;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const discoveryIntervalMs = options.shardDiscoveryIntervalMs ?? 1000;
  const { log, consumer } = options;

  const dynamoDb = new DynamoDBClient({
    endpoint: options.endpoint,
    region: localRegion,
    credentials: localCredentials,
  });
  const streams = createStreamsClient(options.endpoint);
  const streamArn = await latestStreamArn(dynamoDb, options.tableName);
  const checkpoints = loadCheckpoints(options.checkpointPath, streamArn);

  let stopped = false;
  const wakeUps = new Set<() => void>();
  /** A pause that `stop()` cuts short. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const wake = () => {
        clearTimeout(timer);
        wakeUps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakeUps.add(wake);
    });

  const readers = new Map<string, Promise<void>>();
  const finished = new Set<string>();

  /** Since when calls to the engine fail on the connection; undefined while it answers. */
  let unreachableSince: number | undefined;
  let unreachableReported = false;
  /**
   * A failed call: a connection fault is an outage of the engine, reported once when it lasts
   * (and its end once); anything else the engine answered is logged as `otherwise`.
   */
  function reportFailure(error: unknown, otherwise: () => void): void {
    const reason = engineUnreachableReason(error);
    if (reason === undefined) return otherwise();
    unreachableSince ??= Date.now();
    if (unreachableReported || Date.now() - unreachableSince < UNREACHABLE_REPORT_AFTER_MS) return;
    unreachableReported = true;
    log('WARN', 'local-runtime.stream.engine-unreachable', {
      function: consumer.definition.id,
      endpoint: options.endpoint,
      reason,
      sinceMs: Date.now() - unreachableSince,
    });
  }
  function engineAnswered(): void {
    if (unreachableReported) {
      log('INFO', 'local-runtime.stream.engine-reachable', {
        function: consumer.definition.id,
        endpoint: options.endpoint,
      });
    }
    unreachableSince = undefined;
    unreachableReported = false;
  }

  function saveCheckpoint(shardId: string, sequenceNumber: string | undefined): void {
    if (!sequenceNumber || checkpoints[shardId] === sequenceNumber) return;
    checkpoints[shardId] = sequenceNumber;
    if (options.checkpointPath) writeCheckpoints(options.checkpointPath, { streamArn, shards: checkpoints });
  }

  /**
   * One batch, as Lambda invokes the function: retried, bisected or skipped by the source's
   * rules. False when stopped before every record was handled (nothing may be checkpointed).
   */
  async function deliver(shardId: string, batch: DynamoDBRecord[]): Promise<boolean> {
    const queue: { records: DynamoDBRecord[]; attempts: number }[] = [
      { records: dropExpired(shardId, batch), attempts: 0 },
    ];
    while (queue.length > 0 && !stopped) {
      const current = queue[0]!;
      if (current.records.length === 0) {
        queue.shift();
        continue;
      }
      const event: DynamoDBStreamEvent = { Records: current.records };
      let retry: DynamoDBRecord[];
      let reason: string;
      try {
        const response = (await invoke(consumer, event)) as DynamoDBBatchResponse | undefined;
        retry = source.reportBatchItemFailures ? recordsToRetry(event, response) : [];
        reason = 'batch item failures';
      } catch (error) {
        if (source.bisectBatchOnError && current.records.length > 1) {
          // Bisection does not use up a retry: each half is tried on its own.
          const half = Math.ceil(current.records.length / 2);
          queue.splice(
            0,
            1,
            { records: current.records.slice(0, half), attempts: current.attempts },
            { records: current.records.slice(half), attempts: current.attempts },
          );
          continue;
        }
        retry = current.records;
        reason = `function error: ${(error as Error).message}`;
      }
      if (retry.length === 0) {
        queue.shift();
        continue;
      }
      const attempts = current.attempts + 1;
      if (attempts > source.retryAttempts) {
        skip(shardId, retry, `${reason}, ${source.retryAttempts} retries exhausted`);
        queue.shift();
        continue;
      }
      queue[0] = { records: dropExpired(shardId, retry), attempts };
      await pause(Math.min(250 * 2 ** (attempts - 1), 5000));
    }
    return queue.length === 0;
  }

  function dropExpired(shardId: string, records: DynamoDBRecord[]): DynamoDBRecord[] {
    const oldest = Date.now() / 1000 - source.maxRecordAgeSeconds;
    const expired = records.filter(
      (record) => (record.dynamodb?.ApproximateCreationDateTime ?? Infinity) < oldest,
    );
    if (expired.length === 0) return records;
    skip(shardId, expired, `older than ${source.maxRecordAgeSeconds} s`);
    return records.filter((record) => !expired.includes(record));
  }

  /** Lambda hands these to the mapping's on-failure destination; here they get one line. */
  function skip(shardId: string, records: DynamoDBRecord[], reason: string): void {
    log('ERROR', 'local-runtime.stream.records-skipped', {
      function: consumer.definition.id,
      shardId,
      reason,
      count: records.length,
      firstSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
      lastSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber,
      eventIds: records.map((record) => record.eventID),
    });
  }

  async function startingIterator(
    shardId: string,
    after = checkpoints[shardId],
  ): Promise<string | undefined> {
    const checkpoint = after;
    const position: ShardPosition = checkpoint
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint }
      : { type: 'TRIM_HORIZON' };
    try {
      return await shardIterator(streams, streamArn, shardId, position);
    } catch (error) {
      // The engine not answering says nothing about the checkpoint: retried by the read loop.
      if (!checkpoint || engineUnreachableReason(error) !== undefined) throw error;
      // The engine refused the position: the checkpointed record has aged out of the stream
      // (24 h), so everything left in the shard is newer and is read from its oldest record.
      log('WARN', 'local-runtime.stream.checkpoint-aged-out', {
        function: consumer.definition.id,
        shardId,
        checkpoint,
        reason: (error as Error).name,
      });
      return shardIterator(streams, streamArn, shardId, { type: 'TRIM_HORIZON' });
    }
  }

  /** Reads one shard to its end (an open shard never ends): batches, invokes, checkpoints. */
  async function readShard(shardId: string): Promise<void> {
    let iterator: string | undefined;
    let lastRead: string | undefined;
    const buffer: DynamoDBRecord[] = [];
    let bufferedSince = 0;
    let open = true;
    let retriedTrimmed = false;
    while (!stopped) {
      try {
        iterator ??= open ? await startingIterator(shardId, lastRead ?? checkpoints[shardId]) : undefined;
        let gotRecords = false;
        if (iterator) {
          const page = await readShardPage(streams, iterator);
          engineAnswered();
          iterator = page.nextIterator;
          if (!iterator) open = false;
          retriedTrimmed = false;
          for (const raw of page.records) {
            gotRecords = true;
            lastRead = raw.dynamodb?.SequenceNumber ?? lastRead;
            const record = toLambdaStreamRecord(raw, streamArn);
            if (!matchesAnyFilterPattern(record, source.filterPatterns)) continue;
            if (buffer.length === 0) bufferedSince = Date.now();
            buffer.push(record);
          }
        } else {
          open = false;
        }

        // Lambda waits until the batch is full or the window has passed; a shard's end flushes.
        while (
          buffer.length >= source.batchSize ||
          (buffer.length > 0 &&
            (!open || Date.now() - bufferedSince >= source.maxBatchingWindowSeconds * 1000))
        ) {
          const batch = buffer.splice(0, source.batchSize);
          if (!(await deliver(shardId, batch))) return;
          saveCheckpoint(shardId, buffer.length === 0 ? lastRead : batch.at(-1)!.dynamodb?.SequenceNumber);
          bufferedSince = Date.now();
        }
        if (buffer.length === 0) saveCheckpoint(shardId, lastRead);
        if (!open && buffer.length === 0) return;
        if (!gotRecords || buffer.length > 0) await pause(pollIntervalMs);
      } catch (error) {
        if (stopped) return;
        if (isTrimmedIterator(error) && !retriedTrimmed) {
          // DynamoDB Local: an iterator taken while the shard was empty reads as "trimmed" once
          // records arrive. Take a new one from where this reader is, keeping what it buffered.
          retriedTrimmed = true;
          iterator = undefined;
          continue;
        }
        // The engine unreachable, an expired iterator or another error of the engine's: start
        // again from the checkpoint.
        reportFailure(error, () =>
          log('WARN', 'local-runtime.stream.read-error', {
            function: consumer.definition.id,
            shardId,
            error,
          }),
        );
        iterator = undefined;
        open = true;
        buffer.length = 0;
        lastRead = undefined;
        await pause(1000);
      }
    }
  }

  function startReaders(shards: Shard[]): void {
    const known = new Set(shards.map((shard) => shard.ShardId!));
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      if (readers.has(shardId)) continue;
      // A child shard waits for its parent, so a row's changes are seen in order.
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !finished.has(parent)) continue;
      readers.set(
        shardId,
        readShard(shardId).finally(() => {
          finished.add(shardId);
          void discover();
        }),
      );
    }
    for (const shardId of Object.keys(checkpoints)) if (!known.has(shardId)) delete checkpoints[shardId];
  }

  let discovering = false;
  async function discover(): Promise<void> {
    if (stopped || discovering) return;
    discovering = true;
    try {
      startReaders(await listShards(streams, streamArn));
      engineAnswered();
    } catch (error) {
      if (!stopped) {
        reportFailure(error, () =>
          log('WARN', 'local-runtime.stream.describe-error', { function: consumer.definition.id, error }),
        );
      }
    } finally {
      discovering = false;
    }
  }

  const discovery = (async () => {
    while (!stopped) {
      await discover();
      await pause(discoveryIntervalMs);
    }
  })();

  return {
    consumer: consumer.name,
    async stop() {
      stopped = true;
      for (const wake of [...wakeUps]) wake();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([discovery, ...readers.values()]),
        new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS))),
      ]);
      clearTimeout(timer);
      streams.destroy();
      dynamoDb.destroy();
    },
  };
}

function isTrimmedIterator(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'TrimmedDataAccessException';
}

function loadCheckpoints(path: string | undefined, streamArn: string): Record<string, string> {
  if (!path) return {};
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;
    // Another stream (the table was recreated): its shards mean nothing here.
    return file.streamArn === streamArn ? { ...file.shards } : {};
  } catch {
    return {};
  }
}

function writeCheckpoints(path: string, file: CheckpointFile): void {
  const temporary = `${path}.${randomUUID()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(temporary, path);
}
