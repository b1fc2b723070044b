import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createLogger } from '../../functions/commons/logger';
import { createIngestBatchHandler } from '../../functions/ingest-batch/create-ingest-batch-handler';
import type { MeasurementWriter } from '../../functions/measurements/batch/measurement-writer';
import { TableMeasurementWriter } from '../../functions/measurements/storage/table-measurement-writer';
import { noGuards, type RequestGuards } from '../../functions/request-guards/request-guards';
import { toHttpApiEvent } from '../../local/http-api-event';

export interface BatchCall {
  readonly userId?: string | null;
  readonly body?: unknown;
  /** Sent as is instead of JSON-encoding `body`. */
  readonly rawBody?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly requestId?: string;
  readonly remainingTimeMs?: number;
  readonly base64Body?: boolean;
}

/** A handler's answer as a test reads it: lower-case header names, the body parsed. */
export interface BatchAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: any;
  readonly rawBody: string;
  /** The proxy result's size as Lambda counts a response: the result as JSON. */
  readonly resultBytes: number;
}

export function toAnswer(result: APIGatewayProxyStructuredResultV2): BatchAnswer {
  const rawBody = result.body ?? '';
  return {
    resultBytes: Buffer.byteLength(JSON.stringify(result), 'utf8'),
    status: result.statusCode ?? 0,
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    ),
    body: rawBody ? JSON.parse(rawBody) : undefined,
    rawBody,
  };
}

/** Calls the real batch handler the way API Gateway would, after the JWT authorizer. */
export function batchClient(options: {
  documentClient?: DynamoDBDocumentClient;
  tableName?: string;
  writer?: MeasurementWriter;
  writeConcurrency?: number;
  clock?: () => number;
  /** The rate limit and Idempotency-Key replay; without them the handler runs unguarded (`noGuards`). */
  guards?: RequestGuards;
}) {
  const writer = options.writer ?? new TableMeasurementWriter(options.documentClient!, options.tableName!);
  const handler = createIngestBatchHandler({
    logger: createLogger('measurement-ingest'),
    writer,
    writeConcurrency: options.writeConcurrency ?? 16,
    deadlineSafetyMarginMs: 1500,
    clock: options.clock,
    guards: options.guards ?? noGuards,
  });
  return async (call: BatchCall): Promise<BatchAnswer> => {
    const userId = call.userId === undefined ? 'user-a' : call.userId;
    const event = toHttpApiEvent({
      method: 'POST',
      rawPath: '/api/measurements/batch',
      routePath: '/api/measurements/batch',
      headers: { 'content-type': 'application/json', ...call.headers },
      body: call.rawBody ?? JSON.stringify(call.body),
      claims: userId === null ? {} : { sub: userId },
      requestId: call.requestId,
      base64Body: call.base64Body,
    });
    const remaining = call.remainingTimeMs ?? 25000;
    const result = (await handler(event, {
      getRemainingTimeInMillis: () => remaining,
    })) as APIGatewayProxyStructuredResultV2;
    return toAnswer(result);
  };
}

/** A HealthKit entry as the phone sends it; override what a test is about. */
export function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hkIdentifier: 'HKQuantityTypeIdentifierHeartRate',
    value: 64,
    unit: 'count/min',
    startDate: '2026-08-14T06:00:00Z',
    endDate: '2026-08-14T06:00:00Z',
    externalId: 'C0FFEE00-0000-4000-8000-000000000000',
    ...overrides,
  };
}

/**
 * A 10-minute heart-rate bucket as the phone sends it: a `stats:` row named by its start, whose
 * end (the bucket's measuredAt) is ten minutes later.
 */
export function heartRateBucket(
  start: string,
  value: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return entry({
    value,
    startDate: start,
    endDate: new Date(Date.parse(start) + 10 * 60_000).toISOString(),
    externalId: `stats:HKQuantityTypeIdentifierHeartRate:${start}`,
    ...overrides,
  });
}

export function stepsDay(day: string, value: number): Record<string, unknown> {
  return {
    hkIdentifier: 'HKQuantityTypeIdentifierStepCount',
    value,
    unit: 'steps',
    startDate: `${day}T00:00:00+02:00`,
    endDate: `${day}T00:00:00+02:00`,
    externalId: `stats:HKQuantityTypeIdentifierStepCount:${day}`,
  };
}
