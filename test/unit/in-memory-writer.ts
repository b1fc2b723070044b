/**
 * A fake MeasurementWriter for the pure use-case tests: the storage semantics of
 * docs/batch-api.md ("Storage semantics") over a Map (stats rows upserted, samples write-once), plus
 * instrumentation (calls, maximum writes in flight) and injectable delays and failures.
 */
import type {
  MeasurementWriter,
  WriteOutcome,
  WriteRequest,
} from '../../functions/measurements/batch/measurement-writer';
import type { Measurement } from '../../functions/measurements/model/measurement';
import { measurementId } from '../../functions/measurements/model/measurement-id';
import { measurementKey } from '../../functions/measurements/storage/measurement-key';

export interface StoredRow extends Measurement {
  readonly userId: string;
}

export interface InMemoryWriterOptions {
  /** Awaited inside every write, while it counts as in flight. */
  readonly delay?: (request: WriteRequest, signal?: AbortSignal) => Promise<void>;
  /** Return an outcome to short-circuit the write (e.g. a failure) for chosen requests. */
  readonly intercept?: (request: WriteRequest, signal?: AbortSignal) => WriteOutcome | undefined;
}

export class InMemoryMeasurementWriter implements MeasurementWriter {
  readonly rows = new Map<string, StoredRow>();
  readonly calls: WriteRequest[] = [];
  private inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly options: InMemoryWriterOptions = {}) {}

  /** A row stored before the request (the `given` of a contract example). */
  seed(userId: string, row: { type: string; externalId: string; value: number }): void {
    this.rows.set(measurementKey(userId, row.type, row.externalId), {
      kind: row.externalId.startsWith('stats:') ? 'stats' : 'sample',
      id: measurementId(row.type, row.externalId),
      type: row.type,
      externalId: row.externalId,
      hkIdentifier: '',
      value: row.value,
      valueMin: null,
      valueMax: null,
      unit: '',
      clientUnit: '',
      measuredAt: '',
      startDate: '',
      sleepStage: null,
      rhythmClassification: null,
      source: 'APPLE_HEALTH',
      deviceType: null,
      externalSourceVersion: null,
      userId,
    });
  }

  row(userId: string, type: string, externalId: string): StoredRow | undefined {
    return this.rows.get(measurementKey(userId, type, externalId));
  }

  async writeMeasurement(
    request: WriteRequest,
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<WriteOutcome> {
    this.calls.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await (this.options.delay?.(request, options.abortSignal) ?? Promise.resolve());
      const intercepted = this.options.intercept?.(request, options.abortSignal);
      if (intercepted) return intercepted;
      const { userId, measurement } = request;
      const key = measurementKey(userId, measurement.type, measurement.externalId);
      const existing = this.rows.get(key);
      if (measurement.kind === 'stats') {
        this.rows.set(key, { ...measurement, userId });
        return existing ? { status: 'updated' } : { status: 'inserted' };
      }
      if (existing) return { status: 'duplicate', id: existing.id };
      this.rows.set(key, { ...measurement, userId });
      return { status: 'inserted' };
    } finally {
      this.inFlight -= 1;
    }
  }
}
