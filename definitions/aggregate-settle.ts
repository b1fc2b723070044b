import { SETTLE_QUEUE_URL_VARIABLE } from './function-settings';
import { serviceFunctions } from './service-functions';

/**
 * How long a write takes, at the most, to reach the index the recomputes read (DynamoDB's global
 * secondary indexes typically lag their table by well under a second): a read that starts at T
 * holds every write made before T − INDEX_SETTLE_MS.
 */
export const INDEX_SETTLE_MS = 60_000;

const MAX_BATCHING_WINDOW_SECONDS = 10;

/**
 * The settle queue (docs/read-api.md, "Daily aggregates"): every day the aggregate function
 * recomputes from the stream is recomputed once more when the index has settled, so two
 * recomputes that raced each other on a lagging index cannot leave the day wrong. The stack builds
 * the SQS queue, its dead-letter queue and the function's event source from these settings; the
 * local runtime's in-process queue applies the same ones.
 */
export const aggregateSettleQueue = {
  /** The variable the aggregate function reads the queue's URL from (the stack and the local runtime set it). */
  queueUrlVariable: SETTLE_QUEUE_URL_VARIABLE,
  /**
   * How long a message waits before it is delivered (the queue's delivery delay): the index has
   * settled for every write the recompute that sent it knew of. So a day's aggregate is final at
   * most this long (plus the batching window) after its last change was recomputed.
   */
  deliveryDelaySeconds: INDEX_SETTLE_MS / 1000,
  /** Settle messages per invocation: the same day queued by several stream batches is recomputed once. */
  batchSize: 100,
  /** Up to this long to fill a batch (SQS requires ≥ 1 s for a batch size above 10). */
  maxBatchingWindowSeconds: MAX_BATCHING_WINDOW_SECONDS,
  /** Deliveries of a message before it goes to the dead-letter queue (an alarm fires). */
  maxReceiveCount: 5,
  /**
   * How long a delivered message stays invisible: AWS asks for six times the function's timeout
   * plus the batching window, so a message is never redelivered while an invocation still holds it.
   */
  visibilityTimeoutSeconds: 6 * serviceFunctions.dailyAggregates.timeoutSeconds + MAX_BATCHING_WINDOW_SECONDS,
} as const;
