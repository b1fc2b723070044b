import type {
  AggregateDay,
  AggregateSettleQueue,
  AggregateVersion,
  DailyAggregateStore,
  SettleRequest,
  UnqueuedSettle,
} from '../../functions/measurements/aggregates/aggregate-store';
import type { StoredMeasurement } from '../../functions/measurements/model/measurement';
import type { DailyAggregate } from '../../functions/measurements/summaries/daily-aggregate';

/**
 * The aggregate store's port in memory, with the conditional put's rule (an aggregate is replaced
 * unless the stored one claims a higher version). `indexed` is what the index answers: a test
 * sets it to a stale view to play a lagging index.
 */
export class MemoryAggregateStore implements DailyAggregateStore {
  indexed: StoredMeasurement[] = [];
  readonly stored = new Map<string, { aggregate: DailyAggregate | null; version: AggregateVersion }>();
  readonly reads: AggregateDay[] = [];
  failReadsOf?: string;

  async readDayRows(day: AggregateDay): Promise<readonly StoredMeasurement[]> {
    this.reads.push(day);
    if (day.day === this.failReadsOf) throw new Error('ProvisionedThroughputExceededException');
    return this.indexed.filter(
      (row) =>
        row.userId === day.userId &&
        row.type === day.type &&
        row.measuredAt.startsWith(day.day) &&
        row.deletedAt === undefined,
    );
  }

  async writeAggregate(
    day: AggregateDay,
    aggregate: DailyAggregate | null,
    version: AggregateVersion,
    options: { readonly replaceOnly?: boolean } = {},
  ) {
    const key = `${day.userId}#${day.type}#${day.day}`;
    const stored = this.stored.get(key);
    if (stored ? stored.version > version : options.replaceOnly) return 'superseded' as const;
    this.stored.set(key, { aggregate, version });
    return 'written' as const;
  }

  storedOf(userId: string, day: string, type = 'PULSE') {
    return this.stored.get(`${userId}#${type}#${day}`);
  }
}

/** A settle queue in memory: keeps what it is asked to queue, or refuses the days it is told to. */
export class MemorySettleQueue implements AggregateSettleQueue {
  readonly requests: SettleRequest[] = [];
  refuseDays = new Set<string>();

  async schedule(requests: readonly SettleRequest[]): Promise<readonly UnqueuedSettle[]> {
    const refused = requests.filter((request) => this.refuseDays.has(request.day.day));
    this.requests.push(...requests.filter((request) => !refused.includes(request)));
    return refused.map((request) => ({ request, reason: 'ServiceUnavailable: try again' }));
  }
}
