import type { MeasurementKind } from './measurement-key';

/** A measurement the ingest pipeline decided to store: everything the repository writes. */
export interface Measurement {
  readonly kind: MeasurementKind;
  readonly id: string;
  readonly type: string;
  readonly externalId: string;
  readonly hkIdentifier: string;
  readonly value: number;
  readonly valueMin: number | null;
  readonly valueMax: number | null;
  /** The stored unit of the type (healthkit-types.md), not the client's string. */
  readonly unit: string;
  /** The unit string the client sent, kept for information only. */
  readonly clientUnit: string;
  readonly measuredAt: string;
  readonly startDate: string;
  readonly sleepStage: string | null;
  readonly rhythmClassification: string | null;
  readonly source: string;
  readonly deviceType: string | null;
  readonly externalSourceVersion: string | null;
}

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

/** The port the ingest use case writes through (the repository implements it). */
export interface MeasurementWriter {
  writeMeasurement(request: WriteRequest, options?: { abortSignal?: AbortSignal }): Promise<WriteOutcome>;
}
