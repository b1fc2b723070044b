import type {
  MeasurementWriter,
  WriteOutcome,
  WriteRequest,
} from '../functions/measurements/batch/measurement-writer';
import { toMeasurementItem } from '../functions/measurements/storage/measurement-item';

/**
 * The repository with DynamoDB replaced by a Map: it still builds the item exactly as the
 * repository does (so that CPU is counted), and answers with the storage semantics of
 * docs/batch-api.md, "Storage semantics" (stats upserted, samples write-once).
 */
export class InMemoryWriter implements MeasurementWriter {
  constructor(private readonly items: Map<string, Record<string, unknown>> = new Map()) {}

  /** A writer holding a copy of `items`, so every run starts from the same state. */
  fork(): InMemoryWriter {
    return new InMemoryWriter(new Map(this.items));
  }

  async writeMeasurement(request: WriteRequest): Promise<WriteOutcome> {
    const item = toMeasurementItem(request);
    const key = item.pk as string;
    const existing = this.items.get(key);
    if (request.measurement.kind === 'stats') {
      this.items.set(key, item);
      return existing ? { status: 'updated' } : { status: 'inserted' };
    }
    if (existing) return { status: 'duplicate', id: existing.id as string };
    this.items.set(key, item);
    return { status: 'inserted' };
  }
}
