import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { BatchEntry } from '../functions/measurements/batch/batch-schema';
import type { HttpEvent } from '../functions/http/request';
import { toHttpApiEvent } from '../local/http-api-event';
import type { ExpectedStatus } from './workloads';

/** The API Gateway event of a batch POST after the JWT authorizer, as the phone would send it. */
export function batchEvent(
  userId: string,
  entries: readonly BatchEntry[],
  requestId?: string,
  idempotencyKey?: string,
): HttpEvent {
  return toHttpApiEvent({
    method: 'POST',
    rawPath: '/api/measurements/batch',
    routePath: '/api/measurements/batch',
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId ?? `bench-${userId}`,
      'x-client-type': 'native',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify({ entries, syncTrigger: 'background' }),
    claims: { sub: userId },
    requestId,
  });
}

/** A Lambda context with plenty of time left (the deadline path is not what is measured). */
export const lambdaContext = {
  getRemainingTimeInMillis: () => 25_000,
  functionName: 'bench-ingest-batch',
  awsRequestId: 'bench',
};

/**
 * Throws unless the handler answered 200 with exactly the expected status per entry: a number
 * taken from a run that did something else (e.g. every write failed fast) must never be reported.
 */
export function assertOutcomes(
  result: APIGatewayProxyStructuredResultV2,
  expected: readonly ExpectedStatus[],
  label: string,
): void {
  if (result.statusCode !== 200) throw new Error(`${label}: HTTP ${result.statusCode}: ${result.body}`);
  const { data } = JSON.parse(result.body ?? '{}') as { data: { entries: Array<{ status: string }> } };
  assertStatuses(
    data.entries.map((entry) => entry.status),
    expected,
    label,
  );
}

export function assertStatuses(
  actual: readonly string[],
  expected: readonly ExpectedStatus[],
  label: string,
): void {
  const mismatch = expected.findIndex((status, index) => actual[index] !== status);
  if (actual.length !== expected.length || mismatch >= 0) {
    throw new Error(
      `${label}: entry ${mismatch} answered ${actual[mismatch]}, expected ${expected[mismatch]} ` +
        `(${actual.length} answers for ${expected.length} entries)`,
    );
  }
}
