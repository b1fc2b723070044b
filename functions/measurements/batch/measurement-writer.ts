import type { Measurement } from '../model/measurement';

/** The result of one write, as DynamoDB acknowledged it. */
export type WriteOutcome =
  | { readonly status: 'inserted' }
  | { readonly status: 'updated' }
  /** A sample already stored under this key; `id` is the existing row's id. */
  | { readonly status: 'duplicate'; readonly id: string }
  | { readonly status: 'failed'; readonly reason: string };

export interface WriteRequest {
  readonly userId: string;
  readonly requestId: string;
  readonly writtenAt: string;
  readonly measurement: Measurement;
}

/** The port the ingest use case writes through (storage/table-measurement-writer.ts implements it). */
export interface MeasurementWriter {
  writeMeasurement(request: WriteRequest, options?: { abortSignal?: AbortSignal }): Promise<WriteOutcome>;
}
