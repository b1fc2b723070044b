import { INDEX_SETTLE_MS } from '../../../definitions/aggregate-settle';
import { mapWithConcurrency } from '../../commons/bounded-concurrency';
import type {
  AggregateDay,
  AggregateVersion,
  AggregateWrite,
  DailyAggregateStore,
  SettleRequest,
} from './aggregate-store';
import { aggregateDayKey, storeDayAggregate, versionAsOf, type RecomputeOutcome } from './recompute-days';

/**
 * Settling a day: recomputing it once more after the index has settled. The stream's recompute
 * reads the day's rows from an index that may lag, and two recomputes of one day (its rows'
 * records arrive on several shards) can tie on their version while one of them read less — then
 * whichever lands last stays. So every day the stream recomputes is queued once more, delivered
 * after the settle time (definitions/aggregate-settle.ts), and recomputed from the settled index
 * alone. That read holds every write the queuing recompute knew of, and every write older than
 * INDEX_SETTLE_MS, so it claims the higher of the two versions: it replaces an aggregate that tied
 * with it, and never one computed after a later write (whose own settle follows).
 */

/** The settle recompute every recomputed day asks for. A failed day is retried from its records instead. */
export function settleRequests(outcomes: readonly RecomputeOutcome[]): SettleRequest[] {
  return outcomes.flatMap((outcome) =>
    outcome.result === 'failed' ? [] : [{ day: outcome.day, version: outcome.version }],
  );
}

/** A settle message as delivered: its id (to redeliver it when its day fails) and what it asks for. */
export interface DeliveredSettle {
  readonly id: string;
  readonly request: SettleRequest;
}

export type SettleOutcome =
  | { readonly day: AggregateDay; readonly result: AggregateWrite; readonly messageIds: readonly string[] }
  | {
      readonly day: AggregateDay;
      readonly result: 'failed';
      readonly messageIds: readonly string[];
      readonly error: unknown;
    };

/**
 * Recomputes each day the messages name once (several stream batches may have queued the same
 * day), from the index alone, claiming the highest version its messages carry or the settle
 * floor, whichever is higher.
 */
export async function settleDays(
  messages: readonly DeliveredSettle[],
  deps: {
    readonly store: DailyAggregateStore;
    readonly concurrency: number;
    readonly now: () => Date;
  },
): Promise<SettleOutcome[]> {
  const days = new Map<string, { day: AggregateDay; version: AggregateVersion; messageIds: string[] }>();
  for (const { id, request } of messages) {
    const key = aggregateDayKey(request.day);
    const known = days.get(key);
    if (!known) {
      days.set(key, { day: request.day, version: request.version, messageIds: [id] });
      continue;
    }
    known.messageIds.push(id);
    if (request.version > known.version) known.version = request.version;
  }
  return mapWithConcurrency<
    { day: AggregateDay; version: AggregateVersion; messageIds: string[] },
    SettleOutcome
  >([...days.values()], deps.concurrency, async ({ day, version, messageIds }) => {
    try {
      // Taken before the read starts: the read then holds every write older than the floor.
      const floor = versionAsOf(new Date(deps.now().getTime() - INDEX_SETTLE_MS));
      const rows = await deps.store.readDayRows(day);
      const { result } = await storeDayAggregate(deps.store, day, rows, {
        versionFloor: floor > version ? floor : version,
        // A day left without rows keeps no aggregate unless one is there to clear: a settle
        // arriving after a user's erasure recreates nothing of theirs.
        createEmpty: false,
      });
      return { day, result, messageIds };
    } catch (error) {
      return { day, result: 'failed', messageIds, error };
    }
  });
}
